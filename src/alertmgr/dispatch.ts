/**
 * The dispatcher: routes each alert to aggregation groups (one per route and
 * group-label set). A group first flushes after group_wait (at once if its alert
 * started more than group_wait ago), then every group_interval; a flush sends the
 * group's alerts through the pipeline and forgets resolved alerts once notified.
 * Empty groups are dropped by a cleanup pass every 30s, like Alertmanager's.
 */
import type { Logger } from '../util/index.js';
import type { AlertStore } from './alerts.js';
import type { Pipeline } from './pipeline.js';
import type { RouteNode } from './route.js';
import { compareAlerts, fingerprintHex, labelSetString, resolvedAt, ZERO_TIME, type Alert, type LabelSet } from './types.js';

const CLEANUP_INTERVAL = 30_000;
/** notify.MinTimeout: a flush may take at least this long before it is cancelled. */
const MIN_TIMEOUT = 10_000;

export class AggrGroup {
  readonly alerts = new Map<string, Alert>();
  readonly groupKey: string;
  private timer: NodeJS.Timeout | null = null;
  private hasFlushed = false;
  private flushing = false;
  private pendingTick = false;
  private stopped = false;
  private abort: AbortController | null = null;

  constructor(
    readonly route: RouteNode,
    readonly labels: LabelSet,
    private readonly pipeline: Pipeline,
    private readonly logger: Logger,
  ) {
    this.groupKey = `${route.key}:${labelSetString(labels)}`;
    this.schedule(route.opts.groupWait);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), ms);
  }

  insert(a: Alert, fp: string): void {
    this.alerts.set(fp, a);
    // Flush at once when the alert's group_wait has already passed.
    if (!this.hasFlushed && a.startsAt + this.route.opts.groupWait < Date.now()) this.schedule(0);
  }

  empty(): boolean {
    return this.alerts.size === 0;
  }

  private tick(): void {
    if (this.stopped) return;
    // The next tick is scheduled before flushing, as in Alertmanager; a tick that fires while a
    // flush still runs waits for it (Go's timer channel holds one pending tick).
    this.schedule(this.route.opts.groupInterval);
    this.hasFlushed = true;
    if (this.flushing) {
      this.pendingTick = true;
      return;
    }
    void this.flush(Date.now());
  }

  private async flush(now: number): Promise<void> {
    if (this.empty()) return;
    this.flushing = true;
    try {
      const list: Alert[] = [];
      for (const a of this.alerts.values()) {
        // Alerts not yet resolved are notified without an end time.
        list.push(resolvedAt(a, now) ? { ...a } : { ...a, endsAt: ZERO_TIME });
      }
      list.sort(compareAlerts);
      this.abort = new AbortController();
      const timeout = setTimeout(() => this.abort?.abort(), Math.max(this.route.opts.groupInterval, MIN_TIMEOUT));
      let ok = false;
      try {
        ok = await this.pipeline.exec(
          {
            receiver: this.route.opts.receiver,
            groupKey: this.groupKey,
            groupLabels: this.labels,
            now,
            repeatInterval: this.route.opts.repeatInterval,
            muteTimeIntervals: this.route.opts.muteTimeIntervals,
            activeTimeIntervals: this.route.opts.activeTimeIntervals,
            signal: this.abort.signal,
          },
          list,
        );
      } catch (err) {
        this.logger.error({ groupKey: this.groupKey, err: (err as Error).message }, 'notify for alerts failed');
      } finally {
        clearTimeout(timeout);
      }
      if (ok) {
        for (const a of list) {
          const fp = fingerprintHex(a.labels);
          const cur = this.alerts.get(fp);
          // Forget a resolved alert unless it was updated since it was notified.
          if (cur && resolvedAt(a, now) && cur.updatedAt === a.updatedAt) this.alerts.delete(fp);
        }
      }
    } finally {
      this.flushing = false;
    }
    if (this.pendingTick && !this.stopped) {
      this.pendingTick = false;
      void this.flush(Date.now());
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort?.abort();
  }
}

export class Dispatcher {
  /** route key → group label fingerprint → group */
  private readonly groups = new Map<RouteNode, Map<string, AggrGroup>>();
  private unsubscribe: (() => void) | null = null;
  private cleanup: NodeJS.Timeout | null = null;

  constructor(
    private readonly root: RouteNode,
    private readonly store: AlertStore,
    private readonly pipeline: Pipeline,
    private readonly logger: Logger,
  ) {}

  start(): void {
    // Like a provider subscription: replay the alerts already stored, then follow new ones.
    for (const [fp, a] of this.store.entries()) this.process(a, fp);
    this.unsubscribe = this.store.subscribe((a, fp) => this.process(a, fp));
    this.cleanup = setInterval(() => this.doCleanup(), CLEANUP_INTERVAL);
    this.cleanup.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.cleanup) clearInterval(this.cleanup);
    for (const m of this.groups.values()) for (const g of m.values()) g.stop();
    this.groups.clear();
  }

  private process(a: Alert, fp: string): void {
    for (const r of this.root.match(a.labels)) {
      const labels = r.groupLabels(a.labels);
      const gfp = fingerprintHex(labels);
      let m = this.groups.get(r);
      if (!m) {
        m = new Map();
        this.groups.set(r, m);
      }
      let g = m.get(gfp);
      if (!g) {
        g = new AggrGroup(r, labels, this.pipeline, this.logger);
        m.set(gfp, g);
      }
      g.insert(a, fp);
    }
  }

  private doCleanup(): void {
    for (const m of this.groups.values()) {
      for (const [k, g] of m) {
        if (g.empty()) {
          g.stop();
          m.delete(k);
        }
      }
    }
  }

  /** All groups (for /api/v2/alerts/groups). */
  allGroups(): AggrGroup[] {
    const out: AggrGroup[] = [];
    for (const m of this.groups.values()) for (const g of m.values()) out.push(g);
    return out;
  }
}
