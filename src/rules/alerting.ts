import { LabelsBuilder, labelsFromPairs, labelsKey, labelsToObject, METRIC_NAME, type Label, type Labels } from '../model/index.js';
import { Rule } from './rule.js';
import type { RuleSpec } from './rulefile.js';
import type { AlertState, AlertTemplateData, QueryFunc, RuleTemplater, VectorSample } from './types.js';

/** Prometheus keeps resolved alerts this long so that Alertmanager hears about the resolution. */
export const RESOLVED_RETENTION_MS = 15 * 60 * 1000;

export const ALERT_METRIC_NAME = 'ALERTS';
export const ALERT_FOR_STATE_METRIC_NAME = 'ALERTS_FOR_STATE';
export const ALERT_NAME_LABEL = 'alertname';
export const ALERT_STATE_LABEL = 'alertstate';

/** One alert instance of an alerting rule (Prometheus rules.Alert). Times are ms, 0 = unset. */
export interface Alert {
  state: AlertState;
  labels: Labels;
  annotations: Labels;
  /** Value of the expression sample that produced the alert. */
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  /** -Infinity until first sent. */
  lastSentAt: number;
  validUntil: number;
  keepFiringSince: number;
}

export interface AlertingRuleOptions {
  externalLabels: Labels;
  externalURL: string;
  templater: RuleTemplater | null;
  /** False while the for-state is still to be restored from ALERTS_FOR_STATE (no ALERTS output until then). */
  restored: boolean;
  /** Called when a template fails to expand (Prometheus logs a warning and uses an error text). */
  onTemplateError?: (rule: string, err: Error) => void;
}

/** Alerting rule with Prometheus' pending → firing → inactive state machine. */
export class AlertingRule extends Rule {
  /** Active alerts (pending, firing, and resolved ones kept for RESOLVED_RETENTION_MS), by label key. */
  readonly active = new Map<string, Alert>();
  restored: boolean;
  readonly annotations: Labels;
  private readonly labelTemplated: boolean[];
  private readonly annotationTemplated: boolean[];

  constructor(
    spec: RuleSpec,
    private readonly opts: AlertingRuleOptions,
  ) {
    super(spec);
    this.restored = opts.restored;
    this.annotations = labelsFromPairs(Object.entries(spec.annotations).map(([name, value]) => ({ name, value })));
    const templated = (v: string): boolean => opts.templater !== null && v.includes('{{');
    this.labelTemplated = this.labels.map((l) => templated(l.value));
    this.annotationTemplated = this.annotations.map((a) => templated(a.value));
  }

  get holdDurationMs(): number {
    return this.spec.forMs;
  }

