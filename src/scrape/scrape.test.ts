import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { parseConfig } from '../config/index.js';
import { isStaleNaN, labelsToObject, seriesToString, type Labels } from '../model/index.js';
import { MemoryStorage, type Appendable, type Appender } from '../storage/index.js';
import { eventually, sleep, tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { ScrapeManager } from './index.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Exporter {
  port: number;
  body: string;
  hits: number;
  lastReq: IncomingMessage | null;
}

async function exporter(body: string, handler?: (req: IncomingMessage, res: import('node:http').ServerResponse, e: Exporter) => boolean): Promise<Exporter> {
  const e: Exporter = { port: 0, body, hits: 0, lastReq: null };
  const srv: Server = createServer((req, res) => {
    e.hits++;
    e.lastReq = req;
    if (handler && handler(req, res, e)) return;
    res.setHeader('Content-Type', 'text/plain; version=0.0.4');
    res.end(e.body);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    srv.closeAllConnections();
    return new Promise<void>((r) => srv.close(() => r()));
  });
  e.port = (srv.address() as { port: number }).port;
  return e;
}

function manager(storage: Appendable, registry?: Registry): ScrapeManager {
  const m = new ScrapeManager({ appendable: storage, logger: nopLogger(), registry });
  cleanups.push(() => m.stop());
  return m;
}

// Values stay in a Float64Array: plain number[] would canonicalise the stale NaN.
async function samples(st: MemoryStorage, name: string): Promise<Array<{ labels: Labels; ts: number[]; vs: Float64Array }>> {
  const q = await st.querier(0, Date.now() + 60_000);
  const out = [];
  for (const s of await q.select(null, [])) {
    if (s.labels.find((l) => l.name === '__name__')?.value !== name) continue;
    const it = s.iterator();
    const ts: number[] = [];
    let vs = new Float64Array(0);
    while (it.next()) {
      ts.push(it.t);
      const n = new Float64Array(vs.length + 1);
      n.set(vs);
      n[vs.length] = it.v;
      vs = n;
    }
    out.push({ labels: s.labels, ts, vs });
  }
  q.close();
  return out;
}

function cfg(yaml: string): ReturnType<typeof parseConfig> {
  return parseConfig(yaml, '/tmp/vigil-scrape-test/prometheus.yml');
}

test('a series that disappears from a target gets a staleness marker on the next scrape', async () => {
  const e = await exporter('a 1\nb 2\n');
  const st = new MemoryStorage();
  const m = manager(st);
  await m.applyConfig(cfg(`scrape_configs:\n  - job_name: s\n    scrape_interval: 200ms\n    scrape_timeout: 150ms\n    static_configs: [{targets: ['127.0.0.1:${e.port}']}]\n`));
  await eventually(async () => (await samples(st, 'b')).some((s) => s.ts.length >= 2));
  e.body = 'a 1\n';
  const stale = await eventually(async () => {
    const b = (await samples(st, 'b'))[0]!;
    return b.vs.length > 0 && isStaleNaN(b.vs[b.vs.length - 1]!) ? b : null;
  });
  // Exactly one marker, then nothing more for the vanished series.
  await sleep(450);
  const again = (await samples(st, 'b'))[0]!;
  assert.equal(again.vs.length, stale.vs.length);
  assert.ok(!(await samples(st, 'a'))[0]!.vs.some((v) => isStaleNaN(v)));
});

test('removing a job stops its loops and marks all their series (and report series) stale', async () => {
  const e = await exporter('x 1\n');
  const st = new MemoryStorage();
  const m = manager(st);
  const base = `scrape_configs:\n  - job_name: keep\n    scrape_interval: 200ms\n    scrape_timeout: 150ms\n    static_configs: [{targets: ['127.0.0.1:${e.port}']}]\n`;
  await m.applyConfig(cfg(base + `  - job_name: gone\n    scrape_interval: 200ms\n    scrape_timeout: 150ms\n    static_configs: [{targets: ['127.0.0.1:${e.port}'], labels: {g: '1'}}]\n`));
  await eventually(async () => m.activeTargets().every((t) => t.health === 'up'));
  await m.applyConfig(cfg(base));
  assert.deepEqual(
    m.activeTargets().map((t) => t.scrapePool),
    ['keep'],
  );
  await eventually(async () => {
    const x = (await samples(st, 'x')).find((s) => labelsToObject(s.labels)['job'] === 'gone');
    const up = (await samples(st, 'up')).find((s) => labelsToObject(s.labels)['job'] === 'gone');
    return x && up && isStaleNaN(x.vs[x.vs.length - 1]!) && isStaleNaN(up.vs[up.vs.length - 1]!);
  }, 5000);
  const kept = (await samples(st, 'x')).find((s) => labelsToObject(s.labels)['job'] === 'keep')!;
  assert.ok(!kept.vs.some((v) => isStaleNaN(v)));
});

