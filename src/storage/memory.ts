import { labelsCompare, labelsKey, type Labels, type Matcher } from '../model/index.js';
import {
  StorageError,
  type Appender,
  type LabelHints,
  type Querier,
  type SampleIterator,
  type SelectHints,
  type Series,
  type SeriesRef,
  type Storage,
  type StorageStats,
} from './interface.js';
import { sortedUnique, topN } from './util.js';

interface MemSeries {
  ref: SeriesRef;
  labels: Labels;
  // Typed arrays, not number[]: V8 canonicalises NaN bit patterns stored in plain
  // double arrays, which would turn the staleness marker into an ordinary NaN.
  ts: Float64Array;
  vs: Float64Array;
  n: number;
}

function pushSample(s: MemSeries, t: number, v: number): void {
  if (s.n === s.ts.length) {
    const cap = Math.max(16, s.n * 2);
    const ts = new Float64Array(cap);
    const vs = new Float64Array(cap);
    ts.set(s.ts);
    vs.set(s.vs);
    s.ts = ts;
    s.vs = vs;
  }
  s.ts[s.n] = t;
  s.vs[s.n] = v;
  s.n++;
}

/**
 * An in-memory Storage with Prometheus' append rules (in-order per series,
 * duplicate timestamps must carry the same value bits). For tests and as a
 * reference implementation of the storage contract; not for production volumes.
 */
export class MemoryStorage implements Storage {
  private byKey = new Map<string, MemSeries>();
  private byRef: MemSeries[] = [];
  private closed = false;

  appender(): Appender {
    return new MemoryAppender(this);
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    return new MemoryQuerier(this.byRef.slice(), mint, maxt);
  }

  startTime(): number {
    let min = Infinity;
    for (const s of this.byRef) if (s.n > 0 && s.ts[0]! < min) min = s.ts[0]!;
    return min;
  }

