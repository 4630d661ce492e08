import { formatLabels, promApi, queryInstant, queryRange, type Labels, type QueryData } from '../lib/api.js';
import { panelInterval, parseDuration, rateInterval } from '../lib/time.js';
import type { Panel, Target } from './types.js';
import { interpolate, type BuiltIns, type VarState } from './variables.js';

/** One series of a panel's result, Grafana's "data frame" reduced to what the panels need. */
export interface Frame {
  refId: string;
  name: string;
  labels: Labels;
  /** Seconds. */
  times: number[];
  values: Array<number | null>;
}

export interface PanelData {
  frames: Frame[];
  intervalMs: number;
  /** The queries as sent (after interpolation), for the panel's inspect tooltip. */
  queries: string[];
}

/** Default scrape interval when the config cannot be read: Grafana's data source default. */
const DEFAULT_SCRAPE_MS = 15_000;
let scrapeIntervalPromise: Promise<number> | null = null;

/**
 * The global scrape_interval from /api/v1/status/config; Grafana takes it from the data source
 * settings and uses it as the minimum $__interval and in $__rate_interval.
 */
export function scrapeInterval(): Promise<number> {
  scrapeIntervalPromise ??= promApi<{ yaml: string }>('api/v1/status/config')
    .then((r) => {
      const m = /^global:\s*\n(?:[ \t]+.*\n)*?[ \t]+scrape_interval:\s*['"]?([0-9a-z]+)/m.exec(r.data.yaml);
      return (m ? parseDuration(m[1]!) : null) ?? DEFAULT_SCRAPE_MS;
    })
    .catch(() => DEFAULT_SCRAPE_MS);
  return scrapeIntervalPromise;
}

/** Replaces {{label}} in a legend format; an empty format uses the series' labels like Grafana. */
export function legendName(format: string | undefined, labels: Labels, exprFallback: string): string {
  if (!format || format === '__auto') {
    const s = formatLabels(labels);
    return s === '{}' || s === '' ? exprFallback : s;
  }
  return format.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_m, k: string) => labels[k] ?? '');
}

function framesOf(d: QueryData, t: Target, refId: string, expr: string): Frame[] {
  switch (d.resultType) {
    case 'matrix':
      return d.result.map((s) => ({
        refId,
        name: legendName(t.legendFormat, s.metric, expr),
        labels: s.metric,
        times: s.values.map((p) => p[0]),
        values: s.values.map((p) => parseFloat(p[1])),
      }));
    case 'vector':
      return d.result.map((s) => ({ refId, name: legendName(t.legendFormat, s.metric, expr), labels: s.metric, times: [s.value[0]], values: [parseFloat(s.value[1])] }));
    case 'scalar':
      return [{ refId, name: t.legendFormat || expr, labels: {}, times: [d.result[0]], values: [parseFloat(d.result[1])] }];
    case 'string':
      return [];
  }
}

/** Panels that show one number per series query instantly unless the target says otherwise. */
const INSTANT_BY_DEFAULT = new Set<string>();

/**
 * Runs a panel's targets over [fromMs, toMs] with Grafana's interval rules: the panel or target
 * "interval" (or the scrape interval) is the minimum, range/maxDataPoints rounded to a nice value
 * otherwise; $__interval/$__rate_interval/$__range are interpolated; start/end are aligned to
 * the step like Grafana's Prometheus data source.
 */
export async function runPanelQueries(panel: Panel, vars: Map<string, VarState>, fromMs: number, toMs: number, widthPx: number, signal: AbortSignal): Promise<PanelData> {
  const scrapeMs = await scrapeInterval();
  const rangeMs = Math.max(1000, toMs - fromMs);
  const maxPoints = panel.maxDataPoints ?? Math.max(100, Math.round(widthPx));
  const targets = (panel.targets ?? []).filter((t) => !t.hide && (t.expr ?? '').trim() !== '');
  const frames: Frame[] = [];
  const queries: string[] = [];
  let panelIntervalMs = scrapeMs;
  const results = await Promise.all(
    targets.map(async (t, i) => {
      const refId = t.refId ?? String.fromCharCode(65 + i);
      const minText = interpolate(t.interval || panel.interval || '', vars);
      const minMs = (minText ? parseDuration(minText.replace(/^>/, '')) : null) ?? scrapeMs;
      const intervalMs = panelInterval(rangeMs, maxPoints, minMs) * Math.max(1, t.intervalFactor ?? 1);
      panelIntervalMs = intervalMs;
      const b: BuiltIns = { intervalMs, rateIntervalMs: rateInterval(intervalMs, scrapeMs), rangeMs, fromMs, toMs };
      const expr = interpolate(t.expr ?? '', vars, b);
      queries.push(expr);
      const instant = t.instant === true && t.range !== true ? true : INSTANT_BY_DEFAULT.has(panel.type ?? '');
      if (instant) {
        const r = await queryInstant(expr, toMs / 1000, signal);
        return framesOf(r.data, t, refId, expr);
      }
      const step = Math.max(1, Math.round(intervalMs / 1000));
      const start = Math.floor(fromMs / 1000 / step) * step;
      const end = Math.floor(toMs / 1000 / step) * step;
      const r = await queryRange(expr, start, end, step, signal);
      return framesOf(r.data, t, refId, expr);
    }),
  );
  for (const r of results) frames.push(...r);
  return { frames, intervalMs: panelIntervalMs, queries };
}

/** Grafana's reducers (reduceOptions.calcs). */
export function reduce(values: Array<number | null>, calc: string): number | null {
  const nums = values.filter((v): v is number => v !== null && !Number.isNaN(v));
  switch (calc) {
    case 'last':
      return values.length ? (values[values.length - 1] ?? null) : null;
    case 'first':
      return values.length ? (values[0] ?? null) : null;
    case 'firstNotNull':
      return nums.length ? nums[0]! : null;
    case 'mean':
      return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : null;
    case 'max':
      return nums.length ? Math.max(...nums) : null;
    case 'min':
      return nums.length ? Math.min(...nums) : null;
    case 'sum':
      return nums.reduce((a, b) => a + b, 0);
    case 'count':
      return values.length;
    case 'range':
      return nums.length ? Math.max(...nums) - Math.min(...nums) : null;
    case 'delta':
    case 'diff':
      return nums.length ? nums[nums.length - 1]! - nums[0]! : null;
    case 'lastNotNull':
    default:
      return nums.length ? nums[nums.length - 1]! : null;
  }
}

/** Aligns frames on the union of their timestamps for uPlot. */
export function alignFrames(frames: Frame[]): { x: number[]; values: Array<Array<number | null>> } {
  const set = new Set<number>();
  for (const f of frames) for (const t of f.times) set.add(t);
  const x = [...set].sort((a, b) => a - b);
  const index = new Map<number, number>();
  x.forEach((t, i) => index.set(t, i));
  const values = frames.map((f) => {
    const out = new Array<number | null>(x.length).fill(null);
    f.times.forEach((t, i) => {
      const v = f.values[i];
      out[index.get(t)!] = v === undefined || Number.isNaN(v) ? null : v;
    });
    return out;
  });
  return { x, values };
}
