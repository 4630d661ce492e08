/**
 * Aggregation operators over step grids (Prometheus' evaluator.aggregation).
 */
import { METRIC_NAME, formatValue, hashLabels, labelsKey, type Labels } from '../model/index.js';
import type { AggregateExpr } from './ast.js';
import { EvalError } from './errors.js';
import { kahan, kahanInc, quantileOf } from './range-functions.js';
import { keepLabels, setLabel } from './labels-util.js';
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
  if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'limitk' || e.op === 'limit_ratio') return selectK(e, order, p!, n);
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
        switch (e.op) {
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
      switch (e.op) {
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
function selectK(e: AggregateExpr, groups: Group[], p: StepScalar, n: number): StepVector {
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
  for (let i = 0; i < n; i++) {
    const pv = p.vals[i]!;
    if (e.op === 'limit_ratio') {
      if (Number.isNaN(pv)) throw new EvalError('execution', 'Ratio value is NaN');
      const r = Math.max(-1, Math.min(1, pv));
      for (const g of groups) {
        for (const s of g.members) {
          if (!s.has[i]) continue;
          const h = hashLabels(s.labels) / 2 ** 53;
          if ((r >= 0 && h < r) || (r < 0 && h >= 1 + r)) emit(s, i);
        }
      }
      continue;
    }
    if (Number.isNaN(pv) && e.op !== 'limitk') continue;
    let k = Math.trunc(pv);
    if (!Number.isFinite(pv)) k = pv > 0 ? Number.MAX_SAFE_INTEGER : 0;
    if (k < 1) continue;
    for (const g of groups) {
      idx.length = 0;
      for (let j = 0; j < g.members.length; j++) if (g.members[j]!.has[i]) idx.push(j);
      if (e.op === 'limitk') {
        for (let j = 0; j < Math.min(k, idx.length); j++) emit(g.members[idx[j]!]!, i);
        continue;
      }
      const top = e.op === 'topk';
      // NaN counts as the smallest value for topk and is dropped first by bottomk.
      idx.sort((a, b) => {
        const va = g.members[a]!.vals[i]!;
        const vb = g.members[b]!.vals[i]!;
        const na = Number.isNaN(va);
        const nb = Number.isNaN(vb);
        if (na || nb) return na === nb ? 0 : na ? 1 : -1;
        return top ? vb - va : va - vb;
      });
      for (let j = 0; j < Math.min(k, idx.length); j++) emit(g.members[idx[j]!]!, i);
    }
  }
  return { kind: 'vector', series: out };
}
