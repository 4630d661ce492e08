export type {
  Config,
  GlobalConfig,
  ScrapeConfig,
  HTTPClientConfig,
  BasicAuth,
  Authorization,
  TLSConfig,
  ServiceDiscoveryConfigs,
  AlertingConfig,
  AlertmanagerConfig,
  RemoteWriteConfig,
  RemoteReadConfig,
  QueueConfig,
  MetadataConfig,
} from './types.js';
export type { StaticConfig, FileSDConfig } from '../discovery/index.js';
export { ConfigError } from './yamlnode.js';
export { parseConfig, DEFAULT_GLOBAL } from './parse.js';
export { loadConfigFile, readSecretFile } from './load.js';
export { configEqual, scrapeConfigHash, canonicalJSON } from './equal.js';
export { DEFAULT_SERVER_CONFIG_YAML } from './default.js';
export { parseByteSize, formatByteSize } from './units.js';
