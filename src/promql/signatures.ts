import type { ValueType } from './ast.js';

/** A function's signature as in Prometheus' parser.Functions. */
export interface FunctionSig {
  name: string;
  argTypes: ValueType[];
  /** 0: exact; >0: up to that many optional trailing args of the last type; -1: unlimited. */
  variadic: number;
  returnType: ValueType;
  /** Behind Prometheus' promql-experimental-functions flag in 3.x. */
  experimental?: boolean;
  /** Only exists under this compat mode ('2' = holt_winters). */
  onlyCompat?: '2' | '3';
}

const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

function f(name: string, argTypes: ValueType[], returnType: ValueType, variadic = 0, extra: Partial<FunctionSig> = {}): FunctionSig {
  return { name, argTypes, variadic, returnType, ...extra };
}

const LIST: FunctionSig[] = [
  f('abs', [V], V),
  f('absent', [V], V),
  f('absent_over_time', [M], V),
  f('acos', [V], V),
  f('acosh', [V], V),
  f('asin', [V], V),
  f('asinh', [V], V),
  f('atan', [V], V),
  f('atanh', [V], V),
  f('avg_over_time', [M], V),
  f('ceil', [V], V),
  f('changes', [M], V),
  f('clamp', [V, S, S], V),
  f('clamp_max', [V, S], V),
  f('clamp_min', [V, S], V),
  f('cos', [V], V),
  f('cosh', [V], V),
  f('count_over_time', [M], V),
  f('days_in_month', [V], V, 1),
  f('day_of_month', [V], V, 1),
  f('day_of_week', [V], V, 1),
  f('day_of_year', [V], V, 1),
  f('deg', [V], V),
  f('delta', [M], V),
  f('deriv', [M], V),
  f('exp', [V], V),
  f('floor', [V], V),
  f('histogram_avg', [V], V),
  f('histogram_count', [V], V),
  f('histogram_fraction', [S, S, V], V),
  f('histogram_quantile', [S, V], V),
  f('histogram_stddev', [V], V),
  f('histogram_stdvar', [V], V),
  f('histogram_sum', [V], V),
  f('double_exponential_smoothing', [M, S, S], V, 0, { experimental: true, onlyCompat: '3' }),
  f('holt_winters', [M, S, S], V, 0, { onlyCompat: '2' }),
  f('hour', [V], V, 1),
  f('idelta', [M], V),
  f('increase', [M], V),
  f('info', [V, V], V, 1, { experimental: true }),
  f('irate', [M], V),
  f('label_replace', [V, STR, STR, STR, STR], V),
  f('label_join', [V, STR, STR, STR], V, -1),
  f('last_over_time', [M], V),
  f('first_over_time', [M], V, 0, { experimental: true }),
  f('ln', [V], V),
  f('log10', [V], V),
  f('log2', [V], V),
  f('mad_over_time', [M], V, 0, { experimental: true }),
  f('max_over_time', [M], V),
  f('min_over_time', [M], V),
  f('minute', [V], V, 1),
  f('month', [V], V, 1),
  f('pi', [], S),
  f('predict_linear', [M, S], V),
  f('present_over_time', [M], V),
  f('quantile_over_time', [S, M], V),
  f('rad', [V], V),
  f('rate', [M], V),
  f('resets', [M], V),
  f('round', [V, S], V, 1),
  f('scalar', [V], S),
  f('sgn', [V], V),
  f('sin', [V], V),
  f('sinh', [V], V),
  f('sort', [V], V),
  f('sort_desc', [V], V),
  f('sort_by_label', [V, STR], V, -1, { experimental: true }),
  f('sort_by_label_desc', [V, STR], V, -1, { experimental: true }),
  f('sqrt', [V], V),
  f('stddev_over_time', [M], V),
  f('stdvar_over_time', [M], V),
  f('sum_over_time', [M], V),
  f('tan', [V], V),
  f('tanh', [V], V),
  f('time', [], S),
  f('timestamp', [V], V),
  f('ts_of_first_over_time', [M], V, 0, { experimental: true }),
  f('ts_of_last_over_time', [M], V, 0, { experimental: true }),
  f('ts_of_max_over_time', [M], V, 0, { experimental: true }),
  f('ts_of_min_over_time', [M], V, 0, { experimental: true }),
  f('vector', [S], V),
  f('year', [V], V, 1),
];

export const FUNCTIONS: ReadonlyMap<string, FunctionSig> = new Map(LIST.map((s) => [s.name, s]));