test('applyConfig keeps loops of unchanged jobs running and restarts changed ones', async () => {
  const e = await exporter('x 1\n');
  const st = new MemoryStorage();
  const m = manager(st);
  const job = (name: string, iv: string): string => `  - job_name: ${name}\n    scrape_interval: ${iv}\n    scrape_timeout: 100ms\n    static_configs: [{targets: ['127.0.0.1:${e.port}']}]\n`;
  await m.applyConfig(cfg('scrape_configs:\n' + job('same', '200ms') + job('changed', '200ms')));
  await eventually(async () => m.activeTargets().every((t) => t.health === 'up'));
  const before = new Map(m.activeTargets().map((t) => [t.scrapePool, t.lastScrape]));
  await m.applyConfig(cfg('scrape_configs:\n' + job('same', '200ms') + job('changed', '300ms')));
  const now = new Map(m.activeTargets().map((t) => [t.scrapePool, t]));
  assert.ok(now.get('same')!.lastScrape >= before.get('same')! && now.get('same')!.health === 'up', 'unchanged job keeps its loop state');
  assert.equal(now.get('changed')!.health, 'unknown', 'changed job got a new loop');
  assert.equal(now.get('changed')!.scrapeInterval, '300ms');
  await eventually(async () => m.activeTargets().every((t) => t.health === 'up'));
  // Adding a target to a job only changes discovery: the existing target's loop keeps running.
  const other = await exporter('y 1\n');
  const sameBefore = m.activeTargets().find((t) => t.scrapePool === 'same')!;
  await m.applyConfig(
    cfg('scrape_configs:\n' + job('same', '200ms').replace(`['127.0.0.1:${e.port}']`, `['127.0.0.1:${e.port}', '127.0.0.1:${other.port}']`) + job('changed', '300ms')),
  );
  const same = m.activeTargets().filter((t) => t.scrapePool === 'same');
  assert.equal(same.length, 2);
  const kept = same.find((t) => t.scrapeUrl === sameBefore.scrapeUrl)!;
  assert.equal(kept.health, 'up', 'the remaining target was not restarted');
  assert.ok(kept.lastScrape >= sameBefore.lastScrape);
  assert.equal(same.find((t) => t.scrapeUrl !== sameBefore.scrapeUrl)!.health, 'unknown');
});

test('steady-state scrapes reuse cached series refs and label sets', async () => {
  const e = await exporter('a{x="1"} 1\nb 2\n');
  const mem = new MemoryStorage();
  const calls: Array<{ ref: number; labels: Labels; name: string }>[] = [];
  const recording: Appendable = {
    appender(): Appender {
      const inner = mem.appender();
      const batch: Array<{ ref: number; labels: Labels; name: string }> = [];
      calls.push(batch);
      return {
        append: (ref, labels, t, v) => {
          batch.push({ ref, labels, name: seriesToString(labels) });
          return inner.append(ref, labels, t, v);
        },
        commit: () => inner.commit(),
        rollback: () => inner.rollback(),
      };
    },
  };
  const m = manager(recording);
  await m.applyConfig(cfg(`scrape_configs:\n  - job_name: c\n    scrape_interval: 100ms\n    scrape_timeout: 90ms\n    static_configs: [{targets: ['127.0.0.1:${e.port}']}]\n`));
  await eventually(async () => calls.filter((b) => b.some((c) => c.name.startsWith('a{'))).length >= 4);
  const scrapes = calls.filter((b) => b.some((c) => c.name.startsWith('a{')));
  const third = scrapes[2]!.find((c) => c.name.startsWith('a{'))!;
  const fourth = scrapes[3]!.find((c) => c.name.startsWith('a{'))!;
  assert.notEqual(third.ref, 0, 'cached ref is passed to the appender');
  assert.equal(third.labels, fourth.labels, 'the same label set object is reused (no re-parse)');
});

