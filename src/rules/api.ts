import { labelsToObject } from '../model/index.js';
import { apiError, apiSuccess, type RequestContext, type Route } from '../util/index.js';
import { AlertingRule, type Alert } from './alerting.js';
import type { Group } from './group.js';
import type { ExprValidator } from './types.js';

/** Go's time.Time JSON form (RFC 3339 with trailing zeros of the fraction trimmed); 0 is Go's zero time. */
export function goTimeJSON(ms: number): string {
  if (ms === 0) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z').replace(/\.Z$/, 'Z');
}

/** strconv.FormatFloat(v, 'e', -1, 64), as Prometheus formats alert values in the API. */
export function formatFloatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = Object.is(v, -0) ? '-0e+00' : v.toExponential();
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

export interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt?: string;
  keepFiringSince?: string;
  value: string;
}

export function alertToApi(a: Alert): ApiAlert {
  // Key order follows Prometheus' JSON: labels, annotations, state, activeAt, keepFiringSince, value.
  return {
    labels: labelsToObject(a.labels),
    annotations: labelsToObject(a.annotations),
    state: a.state,
    ...(a.activeAt !== 0 ? { activeAt: goTimeJSON(a.activeAt) } : {}),
    ...(a.keepFiringSince !== 0 ? { keepFiringSince: goTimeJSON(a.keepFiringSince) } : {}),
    value: formatFloatE(a.value),
  };
}

/** Builds the /api/v1/rules data object (Prometheus' RuleDiscovery). */
export function rulesResponse(groups: Group[], params: URLSearchParams, validator?: ExprValidator): { groups: unknown[] } | { error: string } {
  const typ = (params.get('type') ?? '').toLowerCase();
  if (typ !== '' && typ !== 'alert' && typ !== 'record') return { error: `not supported value ${JSON.stringify(typ)}` };
  const names = new Set(params.getAll('rule_name[]'));
  const groupNames = new Set(params.getAll('rule_group[]'));
  const files = new Set(params.getAll('file[]'));
  const excludeAlerts = params.get('exclude_alerts') === 'true';
  const filtered = names.size > 0 || groupNames.size > 0 || files.size > 0;
  const query = (expr: string): string => validator?.format?.(expr) ?? expr;
  const out: unknown[] = [];
  for (const g of groups) {
    if (groupNames.size > 0 && !groupNames.has(g.name)) continue;
    if (files.size > 0 && !files.has(g.file)) continue;
    const rules: unknown[] = [];
    for (const r of g.rules) {
      if (names.size > 0 && !names.has(r.name)) continue;
      const common = {
        health: r.health,
        ...(r.lastError ? { lastError: r.lastError } : {}),
        evaluationTime: r.evaluationTimeMs / 1000,
        lastEvaluation: goTimeJSON(r.lastEvaluation),
      };
      if (r instanceof AlertingRule) {
        if (typ === 'record') continue;
        rules.push({
          state: r.state(),
          name: r.name,
          query: query(r.spec.expr),
          duration: r.spec.forMs / 1000,
          keepFiringFor: r.spec.keepFiringForMs / 1000,
          labels: labelsToObject(r.labels),
          annotations: labelsToObject(r.annotations),
          alerts: excludeAlerts ? [] : r.activeAlerts().map(alertToApi),
          ...common,
          type: 'alerting',
        });
      } else {
        if (typ === 'alert') continue;
        rules.push({
          name: r.name,
          query: query(r.spec.expr),
          ...(r.labels.length > 0 ? { labels: labelsToObject(r.labels) } : {}),
          ...common,
          type: 'recording',
        });
      }
    }
    if (filtered && rules.length === 0) continue;
    out.push({
      name: g.name,
      file: g.file,
      rules,
      interval: g.intervalMs / 1000,
      limit: g.limit,
      evaluationTime: g.evaluationTimeMs / 1000,
      lastEvaluation: goTimeJSON(g.lastEvaluation),
    });
  }
  return { groups: out };
}

/** Every pending or firing alert of every alerting rule (/api/v1/alerts). */
export function alertsResponse(groups: Group[]): { alerts: ApiAlert[] } {
  const alerts: ApiAlert[] = [];
  for (const g of groups) for (const r of g.alertingRules()) for (const a of r.activeAlerts()) alerts.push(alertToApi(a));
  return { alerts };
}

export function rulesRoutes(loaded: () => Group[], validator?: ExprValidator): Route[] {
  // Prometheus lists groups by file, then by name (its RuleGroups()), not in load order.
  const groups = (): Group[] => [...loaded()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [
    {
      method: ['GET', 'POST'],
      path: '/rules',
      handler: async (ctx: RequestContext) => {
        const res = rulesResponse(groups(), await ctx.form(), validator);
        ctx.sendApi('error' in res ? apiError('bad_data', res.error) : apiSuccess(res));
      },
    },
    {
      method: ['GET', 'POST'],
      path: '/alerts',
      handler: (ctx: RequestContext) => ctx.sendApi(apiSuccess(alertsResponse(groups()))),
    },
  ];
}
