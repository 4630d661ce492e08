import type { CompiledRelabelConfig } from '../relabel/index.js';
import type { Labels } from '../model/index.js';
import type { FileSDConfig, StaticConfig } from '../discovery/index.js';

/** All durations are milliseconds; all file paths are absolute (resolved against the config file's directory). */

export interface BasicAuth {
  username: string;
  password: string;
  passwordFile: string;
}

export interface Authorization {
  /** Defaults to "Bearer". */
  type: string;
  credentials: string;
  credentialsFile: string;
}

export interface TLSConfig {
  caFile: string;
  certFile: string;
  keyFile: string;
  serverName: string;
  insecureSkipVerify: boolean;
  /** "TLS10".."TLS13" or "" for the default (TLS 1.2). */
  minVersion: string;
}

/** Prometheus' common HTTPClientConfig subset Vigil supports. Legacy bearer_token(_file) is folded into `authorization`. */
export interface HTTPClientConfig {
  basicAuth: BasicAuth | null;
  authorization: Authorization | null;
  tlsConfig: TLSConfig;
  followRedirects: boolean;
  enableHttp2: boolean;
}

/** Discovery configs of one scrape job or alertmanager set. */
export interface ServiceDiscoveryConfigs {
  staticConfigs: StaticConfig[];
  fileSDConfigs: FileSDConfig[];
}

export interface GlobalConfig {
  scrapeInterval: number;
  scrapeTimeout: number;
  evaluationInterval: number;
  externalLabels: Labels;
  queryLogFile: string;
}

export interface ScrapeConfig extends ServiceDiscoveryConfigs {
  jobName: string;
  honorLabels: boolean;
  honorTimestamps: boolean;
  params: Record<string, string[]>;
  scrapeInterval: number;
  scrapeTimeout: number;
  metricsPath: string;
  scheme: 'http' | 'https';
  httpClientConfig: HTTPClientConfig;
  relabelConfigs: CompiledRelabelConfig[];
  metricRelabelConfigs: CompiledRelabelConfig[];
  /** 0 = no limit, for all limits. */
  sampleLimit: number;
  targetLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  /** Bytes of the uncompressed body; 0 = no limit. */
  bodySizeLimit: number;
}

export interface AlertmanagerConfig extends ServiceDiscoveryConfigs {
  scheme: 'http' | 'https';
  pathPrefix: string;
  timeout: number;
  apiVersion: 'v1' | 'v2';
  httpClientConfig: HTTPClientConfig;
  relabelConfigs: CompiledRelabelConfig[];
}

export interface AlertingConfig {
  alertRelabelConfigs: CompiledRelabelConfig[];
  alertmanagers: AlertmanagerConfig[];
}

export interface QueueConfig {
  capacity: number;
  maxShards: number;
  minShards: number;
  maxSamplesPerSend: number;
  batchSendDeadline: number;
  minBackoff: number;
  maxBackoff: number;
  retryOnRateLimit: boolean;
}

export interface MetadataConfig {
  send: boolean;
  sendInterval: number;
  maxSamplesPerSend: number;
}

export interface RemoteWriteConfig {
  url: string;
  name: string;
  remoteTimeout: number;
  headers: Record<string, string>;
  writeRelabelConfigs: CompiledRelabelConfig[];
  sendExemplars: boolean;
  httpClientConfig: HTTPClientConfig;
  queueConfig: QueueConfig;
  metadataConfig: MetadataConfig;
}

export interface RemoteReadConfig {
  url: string;
  name: string;
  remoteTimeout: number;
  headers: Record<string, string>;
  readRecent: boolean;
  requiredMatchers: Record<string, string>;
  httpClientConfig: HTTPClientConfig;
}

export interface Config {
  global: GlobalConfig;
  /** Absolute glob patterns of rule files. */
  ruleFiles: string[];
  scrapeConfigs: ScrapeConfig[];
  alerting: AlertingConfig;
  remoteWrite: RemoteWriteConfig[];
  remoteRead: RemoteReadConfig[];
  /** The file the config was loaded from ("" for parsed text) and its directory. */
  filename: string;
  directory: string;
}
