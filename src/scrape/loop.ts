import type { ScrapeConfig } from '../config/index.js';
import { isStaleNaN, labelsFromPairs, LabelsBuilder, labelsKey, STALE_NAN, type Label, type Labels } from '../model/index.js';
import { relabel } from '../relabel/index.js';
import { StorageError, type Appendable, type Appender } from '../storage/index.js';
import { newParser } from '../textparse/index.js';
import type { Logger } from '../util/index.js';
import { ScrapeCache, type CacheEntry } from './cache.js';
import { fetchScrape, ScrapeError, type ScrapeAgents } from './http.js';
import type { ScrapeMetrics } from './metrics.js';
import type { Target } from './target.js';

const EMPTY = Buffer.alloc(0);
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const REPORT_NAMES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'] as const;

export interface AppendResult {
  total: number;
  added: number;
  seriesAdded: number;
  /** Set when the scrape must fail (parse error, limit, storage error); counts are still valid. */
  err?: Error;
}

/** Limits a scrape enforces (0 = none). */
export interface LoopLimits {
  sampleLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  bodySizeLimit: number;
}

export interface LoopDeps {
  appendable: Appendable;
  logger: Logger;
  metrics: ScrapeMetrics;
  /** Seed mixed into the per-target offset (Prometheus uses hostname + external labels). */
  offsetSeed: bigint;
  /** Keep-alive connection pools; without them every scrape opens a new connection. */
  agents?: ScrapeAgents;
}

/** Thrown inside append() to fail the whole scrape with Prometheus' message. */
class AppendFailure extends Error {}

/**
 * One target's scrape loop (Prometheus scrapeLoop): scrape at a stable offset
 * inside the interval, parse, relabel, append through one appender per scrape
 * (rolled back on any failure), report the synthetic series, and write staleness
 * markers for series that disappeared.
 */
export class ScrapeLoop {
  cache = new ScrapeCache();
  health: 'up' | 'down' | 'unknown' = 'unknown';
  lastError = '';
  lastScrape = 0;
  lastDuration = 0;
  /** Set by the pool when target_limit is exceeded: scrapes fail with this error without a request. */
  forcedError: string | null = null;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private timer: NodeJS.Timeout | null = null;
  private abort = new AbortController();
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private reportLabels: Labels[] | null = null;
  private targetLabels: Labels;

  constructor(
    readonly target: Target,
    private cfg: ScrapeConfig,
    private readonly deps: LoopDeps,
    intervalMs: number,
    timeoutMs: number,
  ) {
    this.intervalMs = intervalMs;
    this.timeoutMs = timeoutMs;
    this.targetLabels = target.publicLabels();
  }

  /** Prometheus' Target.offset: a per-target phase inside the interval, pinned to absolute time. */
  offset(now = Date.now()): number {
    const iv = this.intervalMs;
    const base = iv - (now % iv);
    const off = Number((this.target.offsetSeed() ^ this.deps.offsetSeed) % BigInt(iv));
    let next = base + off;
    if (next > iv) next -= iv;
    return next;
  }

