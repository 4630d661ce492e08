/**
 * The Alertmanager: alert store, dispatcher, inhibitor, silences, notification
 * log and API v2, wired from one alertmanager.yml. `vigil server` mounts
 * `routes()` at /alertmanager/api/v2 and feeds `postAlerts` from the rules engine;
 * `vigil alertmanager` serves it alone at /api/v2.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { buildInfo, nopLogger, type Logger, type Route } from '../util/index.js';
import type { Template } from '../template/index.js';
import { AlertStore } from './alerts.js';
import { apiRoutes, type AlertStatus, type ApiBackend, type PostableAlert } from './api.js';
import type { AlertmanagerConfig } from './config.js';
import { Dispatcher } from './dispatch.js';
import { Inhibitor } from './inhibit.js';
import { buildIntegrations, type Integration } from './integrations.js';
import { createMetrics, type AmMetrics } from './metrics.js';
import { NotificationLog } from './nflog.js';
import { Pipeline } from './pipeline.js';
import { RouteNode } from './route.js';
import { Silences } from './silences.js';
import { loadTemplates } from './tmpl.js';
import { uiRoutes } from './ui.js';
import { ZERO_TIME, fingerprintHex, validLabelName, type Alert, type LabelSet } from './types.js';

export interface AlertmanagerOptions {
  config: AlertmanagerConfig;
  /** Directory for the nflog and silences snapshots; omit to keep them in memory. */
  storagePath?: string;
  /** --data.retention in ms (default 120h). */
  retention?: number;
  /** --web.external-url, used in notifications (ExternalURL). */
  externalURL?: string;
  registry?: Registry;
  logger?: Logger;
}

export class AlertValidationError extends Error {
  override name = 'AlertValidationError';
}

const DEFAULT_RETENTION = 120 * 3600_000;
const MAINTENANCE_INTERVAL = 15 * 60_000;
const ALERT_GC_INTERVAL = 30 * 60_000;
const SECRET_KEYS = /^(\s*-?\s*(?:smtp_auth_password|smtp_auth_secret|auth_password|auth_secret|password|bearer_token|credentials|slack_api_url|api_url|opsgenie_api_key|victorops_api_key|wechat_api_secret|service_key|routing_key)\s*:\s*)(\S.*)$/gm;

export class Alertmanager {
  private config: AlertmanagerConfig;
  private readonly store: AlertStore;
  readonly silences: Silences;
  readonly nflog: NotificationLog;
  private readonly metrics: AmMetrics;
  private readonly logger: Logger;
  private root: RouteNode;
  private inhibitor: Inhibitor;
  private templates: Template;
  private receivers: Map<string, Integration[]>;
  private dispatcher: Dispatcher | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly started = Date.now();
  readonly registry: Registry;
  readonly externalURL: string;

  constructor(opts: AlertmanagerOptions) {
    this.logger = opts.logger ?? nopLogger();
    this.registry = opts.registry ?? new Registry();
    this.externalURL = (opts.externalURL ?? '').replace(/\/$/, '');
    const retention = opts.retention ?? DEFAULT_RETENTION;
    this.store = new AlertStore();
    this.silences = new Silences({ retention, snapshotFile: opts.storagePath ? join(opts.storagePath, 'silences.json') : undefined });
    this.nflog = new NotificationLog({ retention, snapshotFile: opts.storagePath ? join(opts.storagePath, 'nflog.json') : undefined });
    this.metrics = createMetrics(
      this.registry,
      () => this.countAlerts(),
      () => this.silences.countByState(),
      () => this.nflog.size(),
    );
    this.config = opts.config;
    // Build everything that can fail before assigning, so a bad config throws from the constructor.
    this.templates = loadTemplates(opts.config.templates);
    this.root = RouteNode.build(opts.config.route, null);
    this.inhibitor = new Inhibitor(opts.config.inhibitRules, this.store);
    this.receivers = new Map(opts.config.receivers.map((r) => [r.name, buildIntegrations(r.integrations)]));
    this.setConfigMetrics();
  }

