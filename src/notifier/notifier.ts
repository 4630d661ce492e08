import { Counter, Gauge, Summary, type Registry } from 'prom-client';
import { LabelsBuilder, labelsFromObject, type Labels } from '../model/index.js';
import { apiSuccess, nopLogger, type Logger, type Route } from '../util/index.js';
import { alertmanagerURL, encodeAlerts, postAlerts } from './client.js';
import type { AlertmanagerSetOptions, AlertRelabeler, AlertSink, NotifierAlert, NotifierOptions } from './options.js';

export const DEFAULT_QUEUE_CAPACITY = 10_000;
export const MAX_BATCH_SIZE = 64;

interface Target {
  url: string;
  set: AlertmanagerSetOptions;
}

/**
 * Sends alerts to Alertmanagers (Prometheus notifier.Manager): a bounded queue that
 * drops the oldest alerts when full, drained in batches of up to 64 alerts, each
 * batch posted to every Alertmanager concurrently (and to in-process sinks). A batch
 * counts as dropped when no Alertmanager accepted it. There are no retries: rules
 * re-send firing alerts every resend delay, so the next send repairs a lost one.
 */
export class Notifier {
  private queue: NotifierAlert[] = [];
  private targets: Target[] = [];
  private sinks: AlertSink[] = [];
  private capacity: number;
  private maxBatch: number;
  private externalLabels: Labels = [];
  private relabel: AlertRelabeler | undefined;
  private droppedURLs: string[] = [];
  private stopped = false;
  private more: (() => void) | null = null;
  private loopDone: Promise<void>;
  private readonly log: Logger;
  private readonly m: {
    sent: Counter;
    errors: Counter;
    dropped: Counter;
    queueLength: Gauge;
    queueCapacity: Gauge;
    discovered: Gauge;
    latency: Summary;
  };

  constructor(opts: NotifierOptions = {}, deps: { registry?: Registry; logger?: Logger } = {}) {
    this.log = deps.logger ?? nopLogger();
    const registers = deps.registry ? [deps.registry] : [];
    const am = ['alertmanager'] as const;
    this.m = {
      sent: new Counter({ name: 'vigil_notifications_sent_total', help: 'Total number of alerts sent.', labelNames: am, registers }),
      errors: new Counter({ name: 'vigil_notifications_errors_total', help: 'Total number of sent alerts affected by errors.', labelNames: am, registers }),
      dropped: new Counter({ name: 'vigil_notifications_dropped_total', help: 'Total number of alerts dropped due to errors when sending to Alertmanager.', registers }),
      queueLength: new Gauge({ name: 'vigil_notifications_queue_length', help: 'The number of alert notifications in the queue.', registers }),
      queueCapacity: new Gauge({ name: 'vigil_notifications_queue_capacity', help: 'The capacity of the alert notifications queue.', registers }),
      discovered: new Gauge({ name: 'vigil_notifications_alertmanagers_discovered', help: 'The number of alertmanagers discovered and active.', registers }),
      latency: new Summary({
        name: 'vigil_notifications_latency_seconds',
        help: 'Latency quantiles for sending alert notifications.',
        labelNames: am,
        percentiles: [0.5, 0.9, 0.99],
        registers,
      }),
    };
    this.capacity = DEFAULT_QUEUE_CAPACITY;
    this.maxBatch = MAX_BATCH_SIZE;
    this.applyConfig(opts);
    this.loopDone = this.run();
  }

  /** Replaces the Alertmanager set, sinks, external labels and relabelling (config reload). */
  applyConfig(opts: NotifierOptions): void {
    const sets = opts.alertmanagers ?? [];
    for (const s of sets) {
      if (s.apiVersion !== undefined && s.apiVersion !== 'v2') throw new Error(`unsupported Alertmanager api_version ${JSON.stringify(s.apiVersion)} (only v2)`);
    }
    const seen = new Set<string>();
    this.targets = [];
    for (const set of sets)
      for (const url of set.urls ?? set.targets.map((t) => alertmanagerURL(set, t))) {
        if (seen.has(url)) continue;
        seen.add(url);
        this.targets.push({ url, set });
      }
    this.sinks = opts.sinks ?? [];
    this.capacity = opts.queueCapacity ?? DEFAULT_QUEUE_CAPACITY;
    this.maxBatch = opts.maxBatchSize ?? MAX_BATCH_SIZE;
    const ext = opts.externalLabels ?? [];
    this.externalLabels = Array.isArray(ext) ? (ext as Labels) : labelsFromObject(ext as Record<string, string>);
    this.relabel = opts.relabel;
    this.droppedURLs = opts.droppedAlertmanagerURLs ?? [];
    this.m.queueCapacity.set(this.capacity);
    this.m.discovered.set(this.targets.length);
  }

