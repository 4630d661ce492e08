/**
 * Function maps: Alertmanager 0.25's template functions and Prometheus 2.x's
 * rule/console template functions (query-backed ones take an injected query function).
 */
import { compileAnchoredRegex } from '../model/index.js';
import type { FuncMap, TemplateFunc } from './builtins.js';
import { formatFloatG, goTypeName, sprintf } from './format.js';
import { GoTime, SafeString, isSafeString } from './value.js';

function str(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  if (isSafeString(v)) return v.value;
  throw new Error(`wrong type for value; expected string; got ${goTypeName(v)}${fn ? '' : ''}`);
}

const unanchoredCache = new Map<string, RegExp>();

/** Compiles an RE2 pattern unanchored (Go regexp.Compile), reusing model's RE2 translation. */
export function compileGoRegex(pattern: string, global = false): RegExp {
  const key = (global ? 'g' : '-') + pattern;
  let re = unanchoredCache.get(key);
  if (re) return re;
  // Leading inline flags stay in front so the translator turns them into RegExp flags.
  const m = /^\(\?[imsU]+\)/.exec(pattern);
  const flags = m ? m[0] : '';
  const body = pattern.slice(flags.length);
  const anchored = compileAnchoredRegex(flags + body, { dotAll: false });
  // anchored.source is ^(?:BODY)$ — strip the anchors for an unanchored search.
  const src = anchored.source.slice(1, -1);
  re = new RegExp(src, anchored.flags + (global ? 'g' : ''));
  if (unanchoredCache.size > 1000) unanchoredCache.clear();
  unanchoredCache.set(key, re);
  return re;
}

/** Go's Regexp.ReplaceAllString: `$1`, `${1}`, `$name`, `${name}`, `$$` in the replacement. */
export function goReplaceAll(pattern: string, repl: string, text: string): string {
  const re = compileGoRegex(pattern, true);
  return text.replace(re, (...m: unknown[]) => {
    const hasGroups = typeof m[m.length - 1] === 'object';
    const groups = (hasGroups ? m[m.length - 1] : undefined) as Record<string, string | undefined> | undefined;
    const numbered = m.slice(0, hasGroups ? -3 : -2) as Array<string | undefined>;
    return repl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, tok: string, braced?: string, bare?: string) => {
      if (tok === '$') return '$';
      const name = braced ?? bare ?? '';
      if (/^\d+$/.test(name)) return numbered[Number(name)] ?? '';
      return groups?.[name] ?? '';
    });
  });
}

/** Go's strings.Title: upper-cases the first letter of each word. */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  if (ch.codePointAt(0)! <= 0x7f) return !/[A-Za-z0-9_]/.test(ch);
  if (/[\p{L}\p{N}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

function strSlice(v: unknown): string[] {
  if (!Array.isArray(v)) throw new Error(`wrong type for value; expected []string; got ${goTypeName(v)}`);
  return v.map((x) => str(x, 'join'));
}

/** Alertmanager 0.25's DefaultFuncs (plus trimSpace from later releases). */
export const ALERTMANAGER_FUNCS: FuncMap = {
  toUpper: ((s: unknown) => str(s, 'toUpper').toUpperCase()) as TemplateFunc,
  toLower: ((s: unknown) => str(s, 'toLower').toLowerCase()) as TemplateFunc,
  title: ((s: unknown) => goTitle(str(s, 'title'))) as TemplateFunc,
  trimSpace: ((s: unknown) => str(s, 'trimSpace').trim()) as TemplateFunc,
  join: ((sep: unknown, a: unknown) => strSlice(a).join(str(sep, 'join'))) as TemplateFunc,
  match: ((re: unknown, s: unknown) => compileGoRegex(str(re, 'match')).test(str(s, 'match'))) as TemplateFunc,
  safeHtml: ((s: unknown) => new SafeString(str(s, 'safeHtml'))) as TemplateFunc,
  reReplaceAll: ((re: unknown, repl: unknown, text: unknown) => goReplaceAll(str(re, ''), str(repl, ''), str(text, ''))) as TemplateFunc,
  stringSlice: ((...s: unknown[]) => s.map((x) => str(x, 'stringSlice'))) as TemplateFunc,
};

/** A Prometheus template query result element (template.sample). */
export interface QuerySample {
  Labels: Map<string, string> | Record<string, string>;
  Value: number;
}

export interface PrometheusFuncOptions {
  /** Runs an instant PromQL query at the evaluation time (the rules engine injects it). */
  query?: (q: string) => QuerySample[] | Promise<QuerySample[]>;
  externalURL?: string;
  pathPrefix?: string;
}

function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || isSafeString(v)) {
    const s = String(isSafeString(v) ? v.value : v).trim();
    const n = parseGoFloat(s);
    if (n === null) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
    return n;
  }
  throw new Error(`can't convert ${goTypeName(v)} to float`);
}

