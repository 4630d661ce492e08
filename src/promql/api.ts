/**
 * Prometheus query HTTP API (/api/v1/query, /query_range, /format_query,
 * /parse_query, /query_exemplars) as Route[] for util's Router. Results are
 * serialised by string building in Prometheus' exact JSON shape.
 */
import { formatValue, type Labels } from '../model/index.js';
import type { Queryable } from '../storage/index.js';
import { apiError, parseDuration, type ApiErrorType, type ApiResult, type RequestContext, type Route } from '../util/index.js';
import type { Engine } from './engine.js';
import { EvalError, ParseError } from './errors.js';
import { prettyExpr } from './format.js';
import type { Expr } from './ast.js';
import type { InstantResult, MatrixSeries, QueryStats, RangeResult } from './values.js';
import { JsonBytesWriter } from './json-writer.js';

export interface QueryApiOptions {
  /** Path prefix of the routes (default '/api/v1'). */
  prefix?: string;
  /** Clock for instant queries without `time` (ms). */
  now?: () => number;
  /** Maximum points per series of a range query (Prometheus: 11000). */
  maxPointsPerSeries?: number;
}

class BadParam extends Error {}

/** Go's json escaping of HTML-sensitive characters (jsoniter ConfigCompatibleWithStandardLibrary). */
function jsonStr(s: string): string {
  const j = JSON.stringify(s);
  return /[<>&\u2028\u2029]/.test(j)
    ? j.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
    : j;
}

/** Prometheus' jsonutil.MarshalTimestamp: seconds with up to 3 fractional digits. */
export function formatTimestamp(t: number): string {
  let s = '';
  if (t < 0) {
    s = '-';
    t = -t;
  }
  const sec = Math.floor(t / 1000);
  const frac = t - sec * 1000;
  s += String(sec);
  if (frac !== 0) s += '.' + String(frac).padStart(3, '0');
  return s;
}

function metricJson(ls: Labels): string {
  let s = '{';
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) s += ',';
    s += jsonStr(ls[i]!.name) + ':' + jsonStr(ls[i]!.value);
  }
  return s + '}';
}

/** formatTimestamp written into bytes. */
function writeTimestamp(w: JsonBytesWriter, t: number): void {
  if (t < 0) {
    w.byte(0x2d);
    t = -t;
  }
  const sec = Math.floor(t / 1000);
  const frac = t - sec * 1000;
  w.uint(sec);
  if (frac !== 0) {
    w.byte(0x2e);
    if (frac < 100) w.byte(0x30);
    if (frac < 10) w.byte(0x30);
    w.uint(frac);
  }
}

/** fmtVal written into bytes, quoted: integers digit by digit, the rest via formatValue. */
function writeQuotedValue(w: JsonBytesWriter, v: number): void {
  if (v === Math.trunc(v) && Math.abs(v) < 1e15 && !Object.is(v, -0)) {
    w.byte(0x22);
    if (v < 0) {
      w.byte(0x2d);
      v = -v;
    }
    w.uint(v);
    w.byte(0x22);
    return;
  }
  w.quotedAscii(formatValue(v));
}

function writeMatrix(w: JsonBytesWriter, result: MatrixSeries[]): void {
  w.byte(0x5b);
  for (let k = 0; k < result.length; k++) {
    const s = result[k]!;
    w.utf8((k > 0 ? ',' : '') + '{"metric":' + metricJson(s.labels) + ',"values":[');
    const ts = s.ts;
    const vs = s.vs;
    for (let i = 0; i < ts.length; i++) {
      w.ascii(i > 0 ? ',[' : '[');
      writeTimestamp(w, ts[i]!);
      w.byte(0x2c);
      writeQuotedValue(w, vs[i]!);
      w.byte(0x5d);
    }
    w.ascii(']}');
  }
  w.byte(0x5d);
}

