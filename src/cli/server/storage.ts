import { MemoryStorage, type Storage } from '../../storage/index.js';
import type { Logger } from '../../util/index.js';
import type { ServerSettings } from './settings.js';

/**
 * Opens the server's storage. For now the in-memory reference storage; the TSDB
 * (src/tsdb) replaces it here, opened at settings.tsdbPath with the retention settings.
 */
export async function openStorage(settings: ServerSettings, logger: Logger): Promise<Storage> {
  logger.warn({ path: settings.tsdbPath }, 'using in-memory storage: samples are lost on restart');
  return new MemoryStorage();
}
