/**
 * Deterministic dataset for the differential suite: counters with resets,
 * gauges (negative, NaN, +Inf), classic histograms, series with gaps, series
 * that end (staleness via lookback) and many label combinations. Written as
 * OpenMetrics for `promtool tsdb create-blocks-from openmetrics` and appended
 * to any Appendable for Vigil.
 */
import { STALE_NAN, labelsFromObject, type Labels } from '../../model/index.js';
import type { Appendable } from '../../storage/index.js';

export interface DataSeries {
  labels: Record<string, string>;
  ts: number[];
  vs: Float64Array;
}

/** 2023-01-01T00:00:00Z */
export const T0 = 1672531200000;
export const DURATION = 3 * 3600 * 1000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DatasetOptions {
  seed?: number;
  /** Multiplies the number of instances (for benchmarks). */
  scale?: number;
}

export function generateDataset(opts: DatasetOptions = {}): DataSeries[] {
  const r = rng(opts.seed ?? 42);
  const out: DataSeries[] = [];
  const instances = ['a:9100', 'b:9100', 'c:9100'];
  const interval = 15000;

  const times = (startOff = 0, endOff = DURATION, gap?: [number, number]): number[] => {
    const phase = Math.floor(r() * interval);
    const ts: number[] = [];
    for (let t = T0 + startOff + phase; t < T0 + endOff; t += interval) {
      if (gap && t >= T0 + gap[0] && t < T0 + gap[1]) continue;
      ts.push(t + Math.floor(r() * 40) - 20);
    }
    return ts;
  };
  const counter = (labels: Record<string, string>, rate: number, resetProb: number, ts = times()): void => {
    const vs = new Float64Array(ts.length);
    let v = Math.floor(r() * 1000);
    for (let i = 0; i < ts.length; i++) {
      if (r() < resetProb) v = Math.floor(r() * 3);
      else v += Math.round(r() * rate * 15 * 100) / 100;
      vs[i] = v;
    }
    out.push({ labels, ts, vs });
  };
  const gauge = (labels: Record<string, string>, base: number, amp: number, ts = times(), special = false): void => {
    const vs = new Float64Array(ts.length);
    for (let i = 0; i < ts.length; i++) {
      vs[i] = Math.round((base + amp * Math.sin(i / 17) + amp * 0.3 * (r() - 0.5)) * 1000) / 1000;
      if (special && i % 97 === 50) vs[i] = NaN;
      if (special && i === 300) vs[i] = Infinity;
    }
    out.push({ labels, ts, vs });
  };

  for (let k = 0; k < (opts.scale ?? 1); k++) {
    const insts = k === 0 ? instances : instances.map((i) => `${k}-${i}`);
    for (const instance of insts) {
      for (const job of ['api', 'web']) {
        for (const method of ['GET', 'POST']) {
          for (const code of ['200', '500']) {
            counter({ __name__: 'http_requests_total', job, instance, method, code }, code === '200' ? 20 : 1, job === 'web' ? 0.004 : 0.001);
          }
        }
        // Classic histogram.
        const ts = times();
        const les = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
        const counts = les.map(() => 0);
        const series = les.map(() => new Float64Array(ts.length));
        const sum = new Float64Array(ts.length);
        let s = 0;
        for (let i = 0; i < ts.length; i++) {
          const n = Math.floor(r() * 20);
          for (let j = 0; j < n; j++) {
            const obs = Math.pow(r(), 2) * 3;
            s += obs;
            for (let b = 0; b < les.length; b++) if (obs <= Number(les[b] === '+Inf' ? Infinity : les[b])) counts[b]!++;
          }
          for (let b = 0; b < les.length; b++) series[b]![i] = counts[b]!;
          sum[i] = Math.round(s * 1000) / 1000;
        }
        les.forEach((le, b) => out.push({ labels: { __name__: 'http_request_duration_seconds_bucket', job, instance, le }, ts, vs: series[b]! }));
        out.push({ labels: { __name__: 'http_request_duration_seconds_sum', job, instance }, ts, vs: sum });
        out.push({ labels: { __name__: 'http_request_duration_seconds_count', job, instance }, ts, vs: series[les.length - 1]!.slice() });
        gauge({ __name__: 'up', job, instance }, 1, 0, times());
      }
      for (const cpu of ['0', '1']) {
        for (const mode of ['idle', 'user', 'system']) {
          counter({ __name__: 'node_cpu_seconds_total', instance, cpu, mode }, mode === 'idle' ? 0.8 : 0.1, 0);
        }
      }
      gauge({ __name__: 'node_memory_MemTotal_bytes', instance }, 8e9, 0);
      gauge({ __name__: 'node_memory_MemAvailable_bytes', instance }, 3e9, 1e9);
      for (const [mountpoint, fstype] of [
        ['/', 'ext4'],
        ['/boot', 'vfat'],
      ] as const) {
        gauge({ __name__: 'node_filesystem_avail_bytes', instance, mountpoint, fstype }, 5e10, 1e9);
        gauge({ __name__: 'node_filesystem_size_bytes', instance, mountpoint, fstype }, 1e11, 0);
      }
      for (const device of ['eth0', 'lo']) counter({ __name__: 'node_network_receive_bytes_total', instance, device }, 5e4, 0.002);
      counter({ __name__: 'mysql_global_status_queries', instance }, 300, 0.001);
      gauge({ __name__: 'mysql_global_status_threads_connected', instance }, 40, 30);
      gauge({ __name__: 'mysql_global_variables_max_connections', instance }, 151, 0);
      gauge({ __name__: 'temperature_celsius', instance, sensor: 'cpu' }, 2, 10, times(), true);
      gauge({ __name__: 'gappy_gauge', instance }, 10, 5, times(0, DURATION, [3600_000, 3600_000 + 20 * 60_000]));
      counter({ __name__: 'ending_counter_total', instance }, 5, 0, times(0, 3600_000));
      counter({ __name__: 'starting_counter_total', instance }, 5, 0, times(2 * 3600_000, DURATION));
      gauge({ __name__: 'build_info', instance, version: instance.startsWith('a') ? '1.0' : '2.0' }, 1, 0);
    }
  }
  // Two metrics with identical non-name labels, for "same labelset" errors.
  gauge({ __name__: 'dup_a', x: '1' }, 5, 1);
  gauge({ __name__: 'dup_b', x: '1' }, 6, 1);
  // Label values worth escaping.
  gauge({ __name__: 'weird_labels', path: '/a<b>&"c"\\d', nl: 'x\ny' }, 1, 0);
  return out;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatOMValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** OpenMetrics text (families contiguous, no metadata so every family is untyped) ending with # EOF. */
export function toOpenMetrics(data: DataSeries[]): string {
  const byName = new Map<string, DataSeries[]>();
  for (const s of data) {
    const n = s.labels['__name__']!;
    let l = byName.get(n);
    if (!l) byName.set(n, (l = []));
    l.push(s);
  }
  const lines: string[] = [];
  for (const [name, list] of byName) {
    for (const s of list) {
      const ls = Object.entries(s.labels)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      const head = ls ? `${name}{${ls}}` : name;
      for (let i = 0; i < s.ts.length; i++) lines.push(`${head} ${formatOMValue(s.vs[i]!)} ${(s.ts[i]! / 1000).toFixed(3)}`);
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

export async function loadInto(app: Appendable, data: DataSeries[]): Promise<void> {
  const a = app.appender();
  for (const s of data) {
    const ls: Labels = labelsFromObject(s.labels);
    let ref = 0;
    for (let i = 0; i < s.ts.length; i++) ref = a.append(ref, ls, s.ts[i]!, s.vs[i]!);
  }
  await a.commit();
}

/** Start of the staleness dataset: after the imported blocks, so remote write may append it to Prometheus' head. */
export const STALE_START = T0 + DURATION + 5 * 60_000;

/**
 * Series with explicit staleness markers (STALE_NAN in Float64Array, bits intact):
 * one ends with a marker, one pauses and resumes, a counter that resets after its
 * marker, and a marker followed a second later by a new sample.
 */
export function generateStaleDataset(): DataSeries[] {
  const S = STALE_START;
  const mk = (labels: Record<string, string>, points: Array<[number, number | 'stale']>): DataSeries => {
    const vs = new Float64Array(points.length);
    points.forEach(([, v], i) => (vs[i] = v === 'stale' ? STALE_NAN : v));
    return { labels, ts: points.map(([t]) => S + t), vs };
  };
  const every = (from: number, to: number, f: (k: number) => number): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    for (let t = from, k = 0; t < to; t += 15_000, k++) out.push([t + 7, f(k)]);
    return out;
  };
  const M = 60_000;
  return [
    mk({ __name__: 'stale_gauge', i: '1' }, [...every(0, 10 * M, (k) => 10 + (k % 7)), [10 * M + 7, 'stale']]),
    mk({ __name__: 'stale_gauge', i: '2' }, [...every(0, 5 * M, (k) => 20 - (k % 5)), [5 * M + 7, 'stale'], ...every(8 * M, 20 * M, (k) => 30 + k)]),
    mk({ __name__: 'stale_gauge', i: '3' }, [...every(0, 6 * M, (k) => k * 1.5), [6 * M + 7, 'stale'], [6 * M + 1007, 42], ...every(7 * M, 12 * M, (k) => 50 - k)]),
    mk({ __name__: 'stale_counter_total', i: '1' }, [...every(0, 9 * M, (k) => k * 10), [9 * M + 7, 'stale'], ...every(11 * M, 25 * M, (k) => k * 3)]),
  ];
}
