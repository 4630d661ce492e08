import { apiError, apiSuccess, HttpError, type RequestContext, type Route } from '../util/index.js';
import { DashboardConflictError, DashboardStore, DashboardValidationError } from './store.js';

export interface DashboardRoutesOptions {
  /** Folders provisioned read-only (every *.json file, sub-folders included). */
  dirs: string[];
  /** Folder receiving dashboards imported through POST; imports are refused without it. */
  writableDir?: string;
}

/** Imports larger than this are refused (Node Exporter Full is ~0.5 MB). */
const IMPORT_LIMIT = 10 * 1024 * 1024;

/**
 * The dashboards API used by the UI, in Prometheus' response envelope:
 *   GET  /api/vigil/dashboards       → data: [{uid, title, tags, file}], plus warnings for bad files
 *   GET  /api/vigil/dashboards/:uid  → data: the dashboard JSON
 *   POST /api/vigil/dashboards       → import a dashboard (or a Grafana export wrapper), data: {uid, title, file}
 */
export function dashboardRoutes(opts: DashboardRoutesOptions): Route[] {
  const store = new DashboardStore(opts);
  return [
    {
      method: 'GET',
      path: '/api/vigil/dashboards',
      handler: (ctx: RequestContext): void => {
        const { dashboards, problems } = store.load();
        const list = dashboards.map((d) => ({ uid: d.uid, title: d.title, tags: d.tags, file: d.file }));
        list.sort((a, b) => a.title.localeCompare(b.title));
        ctx.sendApi(apiSuccess(list, problems.map((p) => p.error)));
      },
    },
    {
      method: 'GET',
      path: '/api/vigil/dashboards/:uid',
      handler: (ctx: RequestContext): void => {
        const d = store.get(ctx.params['uid'] ?? '');
        if (!d) {
          ctx.sendApi(apiError('not_found', `dashboard "${ctx.params['uid'] ?? ''}" not found`));
          return;
        }
        ctx.sendApi(apiSuccess(d.dashboard));
      },
    },
    {
      method: 'POST',
      path: '/api/vigil/dashboards',
      handler: async (ctx: RequestContext): Promise<void> => {
        let body: unknown;
        try {
          const buf = await ctx.body(IMPORT_LIMIT);
          try {
            body = JSON.parse(buf.toString('utf8'));
          } catch (err) {
            ctx.sendApi(apiError('bad_data', `request body: invalid JSON: ${(err as Error).message}`));
            return;
          }
        } catch (err) {
          if (err instanceof HttpError) {
            ctx.sendApi(apiError('bad_data', err.message, err.statusCode));
            return;
          }
          throw err;
        }
        const overwrite = typeof body === 'object' && body !== null && (body as Record<string, unknown>)['overwrite'] === true;
        try {
          const saved = store.save(body, overwrite);
          ctx.sendApi(apiSuccess({ uid: saved.uid, title: saved.title, file: saved.file }));
        } catch (err) {
          if (err instanceof DashboardConflictError) ctx.sendApi(apiError('bad_data', err.message, 409));
          else if (err instanceof DashboardValidationError) ctx.sendApi(apiError('bad_data', err.message, store.writableDir === undefined ? 403 : 400));
          else ctx.sendApi(apiError('internal', `saving dashboard: ${(err as Error).message}`));
        }
      },
    },
  ];
}
