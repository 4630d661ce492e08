#!/usr/bin/env node
// PromQL benchmark: rate() and sum by () over N counter series x 1h at a 15s step,
// on the same data in Vigil (in-process engine over MemoryStorage, plus JSON
// serialisation) and Prometheus (HTTP /api/v1/query_range on blocks imported with
// promtool). Prints median latencies and the Vigil/Prometheus ratio.
//
//   npm run build && node bench/promql/run.mjs [--series 10000] [--reps 5] [--keep]
//
// Use a small --series (e.g. 1000) while the machine is shared.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Engine } from '../../dist/promql/index.js';
import { resultJson } from '../../dist/promql/api.js';
import { MemoryStorage } from '../../dist/storage/index.js';
import { labelsFromObject } from '../../dist/model/index.js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']] : acc), []),
);
const SERIES = Number(args.series ?? 10000);
const REPS = Number(args.reps ?? 5);
const T0 = 1672531200000;
const SCRAPE = 15_000;
const SPAN = 65 * 60_000; // 1h of query range + 5m of rate window
const QUERIES = ['rate(bench_requests_total[5m])', 'sum by (job) (rate(bench_requests_total[5m]))'];

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function labelsOf(i) {
  return { __name__: 'bench_requests_total', job: `job${i % 10}`, instance: `host${Math.floor(i / 10)}:9100`, code: i % 7 === 0 ? '500' : '200' };
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-promql-'));
console.log(`series=${SERIES} samples/series=${SPAN / SCRAPE} dir=${dir}`);

// Data: OpenMetrics for promtool, and the same samples into MemoryStorage.
const storage = new MemoryStorage();
const om = join(dir, 'data.om');
const out = createWriteStream(om);
const app = storage.appender();
let lines = [];
for (let i = 0; i < SERIES; i++) {
  const l = labelsOf(i);
  const ls = labelsFromObject(l);
  const head = `bench_requests_total{code="${l.code}",instance="${l.instance}",job="${l.job}"}`;
  let v = 0;
  let ref = 0;
  const phase = (i * 997) % SCRAPE;
  for (let t = T0 + phase; t < T0 + SPAN; t += SCRAPE) {
    v += (i % 13) + 1;
    ref = app.append(ref, ls, t, v);
    lines.push(`${head} ${v} ${(t / 1000).toFixed(3)}`);
  }
  if (lines.length > 50_000) {
    if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
    lines = [];
  }
}
out.write(lines.join('\n') + '\n# EOF\n');
out.end();
await once(out, 'finish');
await app.commit();

const tsdb = join(dir, 'tsdb');
let t = Date.now();
const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, tsdb], { encoding: 'utf8' });
if (r.status !== 0) {
  console.error('promtool failed', r.stderr);
  process.exit(1);
}
console.log(`promtool import: ${Date.now() - t} ms`);
rmSync(om);
writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
const port = await freePort();
const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${tsdb}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y', '--log.level=error'], { stdio: 'ignore' });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/-/ready`)).ok) break;
  } catch {}
  if (i > 300) throw new Error('prometheus did not start');
  await new Promise((res) => setTimeout(res, 100));
}

const start = T0 + 5 * 60_000;
const end = T0 + SPAN;
const engine = new Engine();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  for (const q of QUERIES) {
    const params = new URLSearchParams({ query: q, start: String(start / 1000), end: String(end / 1000), step: '15' });
    const promTimes = [];
    const vigilTimes = [];
    const vigilEngineTimes = [];
    let promBytes = 0;
    let vigilBytes = 0;
    for (let i = 0; i <= REPS; i++) {
      let t0 = performance.now();
      const body = await (await fetch(`${base}/api/v1/query_range?${params}`)).text();
      const pt = performance.now() - t0;
      promBytes = body.length;
      t0 = performance.now();
      const res = await engine.rangeQuery(storage, q, start, end, SCRAPE);
      const et = performance.now() - t0;
      const json = '{"status":"success","data":' + resultJson(res) + '}';
      const vt = performance.now() - t0;
      vigilBytes = json.length;
      if (i === 0) continue; // warm-up
      promTimes.push(pt);
      vigilTimes.push(vt);
      vigilEngineTimes.push(et);
    }
    const p = median(promTimes);
    const v = median(vigilTimes);
    console.log(
      `${q}\n  prometheus ${p.toFixed(1)} ms (${promBytes} bytes)  vigil ${v.toFixed(1)} ms (engine ${median(vigilEngineTimes).toFixed(1)} ms, ${vigilBytes} bytes)  ratio vigil/prometheus = ${(v / p).toFixed(2)}`,
    );
  }
} finally {
  prom.kill('SIGTERM');
  await once(prom, 'exit');
  if (args.keep !== 'true') rmSync(dir, { recursive: true, force: true });
}
