/**
 * Alertmanager API v2 (the subset amtool, Grafana and Prometheus use), with the
 * same JSON shapes: timestamps as RFC3339 with milliseconds (go-openapi strfmt),
 * fingerprints as 16 hex digits, errors as a JSON string body.
 */
import { HttpError, type RequestContext, type Route } from '../util/index.js';
import type { Matcher } from '../model/index.js';
import { compileAnchoredRegex } from '../model/index.js';
import { matchesLabels, parseMatchers } from './matchers.js';
import { silenceState, SilenceError, type Silence, type SilenceMatcher } from './silences.js';
import { ZERO_TIME, compareAlerts, compareLabelSets, sortedLabels, type Alert, type LabelSet } from './types.js';

/** API v2 postable alert. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface AlertStatus {
  state: 'active' | 'suppressed' | 'unprocessed';
  silencedBy: string[];
  inhibitedBy: string[];
}

/** What the API needs from the Alertmanager (kept narrow for testing and reuse). */
export interface ApiBackend {
  postAlerts(alerts: PostableAlert[]): void;
  listAlerts(): Array<{ fp: string; alert: Alert }>;
  alertStatus(ls: LabelSet): AlertStatus;
  receiversFor(ls: LabelSet): string[];
  groups(): Array<{ labels: LabelSet; receiver: string; alerts: Array<{ fp: string; alert: Alert }> }>;
  silences: {
    set(s: Omit<Silence, 'id' | 'updatedAt'> & { id?: string }): string;
    expire(id: string): void;
    get(id: string): Silence | undefined;
    list(): Silence[];
  };
  status(): unknown;
  receiverNames(): string[];
  now(): number;
}

export function apiTime(ms: number): string {
  if (ms === ZERO_TIME) return '0001-01-01T00:00:00.000Z';
  return new Date(ms).toISOString();
}

function sendError(ctx: RequestContext, status: number, msg: string): void {
  ctx.sendJson(status, msg);
}

async function jsonBody(ctx: RequestContext): Promise<unknown> {
  const buf = await ctx.body();
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, `parsing request body: ${(err as Error).message}`);
  }
}

function boolParam(q: URLSearchParams, name: string, def: boolean): boolean {
  const v = q.get(name);
  if (v === null || v === '') return def;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new HttpError(400, `${name} in query must be of type bool: "${v}"`);
}

