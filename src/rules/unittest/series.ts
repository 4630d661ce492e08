import { labelsFromPairs, METRIC_NAME, STALE_NAN, type Label, type Labels } from '../../model/index.js';

/**
 * The series notation of promtool test files: `metric{label="value", ...}` and the
 * expanding value notation (`1+2x5`, `1-1x3`, `3x4`, `_`, `_x3`, `stale`, `Inf`, `NaN`).
 */

/** One slot of an expanded series: a value, or omitted (`_`). Value objects keep stale NaN bits. */
export interface SeqValue {
  omitted: boolean;
  value: number;
}

export class SeriesParseError extends Error {
  override name = 'SeriesParseError';
}

/** Parses `name{a="b"}`, `{__name__="x", a="b"}` or a bare name (Prometheus parser.ParseMetric). */
export function parseMetric(input: string): Labels {
  const s = input.trim();
  let i = 0;
  const pairs: Label[] = [];
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s);
  if (nameMatch) {
    pairs.push({ name: METRIC_NAME, value: nameMatch[0] });
    i = nameMatch[0].length;
  }
  const skipWs = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  skipWs();
  if (i < s.length) {
    if (s[i] !== '{') throw new SeriesParseError(`1:${i + 1}: parse error: unexpected character ${JSON.stringify(s[i])} in series description`);
    i++;
    for (;;) {
      skipWs();
      if (s[i] === '}') {
        i++;
        break;
      }
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
      if (!ln) throw new SeriesParseError(`1:${i + 1}: parse error: expected label name in ${JSON.stringify(input)}`);
      i += ln[0].length;
      skipWs();
      if (s[i] !== '=') throw new SeriesParseError(`1:${i + 1}: parse error: expected "=" after label name ${ln[0]}`);
      i++;
      skipWs();
      const { value, end } = parseQuoted(s, i);
      i = end;
      if (pairs.some((p) => p.name === ln[0])) throw new SeriesParseError(`1:${i}: parse error: duplicate label name ${ln[0]}`);
      if (value !== '') pairs.push({ name: ln[0], value });
      skipWs();
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === '}') {
        i++;
        break;
      }
      throw new SeriesParseError(`1:${i + 1}: parse error: expected "," or "}" in label set`);
    }
    skipWs();
    if (i < s.length) throw new SeriesParseError(`1:${i + 1}: parse error: unexpected text after label set`);
  }
  // `{}` is an empty label set (a scalar result); only a blank string is an error.
  if (s === '') throw new SeriesParseError(`parse error: empty series description ${JSON.stringify(input)}`);
  return labelsFromPairs(pairs);
}

/** A Go string literal ("..." with escapes, '...' or `...`) starting at `i`. */
function parseQuoted(s: string, i: number): { value: string; end: number } {
  const q = s[i];
  if (q === '`') {
    const end = s.indexOf('`', i + 1);
    if (end < 0) throw new SeriesParseError(`1:${i + 1}: parse error: unterminated raw string`);
    return { value: s.slice(i + 1, end), end: end + 1 };
  }
  if (q !== '"' && q !== "'") throw new SeriesParseError(`1:${i + 1}: parse error: expected quoted label value`);
  let out = '';
  let j = i + 1;
  for (;;) {
    if (j >= s.length) throw new SeriesParseError(`1:${i + 1}: parse error: unterminated quoted string`);
    const c = s[j]!;
    if (c === q) return { value: out, end: j + 1 };
    if (c === '\\') {
      const n = s[j + 1];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
      if (n !== undefined && n in simple) {
        out += simple[n];
        j += 2;
        continue;
      }
      const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(s.slice(j + 1));
      if (hex) {
        out += String.fromCodePoint(parseInt(hex[1] ?? hex[2] ?? hex[3]!, 16));
        j += 1 + hex[0].length;
        continue;
      }
      throw new SeriesParseError(`1:${j + 1}: parse error: invalid escape sequence in string`);
    }
    out += c;
    j++;
  }
}

// No hex literals here: in series values `0x10` means "0 repeated 10 times", as in promtool.
const UNSIGNED = '(?:[iI][nN][fF]|[nN][aA][nN]|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)';
const NUM = '[+-]?' + UNSIGNED;
const ITEM_RE = new RegExp(`^(${NUM}|stale)(?:([+-])(${UNSIGNED}))?(?:x(\\d+))?$`);

function num(s: string): number {
  const l = s.toLowerCase().replace(/^\+/, '');
  if (l === 'inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (l === 'nan' || l === '-nan') return NaN;
  return Number(l);
}

/** Expands a values string into one slot per interval step, starting at time 0. */
export function parseValues(values: string): SeqValue[] {
  const out: SeqValue[] = [];
  const items = values.trim() === '' ? [] : values.trim().split(/\s+/);
  for (const item of items) {
    if (item === '_') {
      out.push({ omitted: true, value: 0 });
      continue;
    }
    const blank = /^_x(\d+)$/.exec(item);
    if (blank) {
      for (let k = 0; k < Number(blank[1]); k++) out.push({ omitted: true, value: 0 });
      continue;
    }
    const m = ITEM_RE.exec(item);
    if (!m) throw new SeriesParseError(`parse error: unexpected ${JSON.stringify(item)} in series values`);
    const isStale = m[1] === 'stale';
    const start = isStale ? STALE_NAN : num(m[1]!);
    if (m[4] === undefined) {
      if (m[2] !== undefined) throw new SeriesParseError(`parse error: unexpected ${JSON.stringify(item)} in series values: missing "x<count>"`);
      out.push({ omitted: false, value: start });
      continue;
    }
    const times = Number(m[4]);
    const step = m[2] === undefined ? 0 : (m[2] === '-' ? -1 : 1) * num(m[3]!);
    if (isStale && step !== 0) throw new SeriesParseError(`parse error: unexpected ${JSON.stringify(item)} in series values`);
    // `a+bxn` expands to n+1 values: a, a+b, ..., a+n*b (the first one is for time 0).
    let v = start;
    for (let k = 0; k <= times; k++) {
      out.push({ omitted: false, value: v });
      if (!isStale) v += step;
    }
  }
  return out;
}
