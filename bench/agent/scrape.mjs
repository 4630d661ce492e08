#!/usr/bin/env node
// Scrape cost of `vigil agent` vs prometheus-node-exporter: CPU time and RSS per
// scrape over N sequential scrapes (gzip, as Prometheus asks), measured from
// /proc/<pid>/stat and /proc/<pid>/status of each server process.
//   node bench/agent/scrape.mjs [--scrapes=200] [--mode=same|defaults|both] [--node-flags="--max-semi-space-size=1 --v8-pool-size=0"]
// "same" enables the same collectors in both (apples to apples); "defaults" runs
// each with its own default set. Run `npm run build` first.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const s = a.replace(/^--/, ''); const i = s.indexOf('='); return i < 0 ? [s, 'true'] : [s.slice(0, i), s.slice(i + 1)]; }));
const N = Number(args.scrapes ?? 200);
const MODE = args.mode ?? 'both';
const NE = ['/usr/bin/prometheus-node-exporter', '/usr/local/bin/node_exporter'].find((p) => existsSync(p));
const VIGIL = new URL('../../bin/vigil.js', import.meta.url).pathname;
const TICK = 100; // USER_HZ
const NODE_FLAGS = (args['node-flags'] ?? '--max-semi-space-size=1 --v8-pool-size=0').split(' ').filter(Boolean);

if (!existsSync(new URL('../../dist/agent/index.js', import.meta.url))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
if (!NE) {
  console.error('prometheus-node-exporter is not installed (apt-get install -y prometheus-node-exporter)');
  process.exit(2);
}
const { defaultCollectors } = await import(new URL('../../dist/agent/index.js', import.meta.url).href);
// Vigil's default-on collectors, all of which node_exporter also has on by default.
const SAME = defaultCollectors();

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function get(port) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      let n = 0;
      res.on('data', (c) => (n += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

function memKb(pid, key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

// The environment deploy/systemd/vigil-agent.service gives the agent (see docs/agent.md).
const VIGIL_ENV = { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '2' };

async function measure(name, cmd, argv, port, env = {}) {
  const proc = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  try {
    for (let i = 0; ; i++) {
      try {
        await get(port);
        break;
      } catch (e) {
        if (i > 200 || proc.exitCode !== null) throw new Error(`${name} did not start: ${e.message}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    for (let i = 0; i < 10; i++) await get(port); // warm-up
    const rssBefore = memKb(proc.pid, 'VmRSS');
    const c0 = cpuTicks(proc.pid);
    const t0 = process.hrtime.bigint();
    let bytes = 0;
    for (let i = 0; i < N; i++) bytes += await get(port);
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpuMs = ((cpuTicks(proc.pid) - c0) * 1000) / TICK;
    return { name, cpuMsPerScrape: cpuMs / N, wallMsPerScrape: wallMs / N, rssMb: memKb(proc.pid, 'VmRSS') / 1024, anonMb: memKb(proc.pid, 'RssAnon') / 1024, rssBeforeMb: rssBefore / 1024, hwmMb: memKb(proc.pid, 'VmHWM') / 1024, gzBytes: bytes / N };
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  }
}

async function run(label, neArgs, vigilArgs) {
  const p1 = await freePort();
  const ne = await measure('node_exporter', NE, [`--web.listen-address=127.0.0.1:${p1}`, '--log.level=error', ...neArgs], p1);
  const p2 = await freePort();
  const vg = await measure('vigil agent', process.execPath, [...NODE_FLAGS, VIGIL, 'agent', `--web.listen-address=127.0.0.1:${p2}`, '--log.level=error', ...vigilArgs], p2, VIGIL_ENV);
  console.log(`\n## ${label}: ${N} scrapes each (gzip); vigil runs as node ${NODE_FLAGS.join(' ')} with UV_THREADPOOL_SIZE=${VIGIL_ENV.UV_THREADPOOL_SIZE}`);
  console.log('| | CPU ms/scrape | wall ms/scrape | RSS MB (after) | of which anonymous MB | peak RSS MB | gzip bytes/scrape |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of [ne, vg]) {
    console.log(`| ${r.name} | ${r.cpuMsPerScrape.toFixed(2)} | ${r.wallMsPerScrape.toFixed(2)} | ${r.rssMb.toFixed(1)} | ${r.anonMb.toFixed(1)} | ${r.hwmMb.toFixed(1)} | ${Math.round(r.gzBytes)} |`);
  }
  console.log(`ratio vigil/node_exporter: CPU ${(vg.cpuMsPerScrape / ne.cpuMsPerScrape).toFixed(2)}x, RSS ${(vg.rssMb / ne.rssMb).toFixed(2)}x (anonymous ${(vg.anonMb / ne.anonMb).toFixed(2)}x), wall ${(vg.wallMsPerScrape / ne.wallMsPerScrape).toFixed(2)}x`);
}

if (MODE === 'same' || MODE === 'both') {
  const flags = ['--collector.disable-defaults', ...SAME.map((c) => `--collector.${c}`)];
  await run(`same collectors (${SAME.length})`, flags, flags);
}
if (MODE === 'defaults' || MODE === 'both') await run('each with its default collectors', [], []);
