/**
 * The notification pipeline as small stages, in Alertmanager's order:
 * inhibit → time-active → time-mute → silence → (per integration, in parallel)
 * dedup against the notification log → retry with backoff → record in the log.
 * Each stage takes and returns the alerts still to notify; an empty list ends the run.
 */
import type { Logger } from '../util/index.js';
import type { Template } from '../template/index.js';
import type { Inhibitor } from './inhibit.js';
import type { Integration, NotifyContext } from './integrations.js';
import type { AmMetrics } from './metrics.js';
import type { NotificationLog } from './nflog.js';
import type { Silences } from './silences.js';
import { intervalContains, type TimeInterval } from './timeinterval.js';
import { fingerprintHex, resolvedAt, type Alert } from './types.js';

export interface FlushContext {
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  now: number;
  repeatInterval: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  signal: AbortSignal;
}

export interface PipelineDeps {
  inhibitor: Inhibitor;
  silences: Silences;
  nflog: NotificationLog;
  timeIntervals: Map<string, TimeInterval[]>;
  receivers: Map<string, Integration[]>;
  templates: Template;
  externalURL: string;
  metrics: AmMetrics;
  logger: Logger;
}

type Stage = (ctx: FlushContext, alerts: Alert[]) => Alert[];

export class Pipeline {
  private readonly stages: Stage[];

  constructor(private readonly d: PipelineDeps) {
    this.stages = [this.inhibitStage, this.timeActiveStage, this.timeMuteStage, this.silenceStage];
  }

  private readonly inhibitStage: Stage = (_ctx, alerts) => alerts.filter((a) => this.d.inhibitor.inhibitedBy(a.labels).length === 0);

  private inAny(names: string[], now: number): boolean {
    for (const n of names) for (const ti of this.d.timeIntervals.get(n) ?? []) if (intervalContains(ti, now)) return true;
    return false;
  }

  private readonly timeActiveStage: Stage = (ctx, alerts) => {
    if (ctx.activeTimeIntervals.length === 0) return alerts;
    return this.inAny(ctx.activeTimeIntervals, ctx.now) ? alerts : [];
  };

  private readonly timeMuteStage: Stage = (ctx, alerts) => (this.inAny(ctx.muteTimeIntervals, ctx.now) ? [] : alerts);

  private readonly silenceStage: Stage = (_ctx, alerts) => alerts.filter((a) => this.d.silences.mutedBy(a.labels).length === 0);

  /** Runs the pipeline; true when every integration succeeded (or nothing needed sending). */
  async exec(ctx: FlushContext, alerts: Alert[]): Promise<boolean> {
    let cur = alerts;
    for (const st of this.stages) {
      cur = st(ctx, cur);
      if (cur.length === 0) return true;
    }
    const integrations = this.d.receivers.get(ctx.receiver) ?? [];
    const results = await Promise.all(integrations.map((i) => this.runIntegration(ctx, i, cur)));
    return results.every((r) => r);
  }

  private async runIntegration(ctx: FlushContext, integ: Integration, alerts: Alert[]): Promise<boolean> {
    const recvKey = `${ctx.receiver}/${integ.name}/${integ.index}`;
    // Dedup stage.
    const firing: string[] = [];
    const resolved: string[] = [];
    for (const a of alerts) (resolvedAt(a, ctx.now) ? resolved : firing).push(fingerprintHex(a.labels));
    const entry = this.d.nflog.query(recvKey, ctx.groupKey);
    if (!needsUpdate(entry, firing, resolved, integ.sendResolved, ctx)) return true;
    // Retry stage.
    let sent = alerts;
    if (!integ.sendResolved) {
      if (firing.length === 0) {
        this.d.nflog.log(recvKey, ctx.groupKey, firing, resolved);
        return true;
      }
      sent = alerts.filter((a) => !resolvedAt(a, ctx.now));
    }
    const ok = await this.retry(ctx, integ, sent);
    if (!ok) return false;
    // Set-notifies stage.
    this.d.nflog.log(recvKey, ctx.groupKey, firing, resolved);
    return true;
  }

  private async retry(ctx: FlushContext, integ: Integration, alerts: Alert[]): Promise<boolean> {
    const m = this.d.metrics;
    const nctx: NotifyContext = {
      receiver: ctx.receiver,
      groupKey: ctx.groupKey,
      groupLabels: ctx.groupLabels,
      now: ctx.now,
      externalURL: this.d.externalURL,
      templates: this.d.templates,
      signal: ctx.signal,
    };
    m.notificationsTotal.inc({ integration: integ.name });
    let interval = 500;
    for (let attempt = 1; ; attempt++) {
      if (ctx.signal.aborted) break;
      const start = performance.now();
      m.requestsTotal.inc({ integration: integ.name });
      const r = await integ.notify(nctx, alerts);
      m.latency.observe({ integration: integ.name }, (performance.now() - start) / 1000);
      if (!r.error) return true;
      m.requestsFailedTotal.inc({ integration: integ.name });
      if (!r.retry) {
        this.d.logger.error({ receiver: ctx.receiver, integration: `${integ.name}[${integ.index}]`, attempts: attempt, err: r.error.message }, 'notify retry canceled due to unrecoverable error');
        m.notificationsFailedTotal.inc({ integration: integ.name });
        return false;
      }
      this.d.logger.warn({ receiver: ctx.receiver, integration: `${integ.name}[${integ.index}]`, attempt, err: r.error.message }, 'notify attempt failed, will retry later');
      // Exponential backoff: 500ms × 1.5^n, ±50% jitter, capped at 60s (backoff.ExponentialBackOff).
      const wait = interval * (0.5 + Math.random());
      interval = Math.min(interval * 1.5, 60_000);
      if (!(await sleepUnlessAborted(wait, ctx.signal))) break;
    }
    this.d.logger.error({ receiver: ctx.receiver, integration: `${integ.name}[${integ.index}]` }, 'notify retries exhausted before the next group interval');
    m.notificationsFailedTotal.inc({ integration: integ.name });
    return false;
  }
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** DedupStage.needsUpdate. */
function needsUpdate(
  entry: { firing: string[]; resolved: string[]; timestamp: number } | undefined,
  firing: string[],
  resolved: string[],
  sendResolved: boolean,
  ctx: FlushContext,
): boolean {
  if (!entry) return firing.length > 0;
  const prevFiring = new Set(entry.firing);
  if (!firing.every((f) => prevFiring.has(f))) return true;
  // All resolved: notify (even without send_resolved) so the log forgets the firing alerts.
  if (firing.length === 0) return entry.firing.length > 0;
  const prevResolved = new Set(entry.resolved);
  if (sendResolved && !resolved.every((r) => prevResolved.has(r))) return true;
  return entry.timestamp < ctx.now - ctx.repeatInterval;
}
