import type { Appendable } from '../storage/index.js';
import { HttpError, type Logger, type RequestContext, type Route } from '../util/index.js';
import { ProtoError, appendWriteRequest } from './codec.js';
import { SeriesRefCache } from './refcache.js';
import { SnappyError, snappyUncompress } from './snappy.js';

export interface RemoteWriteOptions {
  logger?: Logger;
  /** Largest compressed body accepted (default 32 MiB); larger requests get 413. */
  maxBodyBytes?: number;
  /** Largest decompressed body (default 256 MiB); larger requests get 400. */
  maxDecodedBytes?: number;
  /** Called with per-request counts (for the lead's metrics). */
  onRequest?: (info: { samples: number; series: number; rejected: Record<string, number> }) => void;
}

/**
 * POST /api/v1/write (remote-write 1.0 receiver) with Prometheus' status codes:
 * 204 when everything was stored; 400 with the reason for undecodable bodies and
 * for samples the storage rejects (out of order, out of bounds, duplicates,
 * invalid labels) — the good samples of the request are still committed, and 400
 * tells the sender not to retry; 413 for oversize bodies; 500 for storage failures
 * (the sender retries).
 */
export function remoteWriteRoutes(appendable: Appendable, opts: RemoteWriteOptions = {}): Route[] {
  const maxBody = opts.maxBodyBytes ?? 32 * 1024 * 1024;
  const maxDecoded = opts.maxDecodedBytes ?? 256 * 1024 * 1024;
  const refCache = new SeriesRefCache();
  const handler = async (ctx: RequestContext): Promise<void> => {
    let body: Buffer;
    try {
      body = await ctx.body(maxBody);
    } catch (err) {
      if (err instanceof HttpError) return ctx.send(err.statusCode, 'text/plain; charset=utf-8', err.message + '\n');
      throw err;
    }
    const encoding = String(ctx.req.headers['content-encoding'] ?? 'snappy').toLowerCase();
    if (encoding !== 'snappy') {
      return ctx.send(400, 'text/plain; charset=utf-8', `unsupported Content-Encoding ${JSON.stringify(encoding)}; remote write 1.0 requires snappy\n`);
    }
    let raw: Uint8Array;
    try {
      raw = snappyUncompress(body, maxDecoded);
    } catch (err) {
      const msg = err instanceof SnappyError ? err.message : String(err);
      return ctx.send(400, 'text/plain; charset=utf-8', msg + '\n');
    }
    const app = appendable.appender();
    let res;
    try {
      res = appendWriteRequest(raw, app, refCache);
    } catch (err) {
      await app.rollback();
      if (err instanceof ProtoError) return ctx.send(400, 'text/plain; charset=utf-8', `decode write request: ${err.message}\n`);
      opts.logger?.error({ err: String(err) }, 'remote write append failed');
      return ctx.send(500, 'text/plain; charset=utf-8', String(err) + '\n');
    }
    try {
      await app.commit();
    } catch (err) {
      opts.logger?.error({ err: String(err) }, 'remote write commit failed');
      return ctx.send(500, 'text/plain; charset=utf-8', `commit: ${String(err)}\n`);
    }
    opts.onRequest?.(res);
    if (res.firstError !== null) {
      opts.logger?.warn({ rejected: res.rejected, err: res.firstError }, 'remote write samples rejected');
      return ctx.send(400, 'text/plain; charset=utf-8', res.firstError + '\n');
    }
    ctx.res.writeHead(204);
    ctx.res.end();
  };
  return [{ method: 'POST', path: '/api/v1/write', handler }];
}
