/**
 * Compares two Prometheus API JSON responses: same status and error type, same
 * series and labels, same timestamps, values equal within 1e-9 relative (or both NaN).
 */

interface ApiBody {
  status: string;
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

type Metric = Record<string, string>;

function num(s: string): number {
  if (s === 'NaN') return NaN;
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

export function valuesEqual(a: string, b: string): boolean {
  if (a === b) return true;
  const x = num(a);
  const y = num(b);
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  if (x === y) return true;
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

function key(m: Metric): string {
  return Object.keys(m)
    .sort()
    .map((k) => `${k}=${JSON.stringify(m[k])}`)
    .join(',');
}

export interface CompareOptions {
  /** Keep result order (sort functions). */
  ordered?: boolean;
  /** Also require equal error messages. */
  strictErrors?: boolean;
}

/** Returns null when equivalent, else a description of the first difference. */
export function compareResponses(prom: ApiBody, vigil: ApiBody, opts: CompareOptions = {}): string | null {
  if (prom.status !== vigil.status) {
    return `status ${prom.status} (${prom.errorType ?? ''}: ${prom.error ?? ''}) vs ${vigil.status} (${vigil.errorType ?? ''}: ${vigil.error ?? ''})`;
  }
  if (prom.status !== 'success') {
    if (prom.errorType !== vigil.errorType) return `errorType ${prom.errorType}: ${prom.error} vs ${vigil.errorType}: ${vigil.error}`;
    if (opts.strictErrors && prom.error !== vigil.error) return `error message ${JSON.stringify(prom.error)} vs ${JSON.stringify(vigil.error)}`;
    return null;
  }
  const pd = prom.data!;
  const vd = vigil.data!;
  if (pd.resultType !== vd.resultType) return `resultType ${pd.resultType} vs ${vd.resultType}`;
  switch (pd.resultType) {
    case 'scalar':
    case 'string': {
      const [pt, pv] = pd.result as [number, string];
      const [vt, vv] = vd.result as [number, string];
      if (pt !== vt) return `time ${pt} vs ${vt}`;
      if (pd.resultType === 'string' ? pv !== vv : !valuesEqual(pv, vv)) return `value ${pv} vs ${vv}`;
      return null;
    }
    case 'vector': {
      type S = { metric: Metric; value: [number, string] };
      let p = pd.result as S[];
      let v = vd.result as S[];
      if (p.length !== v.length) return `vector length ${p.length} vs ${v.length}: ${JSON.stringify(p.slice(0, 3))} vs ${JSON.stringify(v.slice(0, 3))}`;
      if (opts.ordered) {
        for (let i = 0; i < p.length; i++) {
          if (!valuesEqual(p[i]!.value[1], v[i]!.value[1])) return `order/value at ${i}: ${JSON.stringify(p[i])} vs ${JSON.stringify(v[i])}`;
        }
      }
      p = [...p].sort((a, b) => (key(a.metric) < key(b.metric) ? -1 : 1));
      v = [...v].sort((a, b) => (key(a.metric) < key(b.metric) ? -1 : 1));
      for (let i = 0; i < p.length; i++) {
        if (key(p[i]!.metric) !== key(v[i]!.metric)) return `labels ${key(p[i]!.metric)} vs ${key(v[i]!.metric)}`;
        if (p[i]!.value[0] !== v[i]!.value[0]) return `time ${p[i]!.value[0]} vs ${v[i]!.value[0]}`;
        if (!valuesEqual(p[i]!.value[1], v[i]!.value[1])) return `value for ${key(p[i]!.metric)}: ${p[i]!.value[1]} vs ${v[i]!.value[1]}`;
      }
      return null;
    }
    case 'matrix': {
      type S = { metric: Metric; values: [number, string][] };
      const p = [...(pd.result as S[])].sort((a, b) => (key(a.metric) < key(b.metric) ? -1 : 1));
      const v = [...(vd.result as S[])].sort((a, b) => (key(a.metric) < key(b.metric) ? -1 : 1));
      if (p.length !== v.length) return `matrix length ${p.length} vs ${v.length}: ${p.map((s) => key(s.metric)).slice(0, 4).join(' | ')} vs ${v.map((s) => key(s.metric)).slice(0, 4).join(' | ')}`;
      for (let i = 0; i < p.length; i++) {
        if (key(p[i]!.metric) !== key(v[i]!.metric)) return `labels ${key(p[i]!.metric)} vs ${key(v[i]!.metric)}`;
        const pv = p[i]!.values;
        const vv = v[i]!.values;
        if (pv.length !== vv.length) return `points of ${key(p[i]!.metric)}: ${pv.length} vs ${vv.length} (first ${JSON.stringify(pv[0])} vs ${JSON.stringify(vv[0])})`;
        for (let j = 0; j < pv.length; j++) {
          if (pv[j]![0] !== vv[j]![0]) return `time in ${key(p[i]!.metric)}: ${pv[j]![0]} vs ${vv[j]![0]}`;
          if (!valuesEqual(pv[j]![1], vv[j]![1])) return `value in ${key(p[i]!.metric)} at ${pv[j]![0]}: ${pv[j]![1]} vs ${vv[j]![1]}`;
        }
      }
      return null;
    }
  }
  return `unknown resultType ${pd.resultType}`;
}