test('honor_timestamps, honor_labels and exported_ prefixes', async () => {
  const ts = Date.now() - 5000;
  const e = await exporter(`t 1 ${ts}\nc{job="exp",instance="i",exported_job="e2"} 1\n`);
  const st = new MemoryStorage();
  const m = manager(st);
  await m.applyConfig(
    cfg(`scrape_configs:
  - job_name: honor
    honor_labels: true
    scrape_interval: 200ms
    scrape_timeout: 150ms
    static_configs: [{targets: ['127.0.0.1:${e.port}']}]
  - job_name: nohonor
    honor_timestamps: false
    scrape_interval: 200ms
    scrape_timeout: 150ms
    static_configs: [{targets: ['127.0.0.1:${e.port}']}]
`),
  );
  await eventually(async () => (await samples(st, 'c')).length === 2 && (await samples(st, 't')).length === 2);
  const c = (await samples(st, 'c')).map((s) => labelsToObject(s.labels));
  assert.deepEqual(
    c.find((l) => l['job'] === 'exp'),
    { __name__: 'c', job: 'exp', instance: 'i', exported_job: 'e2' },
  );
  assert.deepEqual(
    c.find((l) => l['job'] === 'nohonor'),
    // Conflicts are renamed shortest name first; exported_job is taken by the exposed label, so job moves to exported_exported_job.
    { __name__: 'c', job: 'nohonor', instance: `127.0.0.1:${e.port}`, exported_instance: 'i', exported_exported_job: 'exp', exported_job: 'e2' },
  );
  const t = await samples(st, 't');
  assert.deepEqual(t.find((s) => labelsToObject(s.labels)['job'] === 'honor')!.ts, [ts]);
  assert.ok(t.find((s) => labelsToObject(s.labels)['job'] === 'nohonor')!.ts[0]! > ts + 4000);
});

test('failed scrapes roll back (no partial data) and report up=0 with the error', async () => {
  const big = Array.from({ length: 20 }, (_, i) => `m_${i} ${i}`).join('\n') + '\n';
  const e = await exporter(big, (req, res) => {
    if (req.url === '/gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Type', 'text/plain; version=0.0.4');
      res.end(gzipSync('gz 1\n'));
      return true;
    }
    if (req.url === '/slow') {
      setTimeout(() => res.end('late 1\n'), 1000);
      return true;
    }
    if (req.url === '/partial') {
      res.end('p_ok 1\np_bad{ 2\n');
      return true;
    }
    if (req.url === '/redirect') {
      res.statusCode = 302;
      res.setHeader('Location', '/gzip');
      res.end();
      return true;
    }
    if (req.url === '/404') {
      res.statusCode = 404;
      res.end();
      return true;
    }
    return false;
  });
  const st = new MemoryStorage();
  const reg = new Registry();
  const m = manager(st, reg);
  const job = (name: string, extra: string): string =>
    `  - job_name: ${name}\n    scrape_interval: 300ms\n    scrape_timeout: 200ms\n${extra}    static_configs: [{targets: ['127.0.0.1:${e.port}']}]\n`;
  await m.applyConfig(
    cfg(
      'scrape_configs:\n' +
        job('limit', '    sample_limit: 5\n') +
        job('body', '    body_size_limit: 50B\n') +
        job('gzip', '    metrics_path: /gzip\n') +
        job('slow', '    metrics_path: /slow\n') +
        job('partial', '    metrics_path: /partial\n') +
        job('notfound', '    metrics_path: /404\n') +
        job('redirect', '    metrics_path: /redirect\n') +
        job('noredirect', '    metrics_path: /redirect\n    follow_redirects: false\n') +
        job('targets', '    target_limit: 0\n'),
    ),
  );
  await eventually(async () => m.activeTargets().every((t) => t.health !== 'unknown'), 10_000);
  const byPool = new Map(m.activeTargets().map((t) => [t.scrapePool, t]));
  assert.equal(byPool.get('limit')!.lastError, 'sample limit exceeded');
  assert.equal(byPool.get('body')!.lastError, 'body size limit exceeded');
  assert.equal(byPool.get('gzip')!.health, 'up');
  assert.match(byPool.get('slow')!.lastError, /context deadline exceeded/);
  assert.match(byPool.get('partial')!.lastError, /^line 2: /);
  assert.equal(byPool.get('notfound')!.lastError, 'server returned HTTP status 404 Not Found');
  assert.equal(byPool.get('targets')!.health, 'up');
  assert.equal(byPool.get('redirect')!.health, 'up', 'redirects are followed by default');
  assert.equal(byPool.get('noredirect')!.lastError, 'server returned HTTP status 302 Found');
  // Nothing of the rejected bodies was stored.
  assert.equal((await samples(st, 'm_0')).filter((s) => labelsToObject(s.labels)['job'] === 'limit').length, 0);
  assert.equal((await samples(st, 'p_ok')).length, 0);
  assert.equal((await samples(st, 'gz')).length, 2);
  const scraped = (await samples(st, 'scrape_samples_scraped')).find((s) => labelsToObject(s.labels)['job'] === 'limit')!;
  assert.equal(scraped.vs[0], 20, 'samples_scraped counts the whole body even when the limit fails it');
  const up = (await samples(st, 'up')).find((s) => labelsToObject(s.labels)['job'] === 'limit')!;
  assert.equal(up.vs[0], 0);
  assert.match(await reg.metrics(), /prometheus_target_scrapes_exceeded_sample_limit_total [1-9]/);
  assert.match(await reg.metrics(), /prometheus_target_scrapes_exceeded_body_size_limit_total [1-9]/);
});