/** JSON of a non-matrix result's `result` member (small: built as a string). */
function smallResultJson(r: Exclude<InstantResult | RangeResult, { resultType: 'matrix' }>): string {
  switch (r.resultType) {
    case 'vector':
      return '[' + r.result.map((s) => '{"metric":' + metricJson(s.labels) + ',"value":[' + formatTimestamp(s.t) + ',"' + formatValue(s.v) + '"]}').join(',') + ']';
    case 'scalar':
      return '[' + formatTimestamp(r.result.t) + ',"' + formatValue(r.result.v) + '"]';
    case 'string':
      return '[' + formatTimestamp(r.result.t) + ',' + jsonStr(r.result.v) + ']';
  }
}

/** `"resultType":…,"result":…`, and `"stats":…` when asked for: the members of `data`. */
function writeResult(w: JsonBytesWriter, r: InstantResult | RangeResult, stats: QueryStats | null): void {
  w.ascii('"resultType":"' + r.resultType + '","result":');
  if (r.resultType === 'matrix') writeMatrix(w, r.result);
  else w.utf8(smallResultJson(r));
  if (stats) w.ascii(',"stats":' + JSON.stringify(stats));
}

export function resultJson(r: InstantResult | RangeResult): string {
  const w = new JsonBytesWriter();
  w.byte(0x7b);
  writeResult(w, r, null);
  w.byte(0x7d);
  return w.finish().toString('utf8');
}

/** `,"warnings":[…]` and `,"infos":[…]`, each only when non-empty. */
function annotationsJson(warnings: string[], infos: string[]): string {
  let s = '';
  if (warnings.length > 0) s += ',"warnings":[' + warnings.map(jsonStr).join(',') + ']';
  if (infos.length > 0) s += ',"infos":[' + infos.map(jsonStr).join(',') + ']';
  return s;
}

/** The success envelope of a query result, written as bytes (range results can be tens of MB). */
function successResult(r: InstantResult | RangeResult, warnings: string[], infos: string[], stats: QueryStats | null): ApiResult {
  const w = new JsonBytesWriter();
  w.ascii('{"status":"success","data":{');
  writeResult(w, r, stats);
  w.byte(0x7d);
  w.utf8(annotationsJson(warnings, infos));
  w.byte(0x7d);
  return { status: 200, body: w.finish() };
}

function successJson(data: string, warnings: string[], infos: string[]): ApiResult {
  return { status: 200, body: '{"status":"success","data":' + data + annotationsJson(warnings, infos) + '}' };
}

