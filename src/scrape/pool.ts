import { canonicalJSON, type ScrapeConfig } from '../config/index.js';
import { FileDiscoverer, StaticDiscoverer, type Discoverer, type TargetGroup } from '../discovery/index.js';
import type { Labels } from '../model/index.js';
import { parseDuration, type Logger } from '../util/index.js';
import { ScrapeLoop, type LoopDeps } from './loop.js';
import type { ScrapeMetrics } from './metrics.js';
import { targetsFromGroup, type GroupTargets, type Target } from './target.js';

/**
 * All targets of one scrape job (Prometheus scrapePool): runs the job's
 * discoverers, turns their groups into targets, and keeps one loop per unique
 * target. Loops of targets that persist across syncs and config reloads keep
 * running (and keep their caches).
 */
export class ScrapePool {
  private groups = new Map<string, TargetGroup>();
  private loops = new Map<string, ScrapeLoop>();
  private dropped: Labels[] = [];
  private discoveryAbort: AbortController | null = null;
  private discoveryRuns: Array<Promise<void>> = [];
  private sdKey = '';
  private stopping = new Set<Promise<void>>();
  private retiring = new Set<ScrapeLoop>();
  private stopped = false;
  private syncTimer: NodeJS.Timeout | null = null;
  /** Resolves once every discoverer has sent its first groups (or failed). */
  ready: Promise<void> = Promise.resolve();

  constructor(
    public cfg: ScrapeConfig,
    private readonly deps: LoopDeps & { metrics: ScrapeMetrics; logger: Logger },
  ) {
    this.startDiscovery();
  }

  get name(): string {
    return this.cfg.jobName;
  }

  private startDiscovery(): void {
    this.initializing = true;
    this.sdKey = canonicalJSON({ s: this.cfg.staticConfigs, f: this.cfg.fileSDConfigs });
    this.discoveryAbort = new AbortController();
    const signal = this.discoveryAbort.signal;
    const discoverers: Array<[string, Discoverer]> = [];
    if (this.cfg.staticConfigs.length > 0) discoverers.push(['static', new StaticDiscoverer(this.cfg.staticConfigs)]);
    this.cfg.fileSDConfigs.forEach((f, i) => discoverers.push([`file/${i}`, new FileDiscoverer(f, this.deps.logger.child({ discovery: 'file', job: this.name }), () => this.deps.metrics.fileSDReadErrors.inc())]));
    const firsts: Array<Promise<void>> = [];
    this.discoveryRuns = discoverers.map(([prefix, d]) => {
      let first!: () => void;
      firsts.push(new Promise<void>((r) => (first = r)));
      return d
        .run(signal, (groups) => {
          for (const g of groups) {
            const k = `${prefix}/${g.source}`;
            if (g.targets.length === 0) this.groups.delete(k);
            else this.groups.set(k, g);
          }
          first();
          this.scheduleSync();
        })
        .catch((err: unknown) => this.deps.logger.error({ err: String(err), job: this.name }, 'discoverer failed'))
        .finally(() => first());
    });
    // Until every discoverer has reported once, syncing would drop the targets of
    // the slower ones (and stop their loops); sync once when all are in.
    this.ready = Promise.all(firsts).then(() => {
      this.initializing = false;
      this.syncNow();
    });
  }

  private async stopDiscovery(): Promise<void> {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.discoveryAbort?.abort();
    await Promise.all(this.discoveryRuns);
    this.discoveryRuns = [];
  }

  private initializing = false;

