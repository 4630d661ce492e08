import { createHash } from 'node:crypto';
import type { Config, ScrapeConfig } from './types.js';

/** Canonical JSON of any config part: compiled regexes become their source, keys sorted. */
export function canonicalJSON(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val instanceof RegExp) return val.source;
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const o = val as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return val;
  });
}

/** A stable hash of a scrape config: equal hashes mean the pool need not restart. */
export function scrapeConfigHash(sc: ScrapeConfig): string {
  return createHash('sha256').update(canonicalJSON(sc)).digest('hex');
}

/** Deep equality of two config parts (whole configs ignore filename/directory). */
export function configEqual(a: unknown, b: unknown): boolean {
  const strip = (c: unknown): unknown => (c && typeof c === 'object' && 'scrapeConfigs' in c ? { ...(c as Config), filename: '', directory: '' } : c);
  return canonicalJSON(strip(a)) === canonicalJSON(strip(b));
}
