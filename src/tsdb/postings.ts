import { MatchType, type Matcher } from '../model/index.js';

/**
 * Postings: sorted lists of series ids (head slots or block series offsets).
 * Held as number[] of small integers in the head (V8 packs them as SMIs) and as
 * Uint32Array when read from a block. Set operations return fresh sorted arrays.
 */
export type Postings = ArrayLike<number>;

export const EMPTY_POSTINGS: Postings = new Uint32Array(0);

export function intersect(lists: Postings[]): Postings {
  if (lists.length === 0) return EMPTY_POSTINGS;
  const sorted = lists.slice().sort((a, b) => a.length - b.length);
  let acc: Postings = sorted[0]!;
  for (let k = 1; k < sorted.length && acc.length > 0; k++) acc = intersect2(acc, sorted[k]!);
  return acc;
}

function intersect2(a: Postings, b: Postings): number[] {
  const out: number[] = [];
  let j = 0;
  const bl = b.length;
  // Gallop through the longer list when sizes differ a lot.
  const gallop = b.length > a.length * 16;
  for (let i = 0; i < a.length && j < bl; i++) {
    const x = a[i]!;
    if (gallop) j = lowerBound(b, x, j);
    else while (j < bl && b[j]! < x) j++;
    if (j < bl && b[j] === x) out.push(x);
  }
  return out;
}

function lowerBound(b: Postings, x: number, from: number): number {
  let step = 1;
  let hi = from;
  while (hi < b.length && b[hi]! < x) {
    from = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > b.length) hi = b.length;
  while (from < hi) {
    const mid = (from + hi) >>> 1;
    if (b[mid]! < x) from = mid + 1;
    else hi = mid;
  }
  return from;
}

/** Sorted union without duplicates. */
export function merge(lists: Postings[]): Postings {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 0) return EMPTY_POSTINGS;
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  if (nonEmpty.length > 8) {
    // Many lists (regex over a high-cardinality label): concatenate and sort numerically.
    let total = 0;
    for (const l of nonEmpty) total += l.length;
    const all = new Float64Array(total);
    let o = 0;
    for (const l of nonEmpty) for (let i = 0; i < l.length; i++) all[o++] = l[i]!;
    all.sort();
    const out: number[] = [];
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) out.push(all[i]!);
    return out;
  }
  let acc: Postings = nonEmpty[0]!;
  for (let k = 1; k < nonEmpty.length; k++) acc = merge2(acc, nonEmpty[k]!);
  return acc;
}

function merge2(a: Postings, b: Postings): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) {
      out.push(x);
      i++;
    } else if (y < x) {
      out.push(y);
      j++;
    } else {
      out.push(x);
      i++;
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** Elements of a not in b. */
export function without(a: Postings, b: Postings): Postings {
  if (b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j >= b.length || b[j] !== x) out.push(x);
  }
  return out;
}

/**
 * Resolves matchers to postings the way Prometheus' PostingsForMatchers does:
 * intersect positive matchers, subtract negative ones; a matcher that matches the
 * empty string also selects series without the label.
 */
export interface PostingsSource {
  all(): Postings;
  /** Postings of name=value (empty when absent). */
  get(name: string, value: string): Postings;
  /** Sorted values of a label name. */
  values(name: string): readonly string[];
}

export function postingsForMatchers(src: PostingsSource, matchers: readonly Matcher[]): Postings {
  const its: Postings[] = [];
  const nots: Postings[] = [];
  for (const m of matchers) {
    if (!m.matchesEmpty()) {
      // The series must carry the label with a matching value.
      its.push(m.type === MatchType.Equal ? src.get(m.name, m.value) : valuesMatching(src, m, true));
    } else {
      // Series without the label match too: subtract those carrying a non-matching value.
      nots.push(valuesMatching(src, m, false));
    }
  }
  if (its.length === 0) its.push(src.all());
  let p = intersect(its);
  for (const n of nots) p = without(p, n);
  return p;
}

function valuesMatching(src: PostingsSource, m: Matcher, want: boolean): Postings {
  // Set-match fast path (a|b|c): look the literals up directly.
  if (want && m.type === MatchType.Regexp && m.setMatches) {
    return merge([...m.setMatches].map((v) => src.get(m.name, v)));
  }
  if (!want && m.type === MatchType.NotRegexp && m.setMatches) {
    return merge([...m.setMatches].map((v) => src.get(m.name, v)));
  }
  if (!want && m.type === MatchType.NotEqual) return src.get(m.name, m.value);
  const lists: Postings[] = [];
  for (const v of src.values(m.name)) if (m.matches(v) === want) lists.push(src.get(m.name, v));
  return merge(lists);
}
