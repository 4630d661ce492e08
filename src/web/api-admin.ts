import { randomBytes } from 'node:crypto';
import { apiError, apiSuccess, type RequestContext, type Route } from '../util/index.js';
import { MAX_TIME, MIN_TIME, parseTimeParam, readForm } from './params.js';
import { parseMatcherSets } from './selector.js';
import type { AdminStorage } from './types.js';

/**
 * /api/v1/admin/tsdb/*. Always routed (POST and PUT, as in Prometheus) so that a
 * disabled API answers Prometheus' own error instead of a 404; the storage decides
 * which operations it supports.
 */
export function adminRoutes(enabled: boolean, storage: AdminStorage): Route[] {
  const guard = (fn: (ctx: RequestContext) => Promise<void>) => async (ctx: RequestContext): Promise<void> => {
    // Prometheus 2.x answers errorType "unavailable" with HTTP 500 here.
    if (!enabled) ctx.sendApi(apiError('unavailable', 'admin APIs disabled', 500));
    else await fn(ctx);
  };
  const unsupported = (ctx: RequestContext, what: string): void =>
    ctx.sendApi(apiError('unavailable', `${what} is not supported by this storage`, 500));
  return [
    {
      method: ['POST', 'PUT'],
      path: '/admin/tsdb/delete_series',
      handler: guard(async (ctx) => {
        const form = await readForm(ctx);
        const selectors = form.getAll('match[]');
        if (selectors.length === 0) {
          ctx.sendApi(apiError('bad_data', 'no match[] parameter provided'));
          return;
        }
        const start = parseTimeParam(form, 'start', MIN_TIME);
        const end = parseTimeParam(form, 'end', MAX_TIME);
        const sets = parseMatcherSets(selectors);
        if (!storage.deleteSeries) return unsupported(ctx, 'delete_series');
        await storage.deleteSeries(sets, start, end);
        ctx.send(204, 'application/json', '');
      }),
    },
    {
      method: ['POST', 'PUT'],
      path: '/admin/tsdb/clean_tombstones',
      handler: guard(async (ctx) => {
        if (!storage.cleanTombstones) return unsupported(ctx, 'clean_tombstones');
        await storage.cleanTombstones();
        ctx.send(204, 'application/json', '');
      }),
    },
    {
      method: ['POST', 'PUT'],
      path: '/admin/tsdb/snapshot',
      handler: guard(async (ctx) => {
        const form = await readForm(ctx);
        const raw = form.get('skip_head') ?? '';
        const skipHead = parseGoBool(raw);
        if (skipHead === null) {
          ctx.sendApi(apiError('bad_data', `unable to parse boolean 'skip_head' argument: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`));
          return;
        }
        if (!storage.snapshot) return unsupported(ctx, 'snapshot');
        const name = await storage.snapshot(!skipHead);
        ctx.sendApi(apiSuccess({ name }));
      }),
    },
  ];
}

/**
 * A snapshot directory name as Prometheus makes them: UTC time plus 8 random bytes,
 * e.g. "20171210T211224Z-2be650b6d019eb54".
 */
export function snapshotName(now = new Date()): string {
  const iso = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${iso}-${randomBytes(8).toString('hex')}`;
}

/** strconv.ParseBool; "" is false here because Prometheus only parses a non-empty value. */
function parseGoBool(s: string): boolean | null {
  if (s === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return null;
}
