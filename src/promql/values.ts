/**
 * Evaluation values. Inside the engine every instant-vector expression is
 * evaluated over the whole step grid at once: a series holds one Float64Array
 * slot per step plus a presence mask (NaN is a legal value, so presence is separate).
 */
import type { Labels } from '../model/index.js';

export interface Grid {
  /** First evaluation timestamp (ms). */
  start: number;
  end: number;
  /** Step in ms (>0; 1 for instant queries). */
  step: number;
  /** Number of steps. */
  n: number;
}

export function gridTime(g: Grid, i: number): number {
  return g.start + i * g.step;
}

export function makeGrid(start: number, end: number, step: number): Grid {
  const n = start > end ? 0 : Math.floor((end - start) / step) + 1;
  return { start, end, step, n };
}

export interface StepSeries {
  labels: Labels;
  vals: Float64Array;
  has: Uint8Array;
  /** For timestamp(): per-step sample timestamps (only set by vector selectors). */
  ts?: Float64Array;
}

export interface StepVector {
  kind: 'vector';
  series: StepSeries[];
}

export interface StepScalar {
  kind: 'scalar';
  vals: Float64Array;
}

export interface StepString {
  kind: 'string';
  s: string;
}

/** Raw samples of one series (stale markers removed for range selection). */
export interface RawSeries {
  labels: Labels;
  ts: Float64Array;
  vs: Float64Array;
  n: number;
}

/**
 * A range-vector value: raw series plus how to find each step's window:
 * window end = refTime(i), window start = end - range (left-open in 3.x).
 */
export interface RangeValue {
  kind: 'matrix';
  series: RawSeries[];
  range: number;
  refTime: (i: number) => number;
  /** 3.x extended range selectors (experimental): boundary samples added per window. */
  mode?: 'anchored' | 'smoothed';
  /** Lookback delta bounding the search for boundary samples (anchored/smoothed). */
  lookback?: number;
}

export type EvalValue = StepVector | StepScalar | StepString | RangeValue;

// ---- public results ----

export interface VectorSample {
  labels: Labels;
  /** Timestamp in ms. */
  t: number;
  v: number;
}

export interface MatrixSeries {
  labels: Labels;
  /** Timestamps in ms. */
  ts: Float64Array;
  vs: Float64Array;
}

export type InstantResult =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar'; result: { t: number; v: number } }
  | { resultType: 'string'; result: { t: number; v: string } };

export type RangeResult = { resultType: 'matrix'; result: MatrixSeries[] };

export interface QueryResult<R> {
  value: R;
  warnings: string[];
  infos: string[];
  stats: QueryStats;
}

/** What Prometheus reports under `stats` when a query asks for it (seconds, sample counts). */
export interface QueryStats {
  timings: { evalTotalTime: number; resultSortTime: number; queryPreparationTime: number; innerEvalTime: number; execQueueTime: number; execTotalTime: number };
  samples: { totalQueryableSamples: number; peakSamples: number };
}

export function newStepSeries(labels: Labels, n: number): StepSeries {
  return { labels, vals: new Float64Array(n), has: new Uint8Array(n) };
}
