/**
 * Binary operators over step grids: scalar/scalar, vector/scalar and
 * vector/vector with Prometheus' matching rules and error messages.
 */
import { METRIC_NAME, labelsKey, labelsToString, type Labels } from '../model/index.js';
import { type BinaryExpr, type BinaryOp, type VectorMatching, isComparisonOp } from './ast.js';
import { EvalError } from './errors.js';
import { ERR_SAME_LABELSET, dropName, keepLabels, mergeSameLabels, setLabel, signature } from './labels-util.js';
import { newStepSeries, type StepScalar, type StepSeries, type StepVector } from './values.js';

/** Go's math.Pow corner cases differ from JS `**` (e.g. Pow(1, NaN) = 1). */
function goPow(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if ((x === -1) && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** Arithmetic result; comparisons return 1/0 for "keep". */
export function arith(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      return l % r;
    case '^':
      return goPow(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    case '==':
      return l === r ? 1 : 0;
    case '!=':
      return l !== r ? 1 : 0;
    case '>':
      return l > r ? 1 : 0;
    case '<':
      return l < r ? 1 : 0;
    case '>=':
      return l >= r ? 1 : 0;
    case '<=':
      return l <= r ? 1 : 0;
    default:
      throw new EvalError('execution', `operator "${op}" not allowed for Scalar operations`);
  }
}

export function scalarBinop(e: BinaryExpr, l: StepScalar, r: StepScalar, n: number): StepScalar {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = arith(e.op, l.vals[i]!, r.vals[i]!);
  return { kind: 'scalar', vals: out };
}

/** vector op scalar (or scalar op vector when swap). */
/** atan2 keeps the metric name in 2.x (shouldDropMetricName did not list it); 3.x drops it. */
function dropsName(e: BinaryExpr, compat: '2' | '3'): boolean {
  if (isComparisonOp(e.op)) return e.returnBool;
  return e.op !== 'atan2' || compat === '3';
}

export function vectorScalarBinop(e: BinaryExpr, v: StepVector, s: StepScalar, swap: boolean, n: number, compat: '2' | '3'): StepVector {
  const cmp = isComparisonOp(e.op);
  const drop = dropsName(e, compat);
  const out: StepSeries[] = [];
  for (const src of v.series) {
    const res = newStepSeries(drop ? dropName(src.labels) : src.labels, n);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!src.has[i]) continue;
      const lv = swap ? s.vals[i]! : src.vals[i]!;
      const rv = swap ? src.vals[i]! : s.vals[i]!;
      let val = arith(e.op, lv, rv);
      if (cmp) {
        if (e.returnBool) {
          // already 1/0
        } else {
          if (val === 0) continue;
          val = src.vals[i]!; // the vector element's value, whichever side it is on
        }
      }
      res.vals[i] = val;
      res.has[i] = 1;
      any = true;
    }
    if (any) out.push(res);
  }
  return { kind: 'vector', series: drop ? mergeSameLabels(out, n, false) : out };
}

function resultMetric(lhs: Labels, rhs: Labels, e: BinaryExpr, m: VectorMatching, compat: '2' | '3'): Labels {
  let ls = lhs;
  if (dropsName(e, compat)) ls = dropName(ls);
  if (m.card === 'one-to-one') {
    if (m.on) ls = keepLabels(ls, m.matchingLabels);
    else if (m.matchingLabels.length > 0) ls = ls.filter((l) => !m.matchingLabels.includes(l.name));
  }
  for (const name of m.include) {
    let v = '';
    for (const l of rhs) if (l.name === name) v = l.value;
    ls = setLabel(ls, name, v);
  }
  return ls;
}

