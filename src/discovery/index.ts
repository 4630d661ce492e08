export type { TargetGroup, StaticConfig, FileSDConfig, Discoverer, DiscovererOptions } from './types.js';