function filterMatchers(q: URLSearchParams): Matcher[] {
  const out: Matcher[] = [];
  for (const f of q.getAll('filter')) {
    try {
      out.push(...parseMatchers(f));
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
  }
  return out;
}

function gettableAlert(b: ApiBackend, fp: string, a: Alert): Record<string, unknown> {
  const st = b.alertStatus(a.labels);
  return {
    annotations: sortedLabels(a.annotations),
    endsAt: apiTime(a.endsAt),
    fingerprint: fp,
    receivers: b.receiversFor(a.labels).map((name) => ({ name })),
    startsAt: apiTime(a.startsAt),
    status: { inhibitedBy: st.inhibitedBy, silencedBy: st.silencedBy, state: st.state },
    updatedAt: apiTime(a.updatedAt),
    // omitempty in Alertmanager's OpenAPI model
    ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
    labels: sortedLabels(a.labels),
  };
}

interface AlertFilter {
  matchers: Matcher[];
  receiver: RegExp | null;
  active: boolean;
  silenced: boolean;
  inhibited: boolean;
  unprocessed: boolean;
}

function alertFilter(q: URLSearchParams): AlertFilter {
  let receiver: RegExp | null = null;
  const r = q.get('receiver');
  if (r) {
    try {
      receiver = compileAnchoredRegex(r, { dotAll: false });
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
  }
  return {
    matchers: filterMatchers(q),
    receiver,
    active: boolParam(q, 'active', true),
    silenced: boolParam(q, 'silenced', true),
    inhibited: boolParam(q, 'inhibited', true),
    unprocessed: boolParam(q, 'unprocessed', true),
  };
}

function alertPasses(b: ApiBackend, f: AlertFilter, a: Alert, now: number): boolean {
  if (f.receiver && !b.receiversFor(a.labels).some((r) => f.receiver!.test(r))) return false;
  if (!matchesLabels(f.matchers, a.labels)) return false;
  if (a.endsAt !== ZERO_TIME && a.endsAt < now) return false;
  const st = b.alertStatus(a.labels);
  if (!f.active && st.state === 'active') return false;
  if (!f.unprocessed && st.state === 'unprocessed') return false;
  if (!f.silenced && st.silencedBy.length > 0) return false;
  if (!f.inhibited && st.inhibitedBy.length > 0) return false;
  return true;
}

function gettableSilence(s: Silence, now: number): Record<string, unknown> {
  return {
    id: s.id,
    status: { state: silenceState(s, now) },
    updatedAt: apiTime(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: apiTime(s.endsAt),
    matchers: s.matchers.map((m) => ({ isEqual: m.isEqual, isRegex: m.isRegex, name: m.name, value: m.value })),
    startsAt: apiTime(s.startsAt),
  };
}

/** Silence list order of Alertmanager's UI/API: active (next to end first), pending (next to start), expired (latest first). */
function sortSilences(list: Silence[], now: number): Silence[] {
  const rank = { active: 0, pending: 1, expired: 2 } as const;
  return list.sort((a, b) => {
    const sa = silenceState(a, now);
    const sb = silenceState(b, now);
    if (sa !== sb) return rank[sa] - rank[sb];
    if (sa === 'active') return a.endsAt - b.endsAt;
    if (sa === 'pending') return a.startsAt - b.startsAt;
    return b.endsAt - a.endsAt;
  });
}

function silenceMatchesFilter(s: Silence, ms: Matcher[]): boolean {
  const byName = new Map(s.matchers.map((m) => [m.name, m]));
  for (const m of ms) {
    const sm = byName.get(m.name);
    if (!sm || !m.matches(sm.value)) return false;
  }
  return true;
}

function parseTime(v: unknown, field: string): number {
  if (v === undefined || v === null || v === '') return ZERO_TIME;
  if (typeof v !== 'string') throw new HttpError(400, `${field} in body must be of type date-time`);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new HttpError(400, `${field} in body must be of type date-time: "${v}"`);
  return t;
}

function parsePostableSilence(body: unknown): Omit<Silence, 'id' | 'updatedAt'> & { id?: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'request body must be a silence object');
  const o = body as Record<string, unknown>;
  for (const f of ['matchers', 'startsAt', 'endsAt', 'createdBy', 'comment']) {
    if (o[f] === undefined || o[f] === null) throw new HttpError(400, `${f} in body is required`);
  }
  if (!Array.isArray(o['matchers'])) throw new HttpError(400, 'matchers in body must be of type array');
  const matchers: SilenceMatcher[] = (o['matchers'] as unknown[]).map((m, i) => {
    const mo = (m ?? {}) as Record<string, unknown>;
    if (typeof mo['name'] !== 'string') throw new HttpError(400, `matchers.${i}.name in body is required`);
    if (typeof mo['value'] !== 'string') throw new HttpError(400, `matchers.${i}.value in body is required`);
    if (typeof mo['isRegex'] !== 'boolean') throw new HttpError(400, `matchers.${i}.isRegex in body is required`);
    return { name: mo['name'], value: mo['value'], isRegex: mo['isRegex'], isEqual: mo['isEqual'] === undefined ? true : mo['isEqual'] === true };
  });
  const s: Omit<Silence, 'id' | 'updatedAt'> & { id?: string } = {
    matchers,
    startsAt: parseTime(o['startsAt'], 'startsAt'),
    endsAt: parseTime(o['endsAt'], 'endsAt'),
    createdBy: String(o['createdBy']),
    comment: String(o['comment']),
  };
  if (typeof o['id'] === 'string' && o['id'] !== '') s.id = o['id'];
  return s;
}

/** GET /alerts/groups body. AlertGroups order: by label set (LabelSet.Before), then receiver; alerts in AlertSlice order. */
export function alertGroupsJson(b: ApiBackend, q: URLSearchParams): unknown[] {
  const f = alertFilter(q);
  const now = b.now();
  const out = [];
  const groups = b.groups().sort((x, y) => {
    const c = compareLabelSets(x.labels, y.labels);
    return c !== 0 ? c : x.receiver < y.receiver ? -1 : x.receiver > y.receiver ? 1 : 0;
  });
  for (const g of groups) {
    g.alerts.sort((x, y) => compareAlerts(x.alert, y.alert));
    if (f.receiver && !f.receiver.test(g.receiver)) continue;
    const alerts = g.alerts.filter(({ alert }) => alertPasses(b, { ...f, receiver: null }, alert, now)).map(({ fp, alert }) => gettableAlert(b, fp, alert));
    if (alerts.length === 0) continue;
    out.push({ alerts, labels: sortedLabels(g.labels), receiver: { name: g.receiver } });
  }
  return out;
}

/** GET /silences body. */
export function silencesJson(b: ApiBackend, q: URLSearchParams): unknown[] {
  const ms = filterMatchers(q);
  const now = b.now();
  return sortSilences(b.silences.list().filter((s) => silenceMatchesFilter(s, ms)), now).map((s) => gettableSilence(s, now));
}

export function apiRoutes(b: ApiBackend): Route[] {
  const wrap =
    (fn: (ctx: RequestContext) => Promise<void> | void) =>
    async (ctx: RequestContext): Promise<void> => {
      try {
        await fn(ctx);
      } catch (err) {
        if (err instanceof HttpError) sendError(ctx, err.statusCode, err.message);
        else if (err instanceof SilenceError) sendError(ctx, err.status, err.message);
        else sendError(ctx, 500, (err as Error).message);
      }
    };
  return [
    {
      method: 'GET',
      path: '/alerts',
      handler: wrap((ctx) => {
        const f = alertFilter(ctx.query);
        const now = b.now();
        const out = b
          .listAlerts()
          .filter(({ alert }) => alertPasses(b, f, alert, now))
          .sort((x, y) => (x.fp < y.fp ? -1 : x.fp > y.fp ? 1 : 0))
          .map(({ fp, alert }) => gettableAlert(b, fp, alert));
        ctx.sendJson(200, out);
      }),
    },
    {
      method: 'POST',
      path: '/alerts',
      handler: wrap(async (ctx) => {
        const body = await jsonBody(ctx);
        if (!Array.isArray(body)) throw new HttpError(400, 'request body must be a JSON array of alerts');
        try {
          b.postAlerts(body as PostableAlert[]);
        } catch (err) {
          // Valid alerts were stored; the invalid ones are reported (Alertmanager's MultiError).
          throw new HttpError(400, (err as Error).message);
        }
        ctx.send(200, 'application/json', '');
      }),
    },
    {
      method: 'GET',
      path: '/alerts/groups',
      handler: wrap((ctx) => ctx.sendJson(200, alertGroupsJson(b, ctx.query))),
    },
    {
      method: 'GET',
      path: '/silences',
      handler: wrap((ctx) => ctx.sendJson(200, silencesJson(b, ctx.query))),
    },
    {
      method: 'POST',
      path: '/silences',
      handler: wrap(async (ctx) => {
        const s = parsePostableSilence(await jsonBody(ctx));
        const id = b.silences.set(s);
        ctx.sendJson(200, { silenceID: id });
      }),
    },
    {
      method: 'GET',
      path: '/silence/:id',
      handler: wrap((ctx) => {
        const s = b.silences.get(ctx.params['id'] ?? '');
        if (!s) return ctx.send(404, 'application/json', '');
        ctx.sendJson(200, gettableSilence(s, b.now()));
      }),
    },
    {
      method: 'DELETE',
      path: '/silence/:id',
      handler: wrap((ctx) => {
        const id = ctx.params['id'] ?? '';
        if (!b.silences.get(id)) return ctx.send(404, 'application/json', '');
        b.silences.expire(id);
        ctx.send(200, 'application/json', '');
      }),
    },
    { method: 'GET', path: '/status', handler: wrap((ctx) => ctx.sendJson(200, b.status())) },
    { method: 'GET', path: '/receivers', handler: wrap((ctx) => ctx.sendJson(200, b.receiverNames().map((name) => ({ name })))) },
  ];
}
