/**
 * Helpers for integration tests: free ports, temp dirs, child processes that are
 * always killed (by PID) when the test ends, and peer-binary discovery so that
 * differential tests skip with a clear message where a Debian peer is missing.
 * Only test files import this folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A temp dir removed by the returned cleanup function. */
export function tempDir(prefix = 'vigil-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Absolute path of an executable on PATH (or the given candidates), or null. */
export function findBinary(...names: string[]): string | null {
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/bin', '/usr/sbin', '/usr/local/bin']);
  for (const name of names) {
    if (name.startsWith('/')) {
      if (isExecutable(name)) return name;
      continue;
    }
    for (const d of dirs) {
      const p = join(d, name);
      if (isExecutable(p)) return p;
    }
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Reason string for `test(..., { skip })` when a peer binary is missing. */
export function skipUnless(bin: string | null, pkg: string): string | false {
  return bin ? false : `${pkg} is not installed (apt-get install -y ${pkg}); .ci/run installs it`;
}

export interface RunningProcess {
  proc: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

export interface StartOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Poll this URL until it answers 2xx before resolving. */
  readyUrl?: string;
  readyTimeoutMs?: number;
}

/** The path of the built CLI entry point (bin/vigil.js). */
export const VIGIL_BIN = new URL('../../bin/vigil.js', import.meta.url).pathname;

/** Starts `vigil <args>` from the build. */
export function startVigil(args: string[], opts: StartOptions = {}): Promise<RunningProcess> {
  return startProcess(process.execPath, ['--enable-source-maps', VIGIL_BIN, ...args], opts);
}

const running = new Set<RunningProcess>();
process.on('exit', () => {
  for (const r of running) r.proc.kill('SIGKILL');
});

export async function startProcess(cmd: string, args: string[], opts: StartOptions = {}): Promise<RunningProcess> {
  const proc = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const rp: RunningProcess = {
    proc,
    output: () => out,
    exited,
    async stop(graceMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
      running.delete(rp);
    },
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
      running.delete(rp);
    },
  };
  running.add(rp);
  if (opts.readyUrl) {
    try {
      await waitForHttp(opts.readyUrl, opts.readyTimeoutMs ?? 20_000, () => proc.exitCode !== null);
    } catch (err) {
      await rp.kill9();
      throw new Error(`${cmd} ${args.join(' ')} did not become ready: ${(err as Error).message}\n--- output ---\n${out}`);
    }
  }
  return rp;
}

export async function waitForHttp(url: string, timeoutMs = 20_000, gaveUp: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error('process exited');
    try {
      const r = await fetch(url);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${url} (${last})`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms${lastErr ? `: ${String(lastErr)}` : ''}`);
    await sleep(intervalMs);
  }
}
export { startTestExporter, TEST_EXPOSITION, type TestExporter } from './exporter.js';
export { startPrometheus, PROMETHEUS_BIN, type PrometheusPeer } from './prometheus-peer.js';
export {
  startVigilServer,
  apiData,
  queryVector,
  activeTargets,
  ownMetric,
  startMutableExporter,
  runVigil,
  type CliResult,
  type VigilServerHandle,
  type VigilServerOptions,
  type InstantSample,
  type ActiveTarget,
  type MutableExporter,
} from './vigil-server.js';
export { startSmtpServer, selfSignedCert, parseMail, OPENSSL_BIN, type TestSmtpServer, type ReceivedMail, type AuthAttempt, type SmtpOptions } from './smtp.js';
