/** vigil_alertmanager_* metrics (Alertmanager's alertmanager_* equivalents) on a caller's Registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface AmMetrics {
  notificationsTotal: Counter<'integration'>;
  notificationsFailedTotal: Counter<'integration'>;
  requestsTotal: Counter<'integration'>;
  requestsFailedTotal: Counter<'integration'>;
  latency: Histogram<'integration'>;
  alertsReceived: Counter<'status'>;
  alertsInvalid: Counter;
  alerts: Gauge<'state'>;
  silences: Gauge<'state'>;
  nflogEntries: Gauge;
  configHash: Gauge;
  configLastReloadSuccessful: Gauge;
  configLastReloadSuccessTimestamp: Gauge;
}

export function createMetrics(registry: Registry, collectAlerts: () => Record<string, number>, collectSilences: () => Record<string, number>, collectNflog: () => number): AmMetrics {
  const p = 'vigil_alertmanager_';
  const integrations = ['webhook', 'email', 'slack'];
  const m: AmMetrics = {
    notificationsTotal: new Counter({ name: p + 'notifications_total', help: 'The total number of attempted notifications.', labelNames: ['integration'], registers: [registry] }),
    notificationsFailedTotal: new Counter({ name: p + 'notifications_failed_total', help: 'The total number of failed notifications.', labelNames: ['integration'], registers: [registry] }),
    requestsTotal: new Counter({ name: p + 'notification_requests_total', help: 'The total number of attempted notification requests.', labelNames: ['integration'], registers: [registry] }),
    requestsFailedTotal: new Counter({ name: p + 'notification_requests_failed_total', help: 'The total number of failed notification requests.', labelNames: ['integration'], registers: [registry] }),
    latency: new Histogram({ name: p + 'notification_latency_seconds', help: 'The latency of notifications in seconds.', labelNames: ['integration'], buckets: [1, 5, 10, 15, 20], registers: [registry] }),
    alertsReceived: new Counter({ name: p + 'alerts_received_total', help: 'The total number of received alerts.', labelNames: ['status'], registers: [registry] }),
    alertsInvalid: new Counter({ name: p + 'alerts_invalid_total', help: 'The total number of received alerts that were invalid.', registers: [registry] }),
    alerts: new Gauge({
      name: p + 'alerts',
      help: 'How many alerts by state.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const c = collectAlerts();
        for (const s of ['active', 'suppressed', 'unprocessed']) this.set({ state: s }, c[s] ?? 0);
      },
    }),
    silences: new Gauge({
      name: p + 'silences',
      help: 'How many silences by state.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const c = collectSilences();
        for (const s of ['active', 'pending', 'expired']) this.set({ state: s }, c[s] ?? 0);
      },
    }),
    nflogEntries: new Gauge({
      name: p + 'nflog_entries',
      help: 'Number of entries in the notification log.',
      registers: [registry],
      collect() {
        this.set(collectNflog());
      },
    }),
    configHash: new Gauge({ name: p + 'config_hash', help: 'Hash of the currently loaded alertmanager configuration.', registers: [registry] }),
    configLastReloadSuccessful: new Gauge({ name: p + 'config_last_reload_successful', help: 'Whether the last configuration reload attempt was successful.', registers: [registry] }),
    configLastReloadSuccessTimestamp: new Gauge({ name: p + 'config_last_reload_success_timestamp_seconds', help: 'Timestamp of the last successful configuration reload.', registers: [registry] }),
  };
  for (const i of integrations) {
    m.notificationsTotal.inc({ integration: i }, 0);
    m.notificationsFailedTotal.inc({ integration: i }, 0);
  }
  m.alertsReceived.inc({ status: 'firing' }, 0);
  m.alertsReceived.inc({ status: 'resolved' }, 0);
  return m;
}
