/**
 * Aggregation operators over step grids (Prometheus' evaluator.aggregation).
 */
import { METRIC_NAME, formatValue, labelsKey, type Labels } from '../model/index.js';
import { ratioOffset } from './xxhash.js';
import type { AggregateExpr, AggregateOp } from './ast.js';
import { EvalError } from './errors.js';
import { kahan, kahanInc, quantileOf } from './range-functions.js';
import { keepLabels, setLabel } from './labels-util.js';
import { formatGoFloat } from './format.js';
import { newStepSeries, type StepScalar, type StepSeries, type StepVector } from './values.js';

interface Group {
  labels: Labels;
  members: StepSeries[];
}

function groupLabels(ls: Labels, e: AggregateExpr): Labels {
  if (e.without) return ls.filter((l) => l.name !== METRIC_NAME && !e.grouping.includes(l.name));
  return keepLabels(ls, e.grouping);
}

export function aggregate(e: AggregateExpr, input: StepVector, param: StepScalar | string | null, n: number, compat: '2' | '3'): StepVector {
  let series = input.series;
  if (e.op === 'count_values') return countValues(e, series, param as string, n, compat);
  const groups = new Map<string, Group>();
  const order: Group[] = [];
  for (const s of series) {
    const gl = groupLabels(s.labels, e);
    const k = labelsKey(gl);
    let g = groups.get(k);
    if (!g) {
      groups.set(k, (g = { labels: gl, members: [] }));
      order.push(g);
    }
    g.members.push(s);
  }
  const p = param as StepScalar | null;
  if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'limitk' || e.op === 'limit_ratio') return selectK(e, order, p!, n, compat);
  if (e.op === 'sum' || e.op === 'count' || e.op === 'group' || e.op === 'min' || e.op === 'max') return simpleAggregate(e.op, order, n, compat);
  const out: StepSeries[] = [];
  const scratch = new Float64Array(series.length);
  for (const g of order) {
    const res = newStepSeries(g.labels, n);
    let any = false;
    for (let i = 0; i < n; i++) {
      let cnt = 0;
      let acc = 0;
      let c = 0;
      let mean = 0;
      let incremental = false;
      for (const s of g.members) {
        if (!s.has[i]) continue;
        const v = s.vals[i]!;
        cnt++;
        switch (e.op as AggregateOp) {
          case 'sum':
            if (compat === '2') acc += v;
            else {
              kahanInc(v, acc, c);
              acc = kahan.sum;
              c = kahan.c;
            }
            break;
          case 'avg':
            if (cnt === 1) {
              acc = v;
              mean = v;
              break;
            }
            if (compat === '2') {
              if (mean === Infinity || mean === -Infinity) {
                if ((v === Infinity || v === -Infinity) && mean > 0 === v > 0) break;
                if (v !== Infinity && v !== -Infinity && !Number.isNaN(v)) break;
              }
              mean += v / cnt - mean / cnt;
            } else {
              if (!incremental) {
                kahanInc(v, acc, c);
                if (kahan.sum !== Infinity && kahan.sum !== -Infinity) {
                  acc = kahan.sum;
                  c = kahan.c;
                  break;
                }
                incremental = true;
                mean = acc / (cnt - 1);
                c /= cnt - 1;
              }
              if (mean === Infinity || mean === -Infinity) {
                if ((v === Infinity || v === -Infinity) && mean > 0 === v > 0) break;
                if (v !== Infinity && v !== -Infinity && !Number.isNaN(v)) break;
              }
              const q = (cnt - 1) / cnt;
              kahanInc(v / cnt, q * mean, q * c);
              mean = kahan.sum;
              c = kahan.c;
            }
            break;
          case 'count':
          case 'group':
            break;
          case 'min':
            if (cnt === 1 || acc > v || Number.isNaN(acc)) acc = v;
            break;
          case 'max':
            if (cnt === 1 || acc < v || Number.isNaN(acc)) acc = v;
            break;
          case 'stddev':
          case 'stdvar': {
            if (cnt === 1) {
              mean = v;
              acc = 0;
              break;
            }
            const delta = v - mean;
            mean += delta / cnt;
            acc += delta * (v - mean);
            break;
          }
          case 'quantile':
            scratch[cnt - 1] = v;
            break;
          default:
            throw new EvalError('execution', `unknown aggregation ${e.op}`);
        }
      }
      if (cnt === 0) continue;
      let val: number;
      switch (e.op as AggregateOp) {
        case 'sum':
          val = compat === '2' || acc === Infinity || acc === -Infinity ? acc : acc + c;
          break;
        case 'avg':
          if (compat === '2') val = mean;
          else if (cnt === 1) val = acc;
          else if (incremental) val = mean + c;
          else val = acc / cnt + c / cnt;
          break;
        case 'count':
          val = cnt;
          break;
        case 'group':
          val = 1;
          break;
        case 'stddev':
          val = Math.sqrt(acc / cnt);
          break;
        case 'stdvar':
          val = acc / cnt;
          break;
        case 'quantile':
          val = quantileOf(p!.vals[i]!, scratch, cnt);
          break;
        default:
          val = acc;
      }
      res.vals[i] = val;
      res.has[i] = 1;
      any = true;
    }
    if (any) out.push(res);
  }
  return { kind: 'vector', series: out };
}

