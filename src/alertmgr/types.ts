/**
 * Alert model shared by the store, dispatcher, pipeline and API. Label sets are
 * plain string records; fingerprints are Prometheus' model.LabelSet.Fingerprint
 * (FNV-1a 64 over sorted names and values with 0xff separators), printed as 16 hex digits.
 */
export type LabelSet = Record<string, string>;

/** Go's zero time, which Alertmanager prints as "0001-01-01T00:00:00Z". */
export const ZERO_TIME = new Date('0001-01-01T00:00:00Z').getTime();

export interface Alert {
  labels: LabelSet;
  annotations: LabelSet;
  /** ms since epoch. */
  startsAt: number;
  /** ms since epoch, ZERO_TIME when unset. */
  endsAt: number;
  generatorURL: string;
  updatedAt: number;
  /** EndsAt was set by Alertmanager (resolve_timeout), not by the client. */
  timeout: boolean;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** model.LabelSet.Fingerprint as a bigint. */
export function fingerprint(ls: LabelSet): bigint {
  const names = Object.keys(ls).sort();
  let h = FNV_OFFSET;
  const add = (bytes: Uint8Array | number[]): void => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK;
  };
  const enc = new TextEncoder();
  for (const n of names) {
    add(enc.encode(n));
    add([0xff]);
    add(enc.encode(ls[n]!));
    add([0xff]);
  }
  return h;
}

export function fingerprintHex(ls: LabelSet): string {
  return fingerprint(ls).toString(16).padStart(16, '0');
}

/** Resolved at `now`: EndsAt set and not after now (Alert.ResolvedAt). */
export function resolvedAt(a: Alert, now: number): boolean {
  return a.endsAt !== ZERO_TIME && a.endsAt <= now;
}

/** Alert.Merge: o is the younger update; keeps the earliest start and the right end. */
export function mergeAlerts(a: Alert, o: Alert, now: number): Alert {
  if (o.updatedAt < a.updatedAt) return mergeAlerts(o, a, now);
  const res: Alert = { ...o };
  if (a.startsAt < o.startsAt) res.startsAt = a.startsAt;
  if (resolvedAt(o, now)) {
    if (resolvedAt(a, now) && a.endsAt > o.endsAt) res.endsAt = a.endsAt;
  } else if (a.endsAt > o.endsAt && !a.timeout) {
    res.endsAt = a.endsAt;
  }
  return res;
}

/** model.LabelSet.String(): `{a="1", b="2"}` with Go-quoted values. */
export function labelSetString(ls: LabelSet): string {
  return '{' + Object.keys(ls).sort().map((k) => `${k}=${JSON.stringify(ls[k])}`).join(', ') + '}';
}

/** Sorted copy of a label set (stable JSON key order, as Go's map encoding sorts keys). */
export function sortedLabels(ls: LabelSet): LabelSet {
  const out: LabelSet = {};
  for (const k of Object.keys(ls).sort()) out[k] = ls[k]!;
  return out;
}

/** model.LabelSet.Before. */
function labelSetBefore(a: LabelSet, b: LabelSet): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return ka.length < kb.length;
  const names = [...ka, ...kb].sort();
  for (const n of names) {
    if (!(n in a)) return true;
    if (!(n in b)) return false;
    if (a[n]! < b[n]!) return true;
    if (a[n]! > b[n]!) return false;
  }
  return false;
}

/** LabelSet.Before as a comparator. */
export function compareLabelSets(a: LabelSet, b: LabelSet): number {
  if (labelSetBefore(a, b)) return -1;
  if (labelSetBefore(b, a)) return 1;
  return 0;
}

/** types.AlertSlice order: by job, then instance, then the whole label set. */
export function compareAlerts(x: Alert, y: Alert): number {
  for (const k of ['job', 'instance']) {
    const xi = k in x.labels;
    const yi = k in y.labels;
    if (!xi && !yi) continue;
    if (!xi) return 1;
    if (!yi) return -1;
    if (x.labels[k] !== y.labels[k]) return x.labels[k]! < y.labels[k]! ? -1 : 1;
  }
  if (labelSetBefore(x.labels, y.labels)) return -1;
  if (labelSetBefore(y.labels, x.labels)) return 1;
  return 0;
}

/** RFC3339 with nanosecond trimming as Go's time.Time MarshalJSON prints UTC times. */
export function rfc3339(ms: number): string {
  if (ms === ZERO_TIME) return '0001-01-01T00:00:00Z';
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function validLabelName(n: string): boolean {
  return LABEL_NAME_RE.test(n);
}
