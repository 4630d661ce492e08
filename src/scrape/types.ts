import type { Registry } from 'prom-client';
import type { Labels } from '../model/index.js';
import type { Appendable } from '../storage/index.js';
import type { Logger } from '../util/index.js';

export interface ScrapeManagerOptions {
  appendable: Appendable;
  logger: Logger;
  registry?: Registry;
}

export interface ActiveTarget {
  discoveredLabels: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  /** ms epoch, 0 = never */
  lastScrape: number;
  /** seconds */
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface DroppedTarget {
  discoveredLabels: Labels;
  scrapePool: string;
}

export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

export interface TargetMetadata extends MetricMetadata {
  target: Labels;
  metric: string;
}

/** How the server is reached from outside, for ActiveTarget.globalUrl (Prometheus' GlobalURLOptions). */
export interface GlobalURLOptions {
  /** The server's own listen address, e.g. "0.0.0.0:9090". */
  listenAddress: string;
  /** Externally reachable host:port, e.g. "monitor.example.com:9090". */
  host: string;
  scheme: string;
}
