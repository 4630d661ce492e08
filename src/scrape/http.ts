import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { readSecretFile, type HTTPClientConfig } from '../config/index.js';
import { SCRAPE_ACCEPT_HEADER } from '../textparse/index.js';
import { buildInfo } from '../util/index.js';

export class ScrapeError extends Error {
  override name = 'ScrapeError';
  constructor(
    message: string,
    /** Body size limit errors report scrape_body_size_bytes -1 in Prometheus; kept for parity. */
    readonly bodyLimit = false,
  ) {
    super(message);
  }
}

export interface ScrapeResponse {
  body: Buffer;
  contentType: string;
}

const USER_AGENT = `Vigil/${buildInfo().version}`;

/** Builds request headers for a scrape, reading *_file secrets at use time. */
async function authHeader(h: HTTPClientConfig): Promise<string | null> {
  if (h.basicAuth) {
    const pw = h.basicAuth.passwordFile !== '' ? await readSecretFile(h.basicAuth.passwordFile) : h.basicAuth.password;
    return 'Basic ' + Buffer.from(`${h.basicAuth.username}:${pw}`).toString('base64');
  }
  if (h.authorization) {
    const cred = h.authorization.credentialsFile !== '' ? await readSecretFile(h.authorization.credentialsFile) : h.authorization.credentials;
    return `${h.authorization.type} ${cred}`;
  }
  return null;
}

/**
 * GETs a target with the Accept header Prometheus 2.42 sends, gzip support, a
 * timeout and a limit on the uncompressed body size (0 = none).
 */
export async function fetchScrape(url: string, h: HTTPClientConfig, timeoutMs: number, bodySizeLimit: number, signal?: AbortSignal): Promise<ScrapeResponse> {
  const deadline = Date.now() + timeoutMs;
  let current = url;
  const origin = new URL(url).host;
  // Go's http.Client: up to 10 redirects, credentials only sent to the original host.
  for (let hop = 0; ; hop++) {
    const r = await fetchOnce(current, h, timeoutMs, Math.max(1, deadline - Date.now()), bodySizeLimit, new URL(current).host === origin, signal);
    if (!('redirect' in r)) return r;
    if (!h.followRedirects) throw new ScrapeError(r.status);
    if (hop >= 9) throw new ScrapeError(`Get "${r.redirect}": stopped after 10 redirects`);
    current = r.redirect;
  }
}

async function fetchOnce(
  url: string,
  h: HTTPClientConfig,
  timeoutMs: number,
  remainingMs: number,
  bodySizeLimit: number,
  sendAuth: boolean,
  signal?: AbortSignal,
): Promise<ScrapeResponse | { redirect: string; status: string }> {
  const headers: Record<string, string> = {
    Accept: SCRAPE_ACCEPT_HEADER,
    'Accept-Encoding': 'gzip',
    'User-Agent': USER_AGENT,
    'X-Prometheus-Scrape-Timeout-Seconds': String(timeoutMs / 1000),
  };
  const auth = sendAuth ? await authHeader(h) : null;
  if (auth !== null) headers['Authorization'] = auth;
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  const tls = h.tlsConfig;
  const tlsOpts = isHttps
    ? {
        ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
        cert: tls.certFile ? readFileSync(tls.certFile) : undefined,
        key: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
        servername: tls.serverName || undefined,
        rejectUnauthorized: !tls.insecureSkipVerify,
        minVersion: tls.minVersion ? (('TLSv1' + (tls.minVersion === 'TLS10' ? '' : '.' + tls.minVersion.slice(4))) as 'TLSv1.2') : undefined,
      }
    : {};
  return new Promise<ScrapeResponse | { redirect: string; status: string }>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, res?: ScrapeResponse | { redirect: string; status: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(res!);
    };
    const timer = setTimeout(() => finish(new ScrapeError(`Get "${url}": context deadline exceeded`)), remainingMs);
    const onAbort = (): void => finish(new ScrapeError(`Get "${url}": context canceled`));
    signal?.addEventListener('abort', onAbort, { once: true });
    const req = (isHttps ? httpsRequest : httpRequest)(u, { method: 'GET', headers, agent: false, ...tlsOpts }, (res: IncomingMessage) => {
      const code = res.statusCode ?? 0;
      const status = `server returned HTTP status ${code} ${res.statusMessage ?? ''}`.trimEnd();
      if ([301, 302, 303, 307, 308].includes(code) && res.headers.location) {
        res.resume();
        finish(null, { redirect: new URL(res.headers.location, url).toString(), status });
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        finish(new ScrapeError(`server returned HTTP status ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd()));
        return;
      }
      const gz = (res.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
      const stream = gz ? res.pipe(createGunzip()) : res;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (bodySizeLimit > 0 && size >= bodySizeLimit) {
          // Prometheus reads at most body_size_limit bytes and fails when it got that many.
          finish(new ScrapeError(`body size limit exceeded`, true));
          stream.destroy();
          return;
        }
        chunks.push(c);
      });
      stream.on('error', (err: Error) => finish(new ScrapeError(gz ? `gzip: ${err.message}` : err.message)));
      stream.on('end', () => finish(null, { body: Buffer.concat(chunks, size), contentType: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish(new ScrapeError(`Get "${url}": ${describeNetError(err, u)}`)));
    req.end();
  });
}

function describeNetError(err: NodeJS.ErrnoException, u: URL): string {
  if (err.code === 'ECONNREFUSED') return `dial tcp ${u.host}: connect: connection refused`;
  if (err.code === 'ENOTFOUND') return `dial tcp: lookup ${u.hostname}: no such host`;
  return err.message;
}