  stats(limit = 10): StorageStats {
    const byName = new Map<string, number>();
    const valuesByLabel = new Map<string, Set<string>>();
    const bytesByLabel = new Map<string, number>();
    const byPair = new Map<string, number>();
    let minTime = Infinity;
    let maxTime = -Infinity;
    for (const s of this.byRef) {
      if (s.n > 0) {
        minTime = Math.min(minTime, s.ts[0]!);
        maxTime = Math.max(maxTime, s.ts[s.n - 1]!);
      }
      for (const l of s.labels) {
        if (l.name === '__name__') byName.set(l.value, (byName.get(l.value) ?? 0) + 1);
        let vals = valuesByLabel.get(l.name);
        if (!vals) valuesByLabel.set(l.name, (vals = new Set()));
        if (!vals.has(l.value)) {
          vals.add(l.value);
          bytesByLabel.set(l.name, (bytesByLabel.get(l.name) ?? 0) + l.value.length);
        }
        const pair = `${l.name}=${l.value}`;
        byPair.set(pair, (byPair.get(pair) ?? 0) + 1);
      }
    }
    return {
      numSeries: this.byRef.length,
      numLabelPairs: byPair.size,
      chunkCount: 0,
      minTime,
      maxTime,
      seriesCountByMetricName: topN(byName, limit),
      labelValueCountByLabelName: topN(new Map([...valuesByLabel].map(([k, v]) => [k, v.size])), limit),
      memoryInBytesByLabelName: topN(bytesByLabel, limit),
      seriesCountByLabelValuePair: topN(byPair, limit),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** @internal */
  commitBatch(batch: PendingSample[]): void {
    if (this.closed) throw new StorageError('closed', 'storage is closed');
    for (const p of batch) {
      let s = p.series;
      if (!s) {
        const key = labelsKey(p.labels);
        s = this.byKey.get(key);
        if (!s) {
          s = { ref: this.byRef.length + 1, labels: p.labels, ts: new Float64Array(0), vs: new Float64Array(0), n: 0 };
          this.byKey.set(key, s);
          this.byRef.push(s);
        }
      }
      if (s.n > 0 && p.t <= s.ts[s.n - 1]!) continue; // validated at append time; skip duplicates
      pushSample(s, p.t, p.v);
    }
  }

  /** @internal */
  lookup(ref: SeriesRef, labels: Labels): MemSeries | undefined {
    if (ref > 0 && ref <= this.byRef.length) return this.byRef[ref - 1];
    return this.byKey.get(labelsKey(labels));
  }
}

interface PendingSample {
  series: MemSeries | undefined;
  labels: Labels;
  t: number;
  // Held in an object property, which keeps NaN bits intact (unlike double arrays).
  v: number;
}

const f64 = new Float64Array(2);
const u64 = new BigUint64Array(f64.buffer);
function sameBits(a: number, b: number): boolean {
  f64[0] = a;
  f64[1] = b;
  return u64[0] === u64[1];
}

class MemoryAppender implements Appender {
  private batch: PendingSample[] = [];
  // Last timestamp appended per series within this batch, for in-batch ordering checks.
  private lastInBatch = new Map<string, number>();

  constructor(private readonly db: MemoryStorage) {}

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    if (labels.length === 0) throw new StorageError('invalid_labels', 'empty label set');
    const s = this.db.lookup(ref, labels);
    const key = s ? String(s.ref) : labelsKey(labels);
    const lastBatch = this.lastInBatch.get(key);
    if (s && s.n > 0) {
      const lastT = s.ts[s.n - 1]!;
      if (t < lastT) throw new StorageError('out_of_order', 'out of order sample');
      if (t === lastT) {
        if (!sameBits(v, s.vs[s.n - 1]!)) throw new StorageError('duplicate_sample', 'duplicate sample for timestamp');
        return s.ref;
      }
    }
    if (lastBatch !== undefined && t <= lastBatch) throw new StorageError('out_of_order', 'out of order sample');
    this.lastInBatch.set(key, t);
    this.batch.push({ series: s, labels, t, v });
    return s ? s.ref : 0;
  }

  async commit(): Promise<void> {
    const b = this.batch;
    this.batch = [];
    this.lastInBatch.clear();
    this.db.commitBatch(b);
  }

  async rollback(): Promise<void> {
    this.batch = [];
    this.lastInBatch.clear();
  }
}

class ArrayIterator implements SampleIterator {
  private i = -1;
  t = 0;
  v = 0;
  constructor(
    private readonly ts: Float64Array,
    private readonly vs: Float64Array,
    private readonly end: number,
    start: number,
  ) {
    this.i = lowerBound(ts, start, end) - 1;
  }
  next(): boolean {
    if (this.i + 1 >= this.end) return false;
    this.i++;
    this.t = this.ts[this.i]!;
    this.v = this.vs[this.i]!;
    return true;
  }
  seek(t: number): boolean {
    if (this.i >= 0 && this.i < this.end && this.t >= t) return true;
    const j = lowerBound(this.ts, t, this.end);
    if (j >= this.end) {
      this.i = this.end;
      return false;
    }
    this.i = j;
    this.t = this.ts[j]!;
    this.v = this.vs[j]!;
    return true;
  }
}

function lowerBound(ts: Float64Array, t: number, end: number): number {
  let lo = 0;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class MemoryQuerier implements Querier {
  constructor(
    private readonly series: MemSeries[],
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  private matching(matchers: readonly Matcher[]): MemSeries[] {
    const out: MemSeries[] = [];
    for (const s of this.series) {
      let ok = true;
      for (const m of matchers) {
        let v = '';
        for (const l of s.labels) if (l.name === m.name) v = l.value;
        if (!m.matches(v)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      // Only series with samples inside the querier's range exist for it.
      const n = s.n;
      if (n === 0 || s.ts[0]! > this.maxt || s.ts[n - 1]! < this.mint) continue;
      if (lowerBound(s.ts, this.mint, n) >= n || s.ts[lowerBound(s.ts, this.mint, n)]! > this.maxt) continue;
      out.push(s);
    }
    return out;
  }

  async select(hints: SelectHints | null, matchers: readonly Matcher[]): Promise<Series[]> {
    const mint = Math.max(this.mint, hints?.start ?? -Infinity);
    const maxt = Math.min(this.maxt, hints?.end ?? Infinity);
    const found = this.matching(matchers).sort((a, b) => labelsCompare(a.labels, b.labels));
    const limited = hints?.limit ? found.slice(0, hints.limit) : found;
    return limited.map((s) => {
      // Freeze the visible length now: later commits must not leak into this querier.
      const { ts, vs } = s; // arrays are replaced, never mutated below n, when they grow
      const end = upperBound(ts, maxt, s.n);
      return { labels: s.labels, iterator: () => new ArrayIterator(ts, vs, end, mint) };
    });
  }

  async labelValues(name: string, matchers: readonly Matcher[], hints?: LabelHints): Promise<string[]> {
    const vals: string[] = [];
    for (const s of this.matching(matchers)) for (const l of s.labels) if (l.name === name) vals.push(l.value);
    return sortedUnique(vals, hints?.limit);
  }

  async labelNames(matchers: readonly Matcher[], hints?: LabelHints): Promise<string[]> {
    const names: string[] = [];
    for (const s of this.matching(matchers)) for (const l of s.labels) names.push(l.name);
    return sortedUnique(names, hints?.limit);
  }

  close(): void {}
}

function upperBound(ts: Float64Array, t: number, end: number): number {
  let lo = 0;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