  start(): void {
    this.schedule(Date.now() + this.offset());
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.scrapeAndReport().catch((err: unknown) => this.deps.logger.error({ err: String(err), target: this.target.url }, 'scrape loop failed'));
      void this.running.then(() => {
        let next = at + this.intervalMs;
        // A scrape that overran skips the missed slots, staying on the same phase.
        const now = Date.now();
        if (next <= now) next += Math.ceil((now - next + 1) / this.intervalMs) * this.intervalMs;
        this.schedule(next);
      });
    }, Math.max(0, at - Date.now()));
  }

  /** Stops scraping and waits for a running scrape to end. */
  async halt(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.running;
  }

  /**
   * Stops the loop. With `staleness` (target gone, job removed) it then waits until
   * just after the next two would-be scrapes, like Prometheus' endOfRunStaleness,
   * and writes stale markers for every series of the last scrape, timestamped at
   * the first of them. A target that came back meanwhile makes them out of order
   * (ignored).
   */
  async stop(staleness: boolean): Promise<void> {
    await this.halt();
    if (staleness) await this.staleAfterStop();
  }

  async staleAfterStop(): Promise<void> {
    if (this.lastScrape === 0 || this.cancelled) return;
    const staleTime = this.lastScrape + this.intervalMs;
    const wait = Math.max(0, staleTime - Date.now()) + this.intervalMs * 1.1;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, wait);
      this.staleTimer = { t, resolve };
    });
    this.staleTimer = null;
    if (this.cancelled) return;
    await this.writeStaleMarkers(staleTime);
  }

  /** Takes over the cache of the loop this one replaces (config reload). */
  adoptCache(old: ScrapeLoop): void {
    if (this.lastScrape === 0) this.cache = old.cache;
  }

  private staleTimer: { t: NodeJS.Timeout; resolve: () => void } | null = null;
  private cancelled = false;

  /** Abandons pending end-of-run staleness (server shutdown). */
  cancelStaleness(): void {
    this.cancelled = true;
    if (this.staleTimer) {
      clearTimeout(this.staleTimer.t);
      this.staleTimer.resolve();
    }
  }

  async writeStaleMarkers(staleTime: number): Promise<void> {
    const app = this.deps.appendable.appender();
    try {
      const r = this.append(app, EMPTY, '', staleTime);
      if (r.err) throw r.err;
      this.reportStale(app, staleTime);
      await app.commit();
    } catch (err) {
      await app.rollback();
      this.deps.logger.warn({ err: String(err), target: this.target.url }, 'Stale append failed');
    }
  }

  /** Runs one scrape now (exported for tests and the loop). */
  async scrapeAndReport(): Promise<void> {
    const start = Date.now();
    let body: Buffer = EMPTY;
    let contentType = '';
    let scrapeErr: Error | null = null;
    if (this.forcedError !== null) scrapeErr = new Error(this.forcedError);
    else {
      try {
        const r = await fetchScrape(this.target.url, this.cfg.httpClientConfig, this.timeoutMs, this.cfg.bodySizeLimit, this.abort.signal, this.deps.agents);
        body = r.body;
        contentType = r.contentType;
      } catch (err) {
        scrapeErr = err as Error;
        if (err instanceof ScrapeError && err.bodyLimit) this.deps.metrics.bodySizeLimit.inc();
      }
    }
    if (this.stopped && this.abort.signal.aborted && scrapeErr) return;
    let app = this.deps.appendable.appender();
    let res: AppendResult = { total: 0, added: 0, seriesAdded: 0 };
    let appErr: Error | null = null;
    res = this.append(app, scrapeErr ? EMPTY : body, contentType, start);
    if (res.err) {
      appErr = res.err;
      await app.rollback();
      app = this.deps.appendable.appender();
      // A failed append is an empty scrape: trigger staleness for what disappeared.
      const r2 = this.append(app, EMPTY, '', start);
      if (r2.err) {
        await app.rollback();
        app = this.deps.appendable.appender();
        this.deps.logger.warn({ err: String(r2.err) }, 'Append failed');
      }
    }
    if (scrapeErr === null) scrapeErr = appErr;
    const duration = (Date.now() - start) / 1000;
    try {
      this.report(app, start, duration, res, scrapeErr);
      await app.commit();
    } catch (err) {
      await app.rollback();
      this.deps.logger.warn({ err: String(err), target: this.target.url }, 'Appending scrape report failed');
    }
    this.lastScrape = start;
    this.lastDuration = duration;
    this.lastError = scrapeErr ? scrapeErr.message : '';
    this.health = scrapeErr ? 'down' : 'up';
    if (scrapeErr) this.deps.logger.debug({ target: this.target.url, err: scrapeErr.message }, 'Scrape failed');
  }

  /** Labels of a scraped series: target labels attached (honor_labels rules), then metric relabeling (Prometheus mutateSampleLabels). */
  mutateSampleLabels(lset: Labels): Labels | null {
    const lb = new LabelsBuilder(lset);
    if (this.cfg.honorLabels) {
      for (const l of this.targetLabels) if (!lb.has(l.name)) lb.set(l.name, l.value);
    } else {
      const conflicts: Label[] = [];
      for (const l of this.targetLabels) {
        const existing = lb.get(l.name);
        if (existing !== '') conflicts.push({ name: l.name, value: existing });
        lb.set(l.name, l.value);
      }
      if (conflicts.length > 0) {
        // exported_ prefix, shortest names first, repeated until the name is free.
        const sorted = conflicts.map((c, i) => ({ ...c, i })).sort((a, b) => a.name.length - b.name.length || a.i - b.i);
        const taken = (n: string, upto: number): boolean =>
          lset.some((l) => l.name === n) || this.targetLabels.some((l) => l.name === n) || sorted.slice(0, upto).some((c) => c.name === n);
        sorted.forEach((c, idx) => {
          let n = c.name;
          for (;;) {
            n = 'exported_' + n;
            if (!taken(n, idx)) break;
          }
          c.name = n;
        });
        for (const c of sorted) lb.set(c.name, c.value);
      }
    }
    const res = lb.labels();
    if (this.cfg.metricRelabelConfigs.length === 0) return res.length === 0 ? null : res;
    return relabel(res, this.cfg.metricRelabelConfigs);
  }

  /**
   * Parses a body and appends its samples (Prometheus scrapeLoop.append). Parse
   * errors, limits and unexpected storage errors come back in `err` with the counts
   * so far (reported like Prometheus does); the caller rolls back.
   */
  append(app: Appender, body: Buffer, contentType: string, ts: number): AppendResult {
    const cache = this.cache;
    const p = newParser(body, contentType);
    const honorTs = this.cfg.honorTimestamps;
    const limit = this.cfg.sampleLimit;
    let total = 0;
    let added = 0;
    let seriesAdded = 0;
    let appended = 0;
    let sampleLimitErr = false;
    const newEntries: string[] = [];
    try {
      for (;;) {
        const et = p.next();
        if (et === 'eof') break;
        if (et === 'type') {
          cache.setType(p.metaName(), p.metricType());
          continue;
        }
        if (et === 'help') {
          cache.setHelp(p.metaName(), p.helpText());
          continue;
        }
        if (et === 'unit') {
          cache.setUnit(p.metaName(), p.unitText());
          continue;
        }
        if (et === 'comment') continue;
        total++;
        const text = p.seriesText();
        const v = p.value();
        let t = ts;
        const pts = honorTs ? p.timestamp() : null;
        if (pts !== null) t = pts;
        // Cached series first: the common case costs one map lookup.
        let ce: CacheEntry | undefined = cache.get(text);
        if (ce === undefined && cache.isDropped(text)) continue;
        const hit = ce !== undefined;
        let lset: Labels;
        let key: string;
        let staleId: number;
        if (ce) {
          lset = ce.lset;
          key = ce.key;
          staleId = ce.staleId;
        } else {
          const exposed = p.labels();
          checkDuplicateNames(exposed);
          key = labelsKey(exposed);
          const mutated = this.mutateSampleLabels(exposed);
          if (mutated === null) {
            cache.addDropped(text);
            continue;
          }
          lset = withoutEmpty(mutated);
          this.validateSeries(lset);
          staleId = cache.staleId(key, lset);
        }
        // Sample limit (Prometheus' limitAppender): stale markers do not count; keep parsing to count the total.
        if (limit > 0 && !isStaleNaN(v)) {
          appended++;
          if (appended > limit) {
            sampleLimitErr = true;
            if (!hit) {
              ce = cache.add(text, 0, lset, key);
              newEntries.push(text);
            }
            added++;
            continue;
          }
        }
        let ok = true;
        let ref = 0;
        try {
          ref = app.append(ce ? ce.ref : 0, lset, t, v);
        } catch (err) {
          ok = false;
          if (!(err instanceof StorageError)) throw err;
          if (err.code === 'out_of_order') this.deps.metrics.outOfOrder.inc();
          else if (err.code === 'duplicate_sample') this.deps.metrics.duplicates.inc();
          else if (err.code === 'out_of_bounds' || err.code === 'too_old') this.deps.metrics.outOfBounds.inc();
          else throw new AppendFailure(`${err.message}: ${text}`);
        }
        if (ok && pts === null) cache.trackStaleness(staleId);
        if (!hit) {
          ce = cache.add(text, ref, lset, key);
          newEntries.push(text);
          if (ok && !sampleLimitErr) seriesAdded++;
        } else if (ref !== 0 && ce) ce.ref = ref;
        added++;
      }
      if (sampleLimitErr) {
        this.deps.metrics.sampleLimit.inc();
        throw new AppendFailure('sample limit exceeded');
      }
    } catch (err) {
      // Refs of series created in a rolled-back batch must not be reused.
      for (const k of newEntries) cache.forget(k);
      return { total, added, seriesAdded, err: err as Error };
    }
    // Series exposed last time and missing now get a staleness marker.
    let staleErr: Error | null = null;
    cache.forEachStale((lset) => {
      try {
        app.append(0, lset, ts, STALE_NAN);
      } catch (err) {
        // Out of order / duplicate is expected when a target comes back with a new loop.
        if (!(err instanceof StorageError && (err.code === 'out_of_order' || err.code === 'duplicate_sample'))) {
          staleErr = err as Error;
          return false;
        }
      }
      return true;
    });
    if (staleErr) return { total, added, seriesAdded, err: staleErr };
    cache.iterDone(body.length > 0);
    return { total, added, seriesAdded };
  }

  /** Metric name/label name validity and the label limits (Prometheus verifyLabelLimits). */
  private validateSeries(lset: Labels): void {
    const name = lset.find((l) => l.name === '__name__')?.value;
    if (name === undefined) throw new AppendFailure('__name__ label is missing');
    if (!METRIC_NAME_RE.test(name) || lset.some((l) => !LABEL_NAME_RE.test(l.name))) {
      throw new AppendFailure(`invalid metric name or label names: ${fmtLabels(lset)}`);
    }
    const c = this.cfg;
    const met = name.slice(0, 50);
    if (c.labelLimit > 0 && lset.length > c.labelLimit) {
      this.deps.metrics.labelLimits.inc();
      throw new AppendFailure(`label_limit exceeded (metric: ${met}, number of labels: ${lset.length}, limit: ${c.labelLimit})`);
    }
    if (c.labelNameLengthLimit === 0 && c.labelValueLengthLimit === 0) return;
    for (const l of lset) {
      const nl = Buffer.byteLength(l.name);
      if (c.labelNameLengthLimit > 0 && nl > c.labelNameLengthLimit) {
        this.deps.metrics.labelLimits.inc();
        throw new AppendFailure(`label_name_length_limit exceeded (metric: ${met}, label name: ${l.name.slice(0, 50)}, length: ${nl}, limit: ${c.labelNameLengthLimit})`);
      }
      const vl = Buffer.byteLength(l.value);
      if (c.labelValueLengthLimit > 0 && vl > c.labelValueLengthLimit) {
        this.deps.metrics.labelLimits.inc();
        throw new AppendFailure(`label_value_length_limit exceeded (metric: ${met}, label value: ${l.value.slice(0, 50)}, length: ${vl}, limit: ${c.labelValueLengthLimit})`);
      }
    }
  }

  private reportSeries(): Labels[] {
    if (!this.reportLabels) {
      // Prometheus mutateReportSampleLabels: target labels override, the exposed value moves to exported_*.
      this.reportLabels = REPORT_NAMES.map((n) => {
        const lb = new LabelsBuilder(labelsFromPairs([{ name: '__name__', value: n }]));
        for (const l of this.targetLabels) lb.set(l.name, l.value);
        return lb.labels();
      });
    }
    return this.reportLabels;
  }

  private report(app: Appender, ts: number, duration: number, r: AppendResult, err: Error | null): void {
    const ls = this.reportSeries();
    const vals = [err ? 0 : 1, duration, r.total, r.added, r.seriesAdded];
    for (let i = 0; i < ls.length; i++) appendReport(app, ls[i]!, ts, vals[i]!);
  }

  private reportStale(app: Appender, ts: number): void {
    for (const l of this.reportSeries()) appendReport(app, l, ts, STALE_NAN);
  }

  /** Metadata of this target's last scrapes: metric family → entry. */
  metadata(): Array<[string, { type: string; help: string; unit: string }]> {
    return this.cache.metadata();
  }
}

function appendReport(app: Appender, lset: Labels, ts: number, v: number): void {
  try {
    app.append(0, lset, ts, v);
  } catch (err) {
    if (!(err instanceof StorageError && (err.code === 'out_of_order' || err.code === 'duplicate_sample'))) throw err;
  }
}

function checkDuplicateNames(ls: Labels): void {
  for (let i = 1; i < ls.length; i++) {
    if (ls[i]!.name === ls[i - 1]!.name) throw new AppendFailure(`label name "${ls[i]!.name}" is not unique: invalid sample`);
  }
}

function withoutEmpty(ls: Labels): Labels {
  for (const l of ls) if (l.value === '') return ls.filter((x) => x.value !== '');
  return ls;
}

function fmtLabels(ls: Labels): string {
  return '{' + ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ') + '}';
}
