import { gzip } from 'node:zlib';
import type { Route } from '../util/index.js';
import { UnknownCollectorError, type NodeCollector } from './node-collector.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The host collectors as a route for `vigil server` (mounted at /metrics/node):
 * text format 0.0.4, gzip when the client accepts it, ?collect[]= filtering with a
 * 400 for collectors that are not enabled.
 */
export function nodeMetricsRoute(collector: NodeCollector, path = '/metrics/node'): Route {
  return {
    method: 'GET',
    path,
    handler: async (ctx) => {
      let body: string;
      try {
        body = await collector.render(ctx.query.getAll('collect[]'));
      } catch (err) {
        if (err instanceof UnknownCollectorError) {
          ctx.send(400, 'text/plain; charset=utf-8', `Couldn't create filtered metrics handler: ${err.message}\n`);
          return;
        }
        throw err;
      }
      if (/\bgzip\b/.test(String(ctx.req.headers['accept-encoding'] ?? ''))) {
        const zipped = await new Promise<Buffer>((resolve, reject) => gzip(body, { level: 1 }, (e, b) => (e ? reject(e) : resolve(b))));
        ctx.send(200, EXPOSITION_CONTENT_TYPE, zipped, { 'Content-Encoding': 'gzip' });
        return;
      }
      ctx.send(200, EXPOSITION_CONTENT_TYPE, body);
    },
  };
}
