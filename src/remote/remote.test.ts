import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { describe, it } from 'node:test';
import { isStaleNaN, labelsFromStrings, MatchType, Matcher, STALE_NAN, type Labels } from '../model/index.js';
import { MemoryStorage, StorageError, type Appendable } from '../storage/index.js';
import { findBinary, freePort, skipUnless, startProcess, tempDir, waitForHttp } from '../testutil/index.js';
import { RequestContext, Router } from '../util/index.js';
import { appendWriteRequest, decodeWriteRequest, encodeWriteRequest, remoteWriteRoutes, snappyCompress, SeriesRefCache, type WriteSeries } from './index.js';

async function serve(appendable: Appendable, maxBodyBytes?: number): Promise<{ url: string; server: Server }> {
  const router = new Router().mount(remoteWriteRoutes(appendable, { maxBodyBytes }));
  const server = createServer((req, res) => {
    const ctx = new RequestContext(req, res);
    const m = router.match(ctx.method, ctx.url.pathname);
    if (!m || m === 'method') {
      res.writeHead(m ? 405 : 404);
      res.end();
      return;
    }
    ctx.params = m.params;
    Promise.resolve(m.handler(ctx)).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}/api/v1/write`, server };
}

function post(url: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body,
    headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0', ...headers },
  });
}

async function readAll(db: MemoryStorage, name: string): Promise<Array<{ t: number; v: Float64Array }>> {
  const q = await db.querier(-Infinity, Infinity);
  const out: Array<{ t: number; v: Float64Array }> = [];
  for (const s of await q.select(null, [new Matcher(MatchType.Equal, '__name__', name)])) {
    const it = s.iterator();
    while (it.next()) out.push({ t: it.t, v: Float64Array.of(it.v) });
  }
  q.close();
  return out;
}

describe('remote write codec', () => {
  it('round-trips labels, negative timestamps and NaN payloads bit-exactly', () => {
    const s: WriteSeries = { labels: labelsFromStrings('__name__', 'm', 'ünï', 'cødé'), samples: [] };
    s.samples.push({ t: -1000, v: STALE_NAN }, { t: 0, v: -Infinity }, { t: 2 ** 45, v: 0.1 });
    const got = decodeWriteRequest(encodeWriteRequest([s]));
    assert.equal(got.length, 1);
    assert.deepEqual(got[0]!.labels, s.labels);
    assert.deepEqual(
      got[0]!.samples.map((x) => x.t),
      [-1000, 0, 2 ** 45],
    );
    assert.ok(isStaleNaN(got[0]!.samples[0]!.v));
    assert.equal(got[0]!.samples[1]!.v, -Infinity);
  });
});

describe('series ref cache', () => {
  it('skips label decoding for known series and re-resolves refs the storage forgot', async () => {
    const db = new MemoryStorage();
    // A storage whose refs can expire (like head series garbage collection).
    let generation = 1;
    const refs = new Map<number, number>();
    let lookups = 0;
    const appendable = {
      appender() {
        const inner = db.appender();
        return {
          append(ref: number, labels: Labels, t: number, v: number): number {
            if (ref > 0) {
              if (refs.get(ref) !== generation) throw new StorageError('invalid_labels', 'empty label set');
              inner.append(0, cachedLabels.get(ref)!, t, v);
              return ref;
            }
            if (labels.length === 0) throw new StorageError('invalid_labels', 'empty label set');
            lookups++;
            const newRef = refs.size + 1;
            refs.set(newRef, generation);
            cachedLabels.set(newRef, labels);
            inner.append(0, labels, t, v);
            return newRef;
          },
          commit: () => inner.commit(),
          rollback: () => inner.rollback(),
        };
      },
    };
    const cachedLabels = new Map<number, Labels>();
    const cache = new SeriesRefCache();
    const ls = labelsFromStrings('__name__', 'c', 'k', 'v');
    const send = async (t: number): Promise<void> => {
      const app = appendable.appender();
      const res = appendWriteRequest(encodeWriteRequest([{ labels: ls, samples: [{ t, v: t }] }]), app, cache);
      assert.equal(res.firstError, null);
      await app.commit();
    };
    await send(1);
    await send(2);
    await send(3);
    assert.equal(lookups, 1, 'labels resolved once, then served from the cache');
    generation++; // every ref is now stale
    await send(4);
    assert.equal(lookups, 2);
    const got = await readAll(db, 'c');
    assert.deepEqual(
      got.map((x) => x.t),
      [1, 2, 3, 4],
    );
  });
});

describe('POST /api/v1/write', () => {
  it('stores samples (204), reports out-of-order as 400 while keeping the good ones, rejects bad bodies', async () => {
    const db = new MemoryStorage();
    const { url, server } = await serve(db, 1024 * 1024);
    try {
      const ls = labelsFromStrings('__name__', 'up', 'job', 'x');
      let r = await post(url, snappyCompress(encodeWriteRequest([{ labels: ls, samples: [{ t: 1000, v: 1 }, { t: 2000, v: STALE_NAN }] }])));
      assert.equal(r.status, 204);
      const other = labelsFromStrings('__name__', 'up', 'job', 'y');
      r = await post(
        url,
        snappyCompress(
          encodeWriteRequest([
            { labels: ls, samples: [{ t: 500, v: 9 }] },
            { labels: other, samples: [{ t: 1000, v: 5 }] },
          ]),
        ),
      );
      assert.equal(r.status, 400);
      assert.match(await r.text(), /out of order sample for series \{__name__="up", job="x"\} timestamp 500/);
      const got = await readAll(db, 'up');
      assert.equal(got.length, 3, 'the good sample of the rejected request is kept');
      assert.ok(isStaleNaN(got[1]!.v[0]!));
      r = await post(url, new Uint8Array([1, 2, 3, 4, 5]));
      assert.equal(r.status, 400);
      assert.match(await r.text(), /snappy/);
      r = await post(url, snappyCompress(new Uint8Array([0x0a, 0x50, 0x01])));
      assert.equal(r.status, 400);
      assert.match(await r.text(), /decode write request/);
      r = await post(url, new Uint8Array(2 * 1024 * 1024));
      assert.equal(r.status, 413);
      r = await fetch(url);
      assert.equal(r.status, 405);
    } finally {
      server.close();
    }
  });

  const prom = findBinary('prometheus');
  it('the encoder is accepted by Prometheus 2.42 (differential)', { skip: skipUnless(prom, 'prometheus') }, async () => {
    const port = await freePort();
    const tmp = tempDir();
    const cfg = `${tmp.path}/prometheus.yml`;
    await import('node:fs').then((fs) => fs.writeFileSync(cfg, 'global: {}\n'));
    const p = await startProcess(
      prom!,
      [`--config.file=${cfg}`, `--storage.tsdb.path=${tmp.path}/data`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver'],
      { readyUrl: `http://127.0.0.1:${port}/-/ready`, readyTimeoutMs: 30_000 },
    );
    try {
      const now = Date.now();
      const body = encodeWriteRequest([{ labels: labelsFromStrings('__name__', 'vigil_rw_test', 'k', 'v'), samples: [{ t: now - 1000, v: 42.5 }] }]);
      const r = await post(`http://127.0.0.1:${port}/api/v1/write`, snappyCompress(body));
      assert.equal(r.status, 204, await r.text());
      await waitForHttp(`http://127.0.0.1:${port}/-/ready`);
      const q = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=vigil_rw_test&time=${now / 1000}`);
      const json = (await q.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      assert.deepEqual(json.data.result[0]!.metric, { __name__: 'vigil_rw_test', k: 'v' });
      assert.equal(json.data.result[0]!.value[1], '42.5');
    } finally {
      await p.stop();
      tmp.cleanup();
    }
  });
});

describe('SeriesRefCache table', () => {
  it('stores, finds, deletes and grows without losing entries', () => {
    const c = new SeriesRefCache(1_000_000);
    const N = 50_000;
    for (let i = 1; i <= N; i++) c.set(i * 7919, i ^ 0x5555, i * 31, i);
    assert.equal(c.size, N);
    for (let i = 1; i <= N; i++) assert.equal(c.get(i * 7919, i ^ 0x5555, i * 31), i);
    assert.equal(c.get(7919, 1 ^ 0x5555, 32), 0, 'a differing lane misses');
    for (let i = 1; i <= N; i += 2) c.delete(i * 7919, i ^ 0x5555, i * 31);
    for (let i = 1; i <= N; i++) assert.equal(c.get(i * 7919, i ^ 0x5555, i * 31), i % 2 === 1 ? 0 : i);
    c.set(7919, 1 ^ 0x5555, 31, 99);
    assert.equal(c.get(7919, 1 ^ 0x5555, 31), 99);
    const small = new SeriesRefCache(10);
    for (let i = 1; i <= 25; i++) small.set(i, i, i, i);
    assert.ok(small.size <= 10, 'bounded: cleared when full');
  });
});

describe('snappy fallback', () => {
  it('the pure-JS implementation is interoperable with the native one', async () => {
    const { spawnSync } = await import('node:child_process');
    const mod = new URL('./index.js', import.meta.url).href;
    const script = `import(${JSON.stringify(mod)}).then((m) => {
      const input = Buffer.from('remote write '.repeat(1000));
      const c = m.snappyCompress(input);
      process.stdout.write(JSON.stringify({ impl: m.snappyImplementation, c: Buffer.from(c).toString('base64'), ok: Buffer.from(m.snappyUncompress(c)).equals(input) }));
    })`;
    const run = (env: Record<string, string>): { impl: string; c: string; ok: boolean } => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { impl: string; c: string; ok: boolean };
    };
    const js = run({ VIGIL_SNAPPY: 'js' });
    const native = run({});
    assert.match(js.impl, /snappyjs/);
    assert.ok(js.ok && native.ok);
    // Each decodes the other's output.
    const { snappyUncompress } = await import('./index.js');
    assert.equal(Buffer.from(snappyUncompress(Buffer.from(js.c, 'base64'))).toString().slice(0, 13), 'remote write ');
    assert.equal(Buffer.from(snappyUncompress(Buffer.from(native.c, 'base64'))).length, 13_000);
  });
});
