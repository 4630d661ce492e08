export { type RelabelAction, type RelabelConfig, RELABEL_ACTIONS, DEFAULT_RELABEL_CONFIG, RelabelConfigError } from './types.js';
export { newRelabelConfig, relabel, relabelStep, isValidLabelName, type CompiledRelabelConfig, type RawRelabelConfig } from './relabel.js';
export { expandTemplate } from './expand.js';
export { hashmod } from './md5.js';
