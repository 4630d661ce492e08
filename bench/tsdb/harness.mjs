#!/usr/bin/env node
// Minimal Vigil ingest server for the TSDB benchmark: node:http + the remote-write
// route + openTsdb, in its own process so its CPU and RSS can be measured alone.
// Replace with `vigil server --web.enable-remote-write-receiver` once that exists
// (the bench only needs POST /api/v1/write and a way to persist the head: here
// POST /flush, there the snapshot API).
//   node bench/tsdb/harness.mjs --dir DIR --port PORT
import { createServer } from 'node:http';
import { openTsdb } from '../../dist/tsdb/index.js';
import { remoteWriteRoutes } from '../../dist/remote/index.js';
import { Router, RequestContext, createLogger } from '../../dist/util/index.js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const logger = createLogger({ level: args['log.level'] ?? 'warn' });
const db = await openTsdb({ dir: args.dir, logger, retentionMs: 0 });
const router = new Router().mount(remoteWriteRoutes(db, { logger }));
router.add({
  method: 'POST',
  path: '/flush',
  handler: async (ctx) => {
    await db.flushHead();
    ctx.sendJson(200, db.diskBytes());
  },
});
router.add({ method: 'GET', path: '/-/ready', handler: (ctx) => ctx.send(200, 'text/plain', 'ready\n') });
router.add({ method: 'GET', path: '/stats', handler: (ctx) => ctx.sendJson(200, { ...db.stats(5), disk: db.diskBytes(), blocks: db.blockMetas().length }) });
const server = createServer((req, res) => {
  const ctx = new RequestContext(req, res);
  const m = router.match(ctx.method, ctx.url.pathname);
  if (!m || m === 'method') {
    res.writeHead(m ? 405 : 404);
    res.end();
    return;
  }
  ctx.params = m.params;
  Promise.resolve(m.handler(ctx)).catch((err) => {
    logger.error({ err: String(err) }, 'handler failed');
    if (!res.headersSent) res.writeHead(500);
    res.end(String(err));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(args.port), '127.0.0.1');
const stop = async () => {
  server.close();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
