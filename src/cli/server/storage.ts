import type { Registry } from 'prom-client';
import { MemoryStorage, type Storage } from '../../storage/index.js';
import type { Logger } from '../../util/index.js';
import type { AdminStorage } from '../../web/index.js';
import type { ServerSettings } from './settings.js';

export interface OpenedStorage {
  storage: Storage;
  /** Operations behind /api/v1/admin/tsdb/* this storage supports. */
  admin: AdminStorage;
}

/**
 * Opens the server's storage. For now the in-memory reference storage; the TSDB
 * (src/tsdb) replaces it here, opened at settings.tsdbPath with the retention
 * settings and metrics on `registry`, with its snapshot/delete operations as `admin`.
 */
export async function openStorage(settings: ServerSettings, logger: Logger, registry: Registry): Promise<OpenedStorage> {
  void registry;
  logger.warn({ path: settings.tsdbPath }, 'using in-memory storage: samples are lost on restart');
  return { storage: new MemoryStorage(), admin: {} };
}
