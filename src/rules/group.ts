import { hashString, isStaleNaN, labelsEqual, labelsKey, MatchType, newMatcher, STALE_NAN, type Labels } from '../model/index.js';
import { StorageError, type Appendable, type Queryable } from '../storage/index.js';
import type { Logger } from '../util/index.js';
import { AlertingRule, type Alert } from './alerting.js';
import type { RuleMetrics } from './metrics.js';
import type { Rule } from './rule.js';
import type { QueryFunc } from './types.js';

/** An alert handed to the notifier (same shape as notifier's alert; times in ms, 0 = unset). */
export interface OutgoingAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt: number;
  generatorURL: string;
}

/** Receives the alerts due for sending after each evaluation of an alerting rule. */
export type NotifyFunc = (alerts: OutgoingAlert[]) => void;

export interface GroupOptions {
  query: QueryFunc;
  appendable: Appendable;
  queryable: Queryable;
  notify: NotifyFunc;
  externalURL: string;
  resendDelayMs: number;
  outageToleranceMs: number;
  forGracePeriodMs: number;
  metrics: RuleMetrics;
  logger: Logger;
  now: () => number;
  /** Canonical form of an expression for generator URLs (Prometheus prints the parsed AST). */
  formatExpr?: (expr: string) => string;
}

/** Prometheus' strutil.TableLinkForExpression. */
export function tableLinkForExpression(expr: string): string {
  return '/graph?g0.expr=' + encodeURIComponent(expr).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()) + '&g0.tab=1';
}

/** The group's key in metrics and maps: file;name (Prometheus' GroupKey). */
export function groupKey(file: string, name: string): string {
  return `${file};${name}`;
}

/**
 * A rule group: rules evaluated in order at a fixed interval, with evaluation
 * timestamps aligned to a per-group offset (Prometheus rules.Group).
 */
export class Group {
  readonly key: string;
  /** Per rule: the series written in the previous evaluation, to mark vanished ones stale. */
  seriesInPreviousEval: Array<Map<string, Labels>>;
  /** Series of removed rules, marked stale at the next evaluation. */
  staleSeries: Labels[] = [];
  /** Wall-clock start (ms) and duration (ms) of the last evaluation. */
  lastEvaluation = 0;
  evaluationTimeMs = 0;
  /** Restore alert for-state from ALERTS_FOR_STATE after the second evaluation (set on startup). */
  shouldRestore = false;
  /** Mark the group's series stale two intervals after it stops (set when a reload removes it). */
  markStale = false;

  private stopped = false;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loopDone: Promise<void> | null = null;

  constructor(
    readonly name: string,
    readonly file: string,
    readonly intervalMs: number,
    readonly limit: number,
    readonly queryOffsetMs: number,
    readonly rules: Rule[],
    private readonly opts: GroupOptions,
    /** Anything else that must match for a reload to keep the group running (external labels/URL). */
    readonly context = '',
  ) {
    this.key = groupKey(file, name);
    this.seriesInPreviousEval = rules.map(() => new Map());
  }

  alertingRules(): AlertingRule[] {
    return this.rules.filter((r): r is AlertingRule => r instanceof AlertingRule);
  }

  /** The evaluation timestamp slot at or before `now` (ms), offset by a hash of file and name. */
  evalTimestamp(now: number): number {
    const offset = hashString(this.name + '\xff' + this.file) % this.intervalMs;
    const adj = now - offset;
    return adj - (((adj % this.intervalMs) + this.intervalMs) % this.intervalMs) + offset;
  }

  /** Same rules, interval, limit and offset: a reload keeps such a group running untouched. */
  equals(other: Group): boolean {
    if (this.name !== other.name || this.file !== other.file || this.intervalMs !== other.intervalMs) return false;
    if (this.limit !== other.limit || this.queryOffsetMs !== other.queryOffsetMs || this.context !== other.context) return false;
    if (this.rules.length !== other.rules.length) return false;
    return this.rules.every((r, i) => r.sameDefinition(other.rules[i]!));
  }

  /** Takes over state from the group this one replaces (Prometheus' CopyState). */
  copyState(from: Group): void {
    this.evaluationTimeMs = from.evaluationTimeMs;
    this.lastEvaluation = from.lastEvaluation;
    const byIdentity = new Map<string, number[]>();
    from.rules.forEach((r, i) => {
      const l = byIdentity.get(r.identity) ?? [];
      l.push(i);
      byIdentity.set(r.identity, l);
    });
    this.rules.forEach((r, i) => {
      const idx = byIdentity.get(r.identity);
      if (!idx || idx.length === 0) return;
      const fi = idx.shift()!;
      this.seriesInPreviousEval[i] = from.seriesInPreviousEval[fi]!;
      const old = from.rules[fi]!;
      r.health = old.health;
      r.lastError = old.lastError;
      r.lastEvaluation = old.lastEvaluation;
      r.evaluationTimeMs = old.evaluationTimeMs;
      if (r instanceof AlertingRule && old instanceof AlertingRule) {
        for (const [k, a] of old.active) r.active.set(k, a);
        r.restored = r.restored || old.restored;
      }
    });
    // Series of deleted (or unmatched duplicate) rules go stale at the next evaluation.
    this.staleSeries = from.staleSeries.slice();
    for (const [, idx] of byIdentity) for (const fi of idx) for (const ls of from.seriesInPreviousEval[fi]!.values()) this.staleSeries.push(ls);
  }

