import { labelsCompare, labelsKey, labelsToObject, type Labels, type Matcher } from '../model/index.js';
import { sortedUnique, type Queryable } from '../storage/index.js';
import { apiError, apiSuccess, type RequestContext, type Route } from '../util/index.js';
import { invalidParam, LABEL_NAME_RE, MAX_TIME, MIN_TIME, ParamError, goQuote, parseLimitParam, parseTimeParam, readForm } from './params.js';
import { parseMatcherSets } from './selector.js';

const TRUNCATED = 'results truncated due to limit';

/**
 * /api/v1/series, /api/v1/labels and /api/v1/label/:name/values with Prometheus'
 * parameters (match[], start, end, limit), defaults (whole time range) and errors.
 */
export function metaRoutes(storage: Queryable): Route[] {
  return [
    { method: ['GET', 'POST'], path: '/series', handler: (ctx) => series(ctx, storage) },
    // Prometheus routes DELETE here to an unimplemented handler; deletion is the admin API's job.
    { method: 'DELETE', path: '/series', handler: (ctx) => ctx.sendApi(apiError('internal', 'not implemented')) },
    { method: ['GET', 'POST'], path: '/labels', handler: (ctx) => labelNames(ctx, storage) },
    { method: 'GET', path: '/label/:name/values', handler: (ctx) => labelValues(ctx, storage) },
  ];
}

async function series(ctx: RequestContext, storage: Queryable): Promise<void> {
  const form = await readForm(ctx);
  const selectors = form.getAll('match[]');
  if (selectors.length === 0) {
    ctx.sendApi(apiError('bad_data', 'no match[] parameter provided'));
    return;
  }
  const start = parseTimeParam(form, 'start', MIN_TIME);
  const end = parseTimeParam(form, 'end', MAX_TIME);
  const sets = matcherSetsParam(selectors, true);
  const limit = parseLimitParam(form);
  const q = await storage.querier(start, end);
  try {
    const seen = new Map<string, Labels>();
    for (const set of sets) {
      // One more than the limit tells us whether the result was truncated.
      const found = await q.select({ start, end, seriesOnly: true, func: 'series', limit: limit > 0 ? limit + 1 : 0 }, set);
      for (const s of found) {
        const k = labelsKey(s.labels);
        if (!seen.has(k)) seen.set(k, s.labels);
      }
    }
    let all = [...seen.values()];
    if (sets.length > 1) all.sort(labelsCompare);
    const warnings: string[] = [];
    if (limit > 0 && all.length > limit) {
      all = all.slice(0, limit);
      warnings.push(TRUNCATED);
    }
    ctx.sendApi(apiSuccess(all.map(labelsToObject), warnings));
  } finally {
    q.close();
  }
}

async function labelNames(ctx: RequestContext, storage: Queryable): Promise<void> {
  const form = await readForm(ctx);
  const start = parseTimeParam(form, 'start', MIN_TIME);
  const end = parseTimeParam(form, 'end', MAX_TIME);
  const sets = matcherSetsParam(form.getAll('match[]'), false);
  const limit = parseLimitParam(form);
  const q = await storage.querier(start, end);
  try {
    let names: string[];
    if (sets.length === 0) names = await q.labelNames([]);
    else {
      const all: string[] = [];
      for (const set of sets) all.push(...(await q.labelNames(set)));
      names = sortedUnique(all);
    }
    sendLimited(ctx, names, limit);
  } finally {
    q.close();
  }
}

async function labelValues(ctx: RequestContext, storage: Queryable): Promise<void> {
  const name = ctx.params['name'] ?? '';
  if (!LABEL_NAME_RE.test(name)) {
    ctx.sendApi(apiError('bad_data', `invalid label name: ${goQuote(name)}`));
    return;
  }
  const form = await readForm(ctx);
  const start = parseTimeParam(form, 'start', MIN_TIME);
  const end = parseTimeParam(form, 'end', MAX_TIME);
  const sets = matcherSetsParam(form.getAll('match[]'), false);
  const limit = parseLimitParam(form);
  const q = await storage.querier(start, end);
  try {
    let values: string[];
    if (sets.length === 0) values = await q.labelValues(name, []);
    else {
      const all: string[] = [];
      for (const set of sets) all.push(...(await q.labelValues(name, set)));
      values = sortedUnique(all);
    }
    sendLimited(ctx, values, limit);
  } finally {
    q.close();
  }
}

function sendLimited(ctx: RequestContext, values: string[], limit: number): void {
  if (limit > 0 && values.length > limit) ctx.sendApi(apiSuccess(values.slice(0, limit), [TRUNCATED]));
  else ctx.sendApi(apiSuccess(values));
}

/**
 * Parses match[] selectors. /api/v1/series wraps errors as `invalid parameter "match[]"`,
 * the label endpoints report them bare — both as Prometheus does.
 */
function matcherSetsParam(selectors: string[], wrap: boolean): Matcher[][] {
  try {
    return parseMatcherSets(selectors);
  } catch (err) {
    if (wrap && err instanceof ParamError) throw invalidParam('match[]', err.message);
    throw err;
  }
}
