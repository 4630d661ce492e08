export { Notifier, DEFAULT_QUEUE_CAPACITY, MAX_BATCH_SIZE } from './notifier.js';
export { alertmanagerURL, encodeAlerts, toPostableAlerts, formatDateTime, postAlerts, DEFAULT_TIMEOUT_MS, type PostableAlertJSON } from './client.js';
export type { NotifierAlert, NotifierOptions, AlertmanagerSetOptions, TLSOptions, AlertRelabeler, AlertSink } from './options.js';
export { AlertmanagerDiscovery, resolveAlertmanagerSet, alertsPath, type ResolvedAlertmanagers } from './discovery.js';
