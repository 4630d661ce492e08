/**
 * Starts the real Prometheus (Debian's /usr/bin/prometheus) for differential
 * tests: a temp storage dir, a free 127.0.0.1 port, the given config text.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary, freePort, startProcess, tempDir, type RunningProcess } from './index.js';

export interface PrometheusPeer {
  url: string;
  proc: RunningProcess;
  configPath: string;
  dir: string;
  /** GET `/api/v1/<path>` and return `data` (throws on a non-success envelope). */
  api<T = unknown>(path: string): Promise<T>;
  /** Rewrites the config and sends POST /-/reload. */
  reload(configYaml: string): Promise<void>;
  stop(): Promise<void>;
}

export const PROMETHEUS_BIN = findBinary('prometheus', '/usr/bin/prometheus');

/** Writes `configYaml` (with `extraFiles` beside it) and starts Prometheus on it. */
export async function startPrometheus(configYaml: string, extraFiles: Record<string, string> = {}): Promise<PrometheusPeer> {
  if (!PROMETHEUS_BIN) throw new Error('prometheus is not installed');
  const tmp = tempDir('vigil-prom-');
  const configPath = join(tmp.path, 'prometheus.yml');
  writeFileSync(configPath, configYaml);
  for (const [name, text] of Object.entries(extraFiles)) writeFileSync(join(tmp.path, name), text);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startProcess(
    PROMETHEUS_BIN,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(tmp.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { readyUrl: `${url}/-/ready`, readyTimeoutMs: 30_000, cwd: tmp.path },
  );
  return {
    url,
    proc,
    configPath,
    dir: tmp.path,
    async api<T>(path: string): Promise<T> {
      const r = await fetch(`${url}/api/v1/${path}`);
      const body = (await r.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus /api/v1/${path}: ${body.error ?? r.status}`);
      return body.data;
    },
    async reload(text: string): Promise<void> {
      writeFileSync(configPath, text);
      const r = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!r.ok) throw new Error(`reload failed: ${r.status} ${await r.text()}`);
    },
    async stop(): Promise<void> {
      await proc.stop();
      tmp.cleanup();
    },
  };
}