  private scheduleSync(): void {
    if (this.syncTimer || this.stopped || this.initializing) return;
    // Coalesce bursts of discovery updates (Prometheus throttles to one update per 5s; we use 100ms).
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.syncNow();
    }, 100);
  }

  /** Rebuilds targets from the current groups and starts/stops loops accordingly. */
  syncNow(): void {
    if (this.stopped) return;
    this.deps.metrics.syncs.inc({ scrape_job: this.name });
    const res: GroupTargets = { active: [], dropped: [], errors: [] };
    for (const g of this.groups.values()) targetsFromGroup(g, this.cfg, res);
    for (const e of res.errors) this.deps.logger.error({ scrape_pool: this.name, err: e }, 'Creating target failed');
    this.dropped = res.dropped;
    const unique = new Map<string, Target>();
    for (const t of res.active) if (!unique.has(t.hash)) unique.set(t.hash, t);
    for (const [h, t] of unique) {
      if (!this.loops.has(h)) {
        const loop = this.newLoop(t);
        this.loops.set(h, loop);
        loop.start();
      }
    }
    for (const [h, loop] of this.loops) {
      if (!unique.has(h)) {
        this.loops.delete(h);
        this.trackStop(loop, loop.stop(true));
      }
    }
    this.deps.metrics.targets.set({ scrape_job: this.name }, this.loops.size);
    this.applyTargetLimit();
  }

  /** target_limit: when exceeded, every target of the pool reports up=0 with this error (no request made). */
  private applyTargetLimit(): void {
    const limit = this.cfg.targetLimit;
    let err: string | null = null;
    if (limit > 0 && this.loops.size > limit) {
      err = `target_limit exceeded (number of targets: ${this.loops.size}, limit: ${limit})`;
      this.deps.metrics.targetLimit.inc();
    }
    for (const l of this.loops.values()) l.forcedError = err;
  }

  private newLoop(t: Target): ScrapeLoop {
    let iv = this.cfg.scrapeInterval;
    let to = this.cfg.scrapeTimeout;
    // Per-target __scrape_interval__/__scrape_timeout__ (validated in populateLabels).
    try {
      iv = parseDuration(t.get('__scrape_interval__'));
      to = parseDuration(t.get('__scrape_timeout__'));
    } catch {
      /* keep the job's values */
    }
    return new ScrapeLoop(t, this.cfg, this.deps, iv, to);
  }

  private trackStop(loop: ScrapeLoop, p: Promise<void>): void {
    this.stopping.add(p);
    this.retiring.add(loop);
    void p.finally(() => {
      this.stopping.delete(p);
      this.retiring.delete(loop);
    });
  }

  /**
   * Applies a changed config for the same job. Discovery restarts only when the
   * discovery part changed; loops are recreated (they carry the scrape settings),
   * and the new loops take over the old loops' caches so staleness stays continuous.
   */
  async reload(cfg: ScrapeConfig): Promise<void> {
    this.deps.metrics.reloads.inc();
    if (scrapeSettingsKey(cfg) === scrapeSettingsKey(this.cfg)) {
      // Only discovery changed (e.g. a target added to static_configs): keep the loops
      // of targets that remain, so they keep their phase and caches. (2.42 restarts all.)
      this.cfg = cfg;
      await this.stopDiscovery();
      this.groups.clear();
      this.startDiscovery();
      await this.ready;
      return;
    }
    const prevCfg = this.cfg;
    this.cfg = cfg;
    const old = this.loops;
    this.loops = new Map();
    await Promise.all([...old.values()].map((l) => l.halt()));
    const key = canonicalJSON({ s: cfg.staticConfigs, f: cfg.fileSDConfigs });
    if (key !== this.sdKey) {
      await this.stopDiscovery();
      this.groups.clear();
      this.startDiscovery();
      await this.ready;
    } else this.syncNow();
    // Prometheus' reusableCache: the series cache carries final labels, so it is only
    // handed over when nothing that shapes labels changed. Otherwise (and for targets
    // that are gone) the old loop's series get end-of-run staleness markers.
    const reusable = cacheKey(prevCfg) === cacheKey(cfg);
    for (const [h, l] of old) {
      const nl = this.loops.get(h);
      if (nl && reusable) nl.adoptCache(l);
      else this.trackStop(l, l.staleAfterStop());
    }
  }

  /** Stops discovery and loops; with `staleness` the targets' series get stale markers (job removed). */
  async stop(staleness: boolean): Promise<void> {
    this.stopped = true;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    await this.stopDiscovery();
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const l of loops) this.trackStop(l, l.stop(staleness));
  }

  /** Abandons pending staleness work and waits for all loops to end (shutdown). */
  async shutdown(): Promise<void> {
    await this.stop(false);
    for (const l of this.retiring) l.cancelStaleness();
    await Promise.all(this.stopping);
  }

  activeLoops(): ScrapeLoop[] {
    return [...this.loops.values()];
  }

  droppedTargets(): Labels[] {
    return this.dropped;
  }

  /** Pending stop/staleness promises (for tests). */
  async settled(): Promise<void> {
    await Promise.all(this.stopping);
  }
}

/** Everything of a scrape config except its discovery part. */
function scrapeSettingsKey(cfg: ScrapeConfig): string {
  const { staticConfigs: _s, fileSDConfigs: _f, ...rest } = cfg;
  return canonicalJSON(rest);
}

/** The config without the fields that cannot change a series' labels (Prometheus zeroConfig). */
function cacheKey(cfg: ScrapeConfig): string {
  return canonicalJSON({
    ...cfg,
    scrapeInterval: 0,
    scrapeTimeout: 0,
    sampleLimit: 0,
    labelLimit: 0,
    labelNameLengthLimit: 0,
    labelValueLengthLimit: 0,
    httpClientConfig: null,
  });
}
