/**
 * The PromQL engine: limits (timeout, max samples, concurrency queue,
 * cancellation) around the Evaluator, and the public evaluation API used by
 * the HTTP handlers and the rules engine.
 */
import type { Queryable } from '../storage/index.js';
import type { Expr } from './ast.js';
import { EvalError } from './errors.js';
import { Evaluator } from './evaluator.js';
import { timeBounds } from './time-bounds.js';
import { exprType, parseExpr, type ParseOptions } from './parser.js';
import { describeType } from './ast.js';
import {
  gridTime,
  makeGrid,
  type InstantResult,
  type MatrixSeries,
  type QueryResult,
  type QueryStats,
  type RangeResult,
  type StepVector,
  type RangeValue,
  type StepScalar,
  type StepString,
  type EvalValue,
} from './values.js';
import { labelsCompare } from '../model/index.js';

export interface EngineOptions {
  /** Prometheus major version to reproduce where 3.x changed behaviour (default '3'). */
  compat?: '2' | '3';
  /** Lookback delta for instant vector selectors in ms (default 5m). */
  lookbackDeltaMs?: number;
  /** Per-query timeout in ms (default 2m, Prometheus' --query.timeout). */
  timeoutMs?: number;
  /** Max samples loaded by one query (default 50,000,000, --query.max-samples). */
  maxSamples?: number;
  /** Queries evaluated at once; others wait in a FIFO queue (default 20). */
  maxConcurrent?: number;
  /** Subquery step when none is given, in ms (default 1m = global evaluation_interval). */
  defaultEvalIntervalMs?: number;
  /** Accept promql-experimental-functions (default true). */
  experimentalFunctions?: boolean;
  /** Accept 3.x experimental syntax: duration expressions, fill modifiers, anchored/smoothed (default false). */
  experimentalSyntax?: boolean;
}

export interface QueryOpts {
  signal?: AbortSignal;
  /** Overrides the engine timeout for this query. */
  timeoutMs?: number;
  lookbackDeltaMs?: number;
  /** Query text when an AST is passed, for annotation positions. */
  query?: string;
}

export class Engine {
  readonly compat: '2' | '3';
  readonly opts: Required<EngineOptions>;
  private running = 0;
  private waiting: Array<() => void> = [];

  constructor(opts: EngineOptions = {}) {
    this.opts = {
      compat: opts.compat ?? '3',
      lookbackDeltaMs: opts.lookbackDeltaMs ?? 5 * 60 * 1000,
      timeoutMs: opts.timeoutMs ?? 2 * 60 * 1000,
      maxSamples: opts.maxSamples ?? 50_000_000,
      maxConcurrent: opts.maxConcurrent ?? 20,
      defaultEvalIntervalMs: opts.defaultEvalIntervalMs ?? 60_000,
      experimentalFunctions: opts.experimentalFunctions ?? true,
      experimentalSyntax: opts.experimentalSyntax ?? false,
    };
    this.compat = this.opts.compat;
  }

  parseOptions(): ParseOptions {
    return { compat: this.compat, experimentalFunctions: this.opts.experimentalFunctions, experimentalSyntax: this.opts.experimentalSyntax };
  }

  /** Parses with this engine's dialect. Throws ParseError. */
  parse(query: string): Expr {
    return parseExpr(query, this.parseOptions());
  }

