export type { TargetGroup, StaticConfig, FileSDConfig, Discoverer, DiscovererOptions } from './types.js';
export { StaticDiscoverer } from './static.js';
export { FileDiscoverer, parseTargetGroupsFile, FILEPATH_LABEL } from './file.js';
export { expandGlob } from './glob.js';
