import { Counter, Gauge, Registry } from 'prom-client';

/** Scrape counters under Prometheus' metric names, registered on the registry passed in. */
export class ScrapeMetrics {
  readonly syncs: Counter<'scrape_job'>;
  readonly sampleLimit: Counter;
  readonly bodySizeLimit: Counter;
  readonly targetLimit: Counter;
  readonly labelLimits: Counter;
  readonly outOfOrder: Counter;
  readonly duplicates: Counter;
  readonly outOfBounds: Counter;
  readonly reloads: Counter;
  readonly reloadFailures: Counter;
  readonly targets: Gauge<'scrape_job'>;
  readonly fileSDReadErrors: Counter;

  constructor(reg: Registry) {
    const c = (name: string, help: string): Counter => new Counter({ name, help, registers: [reg] });
    this.syncs = new Counter({ name: 'prometheus_target_scrape_pool_sync_total', help: 'Total number of syncs that were executed on a scrape pool.', labelNames: ['scrape_job'], registers: [reg] });
    this.sampleLimit = c('prometheus_target_scrapes_exceeded_sample_limit_total', 'Total number of scrapes that hit the sample limit and were rejected.');
    this.bodySizeLimit = c('prometheus_target_scrapes_exceeded_body_size_limit_total', 'Total number of scrapes that hit the body size limit');
    this.targetLimit = c('prometheus_target_scrape_pool_exceeded_target_limit_total', 'Total number of times scrape pools hit the target limit, during sync or config reload.');
    this.labelLimits = c('prometheus_target_scrape_pool_exceeded_label_limits_total', 'Total number of times scrape pools hit the label limits, during sync or config reload.');
    this.outOfOrder = c('prometheus_target_scrapes_sample_out_of_order_total', 'Total number of samples rejected due to not being out of the expected order.');
    this.duplicates = c('prometheus_target_scrapes_sample_duplicate_timestamp_total', 'Total number of samples rejected due to duplicate timestamps but different values.');
    this.outOfBounds = c('prometheus_target_scrapes_sample_out_of_bounds_total', 'Total number of samples rejected due to timestamp falling outside of the time bounds.');
    this.reloads = c('prometheus_target_scrape_pool_reloads_total', 'Total number of scrape pool reloads.');
    this.reloadFailures = c('prometheus_target_scrape_pool_reloads_failed_total', 'Total number of failed scrape pool reloads.');
    this.targets = new Gauge({ name: 'prometheus_target_scrape_pool_targets', help: 'Current number of targets in this scrape pool.', labelNames: ['scrape_job'], registers: [reg] });
    this.fileSDReadErrors = c('prometheus_sd_file_read_errors_total', 'The number of File-SD read errors.');
  }
}
