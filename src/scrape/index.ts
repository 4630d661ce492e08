export { ScrapeManager, globalURL } from './manager.js';
export type { ScrapeManagerOptions, ActiveTarget, DroppedTarget, MetricMetadata, TargetMetadata, GlobalURLOptions } from './types.js';
export { populateLabels, targetURL, Target } from './target.js';
