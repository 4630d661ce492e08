import { labelsKey, labelsToObject, matchAll, labelsGet } from '../model/index.js';
import { apiSuccess, type RequestContext, type Route } from '../util/index.js';
import { invalidParam, ParamError, parseIntParam } from './params.js';
import { parseSeriesSelector } from './selector.js';
import type { ActiveTarget, MetricMetadata, TargetsSource } from './types.js';

/** Go's zero time.Time in JSON, which Prometheus reports for never-scraped targets. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * /api/v1/targets, /api/v1/targets/metadata, /api/v1/metadata and /api/v1/scrape_pools. `source` is read per
 * request so that a scrape manager wired in (or replaced) later is picked up; null
 * means nothing is scraped and every list is empty.
 */
export function targetRoutes(source: () => TargetsSource | null): Route[] {
  return [
    { method: 'GET', path: '/targets', handler: (ctx) => targets(ctx, source()) },
    { method: 'GET', path: '/targets/metadata', handler: (ctx) => targetMetadata(ctx, source()) },
    { method: 'GET', path: '/metadata', handler: (ctx) => metricMetadata(ctx, source()) },
    { method: 'GET', path: '/scrape_pools', handler: (ctx) => scrapePools(ctx, source()) },
  ];
}

/** /api/v1/scrape_pools (Prometheus 2.42+): the configured pools in name order. */
function scrapePools(ctx: RequestContext, src: TargetsSource | null): void {
  let names: string[] = [];
  if (src) {
    names = src.scrapePools ? src.scrapePools() : [...new Set([...src.activeTargets(), ...src.droppedTargets()].map((t) => t.scrapePool))];
  }
  ctx.sendApi(apiSuccess({ scrapePools: [...names].sort() }));
}

function targets(ctx: RequestContext, src: TargetsSource | null): void {
  // Prometheus 2.42 compares the state literally (no trimming or case folding).
  const state = ctx.query.get('state') ?? '';
  const pool = ctx.query.get('scrapePool') ?? '';
  const showActive = state === '' || state === 'any' || state === 'active';
  const showDropped = state === '' || state === 'any' || state === 'dropped';
  const byPool = (p: string): boolean => pool === '' || p === pool;
  // Pools in name order as Prometheus lists them; targets keep the manager's order within a pool.
  const active = showActive && src ? stableSortByPool(src.activeTargets().filter((t) => byPool(t.scrapePool))).map(activeJson) : [];
  const dropped = showDropped && src ? stableSortByPool(src.droppedTargets().filter((t) => byPool(t.scrapePool))).map((t) => ({ discoveredLabels: labelsToObject(t.discoveredLabels) })) : [];
  ctx.sendApi(apiSuccess({ activeTargets: active, droppedTargets: dropped }));
}

function stableSortByPool<T extends { scrapePool: string }>(ts: T[]): T[] {
  return ts.map((t, i) => ({ t, i })).sort((a, b) => (a.t.scrapePool < b.t.scrapePool ? -1 : a.t.scrapePool > b.t.scrapePool ? 1 : a.i - b.i)).map((x) => x.t);
}

function activeJson(t: ActiveTarget): Record<string, unknown> {
  return {
    discoveredLabels: labelsToObject(t.discoveredLabels),
    labels: labelsToObject(t.labels),
    scrapePool: t.scrapePool,
    scrapeUrl: t.scrapeUrl,
    globalUrl: t.globalUrl,
    lastError: t.lastError,
    lastScrape: t.lastScrape > 0 ? new Date(t.lastScrape).toISOString() : GO_ZERO_TIME,
    lastScrapeDuration: t.lastScrapeDuration,
    health: t.health,
    scrapeInterval: t.scrapeInterval,
    scrapeTimeout: t.scrapeTimeout,
  };
}

/**
 * Per-target metadata. As in Prometheus, `limit` is checked before each target, so a
 * target's entries are never split; with `metric` the "metric" field is omitted.
 */
function targetMetadata(ctx: RequestContext, src: TargetsSource | null): void {
  const form = ctx.query;
  const limit = parseIntParam(form, 'limit');
  const matchTarget = form.get('match_target') ?? '';
  let matchers = null;
  if (matchTarget !== '') {
    try {
      matchers = parseSeriesSelector(matchTarget);
    } catch (err) {
      if (err instanceof ParamError) throw invalidParam('match_target', err.message);
      throw err;
    }
  }
  const metric = form.get('metric') ?? '';
  const res: Array<Record<string, unknown>> = [];
  if (src) {
    let currentTarget: string | null = null;
    let skipTarget = false;
    for (const md of src.targetMetadata()) {
      const key = labelsKey(md.target);
      if (key !== currentTarget) {
        currentTarget = key;
        if (limit >= 0 && res.length >= limit) break;
        skipTarget = matchers !== null && !matchAll(matchers, (n) => labelsGet(md.target, n));
      }
      if (skipTarget) continue;
      if (metric === '') res.push({ target: labelsToObject(md.target), metric: md.metric, type: md.type, help: md.help, unit: md.unit });
      else if (md.metric === metric) res.push({ target: labelsToObject(md.target), type: md.type, help: md.help, unit: md.unit });
    }
  }
  ctx.sendApi(apiSuccess(res));
}

/** Metadata per metric name, deduplicated across targets; `limit` caps metric names, `limit_per_metric` entries per name. */
function metricMetadata(ctx: RequestContext, src: TargetsSource | null): void {
  const form = ctx.query;
  const limit = parseIntParam(form, 'limit');
  const limitPerMetric = parseIntParam(form, 'limit_per_metric');
  const metric = form.get('metric') ?? '';
  const res: Record<string, MetricMetadata[]> = {};
  if (src) {
    let names = 0;
    const all = src.metadata();
    const entries: Iterable<[string, MetricMetadata[]]> = metric === '' ? all : all.has(metric) ? [[metric, all.get(metric)!]] : [];
    for (const [name, list] of entries) {
      if (limit >= 0 && names >= limit) break;
      const seen = new Set<string>();
      const out: MetricMetadata[] = [];
      for (const m of list) {
        if (limitPerMetric > 0 && out.length >= limitPerMetric) break;
        const k = `${m.type}\xff${m.help}\xff${m.unit}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ type: m.type, help: m.help, unit: m.unit });
      }
      res[name] = out;
      names++;
    }
  }
  ctx.sendApi(apiSuccess(res));
}
