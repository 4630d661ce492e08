/**
 * Label sets. A `Labels` value is an array of name/value pairs sorted by name
 * with unique names — the same invariant as Prometheus' labels.Labels. Label sets
 * are per series, not per sample, so plain objects are fine here; hot paths keep
 * a series reference instead of re-hashing labels.
 */
export interface Label {
  readonly name: string;
  readonly value: string;
}

export type Labels = readonly Label[];

export const METRIC_NAME = '__name__';
export const EMPTY_LABELS: Labels = Object.freeze([]) as Labels;

/** Builds sorted labels from a plain object; empty values are dropped (Prometheus semantics). */
export function labelsFromObject(obj: Record<string, string>): Labels {
  const out: Label[] = [];
  for (const name of Object.keys(obj)) {
    const value = obj[name]!;
    if (value !== '') out.push({ name, value });
  }
  out.sort(compareByName);
  return out;
}

/** Builds labels from alternating name, value arguments. */
export function labelsFromStrings(...nv: string[]): Labels {
  if (nv.length % 2 !== 0) throw new Error('labelsFromStrings: odd number of arguments');
  const obj: Record<string, string> = {};
  for (let i = 0; i < nv.length; i += 2) obj[nv[i]!] = nv[i + 1]!;
  return labelsFromObject(obj);
}

/** Sorts pairs in place by name and returns them as Labels (caller guarantees unique names). */
export function labelsFromPairs(pairs: Label[]): Labels {
  pairs.sort(compareByName);
  return pairs;
}

export function labelsToObject(ls: Labels): Record<string, string> {
  const obj: Record<string, string> = {};
  for (const l of ls) obj[l.name] = l.value;
  return obj;
}

export function labelsGet(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

export function labelsHas(ls: Labels, name: string): boolean {
  for (const l of ls) if (l.name === name) return true;
  return false;
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  }
  return true;
}

/** Total order used for sorted series sets (Prometheus' labels.Compare). */
export function labelsCompare(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}

/** `{a="1", b="2"}` — Prometheus' labels.String format. */
export function labelsToString(ls: Labels): string {
  let s = '{';
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) s += ', ';
    s += ls[i]!.name + '=' + JSON.stringify(ls[i]!.value);
  }
  return s + '}';
}

/** `name{a="1"}` when a metric name is present, otherwise the plain label string. */
export function seriesToString(ls: Labels): string {
  const name = labelsGet(ls, METRIC_NAME);
  if (name === '') return labelsToString(ls);
  const rest = ls.filter((l) => l.name !== METRIC_NAME);
  return rest.length === 0 ? name : name + labelsToString(rest);
}

/** A canonical string key for a label set, usable as a Map key. */
export function labelsKey(ls: Labels): string {
  let s = '';
  for (const l of ls) s += l.name + '\xff' + l.value + '\xff';
  return s;
}

export function labelsWithout(ls: Labels, ...names: string[]): Labels {
  return ls.filter((l) => !names.includes(l.name));
}

export function labelsKeep(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => names.includes(l.name));
}

function compareByName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Mutable builder (Prometheus' labels.Builder): start from a base set, set/delete,
 * then `labels()` returns a new sorted set. Setting an empty value deletes.
 */
export class LabelsBuilder {
  private map = new Map<string, string>();

  constructor(base: Labels = EMPTY_LABELS) {
    this.reset(base);
  }

  reset(base: Labels): this {
    this.map.clear();
    for (const l of base) this.map.set(l.name, l.value);
    return this;
  }

  get(name: string): string {
    return this.map.get(name) ?? '';
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  set(name: string, value: string): this {
    if (value === '') this.map.delete(name);
    else this.map.set(name, value);
    return this;
  }

  del(...names: string[]): this {
    for (const n of names) this.map.delete(n);
    return this;
  }

  /** Iterates current pairs in insertion order (not sorted). */
  forEach(fn: (name: string, value: string) => void): void {
    this.map.forEach((v, k) => fn(k, v));
  }

  labels(): Labels {
    const out: Label[] = [];
    this.map.forEach((value, name) => out.push({ name, value }));
    out.sort(compareByName);
    return out;
  }
}
