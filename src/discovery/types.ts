import type { Labels } from '../model/index.js';
import type { Logger } from '../util/index.js';

/** A target group as produced by service discovery (Prometheus targetgroup.Group). */
export interface TargetGroup {
  /** One label set per target; each holds at least __address__. */
  targets: Labels[];
  /** Labels shared by all targets in the group. */
  labels: Labels;
  /** Identifies the group inside its provider (e.g. file path + index). */
  source: string;
}

/** static_configs entry. */
export interface StaticConfig {
  targets: string[];
  labels: Labels;
}

/** file_sd_configs entry. */
export interface FileSDConfig {
  /** Absolute glob patterns (only the file name part may hold a `*`). */
  files: string[];
  /** Milliseconds. */
  refreshInterval: number;
}

/**
 * A source of target groups (Prometheus discovery.Discoverer). `run` sends the full
 * current set of groups of this provider on every change (the first send is the
 * initial state) until the signal aborts; groups that disappeared are sent with
 * empty `targets` so consumers can drop them.
 */
export interface Discoverer {
  run(signal: AbortSignal, send: (groups: TargetGroup[]) => void): Promise<void>;
}

export interface DiscovererOptions {
  logger: Logger;
}

/** Resolves when the signal aborts (immediately if it already has). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