function parseGoFloat(s: string): number | null {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (l === 'nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) return null;
  return Number(s);
}

const g4 = (v: number): string => formatFloatG(v, 4);

export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    const prefixes = 'kMGTPEZY';
    let prefix = '';
    for (const p of prefixes) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  const prefixes = 'munpfazy';
  let prefix = '';
  for (const p of prefixes) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    // int64(v) in Go; out-of-range conversions give math.MinInt64 on amd64.
    const d = v < 2 ** 63 ? BigInt(Math.trunc(v)) : -(2n ** 63n);
    const seconds = d % 60n;
    const minutes = (d / 60n) % 60n;
    const hours = (d / 3600n) % 24n;
    const days = d / 86400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

function labelsGetAny(ls: QuerySample['Labels'], name: string): string {
  if (ls instanceof Map) return ls.get(name) ?? '';
  return Object.prototype.hasOwnProperty.call(ls, name) ? ls[name]! : '';
}

function asSample(v: unknown): QuerySample {
  if (v && typeof v === 'object' && 'Labels' in v && 'Value' in v) return v as QuerySample;
  throw new Error(`wrong type for value; expected *template.sample; got ${goTypeName(v)}`);
}

/** Prometheus' template functions (template/template.go) for rule annotations and labels. */
export function prometheusFuncs(opts: PrometheusFuncOptions = {}): FuncMap {
  const f: Record<string, (...a: unknown[]) => unknown> = {
    query: (q: unknown) => {
      if (!opts.query) throw new Error('query is not available in this template');
      const r = opts.query(str(q, 'query'));
      if (r instanceof Promise) throw new Error('query function must be synchronous');
      return r;
    },
    first: (v: unknown) => {
      if (!Array.isArray(v)) throw new Error(`wrong type for value; expected template.queryResult; got ${goTypeName(v)}`);
      if (v.length === 0) throw new Error('first() called on vector with no elements');
      return v[0];
    },
    label: (name: unknown, s: unknown) => labelsGetAny(asSample(s).Labels, str(name, 'label')),
    value: (s: unknown) => asSample(s).Value,
    strvalue: (s: unknown) => labelsGetAny(asSample(s).Labels, '__value__'),
    args: (...a: unknown[]) => {
      const m: Record<string, unknown> = {};
      a.forEach((x, i) => (m[`arg${i}`] = x));
      return m;
    },
    reReplaceAll: ALERTMANAGER_FUNCS['reReplaceAll'] as (...a: unknown[]) => unknown,
    safeHtml: ALERTMANAGER_FUNCS['safeHtml'] as (...a: unknown[]) => unknown,
    match: ALERTMANAGER_FUNCS['match'] as (...a: unknown[]) => unknown,
    title: ALERTMANAGER_FUNCS['title'] as (...a: unknown[]) => unknown,
    toUpper: ALERTMANAGER_FUNCS['toUpper'] as (...a: unknown[]) => unknown,
    toLower: ALERTMANAGER_FUNCS['toLower'] as (...a: unknown[]) => unknown,
    graphLink: (expr: unknown) => `${opts.pathPrefix ?? ''}/graph?g0.expr=${encodeURIComponent(str(expr, ''))}&g0.tab=0`,
    tableLink: (expr: unknown) => `${opts.pathPrefix ?? ''}/graph?g0.expr=${encodeURIComponent(str(expr, ''))}&g0.tab=1`,
    sortByLabel: (name: unknown, v: unknown) => {
      if (!Array.isArray(v)) throw new Error(`wrong type for value; expected template.queryResult; got ${goTypeName(v)}`);
      const n = str(name, '');
      return [...(v as QuerySample[])].sort((a, b) => {
        const x = labelsGetAny(a.Labels, n);
        const y = labelsGetAny(b.Labels, n);
        return x < y ? -1 : x > y ? 1 : 0;
      });
    },
    humanize: (v: unknown) => humanize(toFloat(v)),
    humanize1024: (v: unknown) => humanize1024(toFloat(v)),
    humanizeDuration: (v: unknown) => humanizeDuration(toFloat(v)),
    humanizePercentage: (v: unknown) => sprintf('%.4g%%', [toFloat(v) * 100]),
    humanizeTimestamp: (v: unknown) => {
      const x = toFloat(v);
      if (!Number.isFinite(x)) return g4(x);
      // model.TimeFromUnixNano(int64(v*1e9)): truncated to whole milliseconds.
      return new GoTime(Math.trunc((x * 1e9) / 1e6)).String();
    },
    toTime: (v: unknown) => {
      const x = toFloat(v);
      if (!Number.isFinite(x)) throw new Error(`cannot convert ${g4(x)} to time`);
      return new GoTime(Math.floor(x * 1000));
    },
    pathPrefix: () => opts.pathPrefix ?? '',
    externalURL: () => opts.externalURL ?? '',
    parseDuration: (s: unknown) => {
      const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(str(s, ''));
      if (!m || s === '') throw new Error(`not a valid duration string: ${JSON.stringify(s)}`);
      const mult = [31536000, 604800, 86400, 3600, 60, 1, 0.001];
      let total = 0;
      for (let i = 0; i < mult.length; i++) if (m[i + 1] !== undefined) total += Number(m[i + 1]) * mult[i]!;
      return total;
    },
    stripPort: (hp: unknown) => {
      const s = str(hp, '');
      const m = /^\[([^\]]+)\]:\d*$/.exec(s) ?? /^([^:]+):\d*$/.exec(s);
      return m ? m[1]! : s;
    },
    stripDomain: (hp: unknown) => {
      const s = str(hp, '');
      if (/^\[/.test(s) || /^\d+\.\d+\.\d+\.\d+(:\d+)?$/.test(s)) return s;
      const m = /^([^:]*?)(:\d+)?$/.exec(s);
      if (!m) return s;
      const host = m[1]!.split('.')[0]!;
      return host + (m[2] ?? '');
    },
  };
  return f as FuncMap;
}
