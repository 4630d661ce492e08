import type { Labels } from '../model/index.js';
import type { SeriesRef } from '../storage/index.js';
import type { MetricMetadata } from './types.js';

export interface CacheEntry {
  ref: SeriesRef;
  lset: Labels;
  /** Key of the series as exposed (before target labels and relabeling), for staleness tracking. */
  key: string;
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
  private seriesCur = new Map<string, Labels>();
  private seriesPrev = new Map<string, Labels>();
  private meta = new Map<string, MetaEntry>();

  get(text: string): CacheEntry | undefined {
    const e = this.series.get(text);
    if (e) e.lastIter = this.iter;
    return e;
  }

  add(text: string, ref: SeriesRef, lset: Labels, key: string): CacheEntry {
    const e: CacheEntry = { ref, lset, key, lastIter: this.iter };
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

  trackStaleness(key: string, lset: Labels): void {
    this.seriesCur.set(key, lset);
  }

  /** Series exposed in the previous scrape but not in this one. */
  forEachStale(fn: (lset: Labels) => boolean): void {
    for (const [k, lset] of this.seriesPrev) {
      if (!this.seriesCur.has(k) && !fn(lset)) break;
    }
  }

  /** All series of the last scrape, for end-of-run staleness. */
  lastSeries(): Labels[] {
    return [...this.seriesPrev.values()];
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
    const prev = this.seriesPrev;
    this.seriesPrev = this.seriesCur;
    this.seriesCur = prev;
    this.seriesCur.clear();
    this.iter++;
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
