/**
 * The alert store (provider/mem): alerts by fingerprint, merged on re-post when
 * their activity ranges overlap, fanned out to subscribers (dispatcher).
 */
import { fingerprintHex, mergeAlerts, resolvedAt, type Alert } from './types.js';

export type AlertListener = (a: Alert, fp: string) => void;

export class AlertStore {
  private readonly alerts = new Map<string, Alert>();
  private readonly listeners = new Set<AlertListener>();

  constructor(private readonly now: () => number = Date.now) {}

  subscribe(fn: AlertListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Stores alerts (provider.Put): overlapping updates merge into the existing alert. */
  put(alerts: Alert[]): void {
    const now = this.now();
    for (let a of alerts) {
      const fp = fingerprintHex(a.labels);
      const old = this.alerts.get(fp);
      if (old && ((a.endsAt > old.startsAt && a.endsAt < old.endsAt) || (a.startsAt > old.startsAt && a.startsAt < old.endsAt))) {
        a = mergeAlerts(old, a, now);
      }
      this.alerts.set(fp, a);
      for (const l of this.listeners) l(a, fp);
    }
  }

  get(fp: string): Alert | undefined {
    return this.alerts.get(fp);
  }

  entries(): IterableIterator<[string, Alert]> {
    return this.alerts.entries();
  }

  size(): number {
    return this.alerts.size;
  }

  /** Drops resolved alerts (the provider's periodic GC). */
  gc(): void {
    const now = this.now();
    for (const [fp, a] of this.alerts) if (resolvedAt(a, now)) this.alerts.delete(fp);
  }
}
