/**
 * Functions over range vectors (one series' window of samples at a time),
 * reproducing Prometheus' promql/functions.go numerics.
 */
import { EvalError } from './errors.js';

export interface WindowCtx {
  ts: Float64Array;
  vs: Float64Array;
  /** Window is samples [lo, hi). */
  lo: number;
  hi: number;
  rangeStart: number;
  rangeEnd: number;
  rangeMs: number;
  /** Evaluation timestamp of the step (predict_linear's intercept time). */
  evalT: number;
  /** Scalar arguments at this step. */
  a1: number;
  a2: number;
  compat: '2' | '3';
  /** Optional prefix count of decreases (resets[i] = #k in 1..i with vs[k] < vs[k-1]) over ts/vs. */
  resets?: Uint32Array | null;
}

/** Returns the value, or undefined for "no output at this step". */
export type RangeFn = (c: WindowCtx) => number | undefined;

/** Neumaier-compensated summation step (Prometheus' kahanSumInc). Returns [sum, c] via out. */
export const kahan = { sum: 0, c: 0 };
export function kahanInc(inc: number, sum: number, c: number): void {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  kahan.sum = t;
  kahan.c = c;
}

function extrapolatedRate(c: WindowCtx, isCounter: boolean, isRate: boolean): number | undefined {
  const { ts, vs, lo, hi } = c;
  const n = hi - lo;
  if (n < 2) return undefined;
  const firstT = ts[lo]!;
  const lastT = ts[hi - 1]!;
  const firstV = vs[lo]!;
  let result = vs[hi - 1]! - firstV;
  // Skip the reset scan when the window has no decrease (same result, no per-sample work).
  const noResets = c.resets != null && c.resets[hi - 1]! - c.resets[lo]! === 0 && (c.compat === '3' || firstV >= 0);
  if (isCounter && !noResets) {
    if (c.compat === '2') {
      let last = 0;
      for (let i = lo; i < hi; i++) {
        const v = vs[i]!;
        if (v < last) result += last;
        last = v;
      }
    } else {
      let prev = firstV;
      for (let i = lo + 1; i < hi; i++) {
        const v = vs[i]!;
        if (v < prev) result += prev;
        prev = v;
      }
    }
  }
  let durationToStart = (firstT - c.rangeStart) / 1000;
  let durationToEnd = (c.rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const avg = sampledInterval / (n - 1);
  const threshold = avg * 1.1;
  let factor: number;
  if (c.compat === '2') {
    if (isCounter && result > 0 && firstV >= 0) {
      const durationToZero = sampledInterval * (firstV / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    let interval = sampledInterval;
    interval += durationToStart < threshold ? durationToStart : avg / 2;
    interval += durationToEnd < threshold ? durationToEnd : avg / 2;
    result = result * (interval / sampledInterval);
    if (isRate) result = result / (c.rangeMs / 1000);
    return result;
  }
  if (durationToStart >= threshold) durationToStart = avg / 2;
  if (isCounter && result > 0 && firstV >= 0) {
    const durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = avg / 2;
  factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= c.rangeMs / 1000;
  return result * factor;
}

function instantValue(c: WindowCtx, isRate: boolean): number | undefined {
  const { ts, vs, lo, hi } = c;
  if (hi - lo < 2) return undefined;
  const last = vs[hi - 1]!;
  const prev = vs[hi - 2]!;
  let result = isRate && last < prev ? last : last - prev;
  const interval = ts[hi - 1]! - ts[hi - 2]!;
  if (interval === 0) return undefined;
  if (isRate) result /= interval / 1000;
  return result;
}

/** Prometheus' linearRegression with Kahan-compensated sums. Writes slope/intercept to lr. */
const lr = { slope: 0, intercept: 0 };
function linearRegression(ts: Float64Array, vs: Float64Array, lo: number, hi: number, interceptTime: number): void {
  let n = 0;
  let sumX = 0,
    cX = 0,
    sumY = 0,
    cY = 0,
    sumXY = 0,
    cXY = 0,
    sumX2 = 0,
    cX2 = 0;
  const initY = vs[lo]!;
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const v = vs[i]!;
    if (constY && i > lo && v !== initY) constY = false;
    n += 1;
    const x = (ts[i]! - interceptTime) / 1e3;
    kahanInc(x, sumX, cX);
    sumX = kahan.sum;
    cX = kahan.c;
    kahanInc(v, sumY, cY);
    sumY = kahan.sum;
    cY = kahan.c;
    kahanInc(x * v, sumXY, cXY);
    sumXY = kahan.sum;
    cXY = kahan.c;
    kahanInc(x * x, sumX2, cX2);
    sumX2 = kahan.sum;
    cX2 = kahan.c;
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) {
      lr.slope = NaN;
      lr.intercept = NaN;
    } else {
      lr.slope = 0;
      lr.intercept = initY;
    }
    return;
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  lr.slope = covXY / varX;
  lr.intercept = sumY / n - (lr.slope * sumX) / n;
}

/** Prometheus' quantile over a scratch array (sorted in place, NaN first). */
export function quantileOf(q: number, values: Float64Array, n: number): number {
  if (n === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const a = values.subarray(0, n);
  a.sort((x, y) => (Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : Number.isNaN(y) ? 1 : x - y));
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return a[lower]! * (1 - weight) + a[upper]! * weight;
}

let scratch = new Float64Array(256);
function scratchFor(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n * 2);
  return scratch;
}

function avgOverTime(vs: Float64Array, lo: number, hi: number): number {
  // 3.x algorithm: compensated sum, switching to an incremental mean on overflow.
  let sum = vs[lo]!;
  let count = 1;
  let mean = 0;
  let c = 0;
  let incremental = false;
  for (let i = lo + 1; i < hi; i++) {
    const v = vs[i]!;
    count = i - lo + 1;
    if (!incremental) {
      kahanInc(v, sum, c);
      if (kahan.sum !== Infinity && kahan.sum !== -Infinity) {
        sum = kahan.sum;
        c = kahan.c;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    kahanInc(v / count, q * mean, q * c);
    mean = kahan.sum;
    c = kahan.c;
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

function varianceOverTime(vs: Float64Array, lo: number, hi: number): number {
  let count = 0;
  let mean = 0,
    cMean = 0,
    aux = 0,
    cAux = 0;
  for (let i = lo; i < hi; i++) {
    const v = vs[i]!;
    count++;
    const delta = v - (mean + cMean);
    kahanInc(delta / count, mean, cMean);
    mean = kahan.sum;
    cMean = kahan.c;
    kahanInc(delta * (v - (mean + cMean)), aux, cAux);
    aux = kahan.sum;
    cAux = kahan.c;
  }
  return (aux + cAux) / count;
}

function holtWinters(c: WindowCtx): number | undefined {
  const sf = c.a1;
  const tf = c.a2;
  if (!(sf > 0 && sf < 1)) throw new EvalError('execution', `invalid smoothing factor. Expected: 0 < sf < 1, got: ${goFloatF6(sf)}`);
  if (!(tf > 0 && tf < 1)) throw new EvalError('execution', `invalid trend factor. Expected: 0 < tf < 1, got: ${goFloatF6(tf)}`);
  const { vs, lo, hi } = c;
  const l = hi - lo;
  if (l < 2) return undefined;
  let s0 = 0;
  let s1 = vs[lo]!;
  let b = vs[lo + 1]! - vs[lo]!;
  for (let i = 1; i < l; i++) {
    const x = sf * vs[lo + i]!;
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

/** Go's fmt %f. */
export function goFloatF6(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return v.toFixed(6);
}

export const RANGE_FUNCTIONS: Record<string, RangeFn> = {
  rate: (c) => extrapolatedRate(c, true, true),
  increase: (c) => extrapolatedRate(c, true, false),
  delta: (c) => extrapolatedRate(c, false, false),
  irate: (c) => instantValue(c, true),
  idelta: (c) => instantValue(c, false),
  deriv: (c) => {
    if (c.hi - c.lo < 2) return undefined;
    linearRegression(c.ts, c.vs, c.lo, c.hi, c.ts[c.lo]!);
    return lr.slope;
  },
  predict_linear: (c) => {
    if (c.hi - c.lo < 2) return undefined;
    linearRegression(c.ts, c.vs, c.lo, c.hi, c.evalT);
    return lr.slope * c.a1 + lr.intercept;
  },
  changes: (c) => {
    let changes = 0;
    let prev = c.vs[c.lo]!;
    for (let i = c.lo + 1; i < c.hi; i++) {
      const cur = c.vs[i]!;
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
      prev = cur;
    }
    return changes;
  },
  resets: (c) => {
    let resets = 0;
    let prev = c.vs[c.lo]!;
    for (let i = c.lo + 1; i < c.hi; i++) {
      const cur = c.vs[i]!;
      if (cur < prev) resets++;
      prev = cur;
    }
    return resets;
  },
  avg_over_time: (c) => avgOverTime(c.vs, c.lo, c.hi),
  sum_over_time: (c) => {
    let sum = 0;
    let comp = 0;
    for (let i = c.lo; i < c.hi; i++) {
      kahanInc(c.vs[i]!, sum, comp);
      sum = kahan.sum;
      comp = kahan.c;
    }
    if (sum === Infinity || sum === -Infinity) return sum;
    return sum + comp;
  },
  count_over_time: (c) => c.hi - c.lo,
  min_over_time: (c) => {
    let m = c.vs[c.lo]!;
    for (let i = c.lo; i < c.hi; i++) {
      const v = c.vs[i]!;
      if (v < m || Number.isNaN(m)) m = v;
    }
    return m;
  },
  max_over_time: (c) => {
    let m = c.vs[c.lo]!;
    for (let i = c.lo; i < c.hi; i++) {
      const v = c.vs[i]!;
      if (v > m || Number.isNaN(m)) m = v;
    }
    return m;
  },
  stddev_over_time: (c) => Math.sqrt(varianceOverTime(c.vs, c.lo, c.hi)),
  stdvar_over_time: (c) => varianceOverTime(c.vs, c.lo, c.hi),
  last_over_time: (c) => c.vs[c.hi - 1]!,
  first_over_time: (c) => c.vs[c.lo]!,
  ts_of_last_over_time: (c) => c.ts[c.hi - 1]! / 1000,
  ts_of_first_over_time: (c) => c.ts[c.lo]! / 1000,
  ts_of_max_over_time: (c) => {
    let m = c.vs[c.lo]!;
    let t = c.ts[c.lo]!;
    for (let i = c.lo; i < c.hi; i++) {
      const v = c.vs[i]!;
      if (v >= m || Number.isNaN(m)) {
        m = v;
        t = c.ts[i]!;
      }
    }
    return t / 1000;
  },
  ts_of_min_over_time: (c) => {
    let m = c.vs[c.lo]!;
    let t = c.ts[c.lo]!;
    for (let i = c.lo; i < c.hi; i++) {
      const v = c.vs[i]!;
      if (v <= m || Number.isNaN(m)) {
        m = v;
        t = c.ts[i]!;
      }
    }
    return t / 1000;
  },
  present_over_time: () => 1,
  quantile_over_time: (c) => {
    const n = c.hi - c.lo;
    const s = scratchFor(n);
    s.set(c.vs.subarray(c.lo, c.hi));
    return quantileOf(c.a1, s, n);
  },
  mad_over_time: (c) => {
    const n = c.hi - c.lo;
    const s = scratchFor(n * 2);
    s.set(c.vs.subarray(c.lo, c.hi));
    const median = quantileOf(0.5, s, n);
    for (let i = 0; i < n; i++) s[i] = Math.abs(c.vs[c.lo + i]! - median);
    return quantileOf(0.5, s, n);
  },
  holt_winters: (c) => holtWinters(c),
  double_exponential_smoothing: (c) => holtWinters(c),
};

/** Range functions whose output keeps the metric name. */
export const KEEPS_NAME_RANGE = new Set(['last_over_time', 'first_over_time']);