  private setConfigMetrics(): void {
    const h = createHash('sha256').update(this.config.original).digest();
    this.metrics.configHash.set(h.readUInt32BE(0));
    this.metrics.configLastReloadSuccessful.set(1);
    this.metrics.configLastReloadSuccessTimestamp.set(Date.now() / 1000);
  }

  private buildDispatcher(): Dispatcher {
    const pipeline = new Pipeline({
      inhibitor: this.inhibitor,
      silences: this.silences,
      nflog: this.nflog,
      timeIntervals: this.config.timeIntervals,
      receivers: this.receivers,
      templates: this.templates,
      externalURL: this.externalURL,
      metrics: this.metrics,
      logger: this.logger,
    });
    return new Dispatcher(this.root, this.store, pipeline, this.logger);
  }

  start(): void {
    if (this.dispatcher) return;
    this.dispatcher = this.buildDispatcher();
    this.dispatcher.start();
    const maint = setInterval(() => this.maintenance(), MAINTENANCE_INTERVAL);
    const gc = setInterval(() => {
      this.store.gc();
      this.inhibitor.gc(this.store);
    }, ALERT_GC_INTERVAL);
    maint.unref();
    gc.unref();
    this.timers.push(maint, gc);
  }

  private maintenance(): void {
    this.silences.gc();
    this.nflog.gc();
    this.silences.snapshot();
    this.nflog.snapshot();
  }

  /** Stops dispatching and writes the snapshots. */
  async stop(): Promise<void> {
    this.dispatcher?.stop();
    this.dispatcher = null;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.silences.snapshot();
    this.nflog.snapshot();
  }

  /**
   * Applies a new configuration. Templates and receivers are built first; on any error
   * the old configuration stays in force and the error is thrown.
   */
  reload(config: AlertmanagerConfig): void {
    let templates: Template;
    try {
      templates = loadTemplates(config.templates);
    } catch (err) {
      this.metrics.configLastReloadSuccessful.set(0);
      throw err;
    }
    const receivers = new Map(config.receivers.map((r) => [r.name, buildIntegrations(r.integrations)]));
    const running = this.dispatcher !== null;
    this.dispatcher?.stop();
    this.dispatcher = null;
    this.config = config;
    this.templates = templates;
    this.receivers = receivers;
    this.root = RouteNode.build(config.route, null);
    this.inhibitor.close();
    this.inhibitor = new Inhibitor(config.inhibitRules, this.store);
    this.setConfigMetrics();
    if (running) {
      this.dispatcher = this.buildDispatcher();
      this.dispatcher.start();
    }
  }

  get currentConfig(): AlertmanagerConfig {
    return this.config;
  }

  /**
   * Accepts alerts in the API v2 postable shape (from the API or the rules engine).
   * Valid alerts are stored even when others are invalid; the invalid ones are reported
   * in one AlertValidationError afterwards, as Alertmanager does.
   */
  postAlerts(alerts: PostableAlert[]): void {
    const now = Date.now();
    const valid: Alert[] = [];
    const errors: string[] = [];
    for (const p of alerts) {
      try {
        const a = this.toAlert(p, now);
        this.metrics.alertsReceived.inc({ status: a.endsAt > now ? 'firing' : 'resolved' });
        valid.push(a);
      } catch (err) {
        this.metrics.alertsInvalid.inc();
        errors.push((err as Error).message);
      }
    }
    this.store.put(valid);
    if (errors.length > 0) throw new AlertValidationError(errors.join('; '));
  }

