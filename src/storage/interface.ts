import type { Labels, Matcher } from '../model/index.js';

/**
 * Storage interfaces shared by the TSDB, the in-memory storage, remote storage and
 * (later) fan-out storage. Their shape follows Prometheus' storage package on purpose.
 * Timestamps are int64 milliseconds held in JS numbers; values are float64.
 */

/** Identifies a series inside one storage; 0 means "unknown, look it up by labels". */
export type SeriesRef = number;

export type StorageErrorCode =
  | 'out_of_order'
  | 'duplicate_sample'
  | 'out_of_bounds'
  | 'too_old'
  | 'invalid_labels'
  | 'closed'
  | 'read_only';

/** A rejected sample or operation; `code` is stable and counted by callers. */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Batches samples into one transaction. Not safe for concurrent use: one appender
 * per writer (scrape loop, remote-write request, rule group).
 */
export interface Appender {
  /**
   * Adds a float sample. With `ref` 0 the series is found (or created) by `labels`;
   * the returned ref can be passed back on later calls for the same series to skip
   * the lookup. Throws StorageError for samples Prometheus would reject
   * (out of order, duplicate timestamp with a different value, too old).
   * Samples become visible to queriers only after commit().
   */
  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef;
  /** Makes the batch durable (per the storage's WAL policy) and visible. */
  commit(): Promise<void>;
  /** Discards the batch. */
  rollback(): Promise<void>;
}

export interface Appendable {
  appender(): Appender;
}

/** Hints that let a storage prune work (Prometheus storage.SelectHints). */
export interface SelectHints {
  /** Inclusive bounds in ms of the samples the caller will read. */
  start: number;
  end: number;
  step?: number;
  /** Range of the enclosing range selector in ms, if any. */
  range?: number;
  func?: string;
  grouping?: string[];
  by?: boolean;
  /** Return only series labels, no samples needed (e.g. /api/v1/series). */
  seriesOnly?: boolean;
  /** Maximum number of series to return (0 = unlimited). */
  limit?: number;
}

/**
 * Iterates one series' samples in timestamp order without allocating per sample:
 * read `t` and `v` after next()/seek() returned true.
 */
export interface SampleIterator {
  next(): boolean;
  /** Advances to the first sample with timestamp >= t (may stay on the current one). */
  seek(t: number): boolean;
  readonly t: number;
  readonly v: number;
}

export interface Series {
  readonly labels: Labels;
  /** A fresh iterator over the series' samples within the querier's time range. */
  iterator(): SampleIterator;
}

export interface LabelHints {
  limit?: number;
}

/**
 * Reads a fixed time range [mint, maxt] (inclusive). Results are consistent with
 * the moment the querier was created for committed data.
 */
export interface Querier {
  /** Series matching all matchers, sorted by labels (labelsCompare). */
  select(hints: SelectHints | null, matchers: readonly Matcher[]): Promise<Series[]>;
  /** Sorted unique values of a label among series matching the matchers (all series if none). */
  labelValues(name: string, matchers: readonly Matcher[], hints?: LabelHints): Promise<string[]>;
  /** Sorted unique label names among series matching the matchers. */
  labelNames(matchers: readonly Matcher[], hints?: LabelHints): Promise<string[]>;
  close(): void;
}

export interface Queryable {
  querier(mint: number, maxt: number): Promise<Querier>;
}

/** Head/TSDB statistics for /api/v1/status/tsdb. */
export interface StorageStats {
  numSeries: number;
  numLabelPairs: number;
  chunkCount: number;
  minTime: number;
  maxTime: number;
  seriesCountByMetricName: Array<{ name: string; value: number }>;
  labelValueCountByLabelName: Array<{ name: string; value: number }>;
  memoryInBytesByLabelName: Array<{ name: string; value: number }>;
  seriesCountByLabelValuePair: Array<{ name: string; value: number }>;
}

export interface Storage extends Appendable, Queryable {
  /** Oldest timestamp held, or Infinity when empty. */
  startTime(): number;
  stats(limit?: number): StorageStats;
  close(): Promise<void>;
}
