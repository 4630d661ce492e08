import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { labelsKey } from '../model/index.js';
import { canonicalJSON, scrapeConfigHash, type Config } from '../config/index.js';
import { formatDuration, type Logger } from '../util/index.js';
import { newScrapeAgents } from './http.js';
import type { LoopDeps } from './loop.js';
import { ScrapeMetrics } from './metrics.js';
import { ScrapePool } from './pool.js';
import type { ActiveTarget, DroppedTarget, GlobalURLOptions, MetricMetadata, ScrapeManagerOptions, TargetMetadata } from './types.js';

/**
 * Runs one scrape pool per scrape_config (Prometheus scrape.Manager).
 * `applyConfig` diffs by job: unchanged jobs keep their loops untouched,
 * changed jobs reload, removed jobs stop and mark their series stale.
 */
export class ScrapeManager {
  private pools = new Map<string, { pool: ScrapePool; hash: string }>();
  private readonly metrics: ScrapeMetrics;
  private readonly logger: Logger;
  private globalOpts: GlobalURLOptions | null = null;
  private seed = 0n;
  private stopped = false;
  private removing = new Set<ScrapePool>();
  private removals = new Set<Promise<void>>();
  private readonly agents = newScrapeAgents();

  constructor(private readonly opts: ScrapeManagerOptions) {
    this.logger = opts.logger.child({ component: 'scrape manager' });
    this.metrics = new ScrapeMetrics(opts.registry ?? new Registry());
  }

  private deps(): LoopDeps {
    return { appendable: this.opts.appendable, logger: this.logger, metrics: this.metrics, offsetSeed: this.seed, agents: this.agents };
  }

  /** Applies a config; concurrent calls (SIGHUP and /-/reload at once) run one after the other. */
  applyConfig(cfg: Config): Promise<void> {
    const run = this.applying.then(() => this.applyConfigNow(cfg));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private applying: Promise<void> = Promise.resolve();

  private async applyConfigNow(cfg: Config): Promise<void> {
    if (this.stopped) throw new Error('scrape manager is stopped');
    // Offset seed from hostname and external labels, as Prometheus' setJitterSeed.
    this.seed = fnv64(hostname() + labelsKey(cfg.global.externalLabels));
    const wanted = new Map(cfg.scrapeConfigs.map((sc) => [sc.jobName, sc]));
    const work: Array<Promise<void>> = [];
    for (const [job, entry] of this.pools) {
      if (!wanted.has(job)) {
        this.pools.delete(job);
        const p = entry.pool;
        this.removing.add(p);
        const done = p.stop(true).then(() => p.settled());
        this.removals.add(done);
        void done.finally(() => {
          this.removals.delete(done);
          this.removing.delete(p);
        });
      }
    }
    for (const [job, sc] of wanted) {
      const hash = scrapeConfigHash(sc);
      const existing = this.pools.get(job);
      if (!existing) {
        const pool = new ScrapePool(sc, this.deps());
        this.pools.set(job, { pool, hash });
        work.push(pool.ready);
      } else if (existing.hash !== hash) {
        existing.hash = hash;
        work.push(
          existing.pool.reload(sc).catch((err: unknown) => {
            this.metrics.reloadFailures.inc();
            this.logger.error({ scrape_pool: job, err: String(err) }, 'reloading scrape pool failed');
          }),
        );
      }
    }
    await Promise.all(work);
  }

  /** Sets how globalUrl is derived (Prometheus' --web.external-url handling); without it globalUrl equals scrapeUrl. */
  setGlobalURLOptions(opts: GlobalURLOptions | null): void {
    this.globalOpts = opts;
  }

  /** Configured job names, sorted (for /api/v1/scrape_pools). */
  scrapePools(): string[] {
    return [...this.pools.keys()].sort();
  }

  activeTargets(): ActiveTarget[] {
    const out: ActiveTarget[] = [];
    for (const [job, { pool }] of this.pools) {
      for (const l of pool.activeLoops()) {
        out.push({
          discoveredLabels: l.target.discoveredLabels,
          labels: l.target.publicLabels(),
          scrapePool: job,
          scrapeUrl: l.target.url,
          globalUrl: globalURL(l.target.url, this.globalOpts),
          lastError: l.lastError,
          lastScrape: l.lastScrape,
          lastScrapeDuration: l.lastDuration,
          health: l.health,
          scrapeInterval: formatDuration(l.intervalMs),
          scrapeTimeout: formatDuration(l.timeoutMs),
        });
      }
    }
    return out;
  }

  droppedTargets(): DroppedTarget[] {
    const out: DroppedTarget[] = [];
    for (const [job, { pool }] of this.pools) for (const d of pool.droppedTargets()) out.push({ discoveredLabels: d, scrapePool: job });
    return out;
  }

  /** For /api/v1/targets/metadata */
  targetMetadata(): TargetMetadata[] {
    const out: TargetMetadata[] = [];
    for (const { pool } of this.pools.values()) {
      for (const l of pool.activeLoops()) {
        const target = l.target.publicLabels();
        for (const [metric, m] of l.metadata()) out.push({ target, metric, ...m });
      }
    }
    return out;
  }

  /** For /api/v1/metadata: metric name -> distinct metadata entries */
  metadata(): Map<string, MetricMetadata[]> {
    const out = new Map<string, MetricMetadata[]>();
    const seen = new Set<string>();
    for (const { pool } of this.pools.values()) {
      for (const l of pool.activeLoops()) {
        for (const [metric, m] of l.metadata()) {
          const k = metric + '\xff' + canonicalJSON(m);
          if (seen.has(k)) continue;
          seen.add(k);
          let list = out.get(metric);
          if (!list) out.set(metric, (list = []));
          list.push(m);
        }
      }
    }
    return out;
  }

  /** Stops all loops without writing staleness markers (the server is shutting down and will resume). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.applying;
    const pools = [...this.pools.values()].map((e) => e.pool);
    this.pools.clear();
    for (const p of this.removing) void p.shutdown();
    await Promise.all(pools.map((p) => p.shutdown()));
    await Promise.all(this.removals);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Waits until every pool has applied its first discovery results (for tests). */
  async ready(): Promise<void> {
    await Promise.all([...this.pools.values()].map((e) => e.pool.ready));
  }
}

function fnv64(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

const LOCALHOST = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Prometheus' getGlobalURL: loopback targets are rewritten to the externally reachable host. */
export function globalURL(scrapeUrl: string, opts: GlobalURLOptions | null): string {
  if (!opts) return scrapeUrl;
  let u: URL;
  try {
    u = new URL(scrapeUrl);
  } catch {
    return scrapeUrl;
  }
  if (!LOCALHOST.has(u.hostname)) return scrapeUrl;
  const ownPort = opts.listenAddress.slice(opts.listenAddress.lastIndexOf(':') + 1);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  if (port === ownPort) {
    return `${opts.scheme}://${opts.host}${u.pathname}${u.search}`;
  }
  const extHost = opts.host.includes(':') ? opts.host.slice(0, opts.host.lastIndexOf(':')) : opts.host;
  return `${u.protocol}//${extHost}:${port}${u.pathname}${u.search}`;
}

