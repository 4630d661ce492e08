import type { Labels } from '../model/index.js';

/** An alert as sent to Alertmanager (times in ms since the epoch; 0 = unset). */
export interface NotifierAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt: number;
  generatorURL: string;
}

export interface TLSOptions {
  /** PEM contents of the CA bundle, client certificate and key... */
  ca?: string;
  cert?: string;
  key?: string;
  /** ...or the files holding them (tls_config ca_file/cert_file/key_file), read at each request so rotation works. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify?: boolean;
  /** "TLS10" … "TLS13" (default TLS 1.2, as Prometheus). */
  minVersion?: string;
}

/**
 * One entry of prometheus.yml's `alerting.alertmanagers`, already resolved to
 * static targets (the lead maps static_configs / service discovery onto `targets`).
 */
export interface AlertmanagerSetOptions {
  /** host:port of each Alertmanager. */
  targets: string[];
  /** Full alerts URLs from service discovery and relabelling (AlertmanagerDiscovery); replace `targets` when set. */
  urls?: string[];
  /** 'http' (default) or 'https'. */
  scheme?: 'http' | 'https';
  /** Prefix of the API path, e.g. "/alertmanager" (default ""). */
  pathPrefix?: string;
  /** Only "v2" is supported, as in Prometheus 3 (v1 was removed from Alertmanager 0.27). */
  apiVersion?: 'v2';
  /** Per-request timeout in ms (default 10s). */
  timeoutMs?: number;
  /** basic_auth; `passwordFile` is read at each request. */
  basicAuth?: { username: string; password?: string; passwordFile?: string };
  /** `authorization: {type: Bearer, credentials}` or the older bearer_token. */
  bearerToken?: string;
  /** authorization.credentials_file / bearer_token_file, read at each request. */
  bearerTokenFile?: string;
  /** Authorization type when not Bearer (default "Bearer"). */
  authorizationType?: string;
  tls?: TLSOptions;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** Applies alert_relabel_configs; returns null to drop the alert. */
export type AlertRelabeler = (labels: Labels) => Labels | null;

/** In-process receiver (the built-in Alertmanager); throwing counts as a failed send. */
export type AlertSink = (alerts: NotifierAlert[]) => void | Promise<void>;

export interface NotifierOptions {
  alertmanagers?: AlertmanagerSetOptions[];
  /** Built-in receivers, fed with the same batches as remote Alertmanagers. */
  sinks?: AlertSink[];
  /** --alertmanager.notification-queue-capacity (default 10000). */
  queueCapacity?: number;
  /** Alerts per request (Prometheus: 64). */
  maxBatchSize?: number;
  /** Added to every alert that does not carry the label already. */
  externalLabels?: Labels | Record<string, string>;
  relabel?: AlertRelabeler;
  /** Alertmanagers the relabel_configs dropped, listed by /api/v1/alertmanagers. */
  droppedAlertmanagerURLs?: string[];
}