  /** The URLs alerts are posted to. */
  alertmanagerURLs(): string[] {
    return this.targets.map((t) => t.url);
  }

  queueLength(): number {
    return this.queue.length;
  }

  /**
   * Queues alerts (external labels added, relabelling applied). When the queue is
   * full the oldest alerts are dropped in favour of the new ones. Never blocks.
   */
  send(alerts: readonly NotifierAlert[]): void {
    if (this.stopped) return;
    let batch: NotifierAlert[] = [];
    const b = new LabelsBuilder();
    for (const a of alerts) {
      b.reset(a.labels);
      for (const l of this.externalLabels) if (b.get(l.name) === '') b.set(l.name, l.value);
      let labels: Labels | null = b.labels();
      if (this.relabel) labels = this.relabel(labels);
      if (labels === null || labels.length === 0) continue;
      batch.push({ ...a, labels });
    }
    if (batch.length === 0) return;
    let d = batch.length - this.capacity;
    if (d > 0) {
      batch = batch.slice(d);
      this.log.warn({ num_dropped: d }, 'Alert batch larger than queue capacity, dropping alerts');
      this.m.dropped.inc(d);
    }
    d = this.queue.length + batch.length - this.capacity;
    if (d > 0) {
      this.queue = this.queue.slice(d);
      this.log.warn({ num_dropped: d }, 'Alert notification queue full, dropping alerts');
      this.m.dropped.inc(d);
    }
    this.queue.push(...batch);
    this.m.queueLength.set(this.queue.length);
    this.more?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.queue.length === 0) {
        await new Promise<void>((r) => (this.more = r));
        this.more = null;
        continue;
      }
      await this.flushOnce();
    }
  }

  private async flushOnce(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    this.m.queueLength.set(this.queue.length);
    if (!(await this.sendAll(batch))) this.m.dropped.inc(batch.length);
  }

  /** Sends one batch everywhere; true when at least one receiver accepted it. */
  private async sendAll(batch: NotifierAlert[]): Promise<boolean> {
    if (this.targets.length === 0 && this.sinks.length === 0) return true;
    const body = this.targets.length > 0 ? encodeAlerts(batch) : '';
    const results = await Promise.all([
      ...this.targets.map(async (t) => {
        const start = performance.now();
        try {
          await postAlerts(t.url, body, t.set);
          return true;
        } catch (err) {
          this.log.error({ alertmanager: t.url, count: batch.length, err: (err as Error).message }, 'Error sending alerts');
          this.m.errors.inc({ alertmanager: t.url }, batch.length);
          return false;
        } finally {
          this.m.latency.observe({ alertmanager: t.url }, (performance.now() - start) / 1000);
          this.m.sent.inc({ alertmanager: t.url }, batch.length);
        }
      }),
      ...this.sinks.map(async (sink) => {
        try {
          await sink(batch);
          return true;
        } catch (err) {
          this.log.error({ alertmanager: 'internal', err: (err as Error).message }, 'Error sending alerts');
          this.m.errors.inc({ alertmanager: 'internal' }, batch.length);
          return false;
        } finally {
          this.m.sent.inc({ alertmanager: 'internal' }, batch.length);
        }
      }),
    ]);
    return results.some((r) => r);
  }

  /** Sends what is queued (within `timeoutMs`), then stops. Later send() calls are ignored. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopped = true;
    this.more?.();
    await this.loopDone;
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) await this.flushOnce();
  }

  /** /api/v1/alertmanagers (mount under /api/v1). */
  routes(): Route[] {
    return [
      {
        method: 'GET',
        path: '/alertmanagers',
        handler: (ctx) => ctx.sendApi(apiSuccess({ activeAlertmanagers: this.targets.map((t) => ({ url: t.url })), droppedAlertmanagers: this.droppedURLs.map((url) => ({ url })) })),
      },
    ];
  }
}
