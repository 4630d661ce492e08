export { type Entry, type MetricType, type Parser, ParseError } from './types.js';
export { PromParser } from './prom.js';
export { OpenMetricsParser } from './openmetrics.js';
export { newParser, formatForContentType, SCRAPE_ACCEPT_HEADER, type ExpositionFormat } from './negotiate.js';
export { parseGoFloat } from './float.js';
