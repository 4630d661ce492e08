import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the head gauges read at collection time. */
export interface HeadGaugeSource {
  readonly numSeries: number;
  readonly numChunks: number;
  readonly minTime: number;
  readonly maxTime: number;
}

/**
 * The TSDB's own metrics, named after Prometheus' prometheus_tsdb_* with a
 * vigil_ prefix so existing dashboards translate by a rename.
 */
export class TsdbMetrics {
  readonly headSeries: Gauge;
  readonly headSeriesCreated: Counter;
  readonly headSeriesRemoved: Counter;
  readonly headChunks: Gauge;
  readonly headSamplesAppended: Counter;
  readonly headMinTime: Gauge;
  readonly headMaxTime: Gauge;
  readonly outOfOrderSamples: Counter;
  readonly outOfBoundSamples: Counter;
  readonly duplicateSamples: Counter;
  readonly walCorruptions: Counter;
  readonly walRecordsDropped: Counter;
  readonly walTruncations: Counter;
  readonly walFsyncs: Counter;
  readonly walWritesFailed: Counter;
  readonly walSegmentCurrent: Gauge;
  readonly walStorageSize: Gauge;
  readonly checkpointCreations: Counter;
  readonly blocksLoaded: Gauge;
  readonly compactionsTotal: Counter;
  readonly compactionsFailed: Counter;
  readonly compactionDuration: Histogram;
  readonly headTruncations: Counter;
  readonly sizeRetentions: Counter;
  readonly timeRetentions: Counter;
  readonly storageBlocksBytes: Gauge;
  readonly lowestTimestamp: Gauge;
  readonly retentionLimitBytes: Gauge;
  private head: HeadGaugeSource | null = null;
  private walBytes: (() => number) | null = null;

  constructor(registry: Registry) {
    const registers = [registry];
    const c = (name: string, help: string): Counter => new Counter({ name: `vigil_tsdb_${name}`, help, registers });
    const g = (name: string, help: string, collect?: () => void): Gauge => new Gauge({ name: `vigil_tsdb_${name}`, help, registers, ...(collect ? { collect } : {}) });
    // The head gauges are read when the registry is collected (each scrape of /metrics), like
    // Prometheus' GaugeFuncs, so they are never older than the scrape.
    const fromHead = (gauge: () => Gauge, value: (h: HeadGaugeSource) => number) => (): void => {
      if (this.head === null) return;
      const v = value(this.head);
      if (Number.isFinite(v)) gauge().set(v);
    };
    this.headSeries = g('head_series', 'Total number of series in the head block.', fromHead(() => this.headSeries, (h) => h.numSeries));
    this.headSeriesCreated = c('head_series_created_total', 'Total number of series created in the head.');
    this.headSeriesRemoved = c('head_series_removed_total', 'Total number of series removed from the head.');
    this.headChunks = g('head_chunks', 'Total number of chunks in the head block.', fromHead(() => this.headChunks, (h) => h.numChunks));
    this.headSamplesAppended = c('head_samples_appended_total', 'Total number of appended samples.');
    this.headMinTime = g('head_min_time', 'Minimum timestamp of the head block (ms).', fromHead(() => this.headMinTime, (h) => h.minTime));
    this.headMaxTime = g('head_max_time', 'Maximum timestamp of the head block (ms).', fromHead(() => this.headMaxTime, (h) => h.maxTime));
    this.outOfOrderSamples = c('out_of_order_samples_total', 'Samples rejected as out of order.');
    this.outOfBoundSamples = c('out_of_bound_samples_total', 'Samples rejected for being older than the appendable window.');
    this.duplicateSamples = c('duplicate_samples_total', 'Samples rejected for a duplicate timestamp with a different value.');
    this.walCorruptions = c('wal_corruptions_total', 'WAL corruptions found and repaired on replay.');
    this.walRecordsDropped = c('wal_records_dropped_total', 'WAL records (or unknown-series samples) dropped on replay.');
    this.walTruncations = c('wal_truncations_total', 'WAL truncations after checkpoints.');
    this.walFsyncs = c('wal_fsyncs_total', 'fsync calls on WAL segments.');
    this.walWritesFailed = c('wal_writes_failed_total', 'WAL writes that failed (e.g. disk full); their commits were refused and nothing of them stored.');
    this.walSegmentCurrent = g('wal_segment_current', 'Index of the WAL segment being written.');
    this.walStorageSize = g('wal_storage_size_bytes', 'Size of the WAL and its checkpoint in bytes.', () => {
      const v = this.walBytes?.();
      if (v !== undefined && Number.isFinite(v)) this.walStorageSize.set(v);
    });
    this.checkpointCreations = c('checkpoint_creations_total', 'Head checkpoints written.');
    this.blocksLoaded = g('blocks_loaded', 'Number of currently loaded data blocks.');
    this.compactionsTotal = c('compactions_total', 'Compactions run (head cuts and block merges).');
    this.compactionsFailed = c('compactions_failed_total', 'Compactions that failed.');
    this.compactionDuration = new Histogram({
      name: 'vigil_tsdb_compaction_duration_seconds',
      help: 'Duration of compactions.',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    });
    this.headTruncations = c('head_truncations_total', 'Head truncations after a block was persisted.');
    this.sizeRetentions = c('size_retentions_total', 'Blocks deleted because the size limit was exceeded.');
    this.timeRetentions = c('time_retentions_total', 'Blocks deleted because they were past the time limit.');
    this.storageBlocksBytes = g('storage_blocks_bytes', 'Bytes used by the loaded blocks.');
    this.lowestTimestamp = g('lowest_timestamp', 'Lowest timestamp held (ms).');
    this.retentionLimitBytes = g('retention_limit_bytes', 'Maximum bytes for blocks + WAL (0 = unlimited).');
  }

  /** Makes the head gauges (series, chunks, min/max time) and the WAL size read these at every collection. */
  observeHead(head: HeadGaugeSource, walBytes: () => number): void {
    this.head = head;
    this.walBytes = walBytes;
  }
}
