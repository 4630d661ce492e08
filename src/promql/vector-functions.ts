/**
 * Functions over instant vectors (element-wise and label manipulation), plus
 * histogram_quantile over classic buckets.
 */
import { MatchType, Matcher, RegexError, compileAnchoredRegex, METRIC_NAME, labelsKey, type Labels } from '../model/index.js';
import { EvalError } from './errors.js';
import { dropName, mergeSameLabels, setLabel } from './labels-util.js';
import { newStepSeries, type Grid, type StepSeries, type StepVector } from './values.js';

export type ElemFn = (v: number, a1: number, a2: number) => number;

function dateOf(v: number): Date {
  return new Date(Math.trunc(v) * 1000);
}

export const ELEMENTWISE: Record<string, ElemFn> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sgn: (v) => (v < 0 ? -1 : v > 0 ? 1 : v),
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  deg: (v) => (v * 180) / Math.PI,
  rad: (v) => (v * Math.PI) / 180,
  round: (v, toNearest) => {
    const inv = 1 / toNearest;
    return Math.floor(v * inv + 0.5) / inv;
  },
  clamp: (v, min, max) => Math.max(min, Math.min(max, v)),
  clamp_max: (v, max) => Math.min(v, max),
  clamp_min: (v, min) => Math.max(v, min),
  day_of_month: (v) => dateOf(v).getUTCDate(),
  day_of_week: (v) => dateOf(v).getUTCDay(),
  day_of_year: (v) => {
    const d = dateOf(v);
    return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
  },
  days_in_month: (v) => {
    const d = dateOf(v);
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  },
  hour: (v) => dateOf(v).getUTCHours(),
  minute: (v) => dateOf(v).getUTCMinutes(),
  month: (v) => dateOf(v).getUTCMonth() + 1,
  year: (v) => dateOf(v).getUTCFullYear(),
};

export const DATE_FUNCS = new Set(['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year']);

/** Go regexp.Expand: $1, ${1}, $name, ${name}, $$; unknown or unmatched groups expand to "". */
function expandTemplate(tpl: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < tpl.length; i++) {
    const c = tpl[i]!;
    if (c !== '$' || i + 1 >= tpl.length) {
      out += c;
      continue;
    }
    const n = tpl[i + 1]!;
    if (n === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (n === '{') {
      const close = tpl.indexOf('}', i + 2);
      name = close < 0 ? '' : tpl.slice(i + 2, close);
      if (close < 0 || !/^[A-Za-z0-9_]+$/.test(name)) {
        out += c;
        continue;
      }
      end = close + 1;
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(tpl.slice(i + 1));
      if (!mm) {
        out += c;
        continue;
      }
      name = mm[0];
      end = i + 1 + name.length;
    }
    if (/^[0-9]+$/.test(name)) out += m[Number(name)] ?? '';
    else out += m.groups?.[name] ?? '';
    i = end - 1;
  }
  return out;
}

function validLabelName(name: string, compat: '2' | '3'): boolean {
  if (compat === '3') return name.length > 0;
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
}

export function labelReplace(v: StepVector, dst: string, repl: string, src: string, regex: string, n: number, compat: '2' | '3'): StepVector {
  let re: RegExp;
  try {
    re = compileAnchoredRegex(regex, { dotAll: compat === '3' });
  } catch (err) {
    if (err instanceof RegexError) throw new EvalError('execution', `invalid regular expression in label_replace(): ${regex}`);
    throw err;
  }
  if (!validLabelName(dst, compat)) throw new EvalError('execution', `invalid destination label name in label_replace(): ${dst}`);
  const out: StepSeries[] = [];
  for (const s of v.series) {
    let srcVal = '';
    for (const l of s.labels) if (l.name === src) srcVal = l.value;
    const m = re.exec(srcVal);
    if (!m) {
      out.push(s);
      continue;
    }
    const res = expandTemplate(repl, m);
    out.push({ ...s, labels: setLabel(s.labels, dst, res) });
  }
  return { kind: 'vector', series: mergeSameLabels(out, n, false) };
}

export function labelJoin(v: StepVector, dst: string, sep: string, srcs: string[], n: number, compat: '2' | '3'): StepVector {
  for (const s of srcs) {
    if (!validLabelName(s, compat)) throw new EvalError('execution', `invalid source label name in label_join(): ${s}`);
  }
  if (!validLabelName(dst, compat)) throw new EvalError('execution', `invalid destination label name in label_join(): ${dst}`);
  const out: StepSeries[] = [];
  for (const s of v.series) {
    const parts = srcs.map((name) => {
      for (const l of s.labels) if (l.name === name) return l.value;
      return '';
    });
    out.push({ ...s, labels: setLabel(s.labels, dst, parts.join(sep)) });
  }
  return { kind: 'vector', series: mergeSameLabels(out, n, false) };
}

/** Labels for absent()/absent_over_time(): equality matchers, minus labels matched more than once or otherwise. */
export function absentLabels(matchers: readonly Matcher[] | null): Labels {
  if (!matchers) return [];
  let ls: Labels = [];
  const empty: string[] = [];
  for (const m of matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === MatchType.Equal && !ls.some((l) => l.name === m.name)) ls = setLabel(ls, m.name, m.value);
    else empty.push(m.name);
  }
  return ls.filter((l) => !empty.includes(l.name));
}

interface Bucket {
  upper: number;
  count: number;
}