  /** Evaluates every rule once at `t` (ms), appends the results and notifies alerts. */
  async eval(t: number): Promise<void> {
    const { metrics, logger } = this.opts;
    let samplesTotal = 0;
    for (let i = 0; i < this.rules.length; i++) {
      // A stopping group abandons the rest of the evaluation (Prometheus checks g.done between rules).
      if (this.stopped) return;
      const rule = this.rules[i]!;
      const start = performance.now();
      rule.lastEvaluation = this.opts.now();
      metrics.evalTotal.inc({ rule_group: this.key });
      try {
        let vector;
        try {
          vector = await rule.eval(t, this.queryOffsetMs, this.opts.query, this.limit);
        } catch (err) {
          rule.health = 'err';
          rule.lastError = (err as Error).message;
          metrics.evalFailures.inc({ rule_group: this.key });
          logger.warn({ group: this.name, name: rule.name, index: i, err: rule.lastError }, 'Evaluating rule failed');
          continue;
        }
        rule.health = 'ok';
        rule.lastError = null;
        samplesTotal += vector.length;
        if (rule instanceof AlertingRule) this.sendAlerts(rule, t);

        const app = this.opts.appendable.appender();
        const returned = new Map<string, Labels>();
        const dropped: Record<string, number> = {};
        for (const s of vector) {
          try {
            app.append(0, s.labels, s.t, s.v);
            returned.set(labelsKey(s.labels), s.labels);
          } catch (err) {
            rule.health = 'err';
            rule.lastError = (err as Error).message;
            const code = err instanceof StorageError ? err.code : 'other';
            dropped[code] = (dropped[code] ?? 0) + 1;
          }
        }
        if (Object.keys(dropped).length > 0) logger.warn({ group: this.name, name: rule.name, dropped }, 'Rule evaluation results discarded');
        const staleT = t - this.queryOffsetMs;
        for (const [k, ls] of this.seriesInPreviousEval[i]!) {
          if (returned.has(k)) continue;
          // Series no longer produced by the rule: write a staleness marker.
          try {
            app.append(0, ls, staleT, STALE_NAN);
          } catch (err) {
            // Expected when another rule now writes the series; anything else is worth a log line.
            if (!(err instanceof StorageError) || !['out_of_order', 'duplicate_sample', 'too_old', 'out_of_bounds'].includes(err.code)) {
              logger.warn({ group: this.name, name: rule.name, err: (err as Error).message }, 'Adding stale sample failed');
            }
          }
        }
        try {
          await app.commit();
          this.seriesInPreviousEval[i] = returned;
        } catch (err) {
          rule.health = 'err';
          rule.lastError = (err as Error).message;
          metrics.evalFailures.inc({ rule_group: this.key });
          logger.warn({ group: this.name, name: rule.name, err: rule.lastError }, 'Rule sample appending failed');
        }
      } finally {
        rule.evaluationTimeMs = performance.now() - start;
        metrics.evalDuration.observe(rule.evaluationTimeMs / 1000);
      }
    }
    metrics.groupSamples.set({ rule_group: this.key }, samplesTotal);
    await this.cleanupStaleSeries(t);
  }

  private sendAlerts(rule: AlertingRule, t: number): void {
    const due = rule.alertsToSend(t, this.opts.resendDelayMs, this.intervalMs);
    if (due.length === 0) return;
    const expr = this.opts.formatExpr ? this.opts.formatExpr(rule.spec.expr) : rule.spec.expr;
    const url = this.opts.externalURL + tableLinkForExpression(expr);
    this.opts.notify(due.map((a) => toOutgoing(a, url)));
  }

  private async cleanupStaleSeries(t: number): Promise<void> {
    if (this.staleSeries.length === 0) return;
    const app = this.opts.appendable.appender();
    for (const ls of this.staleSeries) {
      try {
        app.append(0, ls, t - this.queryOffsetMs, STALE_NAN);
      } catch {
        // Out-of-order/duplicate here means the series is written by another rule now.
      }
    }
    try {
      await app.commit();
      this.staleSeries = [];
    } catch (err) {
      this.opts.logger.warn({ group: this.name, err: (err as Error).message }, 'Stale sample appending failed');
    }
  }