  /** Number of queries evaluating now and waiting. */
  stats(): { running: number; queued: number } {
    return { running: this.running, queued: this.waiting.length };
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    if (this.running < this.opts.maxConcurrent) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const go = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.running++;
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new EvalError('canceled', 'query was canceled in queue'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  private release(): void {
    this.running--;
    const next = this.waiting.shift();
    if (next) next();
  }

  /** Evaluates `expr` at `timeMs`. Throws ParseError or EvalError. */
  async instantQuery(queryable: Queryable, expr: string | Expr, timeMs: number, q: QueryOpts = {}): Promise<InstantResult> {
    return (await this.instantQueryWithWarnings(queryable, expr, timeMs, q)).value;
  }

  async instantQueryWithWarnings(queryable: Queryable, expr: string | Expr, timeMs: number, q: QueryOpts = {}): Promise<QueryResult<InstantResult>> {
    const ast = typeof expr === 'string' ? this.parse(expr) : expr;
    if (!Number.isFinite(timeMs)) throw new EvalError('bad_data', `invalid evaluation time: ${timeMs}`);
    const t = Math.round(timeMs);
    const { value, ev, stats } = await this.runWith(queryable, t, t, { ...q, query: q.query ?? (typeof expr === 'string' ? expr : undefined) }, async (ev) => {
      const grid = makeGrid(t, t, 1);
      this.openBounds(ev, ast, t, t, q);
      const v = await ev.eval(ast, grid);
      return toInstant(v, t, this.compat === '3');
    });
    return { value, warnings: ev.warnings, infos: ev.infos, stats };
  }

  /** Evaluates `expr` at start, start+step, ..., <= end. */
  async rangeQuery(queryable: Queryable, expr: string | Expr, startMs: number, endMs: number, stepMs: number, q: QueryOpts = {}): Promise<RangeResult> {
    return (await this.rangeQueryWithWarnings(queryable, expr, startMs, endMs, stepMs, q)).value;
  }

  async rangeQueryWithWarnings(
    queryable: Queryable,
    expr: string | Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
    q: QueryOpts = {},
  ): Promise<QueryResult<RangeResult>> {
    const ast = typeof expr === 'string' ? this.parse(expr) : expr;
    const t = exprType(ast);
    if (t !== 'vector' && t !== 'scalar') {
      throw new EvalError('bad_data', `invalid expression type "${describeType(t)}" for range query, must be Scalar or instant Vector`);
    }
    if (!(stepMs > 0)) throw new EvalError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs < startMs) throw new EvalError('bad_data', 'invalid range: end timestamp must not be before start time');
    const start = Math.round(startMs);
    const end = Math.round(endMs);
    const step = Math.round(stepMs);
    const { value, ev, stats } = await this.runWith(queryable, start, end, { ...q, query: q.query ?? (typeof expr === 'string' ? expr : undefined) }, async (ev) => {
      const grid = makeGrid(start, end, step);
      this.openBounds(ev, ast, start, end, q);
      const v = await ev.eval(ast, grid);
      const result: MatrixSeries[] = [];
      if (v.kind === 'scalar') {
        const ts = new Float64Array(grid.n);
        for (let i = 0; i < grid.n; i++) ts[i] = gridTime(grid, i);
        result.push({ labels: [], ts, vs: v.vals });
      } else {
        for (const s of (v as StepVector).series) {
          let cnt = 0;
          for (let i = 0; i < grid.n; i++) if (s.has[i]) cnt++;
          if (cnt === 0) continue;
          const ts = new Float64Array(cnt);
          const vs = new Float64Array(cnt);
          let k = 0;
          for (let i = 0; i < grid.n; i++) {
            if (!s.has[i]) continue;
            ts[k] = gridTime(grid, i);
            vs[k++] = s.vals[i]!;
          }
          result.push({ labels: s.labels, ts, vs });
        }
        result.sort((a, b) => labelsCompare(a.labels, b.labels));
      }
      return { resultType: 'matrix' as const, result };
    });
    return { value, warnings: ev.warnings, infos: ev.infos, stats };
  }

  /** One Querier per query over the range all selectors read (Prometheus' FindMinMaxTime). */
  private openBounds(ev: Evaluator, ast: Expr, start: number, end: number, q: QueryOpts): void {
    const b = timeBounds(ast, start, end, {
      lookbackDelta: q.lookbackDeltaMs ?? this.opts.lookbackDeltaMs,
      defaultEvalInterval: this.opts.defaultEvalIntervalMs,
      queryStart: start,
      queryEnd: end,
    });
    ev.setBounds(b.min, b.max);
  }

  private async runWith<T>(queryable: Queryable, start: number, end: number, q: QueryOpts, fn: (ev: Evaluator) => Promise<T>): Promise<{ value: T; ev: Evaluator; stats: QueryStats }> {
    const queued = performance.now();
    await this.acquire(q.signal);
    const started = performance.now();
    try {
      const ev = new Evaluator(queryable, {
        compat: this.compat,
        lookbackDelta: q.lookbackDeltaMs ?? this.opts.lookbackDeltaMs,
        maxSamples: this.opts.maxSamples,
        defaultEvalInterval: this.opts.defaultEvalIntervalMs,
        deadline: Date.now() + (q.timeoutMs ?? this.opts.timeoutMs),
        signal: q.signal,
        queryStart: start,
        queryEnd: end,
        query: q.query,
      });
      try {
        const value = await fn(ev);
        const done = performance.now();
        const evalS = (done - started) / 1000;
        const stats: QueryStats = {
          // Vigil sorts while evaluating and prepares nothing apart: those two stay 0.
          timings: { evalTotalTime: evalS, resultSortTime: 0, queryPreparationTime: 0, innerEvalTime: evalS, execQueueTime: (started - queued) / 1000, execTotalTime: (done - queued) / 1000 },
          samples: { totalQueryableSamples: ev.queryableSamples, peakSamples: ev.peakSamples },
        };
        return { value, ev, stats };
      } finally {
        await ev.close();
      }
    } finally {
      this.release();
    }
  }
}

function toInstant(v: EvalValue, t: number, leftOpen: boolean): InstantResult {
  switch (v.kind) {
    case 'scalar':
      return { resultType: 'scalar', result: { t, v: (v as StepScalar).vals[0]! } };
    case 'string':
      return { resultType: 'string', result: { t, v: (v as StepString).s } };
    case 'vector':
      return {
        resultType: 'vector',
        result: (v as StepVector).series.filter((s) => s.has[0]).map((s) => ({ labels: s.labels, t, v: s.vals[0]! })),
      };
    case 'matrix': {
      const m = v as RangeValue;
      const end = m.refTime(0);
      const start = end - m.range;
      const result: MatrixSeries[] = [];
      for (const s of m.series) {
        const idx: number[] = [];
        for (let i = 0; i < s.n; i++) if ((leftOpen ? s.ts[i]! > start : s.ts[i]! >= start) && s.ts[i]! <= end) idx.push(i);
        if (idx.length === 0) continue;
        result.push({ labels: s.labels, ts: Float64Array.from(idx, (i) => s.ts[i]!), vs: Float64Array.from(idx, (i) => s.vs[i]!) });
      }
      return { resultType: 'matrix', result };
    }
  }
}