  private toAlert(p: PostableAlert, now: number): Alert {
    if (!p || typeof p !== 'object') throw new AlertValidationError('alert must be an object');
    const labels: LabelSet = {};
    for (const [k, v] of Object.entries(p.labels ?? {})) {
      if (typeof v !== 'string') throw new AlertValidationError(`invalid label set: invalid value for label "${k}"`);
      if (v !== '') labels[k] = v;
    }
    const annotations: LabelSet = {};
    for (const [k, v] of Object.entries(p.annotations ?? {})) {
      if (typeof v !== 'string') throw new AlertValidationError(`invalid annotations: invalid value for "${k}"`);
      if (!validLabelName(k)) throw new AlertValidationError(`invalid annotations: invalid name "${k}"`);
      annotations[k] = v;
    }
    const parse = (s: string | undefined, field: string): number => {
      if (s === undefined || s === null || s === '') return ZERO_TIME;
      const t = Date.parse(s);
      if (Number.isNaN(t)) throw new AlertValidationError(`${field}: cannot parse "${s}" as RFC3339 time`);
      return t;
    };
    let startsAt = parse(p.startsAt, 'startsAt');
    let endsAt = parse(p.endsAt, 'endsAt');
    if (startsAt <= ZERO_TIME) startsAt = endsAt <= ZERO_TIME ? now : endsAt;
    let timeout = false;
    if (endsAt <= ZERO_TIME) {
      timeout = true;
      endsAt = now + this.config.global.resolveTimeout;
    }
    if (Object.keys(labels).length === 0) throw new AlertValidationError('at least one label pair required');
    for (const k of Object.keys(labels)) if (!validLabelName(k)) throw new AlertValidationError(`invalid label set: invalid name "${k}"`);
    if (endsAt < startsAt) throw new AlertValidationError('start time must be before end time');
    return { labels, annotations, startsAt, endsAt, generatorURL: p.generatorURL ?? '', updatedAt: now, timeout };
  }

  private status(ls: LabelSet): AlertStatus {
    const silencedBy = this.silences.mutedBy(ls);
    const inhibitedBy = this.inhibitor.inhibitedBy(ls);
    return { state: silencedBy.length > 0 || inhibitedBy.length > 0 ? 'suppressed' : 'active', silencedBy, inhibitedBy };
  }

  private countAlerts(): Record<string, number> {
    const now = Date.now();
    const c: Record<string, number> = { active: 0, suppressed: 0, unprocessed: 0 };
    for (const [, a] of this.store.entries()) {
      if (a.endsAt !== ZERO_TIME && a.endsAt < now) continue;
      c[this.status(a.labels).state]!++;
    }
    return c;
  }

  /** Receiver names an alert with these labels routes to (amtool config routes test). */
  matchReceivers(ls: LabelSet): string[] {
    return this.root.match(ls).map((r) => r.opts.receiver);
  }

  /** Config text for /api/v2/status with secret values masked. */
  maskedConfig(): string {
    return this.config.original.replace(SECRET_KEYS, '$1<secret>');
  }

  private backend(): ApiBackend {
    return {
      postAlerts: (a) => this.postAlerts(a),
      listAlerts: () => [...this.store.entries()].map(([fp, alert]) => ({ fp, alert })),
      alertStatus: (ls) => this.status(ls),
      receiversFor: (ls) => this.matchReceivers(ls),
      groups: () =>
        (this.dispatcher?.allGroups() ?? []).map((g) => ({
          labels: g.labels,
          receiver: g.route.opts.receiver,
          alerts: [...g.alerts.entries()].map(([fp, alert]) => ({ fp, alert })),
        })),
      silences: this.silences,
      status: () => {
        const b = buildInfo();
        return {
          cluster: { name: '', peers: [], status: 'disabled' },
          config: { original: this.maskedConfig() },
          uptime: new Date(this.started).toISOString(),
          versionInfo: { branch: b.branch, buildDate: b.buildDate, buildUser: b.buildUser, goVersion: b.goVersion, revision: b.revision, version: b.version },
        };
      },
      receiverNames: () => this.config.receivers.map((r) => r.name),
      now: () => Date.now(),
    };
  }

  /** API v2 routes, relative to the mount point (/api/v2 or /alertmanager/api/v2). */
  routes(): Route[] {
    return apiRoutes(this.backend());
  }

  /** A read-only HTML status page (alerts and silences) at `/`, for the standalone server. */
  uiRoutes(): Route[] {
    return uiRoutes(this.backend());
  }

  /** Fingerprint helper for callers that track alerts (rules engine). */
  static fingerprint(labels: LabelSet): string {
    return fingerprintHex(labels);
  }
}