  /**
   * Restores the for-state of active alerts from ALERTS_FOR_STATE (Prometheus'
   * RestoreForState): time spent down does not count towards `for`, and an alert
   * never fires sooner than the grace period after the restart.
   */
  async restoreForState(ts: number): Promise<void> {
    const { outageToleranceMs, forGracePeriodMs, logger } = this.opts;
    let q;
    try {
      q = await this.opts.queryable.querier(ts - outageToleranceMs, ts);
    } catch (err) {
      logger.error({ group: this.name, err: (err as Error).message }, 'Failed to get querier to restore alert state');
      return;
    }
    try {
      for (const rule of this.alertingRules()) {
        const hold = rule.holdDurationMs;
        if (hold < forGracePeriodMs) {
          // Shorter than the grace period: waiting the full `for` again is the better choice.
          rule.restored = true;
          continue;
        }
        for (const a of rule.active.values()) {
          const want = rule.forStateLabels(a.labels);
          let series;
          try {
            const matchers = want.map((l) => newMatcher(MatchType.Equal, l.name, l.value));
            series = (await q.select(null, matchers)).find((s) => labelsEqual(s.labels, want));
          } catch (err) {
            logger.error({ group: this.name, alert: rule.name, err: (err as Error).message }, 'Failed to restore alert state');
            continue;
          }
          if (!series) continue;
          const it = series.iterator();
          let t = 0;
          let v = 0;
          let found = false;
          while (it.next()) {
            t = it.t;
            v = it.v;
            found = true;
          }
          if (!found || isStaleNaN(v)) continue;
          const downAt = Math.floor(t / 1000) * 1000;
          let restoredActiveAt = Math.floor(v) * 1000;
          const remaining = hold - (downAt - restoredActiveAt);
          if (remaining <= 0) {
            // Was firing when we went down; the next evaluation sets it firing again.
          } else if (remaining < forGracePeriodMs) {
            restoredActiveAt = ts + forGracePeriodMs - hold;
          } else {
            restoredActiveAt += ts - downAt;
          }
          a.activeAt = restoredActiveAt;
          logger.debug({ group: this.name, alert: rule.name, activeAt: new Date(restoredActiveAt).toISOString() }, 'Restored alert for-state');
        }
        rule.restored = true;
      }
    } finally {
      q.close();
    }
  }

  /** Starts the evaluation loop (Prometheus' Group.run). */
  start(): void {
    this.loopDone = this.loop().catch((err) => this.opts.logger.error({ group: this.name, err: (err as Error).message }, 'rule group loop failed'));
  }

  /** Stops the loop and waits for a running evaluation to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loopDone;
  }

  /** Writes staleness markers for every series of this group (used after it was removed). */
  async markAllStale(t: number): Promise<void> {
    for (const m of this.seriesInPreviousEval) for (const ls of m.values()) this.staleSeries.push(ls);
    this.seriesInPreviousEval = this.rules.map(() => new Map());
    await this.cleanupStaleSeries(t + this.queryOffsetMs);
  }

  private sleepUntil(t: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve(false);
      const done = (): void => {
        this.timer = null;
        this.wake = null;
        resolve(!this.stopped);
      };
      this.wake = done;
      this.timer = setTimeout(done, Math.max(0, t - this.opts.now()));
    });
  }

  private async iterate(t: number): Promise<void> {
    const { metrics } = this.opts;
    metrics.iterationsScheduled.inc({ rule_group: this.key });
    const wallStart = this.opts.now();
    const start = performance.now();
    try {
      await this.eval(t);
    } catch (err) {
      // Rule errors are handled per rule; anything reaching here is unexpected, but must not stop the group.
      this.opts.logger.error({ group: this.name, err: (err as Error).message }, 'rule group evaluation failed');
    }
    const dur = performance.now() - start;
    metrics.iterationDuration.observe(dur / 1000);
    metrics.groupLastDuration.set({ rule_group: this.key }, dur / 1000);
    metrics.groupLastEvalTime.set({ rule_group: this.key }, wallStart / 1000);
    this.evaluationTimeMs = dur;
    this.lastEvaluation = wallStart;
  }

  /** Waits for the next slot after `evalTs`; returns the new slot, or null when stopped. */
  private async nextSlot(evalTs: number): Promise<number | null> {
    if (!(await this.sleepUntil(evalTs + this.intervalMs))) return null;
    const k = Math.max(1, Math.floor((this.opts.now() - evalTs) / this.intervalMs));
    if (k > 1) {
      this.opts.metrics.iterationsMissed.inc({ rule_group: this.key }, k - 1);
      this.opts.metrics.iterationsScheduled.inc({ rule_group: this.key }, k - 1);
    }
    return evalTs + k * this.intervalMs;
  }

  private async loop(): Promise<void> {
    let evalTs: number | null = this.evalTimestamp(this.opts.now()) + this.intervalMs;
    if (!(await this.sleepUntil(evalTs))) return;
    await this.iterate(evalTs);
    if (this.shouldRestore) {
      // Wait for one more evaluation so recording rules the alerts depend on have fresh data.
      evalTs = await this.nextSlot(evalTs);
      if (evalTs === null) return;
      await this.iterate(evalTs);
      await this.restoreForState(this.opts.now());
      this.shouldRestore = false;
    }
    for (;;) {
      evalTs = await this.nextSlot(evalTs);
      if (evalTs === null) return;
      await this.iterate(evalTs);
    }
  }
}

function toOutgoing(a: Alert, generatorURL: string): OutgoingAlert {
  return {
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.firedAt,
    endsAt: a.resolvedAt !== 0 ? a.resolvedAt : a.validUntil,
    generatorURL,
  };
}