/** Prometheus API parseTime: float seconds (rounded to ms) or RFC3339(Nano). */
export function parseTimeParam(s: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()) && s.trim() === s) {
    const f = Number(s);
    const sec = Math.trunc(f);
    const frac = Math.round((f - sec) * 1000) / 1000;
    return sec * 1000 + Math.round(frac * 1000);
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (m) {
    const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]!.toUpperCase() === 'Z' ? 'Z' : m[8]}`);
    if (!Number.isNaN(ms)) return ms + (m[7] ? Math.floor(Number('0' + m[7]) * 1000) : 0);
  }
  if (s === '-292273086-05-16T16:47:06Z') return -9223372036854;
  if (s === '292277025-08-18T07:12:54.999999999Z') return 9223372036854;
  throw new BadParam(`cannot parse ${JSON.stringify(s)} to a valid timestamp`);
}

/** Prometheus API parseDuration: float seconds or a Prometheus duration. Returns ms. */
export function parseDurationParam(s: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const ms = Number(s) * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 9.2e15) throw new BadParam(`cannot parse ${JSON.stringify(s)} to a valid duration. It overflows int64`);
    return ms;
  }
  try {
    return parseDuration(s);
  } catch {
    throw new BadParam(`cannot parse ${JSON.stringify(s)} to a valid duration`);
  }
}

function invalidParam(name: string, msg: string): ApiResult {
  return apiError('bad_data', `invalid parameter ${JSON.stringify(name)}: ${msg}`);
}

function errorResult(err: unknown, param = 'query'): ApiResult {
  if (err instanceof ParseError) return invalidParam(param, err.message);
  if (err instanceof BadParam) return apiError('bad_data', err.message);
  if (err instanceof EvalError) {
    const map: Record<string, ApiErrorType> = {
      execution: 'execution',
      too_many_samples: 'execution',
      timeout: 'timeout',
      canceled: 'canceled',
      bad_data: 'bad_data',
      internal: 'internal',
    };
    return apiError(map[err.kind]!, err.message);
  }
  return apiError('internal', err instanceof Error ? err.message : String(err));
}

/** Routes for the query API. */
export function queryRoutes(engine: Engine, queryable: Queryable, opts: QueryApiOptions = {}): Route[] {
  const prefix = opts.prefix ?? '/api/v1';
  const now = opts.now ?? Date.now;
  const maxPoints = opts.maxPointsPerSeries ?? 11000;

  const withParams = (fn: (form: URLSearchParams, ctx: RequestContext) => Promise<ApiResult>) => async (ctx: RequestContext): Promise<void> => {
    let res: ApiResult;
    try {
      const form = await ctx.form();
      res = await fn(form, ctx);
    } catch (err) {
      res = errorResult(err);
    }
    ctx.sendApi(res);
  };

  const timeoutOf = (form: URLSearchParams): number | undefined => {
    const t = form.get('timeout');
    if (t === null || t === '') return undefined;
    return Math.min(parseDurationParam(t), engine.opts.timeoutMs);
  };

  const abortOn = (ctx: RequestContext): AbortSignal => {
    const ac = new AbortController();
    ctx.res.on('close', () => {
      if (!ctx.res.writableEnded) ac.abort();
    });
    return ac.signal;
  };

  const query = withParams(async (form, ctx) => {
    let t: number;
    let timeoutMs: number | undefined;
    let lookback: number | undefined;
    try {
      const ts = form.get('time');
      t = ts === null || ts === '' ? now() : parseTimeParam(ts);
    } catch (err) {
      // Prometheus wraps only this parameter's parse error a second time.
      return invalidParam('time', `Invalid time value for 'time': ${(err as Error).message}`);
    }
    try {
      timeoutMs = timeoutOf(form);
    } catch (err) {
      return invalidParam('timeout', (err as Error).message);
    }
    try {
      const lb = form.get('lookback_delta');
      if (lb) lookback = parseDurationParam(lb);
    } catch (err) {
      return invalidParam('lookback_delta', (err as Error).message);
    }
    let ast: Expr;
    try {
      ast = engine.parse(form.get('query') ?? '');
    } catch (err) {
      return errorResult(err);
    }
    const r = await engine.instantQueryWithWarnings(queryable, ast, t, { timeoutMs, lookbackDeltaMs: lookback, signal: abortOn(ctx), query: form.get('query') ?? '' });
    return successResult(r.value, r.warnings, engine.compat === '3' ? r.infos : [], form.get('stats') ? r.stats : null);
  });

  const queryRange = withParams(async (form, ctx) => {
    let start: number, end: number, step: number;
    let timeoutMs: number | undefined;
    try {
      start = parseTimeParam(form.get('start') ?? '');
    } catch (err) {
      return invalidParam('start', (err as Error).message);
    }
    try {
      end = parseTimeParam(form.get('end') ?? '');
    } catch (err) {
      return invalidParam('end', (err as Error).message);
    }
    if (end < start) return invalidParam('end', 'end timestamp must not be before start time');
    try {
      step = parseDurationParam(form.get('step') ?? '');
    } catch (err) {
      return invalidParam('step', (err as Error).message);
    }
    if (step <= 0) return invalidParam('step', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    if ((end - start) / step > maxPoints) {
      return apiError('bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    }
    try {
      timeoutMs = timeoutOf(form);
    } catch (err) {
      return invalidParam('timeout', (err as Error).message);
    }
    let ast: Expr;
    try {
      ast = engine.parse(form.get('query') ?? '');
    } catch (err) {
      return errorResult(err);
    }
    const r = await engine.rangeQueryWithWarnings(queryable, ast, start, end, step, { timeoutMs, signal: abortOn(ctx), query: form.get('query') ?? '' });
    return successResult(r.value, r.warnings, engine.compat === '3' ? r.infos : [], form.get('stats') ? r.stats : null);
  });

  const formatQuery = withParams(async (form) => {
    const ast = engine.parse(form.get('query') ?? '');
    return successJson(jsonStr(prettyExpr(ast)), [], []);
  });

  const parseQuery = withParams(async (form) => {
    const ast = engine.parse(form.get('query') ?? '');
    return successJson(JSON.stringify(astJson(ast)), [], []);
  });

  const exemplars = withParams(async (form) => {
    const q = form.get('query');
    if (q) engine.parse(q);
    return successJson('[]', [], []);
  });

  const both: Route['method'] = ['GET', 'POST'];
  return [
    { method: both, path: `${prefix}/query`, handler: query },
    { method: both, path: `${prefix}/query_range`, handler: queryRange },
    { method: both, path: `${prefix}/format_query`, handler: formatQuery },
    { method: both, path: `${prefix}/parse_query`, handler: parseQuery },
    { method: both, path: `${prefix}/query_exemplars`, handler: exemplars },
  ];
}

/** A JSON view of the AST in the shape of Prometheus' parse_query (translateAST). */
function astJson(e: Expr): unknown {
  switch (e.type) {
    case 'NumberLiteral':
      return { type: 'numberLiteral', val: formatValue(e.val) };
    case 'StringLiteral':
      return { type: 'stringLiteral', val: e.val };
    case 'VectorSelector':
      return {
        type: 'vectorSelector',
        name: e.name,
        matchers: e.matchers.map((m) => ({ type: m.type, name: m.name, value: m.value })),
        offset: e.offset,
        timestamp: e.at?.kind === 'ts' ? e.at.ms : undefined,
        startOrEnd: e.at && e.at.kind !== 'ts' ? e.at.kind : null,
      };
    case 'MatrixSelector':
      return { type: 'matrixSelector', name: e.vs.name, range: e.range, offset: e.vs.offset, matchers: e.vs.matchers.map((m) => ({ type: m.type, name: m.name, value: m.value })), timestamp: e.vs.at?.kind === 'ts' ? e.vs.at.ms : undefined, startOrEnd: e.vs.at && e.vs.at.kind !== 'ts' ? e.vs.at.kind : null };
    case 'SubqueryExpr':
      return { type: 'subquery', expr: astJson(e.expr), range: e.range, offset: e.offset, step: e.step, timestamp: e.at?.kind === 'ts' ? e.at.ms : undefined, startOrEnd: e.at && e.at.kind !== 'ts' ? e.at.kind : null };
    case 'ParenExpr':
      return { type: 'parenExpr', expr: astJson(e.expr) };
    case 'UnaryExpr':
      return { type: 'unaryExpr', op: e.op, expr: astJson(e.expr) };
    case 'Call':
      return { type: 'call', func: { name: e.func }, args: e.args.map(astJson) };
    case 'AggregateExpr':
      return { type: 'aggregation', op: e.op, expr: astJson(e.expr), param: e.param ? astJson(e.param) : null, grouping: e.grouping, without: e.without };
    case 'BinaryExpr':
      return {
        type: 'binaryExpr',
        op: e.op,
        lhs: astJson(e.lhs),
        rhs: astJson(e.rhs),
        matching: e.matching ? { card: e.matching.card, labels: e.matching.matchingLabels, on: e.matching.on, include: e.matching.include } : null,
        bool: e.returnBool,
      };
  }
}
