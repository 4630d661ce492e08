import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { NodeCollectorOptions } from './collector.js';
import type { ParsedFamily } from './textformat.js';
import { parseTextFormat } from './textformat.js';

/**
 * Test support (kept out of index.ts; it cannot use testutil, which only *.test.ts may import): writes a tree of files imitating /proc or
 * /sys, and reads exposition pages back into a lookup by series.
 * Values starting with "->" become symlinks.
 */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    if (content.startsWith('->')) symlinkSync(content.slice(2), p);
    else writeFileSync(p, content);
  }
}

/** A temp dir with proc/, sys/, root/ and udev/ trees, and collector options pointing at them. */
export function fixture(files: Record<string, string>): { root: string; cleanup: () => void; opts: NodeCollectorOptions } {
  const path = mkdtempSync(join(tmpdir(), 'vigil-agent-fx-'));
  writeTree(path, files);
  const t = { path, cleanup: (): void => rmSync(path, { recursive: true, force: true }) };
  return { root: t.path, cleanup: t.cleanup, opts: { procfs: join(t.path, 'proc'), sysfs: join(t.path, 'sys'), rootfs: join(t.path, 'root'), udevData: join(t.path, 'udev') } };
}

export function makeUnreadable(path: string): void {
  chmodSync(path, 0o000);
}

export interface Page {
  families: Map<string, ParsedFamily>;
  /** Value of the series with exactly these labels, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every series of a family as "k=v,k=v" → value. */
  series(name: string): Map<string, number>;
}

export function seriesKey(labels: Array<[string, string]>): string {
  return [...labels]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function readPage(text: string): Page {
  const families = new Map(parseTextFormat(text, 'page').map((f) => [f.name, f]));
  const series = (name: string): Map<string, number> => {
    const out = new Map<string, number>();
    for (const s of families.get(name)?.samples ?? []) if (s.name === name) out.set(seriesKey(s.labels), s.value);
    return out;
  };
  return {
    families,
    series,
    value: (name, labels = {}) => series(name).get(seriesKey(Object.entries(labels))),
  };
}
