import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { RequestContext, Router } from '../util/index.js';
import { fixture } from './fixture-tree.js';
import { createNodeCollector, nodeMetricsRoute } from './index.js';

test('nodeMetricsRoute serves the collectors through the shared Router (plain, gzip, collect[])', async () => {
  const fx = fixture({ 'proc/loadavg': '0.5 0.25 0.125 1/1 1\n', 'proc/meminfo': 'MemTotal: 4 kB\n' });
  const router = new Router().add(nodeMetricsRoute(createNodeCollector({ ...fx.opts, collectors: ['loadavg', 'meminfo'] })));
  const srv = createServer((req, res) => {
    const ctx = new RequestContext(req, res);
    const m = router.match(ctx.method, ctx.url.pathname);
    if (m === null || m === 'method') return ctx.send(404, 'text/plain', 'no');
    void Promise.resolve(m.handler(ctx)).catch(() => ctx.send(500, 'text/plain', 'error'));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/metrics/node`;
  try {
    const plain = await fetch(base, { headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await plain.text();
    assert.match(text, /^node_load1 0\.5$/m);
    assert.match(text, /^node_memory_MemTotal_bytes 4096$/m);
    const zipped = await new Promise<Buffer>((resolve, reject) => {
      void import('node:http').then(({ get }) =>
        get(base + '?collect[]=meminfo', { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
          assert.equal(res.headers['content-encoding'], 'gzip');
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        }).on('error', reject),
      );
    });
    const only = gunzipSync(zipped).toString();
    assert.match(only, /^node_memory_MemTotal_bytes 4096$/m);
    assert.doesNotMatch(only, /node_load1/);
    assert.equal((await fetch(base + '?collect[]=cpu')).status, 400);
  } finally {
    srv.close();
    fx.cleanup();
  }
});