function countValues(e: AggregateExpr, series: StepSeries[], label: string, n: number, compat: '2' | '3'): StepVector {
  const valid = compat === '3' ? label.length > 0 : /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label);
  if (!valid) throw new EvalError('execution', `invalid label name ${JSON.stringify(label)}`);
  const grouping = e.without ? e.grouping : [...e.grouping, label];
  const ge: AggregateExpr = { ...e, grouping };
  const groups = new Map<string, StepSeries>();
  const out: StepSeries[] = [];
  for (const s of series) {
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      const withVal = setLabel(s.labels, label, formatValue(s.vals[i]!));
      const gl = groupLabels(withVal, ge);
      const k = labelsKey(gl);
      let r = groups.get(k);
      if (!r) {
        groups.set(k, (r = newStepSeries(gl, n)));
        out.push(r);
      }
      r.vals[i] = (r.has[i] ? r.vals[i]! : 0) + 1;
      r.has[i] = 1;
    }
  }
  return { kind: 'vector', series: out };
}

/** topk/bottomk/limitk/limit_ratio: per step, choose members of each group; output keeps full labels. */
function selectK(e: AggregateExpr, groups: Group[], p: StepScalar, n: number, compat: '2' | '3'): StepVector {
  const outMap = new Map<StepSeries, StepSeries>();
  const out: StepSeries[] = [];
  const emit = (s: StepSeries, i: number): void => {
    let r = outMap.get(s);
    if (!r) {
      outMap.set(s, (r = newStepSeries(s.labels, n)));
      out.push(r);
    }
    r.vals[i] = s.vals[i]!;
    r.has[i] = 1;
  };
  const idx: number[] = [];
  // limit_ratio: Prometheus' labels.Hash() / MaxUint64 decides membership per series.
  const offsets = new Map<StepSeries, number>();
  for (let i = 0; i < n; i++) {
    const pv = p.vals[i]!;
    if (e.op === 'limit_ratio') {
      if (Number.isNaN(pv)) throw new EvalError('execution', 'Ratio value is NaN');
      const r = Math.max(-1, Math.min(1, pv));
      for (const g of groups) {
        for (const s of g.members) {
          if (!s.has[i]) continue;
          let h = offsets.get(s);
          if (h === undefined) offsets.set(s, (h = ratioOffset(s.labels)));
          if ((r >= 0 && h < r) || (r < 0 && h >= 1 + r)) emit(s, i);
        }
      }
      continue;
    }
    // Prometheus: the parameter must convert to int64 at every step.
    if (!(pv <= 9223372036854775807 && pv >= -9223372036854775808)) throw new EvalError('execution', `Scalar value ${formatGoFloat(pv)} overflows int64`);
    const k = Math.trunc(pv);
    if (k < 1) continue;
    for (const g of groups) {
      idx.length = 0;
      for (let j = 0; j < g.members.length; j++) if (g.members[j]!.has[i]) idx.push(j);
      if (e.op === 'limitk') {
        for (let j = 0; j < Math.min(k, idx.length); j++) emit(g.members[idx[j]!]!, i);
        continue;
      }
      const chosen = heapSelect(e.op === 'topk', idx, (j) => g.members[j]!.vals[i]!, k, compat);
      for (const j of chosen) emit(g.members[j]!, i);
      continue;
    }
  }
  return { kind: 'vector', series: out };
}

