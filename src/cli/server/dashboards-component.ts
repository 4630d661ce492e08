import { join } from 'node:path';
import { dashboardRoutes } from '../../dashboards/index.js';
import type { Component, ServerContext } from './component.js';
import { packagePath } from './paths.js';

/**
 * Dashboard provisioning: the shipped dashboards/ folder, any --dashboards.dir, and
 * <storage.tsdb.path>/dashboards for dashboards imported through the UI.
 */
export class DashboardsComponent implements Component {
  readonly name = 'dashboards';

  async start(ctx: ServerContext): Promise<void> {
    const writableDir = join(ctx.settings.tsdbPath, 'dashboards');
    ctx.web.mount(dashboardRoutes({ dirs: [packagePath('dashboards'), ...ctx.settings.dashboardDirs], writableDir }));
  }

  async stop(): Promise<void> {}
}
