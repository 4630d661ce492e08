import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Storage } from '../../storage/index.js';
import { openTsdb } from '../../tsdb/index.js';
import type { Logger } from '../../util/index.js';
import { snapshotName, type AdminStorage } from '../../web/index.js';
import type { ServerSettings } from './settings.js';

export interface OpenedStorage {
  storage: Storage;
  /** Operations behind /api/v1/admin/tsdb/* this storage supports. */
  admin: AdminStorage;
}

/**
 * Opens the server's TSDB at --storage.tsdb.path with the retention flags; WAL replay
 * happens here (progress is logged), before any component starts appending.
 */
export async function openStorage(settings: ServerSettings, logger: Logger, registry: Registry): Promise<OpenedStorage> {
  const db = await openTsdb({
    dir: settings.tsdbPath,
    logger,
    registry,
    retentionMs: settings.retentionTimeMs,
    retentionBytes: settings.retentionSize,
    noLockfile: !settings.tsdbLockfile,
  });
  const admin: AdminStorage = {
    snapshot: async (withHead: boolean): Promise<string> => {
      const name = snapshotName();
      await db.snapshot(join(settings.tsdbPath, 'snapshots', name), withHead);
      return name;
    },
  };
  return { storage: db, admin };
}
