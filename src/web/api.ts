import type { Registry } from 'prom-client';
import type { Labels } from '../model/index.js';
import type { Storage } from '../storage/index.js';
import type { Logger, Route } from '../util/index.js';
import { adminRoutes } from './api-admin.js';
import { metaRoutes } from './api-meta.js';
import { statusRoutes, type StatusSources } from './api-status.js';
import { targetRoutes } from './api-targets.js';
import { federateRoutes } from './federate.js';
import { lifecycleRoutes, type LifecycleHooks } from './lifecycle.js';
import { metricsRoutes } from './own-metrics.js';
import { remoteWriteDisabledRoutes } from './remote-write.js';
import type { WebServer } from './server.js';
import type { AdminStorage, TargetsSource } from './types.js';

export interface CoreApiOptions {
  storage: Storage;
  /** Read per request; null while nothing scrapes. */
  targets: () => TargetsSource | null;
  status: Omit<StatusSources, 'storage'>;
  externalLabels: () => Labels;
  lookbackDeltaMs: number;
  enableAdminApi: boolean;
  /** What the admin API can do on this storage (absent operations answer "not supported"). */
  admin?: AdminStorage;
  /**
   * The remote-write receiver's routes with full paths (src/remote's remoteWriteRoutes,
   * POST /api/v1/write) when --web.enable-remote-write-receiver is set, else null.
   */
  remoteWriteRoutes: Route[] | null;
  logger: Logger;
}

/**
 * Mounts the endpoints that must answer from the moment the listener opens, before
 * storage and components are up: /-/healthy, /-/ready, /-/reload, /-/quit, /metrics.
 */
export function mountServiceRoutes(web: WebServer, o: { lifecycle: LifecycleHooks; registry: Registry }): void {
  web.mount(lifecycleRoutes(o.lifecycle), '', { ungated: true });
  web.mount(metricsRoutes(o.registry), '', { ungated: true });
}

/**
 * Mounts the endpoints the web package itself implements on top of the storage:
 * /federate and the metadata/status/admin part of /api/v1. Query, rules, alerts and
 * UI routes come from their subsystems through WebServer.mount.
 */
export function mountCoreApi(web: WebServer, o: CoreApiOptions): void {
  web.mount(federateRoutes({ storage: o.storage, externalLabels: o.externalLabels, lookbackDeltaMs: o.lookbackDeltaMs, logger: o.logger }));
  web.mount(metaRoutes(o.storage), '/api/v1');
  web.mount(targetRoutes(o.targets), '/api/v1');
  web.mount(statusRoutes({ storage: o.storage, ...o.status }), '/api/v1');
  web.mount(adminRoutes(o.enableAdminApi, o.admin ?? {}), '/api/v1');
  web.mount(o.remoteWriteRoutes ?? remoteWriteDisabledRoutes());
}