test('auth headers from files, Accept header, params and metadata', async () => {
  const dir = tempDir('vigil-auth-');
  cleanups.push(dir.cleanup);
  writeFileSync(join(dir.path, 'pw'), 's3cret\n');
  const e = await exporter('', (req, res) => {
    if (req.headers.authorization !== 'Basic ' + Buffer.from('u:s3cret').toString('base64')) {
      res.statusCode = 401;
      res.end();
      return true;
    }
    res.setHeader('Content-Type', 'application/openmetrics-text; version=1.0.0');
    res.end('# TYPE req_seconds counter\n# UNIT req_seconds seconds\n# HELP req_seconds Time.\nreq_seconds_total 1\n# EOF\n');
    return true;
  });
  const st = new MemoryStorage();
  const m = manager(st);
  await m.applyConfig(
    parseConfig(
      `scrape_configs:\n  - job_name: auth\n    scrape_interval: 200ms\n    scrape_timeout: 150ms\n    params: {a: ['1']}\n    basic_auth: {username: u, password_file: pw}\n    static_configs: [{targets: ['127.0.0.1:${e.port}']}]\n`,
      join(dir.path, 'prometheus.yml'),
    ),
  );
  await eventually(async () => m.activeTargets()[0]!.health === 'up');
  assert.equal(e.lastReq!.url, '/metrics?a=1');
  assert.match(String(e.lastReq!.headers.accept), /^application\/openmetrics-text;version=1\.0\.0/);
  assert.equal(e.lastReq!.headers['x-prometheus-scrape-timeout-seconds'], '0.15');
  assert.deepEqual(m.metadata().get('req_seconds'), [{ type: 'counter', help: 'Time.', unit: 'seconds' }]);
  const tm = m.targetMetadata();
  assert.equal(tm.length, 1);
  assert.equal(labelsToObject(tm[0]!.target)['job'], 'auth');
});

test('target_limit fails every target of the pool without scraping', async () => {
  const e = await exporter('x 1\n');
  const st = new MemoryStorage();
  const m = manager(st);
  await m.applyConfig(cfg(`scrape_configs:\n  - job_name: tl\n    target_limit: 1\n    scrape_interval: 200ms\n    scrape_timeout: 150ms\n    static_configs: [{targets: ['127.0.0.1:${e.port}', 'localhost:${e.port}']}]\n`));
  await eventually(async () => m.activeTargets().length === 2 && m.activeTargets().every((t) => t.health === 'down'));
  assert.equal(m.activeTargets()[0]!.lastError, 'target_limit exceeded (number of targets: 2, limit: 1)');
  assert.equal(e.hits, 0);
});

