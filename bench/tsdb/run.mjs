#!/usr/bin/env node
// TSDB ingest benchmark: one remote-write load pushed into `vigil server`,
// Prometheus and VictoriaMetrics, one after the other, measuring each server process.
//
//   npm run build && node bench/tsdb/run.mjs [--series 100000] [--hours 6] [--batch 2000]
//        [--concurrency 2] [--only vigil,prometheus,victoria] [--keep] [--node-args "--cpu-prof"]
//
// Load: node_exporter-like series (≈500 per host), 15 s samples in time order, sent
// as time-ordered WriteRequests of --batch samples (one sample per series per
// request, labels repeated every time, like a Prometheus agent's shards).
// Per server it prints: samples/s accepted, server CPU seconds per million samples
// (utime+stime from /proc/<pid>/stat), peak RSS (VmHWM) and RSS per active series,
// and on-disk bytes per sample after the head was persisted:
//   Vigil and Prometheus: POST /api/v1/admin/tsdb/snapshot (writes head + blocks
//          into a snapshot), then bytes of that snapshot;
//   VictoriaMetrics: GET /internal/force_flush, 5 s for merges, then bytes of -storageDataPath.
// Then each server is stopped (SIGTERM) and restarted on its data: time to ready,
// RSS once ready, and RSS after range queries over the whole history (shows whether
// memory after a restart follows the head or the history on disk).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { encodeLabels, snappyCompress, WriteRequestEncoder } from '../../dist/remote/index.js';

// Servers this bench started; killed when it exits for any reason (an exception
// included), so a failed run leaves no server behind.
const started = new Set();
process.on('exit', () => {
  for (const p of started) p.kill('SIGKILL');
});

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const SERIES = Number(opt('series', '100000'));
const HOURS = Number(opt('hours', '6'));
const BATCH = Number(opt('batch', '2000'));
// Two requests in flight must not hold the same series (they could land out of order):
// below BATCH x concurrency series, fewer requests are in flight.
const CONC = Math.max(1, Math.min(Number(opt('concurrency', '2')), Math.floor(SERIES / BATCH)));
const ONLY = opt('only', 'vigil,prometheus,victoria').split(',');
const KEEP = argv.includes('--keep');
// Extra node flags for the Vigil server process, e.g. --node-args "--cpu-prof --cpu-prof-dir=/tmp/prof".
const NODE_ARGS = opt('node-args', '').split(' ').filter(Boolean);
const STEP = 15_000;
const CLK_TCK = 100;
const here = new URL('.', import.meta.url).pathname;

// ---- load generation ----