/**
 * topk/bottomk exactly as Prometheus selects: a Go container/heap of size k over
 * the group's samples in input order (which series wins among NaNs and ties
 * depends on this). Returns chosen member indices, best first.
 */
function heapSelect(top: boolean, idx: number[], val: (j: number) => number, k: number, compat: '2' | '3'): number[] {
  const h: number[] = [];
  // vectorByValueHeap (topk) / vectorByReverseValueHeap (bottomk): NaN is always "less".
  const less = (a: number, b: number): boolean => {
    const x = val(h[a]!);
    if (Number.isNaN(x)) return true;
    return top ? x < val(h[b]!) : x > val(h[b]!);
  };
  const swap = (a: number, b: number): void => {
    const t = h[a]!;
    h[a] = h[b]!;
    h[b] = t;
  };
  const up = (j: number): void => {
    for (;;) {
      const i = Math.floor((j - 1) / 2);
      if (j <= 0 || i === j || !less(j, i)) break;
      swap(i, j);
      j = i;
    }
  };
  const down = (i0: number): boolean => {
    let i = i0;
    const n = h.length;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && less(j2, j1)) j = j2;
      if (!less(j, i)) break;
      swap(i, j);
      i = j;
    }
    return i > i0;
  };
  for (const j of idx) {
    if (h.length < k) {
      h.push(j);
      up(h.length - 1);
      continue;
    }
    const cur = val(h[0]!);
    const v = val(j);
    const better = top ? cur < v : cur > v;
    // 2.x replaced a NaN top unconditionally; 3.x only with a non-NaN value.
    const nanTop = Number.isNaN(cur) && (compat === '2' || !Number.isNaN(v));
    if (better || nanTop) {
      h[0] = j;
      if (!down(0)) up(0);
    }
  }
  return h.sort((a, b) => {
    const x = val(a);
    const y = val(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? 1 : -1;
    return top ? y - x : x - y;
  });
}

/**
 * sum/count/group/min/max, member-major over typed arrays (each member's column
 * is read sequentially). Same arithmetic as the generic loop: 3.x sums with
 * Kahan compensation, 2.x plainly; min/max let any value replace a NaN.
 */
function simpleAggregate(op: 'sum' | 'count' | 'group' | 'min' | 'max', groups: Group[], n: number, compat: '2' | '3'): StepVector {
  const out: StepSeries[] = [];
  const cnt = new Uint32Array(n);
  const comp = new Float64Array(n);
  for (const g of groups) {
    const res = newStepSeries(g.labels, n);
    const acc = res.vals;
    cnt.fill(0);
    comp.fill(0);
    for (const m of g.members) {
      const vals = m.vals;
      const has = m.has;
      for (let i = 0; i < n; i++) {
        if (!has[i]) continue;
        const v = vals[i]!;
        const c = cnt[i]!;
        cnt[i] = c + 1;
        if (c === 0) {
          acc[i] = op === 'count' || op === 'group' ? 1 : v;
          continue;
        }
        switch (op) {
          case 'sum':
            if (compat === '2') acc[i] = acc[i]! + v;
            else {
              const sum = acc[i]!;
              const t = sum + v;
              if (t === Infinity || t === -Infinity) comp[i] = 0;
              else if (Math.abs(sum) >= Math.abs(v)) comp[i] = comp[i]! + (sum - t + v);
              else comp[i] = comp[i]! + (v - t + sum);
              acc[i] = t;
            }
            break;
          case 'count':
            acc[i] = c + 1;
            break;
          case 'group':
            break;
          case 'min':
            if (acc[i]! > v || Number.isNaN(acc[i]!)) acc[i] = v;
            break;
          case 'max':
            if (acc[i]! < v || Number.isNaN(acc[i]!)) acc[i] = v;
            break;
        }
      }
    }
    let any = false;
    for (let i = 0; i < n; i++) {
      if (cnt[i] === 0) continue;
      res.has[i] = 1;
      any = true;
      if (op === 'sum' && compat === '3') {
        const v = acc[i]!;
        if (v !== Infinity && v !== -Infinity) acc[i] = v + comp[i]!;
      }
    }
    if (any) out.push(res);
  }
  return { kind: 'vector', series: out };
}
