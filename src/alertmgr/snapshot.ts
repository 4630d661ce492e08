/**
 * Snapshot files for the notification log and silences: JSON written to a temp
 * file, fsynced, then renamed over the old one, so a crash leaves either the old
 * or the new snapshot and never a torn one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

interface Envelope<T> {
  version: 1;
  data: T;
}

export function writeSnapshot(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o640);
  try {
    writeSync(fd, JSON.stringify({ version: 1, data } satisfies Envelope<unknown>));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Reads a snapshot; a missing file is empty, a corrupt one is reported and ignored. */
export function readSnapshot<T>(file: string, onCorrupt?: (msg: string) => void): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const env = JSON.parse(text) as Envelope<T>;
    if (env.version !== 1) throw new Error(`unknown snapshot version ${String(env.version)}`);
    return env.data;
  } catch (err) {
    onCorrupt?.(`${file}: ${(err as Error).message}`);
    return undefined;
  }
}
