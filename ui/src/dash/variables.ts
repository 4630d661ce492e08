import { formatLabels, promApi, queryInstant, type QueryData } from '../lib/api.js';
import { formatDuration } from '../lib/time.js';
import type { VariableModel } from './types.js';

/** A template variable after its options were resolved. */
export interface VarState {
  model: VariableModel;
  options: string[];
  /** Selected values; ['$__all'] means "All". */
  selected: string[];
  error?: string;
}

export const ALL = '$__all';

/** Built-in values interpolated into every query ($__interval, $__rate_interval, $__range...). */
export interface BuiltIns {
  intervalMs: number;
  rateIntervalMs: number;
  rangeMs: number;
  fromMs: number;
  toMs: number;
}

function queryText(v: VariableModel): string {
  if (typeof v.query === 'string') return v.query;
  return v.query?.query ?? v.definition ?? '';
}

/** Grafana's Prometheus escaping of one value inside a regex matcher (=~) in a PromQL string literal. */
export function regexEscape(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

/** All values a variable stands for right now (expanding All). */
export function currentValues(s: VarState): string[] {
  if (s.selected.length === 1 && s.selected[0] === ALL) return s.options;
  return s.selected;
}

/**
 * The text a variable interpolates to with Grafana's Prometheus data source rules: a single
 * plain value is inserted as is (escaping only what breaks a string literal); multi-value or
 * All becomes a regex alternation `(a|b)` of regex-escaped values; All with a custom allValue
 * inserts that value verbatim. `format` is the `${var:format}` suffix.
 */
export function formatVariable(s: VarState, format?: string): string {
  const isAll = s.selected.length === 1 && s.selected[0] === ALL;
  if (isAll && s.model.allValue && !format) return s.model.allValue;
  const values = currentValues(s);
  switch (format) {
    case 'raw':
      return values.join(',');
    case 'csv':
      return values.join(',');
    case 'pipe':
      return values.join('|');
    case 'json':
      return JSON.stringify(values);
    case 'text':
      return isAll ? 'All' : values.join(' + ');
    case 'regex':
      return values.length === 1 ? regexEscape(values[0]!) : `(${values.map(regexEscape).join('|')})`;
    case 'queryparam':
      return values.map((v) => `var-${s.model.name}=${encodeURIComponent(v)}`).join('&');
    default:
      break;
  }
  if (!s.model.multi && !s.model.includeAll) return values.length > 0 ? values[0]!.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'") : '';
  if (values.length === 0) return '';
  if (values.length === 1) return regexEscape(values[0]!);
  return `(${values.map(regexEscape).join('|')})`;
}

/** Replaces $var, ${var}, ${var:fmt}, [[var]] and the $__ built-ins in `text`. */
export function interpolate(text: string, vars: Map<string, VarState>, b?: BuiltIns): string {
  const builtins: Record<string, string> = {};
  if (b) {
    builtins['__interval'] = formatDuration(b.intervalMs);
    builtins['__interval_ms'] = String(Math.round(b.intervalMs));
    builtins['__rate_interval'] = formatDuration(b.rateIntervalMs);
    builtins['__rate_interval_ms'] = String(Math.round(b.rateIntervalMs));
    builtins['__range'] = `${Math.max(1, Math.round(b.rangeMs / 1000))}s`;
    builtins['__range_s'] = String(Math.max(1, Math.round(b.rangeMs / 1000)));
    builtins['__range_ms'] = String(Math.round(b.rangeMs));
    builtins['__from'] = String(Math.round(b.fromMs));
    builtins['__to'] = String(Math.round(b.toMs));
  }
  return text.replace(/\$(\w+)|\$\{(\w+)(?::([^}]+))?\}|\[\[(\w+)(?::(\w+))?\]\]/g, (m, a: string | undefined, c: string | undefined, fmtC: string | undefined, d: string | undefined, fmtD: string | undefined) => {
    const name = a ?? c ?? d ?? '';
    const format = fmtC ?? fmtD;
    if (name in builtins) return builtins[name]!;
    const s = vars.get(name);
    if (!s) return m;
    return formatVariable(s, format);
  });
}

/** Options of a variable from its definition; `vars` holds the variables defined before it. */
export async function resolveOptions(model: VariableModel, vars: Map<string, VarState>, b: BuiltIns): Promise<string[]> {
  switch (model.type) {
    case 'custom': {
      const q = queryText(model);
      // Grafana splits custom values on commas not preceded by a backslash; "key : value" pairs keep the value.
      return q
        .split(/(?<!\\),/)
        .map((x) => x.replace(/\\,/g, ',').trim())
        .filter((x) => x !== '')
        .map((x) => {
          const kv = /^(.+?)\s:\s(.+)$/.exec(x);
          return kv ? kv[2]!.trim() : x;
        });
    }
    case 'interval':
      return queryText(model)
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
    case 'constant':
    case 'textbox':
      return [queryText(model) || String(model.current?.value ?? '')];
    case 'query':
      return applyRegexAndSort(model, await runVariableQuery(interpolate(queryText(model), vars, b), b));
    default:
      return [];
  }
}

