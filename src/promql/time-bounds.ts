/**
 * The time range a query reads (Prometheus' FindMinMaxTime), so that one
 * Querier can be opened per query instead of one per selector.
 */
import type { AtModifier, Expr } from './ast.js';

export interface BoundsOptions {
  lookbackDelta: number;
  defaultEvalInterval: number;
  queryStart: number;
  queryEnd: number;
}

export function timeBounds(e: Expr, start: number, end: number, o: BoundsOptions): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  const atMs = (at: AtModifier | null): number | null => (at === null ? null : at.kind === 'ts' ? at.ms : at.kind === 'start' ? o.queryStart : o.queryEnd);
  const walk = (n: Expr, s: number, en: number): void => {
    switch (n.type) {
      case 'VectorSelector':
      case 'MatrixSelector': {
        const vs = n.type === 'VectorSelector' ? n : n.vs;
        const extended = vs.anchored || vs.smoothed ? o.lookbackDelta : 0;
        const back = n.type === 'VectorSelector' ? o.lookbackDelta : n.range + extended;
        const at = atMs(vs.at);
        const lo = (at ?? s) - vs.offset;
        const hi = (at ?? en) - vs.offset;
        min = Math.min(min, lo - back);
        max = Math.max(max, hi + (vs.smoothed ? o.lookbackDelta : 0));
        return;
      }
      case 'SubqueryExpr': {
        const at = atMs(n.at);
        const lo = (at ?? s) - n.offset;
        const hi = (at ?? en) - n.offset;
        const step = n.step > 0 ? n.step : o.defaultEvalInterval;
        walk(n.expr, lo - n.range - step, hi);
        return;
      }
      case 'ParenExpr':
      case 'UnaryExpr':
        walk(n.expr, s, en);
        return;
      case 'BinaryExpr':
        walk(n.lhs, s, en);
        walk(n.rhs, s, en);
        return;
      case 'AggregateExpr':
        walk(n.expr, s, en);
        if (n.param) walk(n.param, s, en);
        return;
      case 'Call':
        for (const a of n.args) walk(a, s, en);
        // info() reads target_info for the same steps.
        if (n.func === 'info') {
          min = Math.min(min, s - o.lookbackDelta);
          max = Math.max(max, en);
        }
        return;
      default:
        return;
    }
  };
  walk(e, start, end);
  return { min, max };
}