function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** node_exporter-like series of one host: [labels object, kind]. */
function hostSeries(host) {
  const out = [];
  const base = { instance: `host-${host}:9100`, job: 'node' };
  const modes = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
  for (let cpu = 0; cpu < 16; cpu++) for (const mode of modes) out.push([{ __name__: 'node_cpu_seconds_total', ...base, cpu: String(cpu), mode }, 'counter']);
  for (const m of ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapTotal', 'SwapFree', 'Active', 'Inactive', 'Dirty', 'Slab', 'Shmem', 'Mapped', 'PageTables', 'Committed_AS', 'VmallocUsed'])
    out.push([{ __name__: `node_memory_${m}_bytes`, ...base }, m.endsWith('Total') ? 'const' : 'gauge']);
  for (const dev of ['eth0', 'eth1', 'lo', 'docker0'])
    for (const m of ['receive_bytes', 'transmit_bytes', 'receive_packets', 'transmit_packets', 'receive_errs', 'transmit_errs', 'receive_drop', 'transmit_drop'])
      out.push([{ __name__: `node_network_${m}_total`, ...base, device: dev }, m.endsWith('errs') || m.endsWith('drop') ? 'const' : 'counter']);
  for (const dev of ['sda', 'sdb', 'nvme0n1', 'nvme1n1'])
    for (const m of ['reads_completed', 'writes_completed', 'read_bytes', 'written_bytes', 'io_time_seconds', 'read_time_seconds', 'write_time_seconds'])
      out.push([{ __name__: `node_disk_${m}_total`, ...base, device: dev }, 'counter']);
  for (const [mp, dev] of [['/', '/dev/sda1'], ['/boot', '/dev/sda2'], ['/var', '/dev/sdb1'], ['/data', '/dev/nvme0n1p1']])
    for (const m of ['size_bytes', 'avail_bytes', 'free_bytes', 'files', 'files_free'])
      out.push([{ __name__: `node_filesystem_${m}`, ...base, device: dev, fstype: 'ext4', mountpoint: mp }, m.startsWith('size') || m === 'files' ? 'const' : 'gauge']);
  for (const m of ['load1', 'load5', 'load15', 'procs_running', 'procs_blocked', 'context_switches_total', 'intr_total', 'forks_total'])
    out.push([{ __name__: `node_${m}`, ...base }, m.endsWith('total') ? 'counter' : 'gauge']);
  for (let i = 0; i < 40; i++) out.push([{ __name__: 'node_interrupts_total', ...base, cpu: String(i % 16), devices: `dev${i}`, type: `IR-PCI-MSI-${i}` }, 'counter']);
  for (let i = 0; i < 100; i++) out.push([{ __name__: 'node_systemd_unit_state', ...base, name: `unit-${i}.service`, state: 'active' }, 'const']);
  return out;
}

function buildSeries(n) {
  const out = [];
  for (let h = 0; out.length < n; h++) for (const s of hostSeries(h)) if (out.length < n) out.push(s);
  return out.map(([obj, kind], i) => {
    const labels = Object.keys(obj)
      .sort()
      .map((name) => ({ name, value: obj[name] }));
    return { enc: encodeLabels(labels), kind, seed: i };
  });
}

// ---- process measurement ----

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function du(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.blocks * 512;
  let total = 0;
  for (const f of readdirSync(p)) total += du(join(p, f));
  return total;
}

function currentRss(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function stopServer(srv) {
  srv.proc.stopping = true;
  const exited = new Promise((r) => srv.proc.once('exit', r));
  srv.proc.kill('SIGTERM');
  await exited;
}

/** Range queries over the whole pushed history (they read every block); returns total ms. */
async function historyQueries(port, start) {
  const end = start + HOURS * 3600_000;
  const queries = ['sum by (mode) (rate(node_cpu_seconds_total[5m]))', 'max by (instance) (node_memory_MemAvailable_bytes)', 'count(node_filesystem_avail_bytes)'];
  const t0 = Date.now();
  for (const q of queries) {
    const u = `http://127.0.0.1:${port}/api/v1/query_range?query=${encodeURIComponent(q)}&start=${start / 1000}&end=${end / 1000}&step=300`;
    const r = await fetch(u);
    const body = await r.json();
    if (body.status !== 'success' || body.data.result.length === 0) throw new Error(`history query ${q}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return Date.now() - t0;
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitReady(url, proc, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await sleep(200);
  }
  throw new Error(`${url} not ready`);
}

const agent = new Agent({ keepAlive: true, maxSockets: CONC });

function post(port, path, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0', 'Content-Length': body.length } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Pushes the load; returns { samples, seconds, rejected }. */
async function push(port, series, start) {
  const steps = Math.floor((HOURS * 3600_000) / STEP);
  const rnd = mulberry32(42);
  const values = new Float64Array(series.length);
  for (let i = 0; i < series.length; i++) values[i] = Math.floor(rnd() * 1e6);
  const enc = new WriteRequestEncoder();
  const tArr = [0];
  const vArr = new Float64Array(1);
  let samples = 0;
  let rejected = 0;
  let retried = 0;
  let firstErr = null;
  const inflight = new Set();
  const t0 = Date.now();
  let inBatch = 0;
  let lastReport = 0;
  const send = async (body) => {
    let r;
    // A remote-write client retries a request that failed on the network; so does the bench.
    for (let attempt = 0; ; attempt++) {
      try {
        r = await post(port, '/api/v1/write', body);
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
        retried++;
        await sleep(100);
      }
    }
    if (r.status !== 204 && r.status !== 200) {
      rejected++;
      firstErr ??= `${r.status} ${r.text.trim()}`;
    }
  };
  const flush = async () => {
    const body = snappyCompress(enc.finish());
    inBatch = 0;
    const p = send(body).finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= CONC) await Promise.race(inflight);
  };
  for (let s = 0; s < steps; s++) {
    const t = start + s * STEP;
    tArr[0] = t;
    for (let i = 0; i < series.length; i++) {
      const se = series[i];
      if (se.kind === 'counter') values[i] += Math.floor(rnd() * 1000);
      else if (se.kind === 'gauge') values[i] = Math.max(0, values[i] + Math.floor((rnd() - 0.5) * 2000));
      vArr[0] = se.kind === 'counter' && i % 7 === 0 ? values[i] / 100 : values[i];
      enc.addSeries(se.enc, tArr, vArr);
      samples++;
      if (++inBatch >= BATCH) await flush();
    }
    if (Date.now() - lastReport > 2000) {
      lastReport = Date.now();
      process.stderr.write(`\r  ${((s / steps) * 100).toFixed(0)}% ${samples} samples ${(samples / ((Date.now() - t0) / 1000)).toFixed(0)}/s   `);
    }
  }
  if (inBatch > 0) await flush();
  await Promise.all(inflight);
  process.stderr.write('\r' + ' '.repeat(60) + '\r');
  if (retried > 0) process.stderr.write(`  ${retried} requests retried after network errors\n`);
  return { samples, seconds: (Date.now() - t0) / 1000, rejected, firstErr };
}

// ---- servers ----

async function startServer(kind, dir, port) {
  let cmd;
  let args;
  if (kind === 'vigil') {
    // The real server with everything that is not under test switched off: no scrape
    // targets, no host collectors, no built-in Alertmanager.
    writeFileSync(join(dir, 'vigil.yml'), 'global: {}\n');
    cmd = process.execPath;
    args = [...NODE_ARGS, join(here, '..', '..', 'bin', 'vigil.js'), 'server', `--config.file=${join(dir, 'vigil.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--web.enable-admin-api', '--no-host-collectors', '--no-alertmanager.enable', '--log.level=warn'];
  } else if (kind === 'prometheus') {
    writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
    cmd = '/usr/bin/prometheus';
    args = [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--web.enable-admin-api', '--log.level=warn'];
  } else {
    cmd = '/usr/bin/victoria-metrics';
    args = [`-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-loggerLevel=WARN'];
  }
  if (!existsSync(cmd)) return null;
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  started.add(proc);
  proc.once('exit', () => started.delete(proc));
  let err = '';
  proc.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  proc.once('exit', (code, signal) => {
    if (!proc.stopping) process.stderr.write(`\n${kind} exited unexpectedly (${code ?? signal}); its last output:\n${err}\n`);
  });
  const t0 = Date.now();
  await waitReady(`http://127.0.0.1:${port}${kind === 'victoria' ? '/health' : '/-/ready'}`, proc, 600_000);
  return { proc, stderr: () => err, readySeconds: (Date.now() - t0) / 1000 };
}

async function persistAndMeasure(kind, dir, port) {
  if (kind === 'vigil' || kind === 'prometheus') {
    const r = await post(port, '/api/v1/admin/tsdb/snapshot?skip_head=false', Buffer.alloc(0));
    const name = JSON.parse(r.text).data.name;
    return du(join(dir, 'data', 'snapshots', name));
  }
  await fetch(`http://127.0.0.1:${port}/internal/force_flush`);
  await sleep(5000);
  return du(join(dir, 'data'));
}

async function runOne(kind, series) {
  const dir = mkdtempSync(join(tmpdir(), `vigil-bench-${kind}-`));
  const port = await freePort();
  try {
    const srv = await startServer(kind, dir, port);
    if (!srv) return { kind, skipped: 'binary not installed' };
    const pid = srv.proc.pid;
    const cpu0 = cpuSeconds(pid);
    const start = Math.floor((Date.now() - HOURS * 3600_000 - 60_000) / STEP) * STEP;
    const res = await push(port, series, start);
    const cpu = cpuSeconds(pid) - cpu0;
    const rss = peakRss(pid);
    const bytes = await persistAndMeasure(kind, dir, port);
    await stopServer(srv);
    if (kind === 'prometheus') rmSync(join(dir, 'data', 'snapshots'), { recursive: true, force: true });
    if (kind === 'vigil') rmSync(join(dir, 'data', 'snapshots'), { recursive: true, force: true });
    process.stderr.write(`${kind}: restarting on its data...\n`);
    const again = await startServer(kind, dir, port);
    const rssReady = currentRss(again.proc.pid);
    const queryMs = await historyQueries(port, start);
    const rssQueried = currentRss(again.proc.pid);
    await stopServer(again);
    return {
      restartSeconds: again.readySeconds,
      rssAfterRestart: rssReady,
      rssAfterQueries: rssQueried,
      historyQueryMs: queryMs,
      kind,
      samples: res.samples,
      rejectedRequests: res.rejected,
      firstErr: res.firstErr,
      samplesPerSec: res.samples / res.seconds,
      cpuPerMillion: cpu / (res.samples / 1e6),
      peakRss: rss,
      rssPerSeries: rss / series.length,
      bytesPerSample: bytes / res.samples,
    };
  } finally {
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
}

const series = buildSeries(SERIES);
console.log(`# TSDB ingest bench: ${SERIES} series x ${HOURS}h @15s = ${(SERIES * Math.floor((HOURS * 3600) / 15)).toLocaleString()} samples; batch ${BATCH}, concurrency ${CONC}`);
console.log(`# ${new Date().toISOString()} ${cpus().length}x ${cpus()[0]?.model} ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
const results = [];
for (const kind of ['vigil', 'prometheus', 'victoria']) {
  if (!ONLY.includes(kind)) continue;
  process.stderr.write(`${kind}...\n`);
  const r = await runOne(kind, series);
  results.push(r);
  if (r.skipped) console.log(`${kind}: skipped (${r.skipped})`);
}
const mib = (b) => (b / 2 ** 20).toFixed(0);
const row = (r) =>
  `| ${r.kind.padEnd(10)} | ${r.samplesPerSec.toFixed(0).padStart(9)} | ${r.cpuPerMillion.toFixed(2).padStart(7)} | ${mib(r.peakRss).padStart(8)} | ${(r.rssPerSeries / 1024).toFixed(2).padStart(9)} | ${r.bytesPerSample.toFixed(2).padStart(8)} | ${r.rejectedRequests} |`;
console.log('| server     | samples/s | CPU-s/M | peak MiB | kB/series | B/sample | rejected reqs |');
console.log('|------------|-----------|---------|----------|-----------|----------|---------------|');
for (const r of results) if (!r.skipped) console.log(row(r));
console.log('\nAfter a restart on the same data (SIGTERM, start, ready):');
console.log('| server     | restart s | RSS ready MiB | RSS after history queries MiB | history queries ms |');
console.log('|------------|-----------|---------------|-------------------------------|--------------------|');
for (const r of results)
  if (!r.skipped)
    console.log(`| ${r.kind.padEnd(10)} | ${r.restartSeconds.toFixed(1).padStart(9)} | ${mib(r.rssAfterRestart).padStart(13)} | ${mib(r.rssAfterQueries).padStart(29)} | ${String(r.historyQueryMs).padStart(18)} |`);
const v = results.find((r) => r.kind === 'vigil' && !r.skipped);
for (const peer of results.filter((r) => r.kind !== 'vigil' && !r.skipped)) {
  if (!v) break;
  console.log(
    `Vigil/${peer.kind}: CPU ${(v.cpuPerMillion / peer.cpuPerMillion).toFixed(2)}x, RSS/series ${(v.rssPerSeries / peer.rssPerSeries).toFixed(2)}x, bytes/sample ${(v.bytesPerSample / peer.bytesPerSample).toFixed(2)}x, throughput ${(v.samplesPerSec / peer.samplesPerSec).toFixed(2)}x`,
  );
}
for (const r of results) if (r.firstErr) console.log(`${r.kind} first error: ${r.firstErr}`);
agent.destroy();