/** Prometheus' bucketQuantile over classic buckets (sorted in place). */
export const monotonicity = { forced: false };

export function bucketQuantile(q: number, buckets: Bucket[], compat: '2' | '3'): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  buckets.sort((a, b) => a.upper - b.upper);
  if (buckets.length === 0 || buckets[buckets.length - 1]!.upper !== Infinity) return NaN;
  // coalesce equal upper bounds
  const bs: Bucket[] = [];
  for (const b of buckets) {
    const last = bs[bs.length - 1];
    if (last && last.upper === b.upper) last.count += b.count;
    else bs.push({ upper: b.upper, count: b.count });
  }
  if (compat === '2') {
    let max = -Infinity;
    for (const b of bs) {
      if (b.count > max) max = b.count;
      else b.count = max;
    }
  } else {
    // 3.x: ensureMonotonicAndIgnoreSmallDeltas with a 1e-12 relative tolerance.
    let prev = bs[0]!.count;
    for (let i = 1; i < bs.length; i++) {
      const cur = bs[i]!.count;
      if (cur === prev) continue;
      if (almostEqual(prev, cur, 1e-12)) {
        bs[i]!.count = prev;
        continue;
      }
      if (cur < prev) {
        bs[i]!.count = prev;
        monotonicity.forced = true;
        continue;
      }
      prev = cur;
    }
  }
  if (bs.length < 2) return NaN;
  const observations = bs[bs.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = 0;
  while (b < bs.length - 1 && !(bs[b]!.count >= rank)) b++;
  if (b === bs.length - 1) return bs[bs.length - 2]!.upper;
  if (b === 0 && bs[0]!.upper <= 0) return bs[0]!.upper;
  let start = 0;
  const end = bs[b]!.upper;
  let count = bs[b]!.count;
  if (b > 0) {
    start = bs[b - 1]!.upper;
    count -= bs[b - 1]!.count;
    rank -= bs[b - 1]!.count;
  }
  return start + (end - start) * (rank / count);
}

function almostEqual(a: number, b: number, eps: number): boolean {
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  const minNormal = 2.2250738585072014e-308;
  if (a === 0 || b === 0 || absSum < minNormal) return diff < eps * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < eps;
}

/** Go's strconv.ParseFloat for `le` values (accepts Inf spellings, rejects junk). */
function parseLe(s: string): number {
  const t = s.trim() === s ? s : '';
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)$/.test(t)) return NaN;
  return Number(t);
}

export function histogramQuantile(
  q: Float64Array,
  v: StepVector,
  g: Grid,
  compat: '2' | '3',
  annotate: (kind: 'warning' | 'info', text: string) => void = () => {},
): StepVector {
  interface HGroup {
    labels: Labels;
    metric: string;
    members: { s: StepSeries; le: number }[];
  }
  const groups = new Map<string, HGroup>();
  const order: HGroup[] = [];
  for (const s of v.series) {
    let leStr: string | null = null;
    for (const l of s.labels) if (l.name === 'le') leStr = l.value;
    if (leStr === null) continue;
    const le = parseLe(leStr);
    if (Number.isNaN(le)) {
      const name = s.labels.find((l) => l.name === METRIC_NAME)?.value ?? '';
      annotate('warning', `bucket label "le" is missing or has a malformed value of ${JSON.stringify(leStr)}${name ? ` for metric name ${JSON.stringify(name)}` : ''}`);
      continue;
    }
    const labels = s.labels.filter((l) => l.name !== 'le' && l.name !== METRIC_NAME);
    const k = labelsKey(labels);
    let grp = groups.get(k);
    if (!grp) {
      groups.set(k, (grp = { labels, members: [], metric: s.labels.find((l) => l.name === METRIC_NAME)?.value ?? '' }));
      order.push(grp);
    }
    grp.members.push({ s, le });
  }
  const out: StepSeries[] = [];
  const buckets: Bucket[] = [];
  for (const grp of order) {
    const res = newStepSeries(grp.labels, g.n);
    let any = false;
    for (let i = 0; i < g.n; i++) {
      buckets.length = 0;
      for (const m of grp.members) if (m.s.has[i]) buckets.push({ upper: m.le, count: m.s.vals[i]! });
      if (buckets.length === 0) continue;
      monotonicity.forced = false;
      res.vals[i] = bucketQuantile(q[i]!, buckets, compat);
      if (monotonicity.forced) {
        const name = grp.metric;
        annotate('info', `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)${name ? ` for metric name ${JSON.stringify(name)}` : ''}`);
      }
      res.has[i] = 1;
      any = true;
    }
    if (any) out.push(res);
  }
  return { kind: 'vector', series: out };
}

export function applyElementwise(name: string, v: StepVector, a1: Float64Array | null, a2: Float64Array | null, n: number): StepVector {
  const fn = ELEMENTWISE[name]!;
  const out: StepSeries[] = [];
  for (const s of v.series) {
    const res = newStepSeries(dropName(s.labels), n);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      if (name === 'clamp' && a2![i]! < a1![i]!) continue;
      res.vals[i] = fn(s.vals[i]!, a1 ? a1[i]! : 1, a2 ? a2[i]! : 0);
      res.has[i] = 1;
      any = true;
    }
    if (any) out.push(res);
  }
  return { kind: 'vector', series: mergeSameLabels(out, n, false) };
}

void Matcher;
