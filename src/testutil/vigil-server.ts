/**
 * `vigil server` as a user runs it, for end-to-end tests: a real process on a free
 * port with its data in a temp dir, restartable on the same port and data dir, plus
 * small clients for the HTTP API (envelope unwrapped, errors thrown with the body).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort, startVigil, VIGIL_BIN, type RunningProcess } from './index.js';

export interface VigilServerOptions {
  /** Working dir of the process; data and the written config live here. */
  dir: string;
  /** prometheus.yml text written to <dir>/prometheus.yml; omitted = no --config.file (built-in default). */
  config?: string;
  /** Extra flags (e.g. --web.enable-lifecycle). */
  args?: string[];
  /** Defaults to <dir>/data. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

export interface VigilServerHandle {
  base: string;
  port: number;
  dataDir: string;
  /** Absolute path of the written config file, or null with the built-in default. */
  configFile: string | null;
  /** The current process (replaced by restart()). */
  proc: RunningProcess;
  /** Output of every process started by this handle, oldest first. */
  outputs(): string[];
  /**
   * Starts the server again with the same flags, port and data dir (after stop/kill9);
   * waits for /-/ready unless `waitReady` is false (to crash it during startup).
   */
  restart(opts?: { waitReady?: boolean }): Promise<void>;
  /** SIGTERM and wait; returns the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/** Starts `vigil server` and waits until /-/ready answers. */
export async function startVigilServer(opts: VigilServerOptions): Promise<VigilServerHandle> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = opts.dataDir ?? join(opts.dir, 'data');
  let configFile: string | null = null;
  if (opts.config !== undefined) {
    configFile = join(opts.dir, 'prometheus.yml');
    writeFileSync(configFile, opts.config);
  }
  const args = ['server', `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${dataDir}`, ...(configFile ? [`--config.file=${configFile}`] : []), ...(opts.args ?? [])];
  const start = (waitReady = true): Promise<RunningProcess> =>
    startVigil(args, { cwd: opts.dir, readyUrl: waitReady ? `${base}/-/ready` : undefined, readyTimeoutMs: opts.readyTimeoutMs ?? 30_000 });
  const previous: RunningProcess[] = [];
  const handle: VigilServerHandle = {
    base,
    port,
    dataDir,
    configFile,
    proc: await start(),
    outputs: () => [...previous, handle.proc].map((p) => p.output()),
    async restart(o = {}) {
      if (handle.proc.proc.exitCode === null && handle.proc.proc.signalCode === null) throw new Error('restart() while the server still runs');
      previous.push(handle.proc);
      handle.proc = await start(o.waitReady ?? true);
    },
    async stop() {
      await handle.proc.stop(35_000);
      return handle.proc.exited;
    },
    kill9: () => handle.proc.kill9(),
  };
  return handle;
}

/** GET (or POST form) an /api/v1 endpoint and return `data`; throws on non-success with the body. */
export async function apiData<T>(base: string, path: string, form?: Record<string, string>): Promise<T> {
  const r = form
    ? await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
    : await fetch(base + path);
  const text = await r.text();
  let body: { status?: string; data?: T; error?: string };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`${path}: HTTP ${r.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (!r.ok || body.status !== 'success') throw new Error(`${path}: HTTP ${r.status}: ${text.slice(0, 500)}`);
  return body.data as T;
}

export interface InstantSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** /api/v1/query as a vector (throws if the result is not one). */
export async function queryVector(base: string, expr: string, time?: number): Promise<InstantSample[]> {
  const form: Record<string, string> = { query: expr };
  if (time !== undefined) form['time'] = String(time);
  const d = await apiData<{ resultType: string; result: InstantSample[] }>(base, '/api/v1/query', form);
  if (d.resultType !== 'vector') throw new Error(`${expr}: result type ${d.resultType}`);
  return d.result;
}

export interface ActiveTarget {
  scrapePool: string;
  scrapeUrl: string;
  health: string;
  labels: Record<string, string>;
  lastScrape: string;
  lastError: string;
  lastScrapeDuration: number;
}

export async function activeTargets(base: string): Promise<ActiveTarget[]> {
  return (await apiData<{ activeTargets: ActiveTarget[] }>(base, '/api/v1/targets')).activeTargets;
}

/** The value of a metric on the server's own /metrics, the first line whose labels contain `labelText`. */
export async function ownMetric(base: string, name: string, labelText = ''): Promise<number | null> {
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (m && m[1] === name && (m[2] ?? '').includes(labelText)) return Number(m[3]);
  }
  return null;
}

export interface MutableExporter {
  target: string;
  /** Number of scrapes served so far. */
  scrapes(): number;
  /** Date.now() of every scrape request, oldest first. */
  scrapeTimes(): number[];
  /** Replaces the exposition served from now on. */
  set(body: string): void;
  close(): Promise<void>;
}

/** An exporter at 127.0.0.1:<random>/metrics whose exposition the test changes while it is scraped. */
export async function startMutableExporter(body: string): Promise<MutableExporter> {
  let current = body;
  const times: number[] = [];
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/metrics')) return void res.writeHead(404).end();
    times.push(Date.now());
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(current);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    scrapes: () => times.length,
    scrapeTimes: () => [...times],
    set: (b) => void (current = b),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `vigil <args>` (bin/vigil.js) to completion, as a user types it in `cwd`. */
export function runVigil(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [VIGIL_BIN, ...args], { cwd: opts.cwd, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(new Error(`vigil ${args.join(' ')}: ${err.message}\n${stderr}`));
      resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}
