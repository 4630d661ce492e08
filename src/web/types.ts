import type { Labels, Matcher } from '../model/index.js';

/**
 * What the web API needs from other subsystems, described structurally so that web
 * compiles and is testable without them. The scrape manager (src/scrape) satisfies
 * TargetsSource as is.
 */

export interface ActiveTarget {
  discoveredLabels: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  /** ms since the epoch; 0 = never scraped. */
  lastScrape: number;
  /** Seconds. */
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

export interface TargetsSource {
  activeTargets(): ActiveTarget[];
  droppedTargets(): DroppedTarget[];
  /** Metadata per target, all entries of one target adjacent. */
  targetMetadata(): TargetMetadata[];
  /** Metadata per metric name, across targets. */
  metadata(): Map<string, MetricMetadata[]>;
  /** Names of the configured scrape pools (jobs), also those without targets. */
  scrapePools?(): string[];
}

/** Storage operations behind /api/v1/admin/tsdb/*, each optional; wired explicitly by the server. */
export interface AdminStorage {
  deleteSeries?(matcherSets: Matcher[][], mint: number, maxt: number): Promise<void>;
  cleanTombstones?(): Promise<void>;
  /** Writes a snapshot under <data>/snapshots and returns its directory name. */
  snapshot?(withHead: boolean): Promise<string>;
}

/** Process/runtime facts for /api/v1/status/runtimeinfo, read per request. */
export interface RuntimeStatus {
  startTime: number;
  reloadConfigSuccess: boolean;
  lastConfigTime: number;
  /** e.g. "15d" or "15d or 10GiB". */
  storageRetention: string;
  corruptionCount: number;
}
