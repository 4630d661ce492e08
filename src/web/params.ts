import type { RequestContext } from '../util/index.js';

/**
 * Request parameter parsing with Prometheus' exact rules and error texts
 * (web/api/v1/api.go: parseTime, parseTimeParam, invalidParamError).
 */

/** Prometheus' minTime/maxTime bounds in ms (time.Unix(math.MinInt64/1000+62135596801, 0) and its max twin). */
export const MIN_TIME = -9223309901257974 * 1000;
export const MAX_TIME = 9223309901257974 * 1000 + 999;
/** The RFC3339 spellings of the bounds, which Prometheus' own UI sends. */
const MIN_TIME_FORMATTED = '-292273086-05-16T16:47:06Z';
const MAX_TIME_FORMATTED = '292277025-08-18T07:12:54.999999999Z';

/** A parameter error that becomes `{"errorType":"bad_data"}` with the message as given. */
export class ParamError extends Error {
  override name = 'ParamError';
}

const FLOAT_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOAT_RE = /^[+-]?(?:inf|infinity|nan)$/i;
const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Go's math.Round: halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Parses a time the way Prometheus does: a float of unix seconds (fraction rounded to
 * ms) or RFC3339 with optional nanoseconds. Returns ms since the epoch.
 */
export function parseTime(s: string): number {
  if (FLOAT_RE.test(s)) {
    const f = Number(s);
    // strconv.ParseFloat fails on overflow ("1e400"); fall through to the error.
    if (Number.isFinite(f)) {
      const sec = Math.trunc(f);
      return sec * 1000 + roundHalfAway((f - sec) * 1000);
    }
  } else if (SPECIAL_FLOAT_RE.test(s)) {
    // ParseFloat accepts these; time.Unix on them saturates.
    return s.startsWith('-') || /nan/i.test(s) ? MIN_TIME : MAX_TIME;
  }
  const m = RFC3339_RE.exec(s);
  if (m) {
    const t = rfc3339ToMs(m);
    if (t !== null) return t;
  }
  if (s === MIN_TIME_FORMATTED) return MIN_TIME;
  if (s === MAX_TIME_FORMATTED) return MAX_TIME;
  throw new ParamError(`cannot parse ${goQuote(s)} to a valid timestamp`);
}

function rfc3339ToMs(m: RegExpExecArray): number | null {
  const [year, month, day, hour, min, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || min > 59 || sec > 59) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return null;
  let ms = Date.UTC(year, month - 1, day, hour, min, sec);
  // Years 0..99 are mapped to 1900+ by Date.UTC; correct them.
  if (year < 100) {
    const d = new Date(ms);
    d.setUTCFullYear(year);
    ms = d.getTime();
  }
  const frac = m[7];
  if (frac !== undefined) ms += Math.floor(Number((frac + '000000000').slice(0, 9)) / 1e6);
  const zone = m[8]!;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return null;
    ms -= sign * (zh * 3600 + zm * 60) * 1000;
  }
  return ms;
}

/** A time parameter with Prometheus' two-level error message. Empty or absent → default. */
export function parseTimeParam(form: URLSearchParams, name: string, def: number): number {
  const v = form.get(name);
  if (v === null || v === '') return def;
  try {
    return parseTime(v);
  } catch (err) {
    throw invalidParam(name, `Invalid time value for '${name}': ${(err as Error).message}`);
  }
}

/** `invalid parameter "name": detail` (Prometheus' invalidParamError). */
export function invalidParam(name: string, detail: string): ParamError {
  return new ParamError(`invalid parameter ${goQuote(name)}: ${detail}`);
}

/**
 * The `limit` parameter of series/labels/label values (Prometheus 2.49+): a non-negative
 * integer, 0 or absent meaning unlimited.
 */
export function parseLimitParam(form: URLSearchParams, name = 'limit'): number {
  const v = form.get(name);
  if (v === null || v === '') return 0;
  if (!/^[+-]?\d+$/.test(v)) throw invalidParam(name, `strconv.Atoi: parsing ${goQuote(v)}: invalid syntax`);
  const n = Number(v);
  if (n < 0) throw invalidParam(name, 'limit must be non-negative');
  return n;
}

/**
 * A plain integer parameter as metadata endpoints read it (strconv.Atoi, -1 when absent),
 * with the error text those endpoints use ("limit must be a number").
 */
export function parseIntParam(form: URLSearchParams, name: string): number {
  const v = form.get(name);
  if (v === null || v === '') return -1;
  if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new ParamError(`${name} must be a number`);
  return Number(v);
}

/** Go's %q for the ASCII-printable strings we quote in messages. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}

/**
 * Form values as Go's r.Form holds them: an application/x-www-form-urlencoded POST/PUT
 * body first, then the URL query (so r.FormValue prefers the body, as in Prometheus).
 */
export async function readForm(ctx: RequestContext): Promise<URLSearchParams> {
  const ct = ctx.req.headers['content-type'] ?? '';
  const method = ctx.method;
  if ((method === 'POST' || method === 'PUT') && ct.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const body = await ctx.body();
    const out = new URLSearchParams(body.toString('utf8'));
    for (const [k, v] of ctx.query) out.append(k, v);
    return out;
  }
  return ctx.query;
}

/** Label names as Prometheus 2.x validates them (model.LabelNameRE). */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
