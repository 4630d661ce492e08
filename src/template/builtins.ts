/**
 * text/template's predefined functions (except and/or, which short-circuit in exec.ts):
 * eq ne lt le gt ge not len index slice print printf println html js urlquery.
 */
import { formatValue, goTypeName, sprint, sprintf, sprintln } from './format.js';
import { isSafeString } from './value.js';

/** A template function: receives evaluated Go-like values, returns one; throws to fail the execution. */
export type TemplateFunc = (...args: never[]) => unknown;
export type FuncMap = Record<string, TemplateFunc>;

type Kind = 'bool' | 'int' | 'float' | 'string' | null;

function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  if (isSafeString(v)) return 'string';
  return null;
}

function basic(v: unknown): unknown {
  return isSafeString(v) ? v.value : v;
}

/** Go truthiness (text/template isTrue): zero values and empty containers are false. */
export function isTrue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'string':
      return v.length > 0;
    case 'function':
      return true;
  }
  if (isSafeString(v)) return v.value.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  const ctor = (v as object).constructor;
  if (!ctor || ctor === Object) return Object.keys(v as object).length > 0;
  return true; // structs are always true
}

function eqPair(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === null || kb === null) {
    if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
    if (ka !== kb) throw new Error('incompatible types for comparison');
    return a === b;
  }
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return basic(a) === basic(b);
}

function ordered(a: unknown, b: unknown): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === null || ka === 'bool') throw new Error('invalid type for comparison');
  if (kb === null || kb === 'bool') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  const x = basic(a) as string | number | bigint;
  const y = basic(b) as string | number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Byte length of a Go string (UTF-8). */
function byteLen(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function toIndex(v: unknown): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new Error(`cannot index slice/array with type ${goTypeName(v)}`);
}

function indexOne(item: unknown, key: unknown): unknown {
  if (item === null || item === undefined) throw new Error('index of untyped nil');
  if (Array.isArray(item) || typeof item === 'string') {
    const i = toIndex(key);
    const n = typeof item === 'string' ? byteLen(item) : item.length;
    if (i < 0 || i >= n) throw new Error(`index out of range: ${i}`);
    return typeof item === 'string' ? BigInt(Buffer.from(item, 'utf8')[i]!) : item[i];
  }
  if (item instanceof Map) return item.has(basic(key)) ? item.get(basic(key)) : '';
  if (typeof item === 'object') {
    const k = String(basic(key));
    return Object.prototype.hasOwnProperty.call(item, k) ? (item as Record<string, unknown>)[k] : '';
  }
  throw new Error(`can't index item of type ${goTypeName(item)}`);
}

/** html.EscapeString-like escaping of text/template's `html` (HTMLEscapeString). */
export function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === "'" ? '&#39;' : c === '"' ? '&#34;' : '\uFFFD',
  );
}

/** text/template JSEscapeString. */
export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
    }
    if (c < 0x20) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}

/** net/url.QueryEscape. */
export function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Go's evalArgs for the escapers: a single string is used as-is, otherwise fmt.Sprint. */
function escArg(args: unknown[]): string {
  if (args.length === 1 && (typeof args[0] === 'string' || isSafeString(args[0]))) return String(basic(args[0]));
  return sprint(args);
}

export const BUILTINS: FuncMap = {
  eq: ((a: unknown, ...bs: unknown[]) => {
    if (bs.length === 0) throw new Error('missing argument for comparison');
    for (const b of bs) if (eqPair(a, b)) return true;
    return false;
  }) as TemplateFunc,
  ne: ((a: unknown, b: unknown) => !eqPair(a, b)) as TemplateFunc,
  lt: ((a: unknown, b: unknown) => ordered(a, b) < 0) as TemplateFunc,
  le: ((a: unknown, b: unknown) => ordered(a, b) <= 0) as TemplateFunc,
  gt: ((a: unknown, b: unknown) => ordered(a, b) > 0) as TemplateFunc,
  ge: ((a: unknown, b: unknown) => ordered(a, b) >= 0) as TemplateFunc,
  not: ((a: unknown) => !isTrue(a)) as TemplateFunc,
  len: ((v: unknown) => {
    if (typeof v === 'string') return BigInt(byteLen(v));
    if (isSafeString(v)) return BigInt(byteLen(v.value));
    if (Array.isArray(v)) return BigInt(v.length);
    if (v instanceof Map) return BigInt(v.size);
    if (v !== null && typeof v === 'object' && (v.constructor === Object || !v.constructor)) return BigInt(Object.keys(v).length);
    throw new Error(`len of type ${goTypeName(v)}`);
  }) as TemplateFunc,
  index: ((item: unknown, ...keys: unknown[]) => {
    let v = item;
    for (const k of keys) v = indexOne(v, k);
    return v;
  }) as TemplateFunc,
  slice: ((item: unknown, ...idx: unknown[]) => {
    if (typeof item !== 'string' && !Array.isArray(item)) throw new Error(`can't slice item of type ${goTypeName(item)}`);
    const n = typeof item === 'string' ? byteLen(item) : item.length;
    const lo = idx.length > 0 ? toIndex(idx[0]) : 0;
    const hi = idx.length > 1 ? toIndex(idx[1]) : n;
    if (lo < 0 || hi < lo || hi > n) throw new Error(`index out of range: ${hi}`);
    if (typeof item === 'string') return Buffer.from(item, 'utf8').subarray(lo, hi).toString('utf8');
    return item.slice(lo, hi);
  }) as TemplateFunc,
  print: ((...args: unknown[]) => sprint(args)) as TemplateFunc,
  println: ((...args: unknown[]) => sprintln(args)) as TemplateFunc,
  printf: ((format: unknown, ...args: unknown[]) => {
    if (typeof format !== 'string' && !isSafeString(format)) throw new Error(`wrong type for value; expected string; got ${goTypeName(format)}`);
    return sprintf(String(basic(format)), args);
  }) as TemplateFunc,
  html: ((...args: unknown[]) => htmlEscape(escArg(args))) as TemplateFunc,
  js: ((...args: unknown[]) => jsEscape(escArg(args))) as TemplateFunc,
  urlquery: ((...args: unknown[]) => queryEscape(escArg(args))) as TemplateFunc,
  call: ((fn: unknown, ...args: unknown[]) => {
    if (typeof fn !== 'function') throw new Error(`non-function of type ${goTypeName(fn)}`);
    return (fn as (...a: unknown[]) => unknown)(...args);
  }) as TemplateFunc,
};

/** Renders a value the way an action prints it ({{ x }}: fmt.Fprint). */
export function printValue(v: unknown): string {
  if (v === undefined) return '<no value>';
  return formatValue(v);
}