  async eval(t: number, queryOffsetMs: number, query: QueryFunc, limit: number): Promise<VectorSample[]> {
    const qt = t - queryOffsetMs;
    const res = await query(this.spec.expr, qt);
    const extLabels = labelsToObject(this.opts.externalLabels);
    const fresh = new Map<string, Alert>();
    const b = new LabelsBuilder();
    const tplName = `__alert_${this.spec.name}`;
    for (const s of res) {
      let data: AlertTemplateData | null = null;
      // Only strings with actions go through the template engine (most labels are plain).
      const expand = async (text: string): Promise<string> => {
        data ??= { labels: labelsToObject(s.labels), externalLabels: extLabels, externalURL: this.opts.externalURL, value: s.v };
        try {
          return await this.opts.templater!.expand(text, tplName, data, t, query);
        } catch (err) {
          this.opts.onTemplateError?.(this.spec.name, err as Error);
          return `<error expanding template: ${(err as Error).message}>`;
        }
      };
      b.reset(s.labels).del(METRIC_NAME);
      for (let i = 0; i < this.labels.length; i++) {
        const l = this.labels[i]!;
        b.set(l.name, this.labelTemplated[i] ? await expand(l.value) : l.value);
      }
      b.set(ALERT_NAME_LABEL, this.spec.name);
      // Annotations keep empty expansions (unlike labels, where an empty value deletes the label).
      const ann: Label[] = [];
      for (let i = 0; i < this.annotations.length; i++) {
        const a = this.annotations[i]!;
        ann.push(this.annotationTemplated[i] ? { name: a.name, value: await expand(a.value) } : a);
      }
      const labels = b.labels();
      const key = labelsKey(labels);
      if (fresh.has(key)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
      fresh.set(key, {
        state: 'pending',
        labels,
        annotations: ann,
        value: s.v,
        activeAt: t,
        firedAt: 0,
        resolvedAt: 0,
        lastSentAt: -Infinity,
        validUntil: 0,
        keepFiringSince: 0,
      });
    }
    for (const [key, a] of fresh) {
      const cur = this.active.get(key);
      // An alert that is still active keeps its activeAt; value and annotations follow the latest eval.
      if (cur && cur.state !== 'inactive') {
        cur.value = a.value;
        cur.annotations = a.annotations;
        continue;
      }
      this.active.set(key, a);
    }

    const out: VectorSample[] = [];
    let numActive = 0;
    for (const [key, a] of this.active) {
      if (!fresh.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && this.spec.keepFiringForMs > 0) {
          if (a.keepFiringSince === 0) a.keepFiringSince = t;
          if (t - a.keepFiringSince < this.spec.keepFiringForMs) keepFiring = true;
        }
        // Pending alerts vanish at once; resolved ones are kept for a while to be sent as resolved.
        if (a.state === 'pending' || (a.resolvedAt !== 0 && t - a.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(key);
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = t;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = 0;
      }
      numActive++;
      if (a.state === 'pending' && t - a.activeAt >= this.spec.forMs) {
        a.state = 'firing';
        a.firedAt = t;
      }
      if (this.restored) {
        out.push({ labels: this.alertsSeriesLabels(a), t: qt, v: 1 });
        out.push({ labels: this.forStateLabels(a.labels), t: qt, v: Math.floor(a.activeAt / 1000) });
      }
    }
    if (limit > 0 && numActive > limit) {
      this.active.clear();
      throw new Error(`exceeded limit of ${limit} with ${numActive} alerts`);
    }
    return out;
  }

  /** ALERTS{alertname, alertstate, <alert labels>} */
  alertsSeriesLabels(a: Alert): Labels {
    return new LabelsBuilder(a.labels).set(METRIC_NAME, ALERT_METRIC_NAME).set(ALERT_STATE_LABEL, a.state).labels();
  }

  /** ALERTS_FOR_STATE{alertname, <alert labels>}, whose value is activeAt in seconds. */
  forStateLabels(alertLabels: Labels): Labels {
    return new LabelsBuilder(alertLabels).set(METRIC_NAME, ALERT_FOR_STATE_METRIC_NAME).labels();
  }

  /** Alerts that are pending or firing (not resolved), as the API lists them. */
  activeAlerts(): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) if (a.resolvedAt === 0) out.push(a);
    return out;
  }

  /** The rule's state: the "highest" state among its alerts. */
  state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }

  /**
   * Picks the alerts due for (re)sending at `t` and stamps them (Prometheus' sendAlerts):
   * firing alerts every `resendDelayMs`, resolved ones once more after resolution.
   */
  alertsToSend(t: number, resendDelayMs: number, intervalMs: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (!needsSending(a, t, resendDelayMs)) continue;
      a.lastSentAt = t;
      // Valid for four resend periods: tolerates two failed evaluations or sends.
      a.validUntil = t + 4 * Math.max(resendDelayMs, intervalMs);
      out.push({ ...a });
    }
    return out;
  }
}

function needsSending(a: Alert, t: number, resendDelayMs: number): boolean {
  if (a.state === 'pending') return false;
  // Resolved since the last send: send the resolution.
  if (a.state === 'inactive' && a.resolvedAt > a.lastSentAt) return true;
  return a.lastSentAt + resendDelayMs < t;
}