export function vectorBinop(e: BinaryExpr, lhsV: StepVector, rhsV: StepVector, n: number, compat: '2' | '3'): StepVector {
  const m = e.matching!;
  if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return setOp(e.op, m, lhsV, rhsV, n);
  let lhs = lhsV.series;
  let rhs = rhsV.series;
  const swapped = m.card === 'one-to-many';
  if (swapped) [lhs, rhs] = [rhs, lhs];
  const cmp = isComparisonOp(e.op);
  // Group the "one" side by signature.
  const rightBySig = new Map<string, StepSeries[]>();
  for (const r of rhs) {
    const sig = signature(r.labels, m.on, m.matchingLabels);
    let g = rightBySig.get(sig);
    if (!g) rightBySig.set(sig, (g = []));
    g.push(r);
  }
  // Per step, the "one" side must be unique per signature.
  for (const [, g] of rightBySig) {
    if (g.length < 2) continue;
    for (let i = 0; i < n; i++) {
      let first: StepSeries | null = null;
      for (const r of g) {
        if (!r.has[i]) continue;
        if (first) {
          const oneSide = m.card === 'one-to-many' ? 'left' : 'right';
          const matched = m.on ? keepLabels(r.labels, m.matchingLabels) : r.labels.filter((l) => !m.matchingLabels.includes(l.name) && l.name !== METRIC_NAME);
          throw new EvalError(
            'execution',
            `found duplicate series for the match group ${labelsToString(matched)} on the ${oneSide} hand-side of the operation: [${seriesStr(r.labels)}, ${seriesStr(first.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
          );
        }
        first = r;
      }
    }
  }
  const leftBySig = new Map<string, StepSeries[]>();
  for (const l of lhs) {
    const sig = signature(l.labels, m.on, m.matchingLabels);
    if (!rightBySig.has(sig)) continue;
    let g = leftBySig.get(sig);
    if (!g) leftBySig.set(sig, (g = []));
    g.push(l);
  }
  const out: StepSeries[] = [];
  for (const [sig, lefts] of leftBySig) {
    const rights = rightBySig.get(sig)!;
    // one-to-one: a signature may be matched by at most one lhs sample per step.
    if (m.card === 'one-to-one' && lefts.length > 1) {
      for (let i = 0; i < n; i++) {
        let cnt = 0;
        let rightPresent = false;
        for (const r of rights) if (r.has[i]) rightPresent = true;
        if (!rightPresent) continue;
        for (const l of lefts) if (l.has[i]) cnt++;
        if (cnt > 1) throw new EvalError('execution', 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      }
    }
    const produced = new Map<string, StepSeries>();
    for (const l of lefts) {
      for (const r of rights) {
        let res: StepSeries | null = null;
        for (let i = 0; i < n; i++) {
          if (!l.has[i] || !r.has[i]) continue;
          const vl = swapped ? r.vals[i]! : l.vals[i]!;
          const vr = swapped ? l.vals[i]! : r.vals[i]!;
          let val = arith(e.op, vl, vr);
          if (cmp) {
            if (!e.returnBool) {
              if (val === 0) continue;
              val = vl;
            }
          }
          if (!res) {
            const labels = resultMetric(l.labels, r.labels, e, m, compat);
            const key = labelsKey(labels);
            res = produced.get(key) ?? null;
            if (!res) {
              res = newStepSeries(labels, n);
              produced.set(key, res);
              out.push(res);
            }
          }
          if (res.has[i]) {
            if (m.card !== 'one-to-one') throw new EvalError('execution', 'multiple matches for labels: grouping labels must ensure unique matches');
            throw new EvalError('execution', ERR_SAME_LABELSET);
          }
          res.vals[i] = val;
          res.has[i] = 1;
        }
      }
    }
  }
  if (e.fill) applyFill(e, m, lhsV.series, rhsV.series, out, n, compat);
  return { kind: 'vector', series: mergeSameLabels(out, n, false) };
}

/**
 * 3.x experimental fill modifiers: a sample without a match on the other side is
 * combined with the fill value instead of being dropped (fill_right fills a missing
 * right-hand side, fill_left a missing left-hand side).
 */
function applyFill(e: BinaryExpr, m: VectorMatching, lhs: StepSeries[], rhs: StepSeries[], out: StepSeries[], n: number, compat: '2' | '3'): void {
  const presence = (list: StepSeries[]): Map<string, Uint8Array> => {
    const map = new Map<string, Uint8Array>();
    for (const s of list) {
      const sig = signature(s.labels, m.on, m.matchingLabels);
      let p = map.get(sig);
      if (!p) map.set(sig, (p = new Uint8Array(n)));
      for (let i = 0; i < n; i++) if (s.has[i]) p[i] = 1;
    }
    return map;
  };
  const cmp = isComparisonOp(e.op);
  const one = (side: StepSeries[], other: Map<string, Uint8Array>, fill: number, sideIsLeft: boolean): void => {
    for (const s of side) {
      const p = other.get(signature(s.labels, m.on, m.matchingLabels));
      let res: StepSeries | null = null;
      for (let i = 0; i < n; i++) {
        if (!s.has[i] || (p && p[i])) continue;
        const l = sideIsLeft ? s.vals[i]! : fill;
        const r = sideIsLeft ? fill : s.vals[i]!;
        let val = arith(e.op, l, r);
        if (cmp && !e.returnBool) {
          if (val === 0) continue;
          val = l;
        }
        res ??= newStepSeries(resultMetric(s.labels, [], e, { ...m, include: [] }, compat), n);
        res.vals[i] = val;
        res.has[i] = 1;
      }
      if (res) out.push(res);
    }
  };
  if (e.fill!.right !== null) one(lhs, presence(rhs), e.fill!.right, true);
  if (e.fill!.left !== null) one(rhs, presence(lhs), e.fill!.left, false);
}

function seriesStr(ls: Labels): string {
  return labelsToString(ls);
}

function setOp(op: 'and' | 'or' | 'unless', m: VectorMatching, lhs: StepVector, rhs: StepVector, n: number): StepVector {
  const sigs = (list: StepSeries[]): Map<string, Uint8Array> => {
    const map = new Map<string, Uint8Array>();
    for (const s of list) {
      const sig = signature(s.labels, m.on, m.matchingLabels);
      let p = map.get(sig);
      if (!p) map.set(sig, (p = new Uint8Array(n)));
      for (let i = 0; i < n; i++) if (s.has[i]) p[i] = 1;
    }
    return map;
  };
  if (op === 'and' || op === 'unless') {
    const r = sigs(rhs.series);
    const out: StepSeries[] = [];
    for (const s of lhs.series) {
      const p = r.get(signature(s.labels, m.on, m.matchingLabels));
      const res = newStepSeries(s.labels, n);
      let any = false;
      for (let i = 0; i < n; i++) {
        if (!s.has[i]) continue;
        const present = p !== undefined && p[i] === 1;
        if (present === (op === 'and')) {
          res.vals[i] = s.vals[i]!;
          res.has[i] = 1;
          any = true;
        }
      }
      if (any) out.push(res);
    }
    return { kind: 'vector', series: out };
  }
  // or
  const l = sigs(lhs.series);
  const out: StepSeries[] = lhs.series.slice();
  for (const s of rhs.series) {
    const p = l.get(signature(s.labels, m.on, m.matchingLabels));
    if (!p) {
      out.push(s);
      continue;
    }
    const res = newStepSeries(s.labels, n);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (s.has[i] && !p[i]) {
        res.vals[i] = s.vals[i]!;
        res.has[i] = 1;
        any = true;
      }
    }
    if (any) out.push(res);
  }
  return { kind: 'vector', series: mergeSameLabels(out, n, false) };
}

void dropName;
void METRIC_NAME;