test('scrapes reuse kept-alive connections', async () => {
  let connections = 0;
  const srv = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/plain; version=0.0.4');
    res.end('k 1\n');
  });
  srv.on('connection', () => connections++);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    srv.closeAllConnections();
    return new Promise<void>((r) => srv.close(() => r()));
  });
  const port = (srv.address() as { port: number }).port;
  const st = new MemoryStorage();
  const m = manager(st);
  await m.applyConfig(cfg(`scrape_configs:\n  - job_name: ka\n    scrape_interval: 100ms\n    scrape_timeout: 90ms\n    static_configs: [{targets: ['127.0.0.1:${port}']}]\n`));
  await eventually(async () => ((await samples(st, 'k'))[0]?.ts.length ?? 0) >= 4);
  assert.equal(connections, 1);
});

test('a metric_relabel_configs change takes effect on reload (the series cache is not reused)', async () => {
  const e = await exporter('r{a="1"} 1\n');
  const st = new MemoryStorage();
  const m = manager(st);
  const conf = (rel: string): ReturnType<typeof parseConfig> =>
    cfg(`scrape_configs:\n  - job_name: mr\n    scrape_interval: 150ms\n    scrape_timeout: 100ms\n${rel}    static_configs: [{targets: ['127.0.0.1:${e.port}']}]\n`);
  await m.applyConfig(conf(''));
  await eventually(async () => ((await samples(st, 'r'))[0]?.ts.length ?? 0) >= 2);
  await m.applyConfig(conf(`    metric_relabel_configs: [{source_labels: [a], target_label: b, replacement: 'x$1'}]\n`));
  await eventually(async () => (await samples(st, 'r')).some((s) => labelsToObject(s.labels)['b'] === 'x1'));
  // The old label set ends with a staleness marker.
  await eventually(async () => {
    const old = (await samples(st, 'r')).find((s) => labelsToObject(s.labels)['b'] === undefined)!;
    return isStaleNaN(old.vs[old.vs.length - 1]!);
  }, 5000);
});

test('each target scrapes at a stable phase inside its interval, derived from its hash', async () => {
  const { ScrapeLoop } = await import('./loop.js');
  const { ScrapeMetrics } = await import('./metrics.js');
  const { Target, populateLabels } = await import('./target.js');
  const sc = cfg('scrape_configs:\n  - job_name: p\n    scrape_interval: 10s\n').scrapeConfigs[0]!;
  const deps = { appendable: new MemoryStorage(), logger: nopLogger(), metrics: new ScrapeMetrics(new Registry()), offsetSeed: 12345n };
  const loopFor = (addr: string): InstanceType<typeof ScrapeLoop> => {
    const r = populateLabels([{ name: '__address__', value: addr }], sc);
    return new ScrapeLoop(new Target(r.labels!, r.discovered!, {}), sc, deps, 10_000, 10_000);
  };
  const a = loopFor('a:1');
  const phase = (l: InstanceType<typeof ScrapeLoop>, now: number): number => (now + l.offset(now)) % 10_000;
  const now = 1_700_000_000_123;
  // The same phase whenever it is computed (restarts, reloads)…
  for (const t of [now, now + 1, now + 3_333, now + 86_400_000]) assert.equal(phase(a, t), phase(a, now));
  // …within one interval from now…
  for (const t of [now, now + 7_777]) assert.ok(a.offset(t) >= 0 && a.offset(t) <= 10_000);
  // …and spread across targets.
  const phases = new Set(['a:1', 'b:1', 'c:1', 'd:1', 'e:1'].map((x) => phase(loopFor(x), now)));
  assert.ok(phases.size >= 4);
});

test('stop() (server shutdown) ends every loop and writes no staleness markers', async () => {
  const e = await exporter('s 1\n');
  const st = new MemoryStorage();
  const m = new ScrapeManager({ appendable: st, logger: nopLogger() });
  await m.applyConfig(cfg(`scrape_configs:\n  - job_name: sd\n    scrape_interval: 100ms\n    scrape_timeout: 90ms\n    static_configs: [{targets: ['127.0.0.1:${e.port}']}]\n`));
  await eventually(async () => ((await samples(st, 's'))[0]?.ts.length ?? 0) >= 2);
  await m.stop();
  const hits = e.hits;
  const n = (await samples(st, 's'))[0]!.ts.length;
  await sleep(400);
  assert.equal(e.hits, hits, 'no scrapes after stop');
  const after = (await samples(st, 's'))[0]!;
  assert.equal(after.ts.length, n);
  assert.ok(!after.vs.some((v) => isStaleNaN(v)));
  await assert.rejects(m.applyConfig(cfg('scrape_configs: []\n')), /stopped/);
});
