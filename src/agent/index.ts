export { createNodeCollector, UnknownCollectorError, type NodeCollector } from './node-collector.js';
export { type NodeCollectorOptions, DEFAULTS as NODE_COLLECTOR_DEFAULTS } from './collector.js';
export { collectorFlagSpecs, nodeCollectorOptionsFromFlags } from './flags.js';
export { collectorNames, defaultCollectors } from './registry.js';
export { loadWebConfig, parseWebConfig, BasicAuth, type WebConfig } from './web-config.js';
export { parseTextFormat, TextParseError, type ParsedFamily, type ParsedSample } from './textformat.js';
export { formatGoFloat } from './format.js';
export { type FsStats, type StatfsFn } from './procfs.js';
export { renderProcessMetrics, HandlerMetrics } from './exporter-metrics.js';
