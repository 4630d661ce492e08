#!/usr/bin/env node
// PromQL benchmark: rate() and sum by () over N counter series x 1h at a 15s step, on
// the same data in Vigil and Prometheus, both as real servers over HTTP: one OpenMetrics
// file is imported into blocks by `vigil tsdb import openmetrics` and by
// `promtool tsdb create-blocks-from openmetrics`, `vigil server` and `prometheus` are
// started on them, and /api/v1/query_range is timed on each (median of --reps after a
// warm-up). Results are checked to agree (series count, last value) before timing counts.
//
//   npm run build && node bench/promql/run.mjs [--series 10000] [--reps 5] [--keep]
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

// Servers this bench started; killed when it exits for any reason (an exception
// included), so a failed run leaves no server behind.
const started = new Set();
process.on('exit', () => {
  for (const p of started) p.kill('SIGKILL');
});

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']] : acc), []),
);
const SERIES = Number(args.series ?? 10000);
const REPS = Number(args.reps ?? 5);
const T0 = 1672531200000;
const SCRAPE = 15_000;
const SPAN = 65 * 60_000; // 1h of query range + 5m of rate window
const QUERIES = ['rate(bench_requests_total[5m])', 'sum by (job) (rate(bench_requests_total[5m]))'];
const VIGIL_BIN = new URL('../../bin/vigil.js', import.meta.url).pathname;

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
console.log(`# PromQL bench: ${SERIES} series x ${SPAN / SCRAPE} samples, range 1h at 15s step, ${REPS} reps; ${new Date().toISOString()}`);

// Data: one OpenMetrics file, imported by both tools.
const om = join(dir, 'data.om');
const out = createWriteStream(om);
let lines = [];
for (let i = 0; i < SERIES; i++) {
  const l = labelsOf(i);
  const head = `bench_requests_total{code="${l.code}",instance="${l.instance}",job="${l.job}"}`;
  let v = 0;
  const phase = (i * 997) % SCRAPE;
  for (let t = T0 + phase; t < T0 + SPAN; t += SCRAPE) {
    v += (i % 13) + 1;
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

function importWith(cmd, argv, what) {
  const t = Date.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`${what} import failed`, r.stderr);
    process.exit(1);
  }
  console.log(`${what} import: ${Date.now() - t} ms`);
}
const promDir = join(dir, 'prom');
const vigilDir = join(dir, 'vigil');
importWith('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, promDir], 'promtool');
importWith(process.execPath, [VIGIL_BIN, 'tsdb', 'import', 'openmetrics', om, vigilDir], 'vigil');
rmSync(om);
writeFileSync(join(dir, 'empty.yml'), 'global: {}\n');

async function startServer(cmd, argv, port) {
  const proc = spawn(cmd, argv, { stdio: 'ignore' });
  started.add(proc);
  proc.once('exit', () => started.delete(proc));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/-/ready`)).ok) break;
    } catch {}
    if (proc.exitCode !== null || i > 600) throw new Error(`${cmd} did not start`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return { proc, base };
}
const promPort = await freePort();
const prom = await startServer('prometheus', [`--config.file=${join(dir, 'empty.yml')}`, `--storage.tsdb.path=${promDir}`, `--web.listen-address=127.0.0.1:${promPort}`, '--storage.tsdb.retention.time=100y', '--log.level=error'], promPort);
const vigilPort = await freePort();
const vigil = await startServer(process.execPath, [VIGIL_BIN, 'server', `--config.file=${join(dir, 'empty.yml')}`, `--storage.tsdb.path=${vigilDir}`, `--web.listen-address=127.0.0.1:${vigilPort}`, '--storage.tsdb.retention.time=100y', '--no-host-collectors', '--no-alertmanager.enable', '--log.level=error'], vigilPort);

const start = T0 + 5 * 60_000;
const end = T0 + SPAN;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(base, params) {
  const t0 = performance.now();
  const body = await (await fetch(`${base}/api/v1/query_range?${params}`)).text();
  return { ms: performance.now() - t0, body };
}

/** Series count and the sum of every series' last value: enough to see both computed the same thing. */
function digest(body) {
  const j = JSON.parse(body);
  if (j.status !== 'success') throw new Error(`query failed: ${body.slice(0, 300)}`);
  let sum = 0;
  for (const s of j.data.result) sum += Number(s.values[s.values.length - 1][1]);
  return { series: j.data.result.length, sum };
}

try {
  for (const q of QUERIES) {
    const params = new URLSearchParams({ query: q, start: String(start / 1000), end: String(end / 1000), step: '15' });
    const promTimes = [];
    const vigilTimes = [];
    for (let i = 0; i <= REPS; i++) {
      const p = await timed(prom.base, params);
      const v = await timed(vigil.base, params);
      if (i === 0) {
        const dp = digest(p.body);
        const dv = digest(v.body);
        if (dp.series !== dv.series || Math.abs(dp.sum - dv.sum) > 1e-6 * Math.max(1, Math.abs(dp.sum)))
          throw new Error(`results differ for ${q}: prometheus ${JSON.stringify(dp)} vigil ${JSON.stringify(dv)}`);
        continue; // warm-up
      }
      promTimes.push(p.ms);
      vigilTimes.push(v.ms);
    }
    const p = median(promTimes);
    const v = median(vigilTimes);
    console.log(`${q}\n  prometheus ${p.toFixed(1)} ms  vigil ${v.toFixed(1)} ms  ratio vigil/prometheus ${(v / p).toFixed(2)}`);
  }
} finally {
  for (const s of [prom, vigil]) {
    const exited = once(s.proc, 'exit');
    s.proc.kill('SIGTERM');
    await exited;
  }
  if (args.keep !== 'true') rmSync(dir, { recursive: true, force: true });
}
