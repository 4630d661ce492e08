import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzip, constants as zlibConstants } from 'node:zlib';
import { RequestContext } from '../util/index.js';

/** Responses smaller than this are sent uncompressed: gzip would not pay for itself. */
const GZIP_MIN_BYTES = 1024;
/** Content types worth compressing (text formats); everything else goes out as is. */
const COMPRESSIBLE = /^(?:text\/|application\/(?:json|javascript|xml|yaml|openmetrics-text)|image\/svg)/;

/**
 * The RequestContext handed to route handlers by the web server: same API, plus gzip
 * of responses when the client accepts it (as Prometheus' API does) and a server-wide
 * request body limit.
 */
export class WebContext extends RequestContext {
  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    private readonly bodyLimit: number,
    private readonly extraHeaders: Record<string, string>,
  ) {
    super(req, res);
  }

  override body(limit = this.bodyLimit): Promise<Buffer> {
    return super.body(limit);
  }

  private acceptsGzip(): boolean {
    const ae = this.req.headers['accept-encoding'];
    if (typeof ae !== 'string') return false;
    for (const part of ae.split(',')) {
      const [coding, ...params] = part.trim().toLowerCase().split(';');
      if (coding !== 'gzip' && coding !== '*') continue;
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return q === undefined || Number(q.slice(2)) > 0;
    }
    return false;
  }

  override send(status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
    const all: Record<string, string> = { ...this.extraHeaders, 'Content-Type': contentType, ...headers };
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const hasEncoding = Object.keys(all).some((k) => k.toLowerCase() === 'content-encoding');
    if (buf.length < GZIP_MIN_BYTES || hasEncoding || !COMPRESSIBLE.test(contentType) || !this.acceptsGzip() || this.method === 'HEAD') {
      this.res.writeHead(status, { ...all, 'Content-Length': String(buf.length) });
      this.res.end(this.method === 'HEAD' ? undefined : buf);
      return;
    }
    // Level 4 trades a few percent of size for roughly twice the speed of the default.
    gzip(buf, { level: 4, strategy: zlibConstants.Z_DEFAULT_STRATEGY }, (err, gz) => {
      if (this.res.destroyed) return;
      if (err) {
        this.res.writeHead(status, { ...all, 'Content-Length': String(buf.length) });
        this.res.end(buf);
        return;
      }
      this.res.writeHead(status, { ...all, 'Content-Encoding': 'gzip', Vary: vary(this.res.getHeader('Vary')), 'Content-Length': String(gz.length) });
      this.res.end(gz);
    });
  }
}

function vary(existing: unknown): string {
  return typeof existing === 'string' && existing !== '' ? `${existing}, Accept-Encoding` : 'Accept-Encoding';
}