function applyRegexAndSort(model: VariableModel, values: string[]): string[] {
  let out = values;
  if (model.regex) {
    const m = /^\/(.*)\/([gimsuy]*)$/.exec(model.regex);
    const re = new RegExp(m ? m[1]! : model.regex, m ? m[2]!.replace('g', '') : '');
    const picked: string[] = [];
    for (const v of out) {
      const r = re.exec(v);
      if (!r) continue;
      // The first capture group (or a named group "value") is the option, like Grafana.
      picked.push(r.groups?.['value'] ?? r[1] ?? r[0]);
    }
    out = picked;
  }
  out = [...new Set(out)];
  const sort = model.sort ?? 0;
  const num = (s: string): number => {
    const m = /-?\d+(\.\d+)?/.exec(s);
    return m ? parseFloat(m[0]) : Number.NaN;
  };
  if (sort === 1 || sort === 2) out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  else if (sort === 3 || sort === 4) out.sort((a, b) => num(a) - num(b));
  else if (sort === 5 || sort === 6 || sort === 7 || sort === 8) out.sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  if (sort === 2 || sort === 4 || sort === 6 || sort === 8) out.reverse();
  return out;
}

/**
 * Grafana's Prometheus variable query functions: label_names(), label_values(label),
 * label_values(selector, label), metrics(regex), query_result(expr); anything else is run as
 * a query and its series formatted like query_result.
 */
export async function runVariableQuery(q: string, b: BuiltIns): Promise<string[]> {
  const query = q.trim();
  const start = String(Math.floor(b.fromMs / 1000));
  const end = String(Math.ceil(b.toMs / 1000));
  let m = /^label_names\(\s*\)$/.exec(query);
  if (m) return (await promApi<string[]>('api/v1/labels', { start, end })).data;
  m = /^label_values\(\s*(?:(.+?)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/.exec(query);
  if (m) {
    const selector = m[1];
    const label = m[2]!;
    const params: Record<string, string | string[]> = { start, end };
    if (selector) params['match[]'] = [selector];
    return (await promApi<string[]>(`api/v1/label/${encodeURIComponent(label)}/values`, params)).data;
  }
  m = /^metrics\((.*)\)$/.exec(query);
  if (m) {
    const re = new RegExp(m[1]!.trim());
    return (await promApi<string[]>('api/v1/label/__name__/values', { start, end })).data.filter((n) => re.test(n));
  }
  m = /^query_result\((.+)\)$/s.exec(query);
  const expr = m ? m[1]! : query;
  const r = await queryInstant(expr, b.toMs / 1000);
  return queryResultLines(r.data);
}

/** query_result() text: `name{labels} value timestamp`, one line per series. */
function queryResultLines(d: QueryData): string[] {
  switch (d.resultType) {
    case 'vector':
      return d.result.map((s) => `${formatLabels(s.metric)} ${s.value[1]} ${Math.round(s.value[0] * 1000)}`);
    case 'matrix':
      return d.result.map((s) => {
        const last = s.values[s.values.length - 1];
        return `${formatLabels(s.metric)} ${last ? last[1] : ''} ${last ? Math.round(last[0] * 1000) : ''}`;
      });
    case 'scalar':
    case 'string':
      return [`${d.result[1]}`];
  }
}

/** The initial selection: URL values, else the saved current value, else the first option (or All). */
export function initialSelection(model: VariableModel, options: string[], urlValues: string[]): string[] {
  const pick = (vals: string[]): string[] | null => {
    if (vals.length === 0) return null;
    if (vals.some((v) => v === ALL || v === 'All' || v === '$__all')) return model.includeAll ? [ALL] : null;
    const ok = model.type === 'query' || model.type === 'custom' || model.type === 'interval' ? vals.filter((v) => options.includes(v)) : vals;
    if (ok.length === 0) return null;
    return model.multi ? ok : [ok[0]!];
  };
  const cur = model.current?.value;
  const saved = cur === undefined ? [] : Array.isArray(cur) ? cur : [cur];
  return pick(urlValues) ?? pick(saved) ?? (model.includeAll ? [ALL] : options.length > 0 ? [options[0]!] : []);
}
