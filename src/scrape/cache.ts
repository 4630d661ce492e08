import type { Labels } from '../model/index.js';
import type { SeriesRef } from '../storage/index.js';
import type { MetricMetadata } from './types.js';

export interface CacheEntry {
  ref: SeriesRef;
  lset: Labels;
  /** Key of the series as exposed (before target labels and relabeling), for staleness tracking. */
  key: string;
  /** Small integer standing for `key` in the staleness bookkeeping. */
  staleId: number;
  lastIter: number;
}

interface MetaEntry extends MetricMetadata {
  lastIter: number;
}

/**
 * Per-loop cache (Prometheus scrapeCache): series text → ref and final labels, so
 * steady-state scrapes skip label parsing and relabeling; series dropped by
 * metric relabeling; the exposed series of the current and previous scrape for
 * staleness; and metadata from HELP/TYPE/UNIT lines.
 */
export class ScrapeCache {
  iter = 0;
  private series = new Map<string, CacheEntry>();
  private dropped = new Map<string, number>();
  // Staleness (Prometheus' seriesCur/seriesPrev keyed by the exposed label set), kept
  // as integer ids so a steady-state sample costs an array write, not a map insert.
  private staleIds = new Map<string, number>();
  private staleLabels: Labels[] = [];
  /** iter+1 of the scrape that last tracked the id (0 = never). */
  private seen = new Int32Array(1024);
  private cur: number[] = [];
  private prev: number[] = [];
  private meta = new Map<string, MetaEntry>();

  get(text: string): CacheEntry | undefined {
    const e = this.series.get(text);
    if (e) e.lastIter = this.iter;
    return e;
  }

  add(text: string, ref: SeriesRef, lset: Labels, key: string): CacheEntry {
    const e: CacheEntry = { ref, lset, key, staleId: this.staleId(key, lset), lastIter: this.iter };
    this.series.set(text, e);
    return e;
  }

  forget(text: string): void {
    this.series.delete(text);
  }

  isDropped(text: string): boolean {
    const it = this.dropped.get(text);
    if (it === undefined) return false;
    this.dropped.set(text, this.iter);
    return true;
  }

  addDropped(text: string): void {
    this.dropped.set(text, this.iter);
  }

  /** The staleness id of an exposed label set (its final labels are remembered for the marker). */
  staleId(key: string, lset: Labels): number {
    let id = this.staleIds.get(key);
    if (id === undefined) {
      id = this.staleLabels.length;
      this.staleIds.set(key, id);
      this.staleLabels.push(lset);
      if (id >= this.seen.length) {
        const n = new Int32Array(this.seen.length * 2);
        n.set(this.seen);
        this.seen = n;
      }
    } else this.staleLabels[id] = lset;
    return id;
  }

  trackStaleness(id: number): void {
    if (this.seen[id] === this.iter + 1) return;
    this.seen[id] = this.iter + 1;
    this.cur.push(id);
  }

  /** Series exposed in the previous scrape but not in this one. */
  forEachStale(fn: (lset: Labels) => boolean): void {
    const mark = this.iter + 1;
    for (const id of this.prev) {
      if (this.seen[id] !== mark && !fn(this.staleLabels[id]!)) break;
    }
  }

  /** All series of the last scrape, for end-of-run staleness. */
  lastSeries(): Labels[] {
    return this.prev.map((id) => this.staleLabels[id]!);
  }

  /**
   * Ends a scrape. After a successful non-empty scrape, entries not seen in it
   * are forgotten (Prometheus keeps metadata 10 scrapes longer).
   */
  iterDone(flush: boolean): void {
    if (flush) {
      for (const [k, e] of this.series) if (e.lastIter !== this.iter) this.series.delete(k);
      for (const [k, it] of this.dropped) if (it !== this.iter) this.dropped.delete(k);
      for (const [k, m] of this.meta) if (this.iter - m.lastIter > 10) this.meta.delete(k);
    }
    const prev = this.prev;
    this.prev = this.cur;
    this.cur = prev;
    this.cur.length = 0;
    this.iter++;
    if (flush && this.staleLabels.length > 1024 && this.staleLabels.length > 2 * (this.series.size + this.prev.length)) this.compactStaleIds();
  }

  /** Renumbers staleness ids to those still referenced, so churning series do not leak. */
  private compactStaleIds(): void {
    const remap = new Map<number, number>();
    const labels: Labels[] = [];
    const seen = new Int32Array(Math.max(1024, this.series.size + this.prev.length + 1));
    const ids = new Map<string, number>();
    const keep = (old: number, key: string | null): number => {
      let n = remap.get(old);
      if (n === undefined) {
        n = labels.length;
        remap.set(old, n);
        labels.push(this.staleLabels[old]!);
        seen[n] = this.seen[old]!;
      }
      if (key !== null) ids.set(key, n);
      return n;
    };
    for (const e of this.series.values()) e.staleId = keep(e.staleId, e.key);
    this.prev = this.prev.map((id) => keep(id, null));
    this.staleIds = ids;
    this.staleLabels = labels;
    this.seen = seen;
  }

  private metaEntry(name: string): MetaEntry {
    let m = this.meta.get(name);
    if (!m) this.meta.set(name, (m = { type: 'unknown', help: '', unit: '', lastIter: this.iter }));
    m.lastIter = this.iter;
    return m;
  }
  setType(name: string, type: string): void {
    this.metaEntry(name).type = type;
  }
  setHelp(name: string, help: string): void {
    this.metaEntry(name).help = help;
  }
  setUnit(name: string, unit: string): void {
    this.metaEntry(name).unit = unit;
  }

  metadata(): Array<[string, MetricMetadata]> {
    return [...this.meta].map(([k, m]) => [k, { type: m.type, help: m.help, unit: m.unit }]);
  }

  size(): number {
    return this.series.size;
  }
}
