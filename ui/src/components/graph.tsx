import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { stackValues } from '../dash/overrides.js';
import { fmt, PALETTE } from '../dash/units.js';
import { formatTimestamp } from '../lib/time.js';

export interface GraphSeries {
  label: string;
  /** One value per x, null where the series has no sample. */
  values: Array<number | null>;
  color?: string;
  /** Per-series fill (0-100), line width, and field-override effects (see dash/overrides.ts). */
  fillOpacity?: number;
  lineWidth?: number;
  /** False: drawn on its own when the chart is stacked. */
  stack?: boolean;
  /** Drawn below the axis (Grafana's negative-Y transform); the hover shows the real value. */
  negate?: boolean;
  hidden?: boolean;
}

export interface GraphProps {
  /** Timestamps in seconds, ascending. */
  x: number[];
  series: GraphSeries[];
  unit?: string;
  decimals?: number | null;
  min?: number | null;
  max?: number | null;
  stacked?: boolean;
  /** With stacked: each stack point as its share of the total (Grafana's percent stacking). */
  percent?: boolean;
  fillOpacity?: number;
  height: number;
  /** Called with the selected range (seconds) after a drag; the chart zooms itself otherwise. */
  onZoom?: (from: number, to: number) => void;
  legend?: boolean;
  /** Fixed x range in seconds (the query's time range); the data's extent otherwise. */
  xMin?: number;
  xMax?: number;
  /** Changing it recreates the chart (theme colours are read at creation). */
  theme: string;
}

/** Axis labels: "0.500" → "0.5", "2.00 GiB" → "2 GiB". */
function trimZeros(s: string): string {
  return s.replace(/^(-?\d+)\.(\d*?)0+(?=\D|$)/, (_m, a: string, b: string) => (b ? `${a}.${b}` : a));
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const a = Math.round(Math.min(Math.max(alpha, 0), 1) * 255)
    .toString(16)
    .padStart(2, '0');
  return `#${m[1]}${a}`;
}

/** The values as drawn: negated for negative-Y, stacked when the chart stacks. */
function plotData(p: GraphProps): Array<Array<number | null>> {
  const drawn = p.series.map((s) => ({ values: s.negate ? s.values.map((v) => (v === null ? null : -v)) : s.values, stack: s.stack }));
  return p.stacked ? stackValues(drawn, p.x.length, p.percent ? 'percent' : 'normal') : drawn.map((d) => d.values);
}

/** Indices of the values that have no non-null neighbour (no line segment touches them). */
function isolatedPoints(values: ArrayLike<number | null | undefined> | undefined): number[] | null {
  if (!values) return null;
  const out: number[] = [];
  const has = (i: number): boolean => {
    const v = values[i];
    return v !== null && v !== undefined && Number.isFinite(v);
  };
  for (let i = 0; i < values.length; i++) if (has(i) && !(i > 0 && has(i - 1)) && !(i + 1 < values.length && has(i + 1))) out.push(i);
  return out.length > 0 ? out : null;
}

/** A uPlot time-series chart with a live legend (hover values), drag-to-zoom and optional stacking. */
export function Graph(p: GraphProps): preact.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomRef = useRef(p.onZoom);
  zoomRef.current = p.onZoom;
  // Callbacks read the latest props through this ref, so new data can go in with setData()
  // instead of rebuilding the chart (no flicker on refresh; hover and drag keep working).
  const cur = useRef(p);
  cur.current = p;
  const structure = JSON.stringify([p.series.map((s) => [s.label, s.color, s.fillOpacity, s.lineWidth, s.stack, s.negate, s.hidden]), p.unit, p.decimals, p.min, p.max, p.stacked, p.percent, p.height, p.theme, p.legend, p.fillOpacity, p.xMin !== undefined]);
  const builtWith = useRef<{ x: number[]; series: GraphSeries[] } | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const axisColor = cssVar('--fg-muted');
    const gridColor = cssVar('--grid');
    const data = plotData(p);
    const fill = p.fillOpacity ?? (p.stacked ? 40 : 0);
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height: p.height,
      legend: { show: p.legend !== false, live: true },
      cursor: { drag: { x: true, y: false, setScale: !p.onZoom }, focus: { prox: 16 } },
      focus: { alpha: 0.4 },
      scales: {
        x:
          p.xMin !== undefined
            ? {
                time: true,
                range: (_u, dmin, dmax): uPlot.Range.MinMax => {
                  const { xMin, xMax } = cur.current;
                  return xMin !== undefined && xMax !== undefined && xMax > xMin ? [xMin, xMax] : [dmin, dmax];
                },
              }
            : { time: true },
        y: {
          range: (_u, dmin, dmax): uPlot.Range.MinMax => {
            let lo = p.min ?? (dmin === null ? 0 : dmin);
            let hi = p.max ?? (dmax === null ? 1 : dmax);
            if (p.min === undefined || p.min === null) lo = Math.min(lo, 0) === 0 && dmin !== null && dmin >= 0 ? 0 : lo;
            if (lo === hi) {
              hi = lo === 0 ? 1 : hi + Math.abs(hi) * 0.1;
              if (p.min === undefined || p.min === null) lo = lo - Math.abs(lo) * 0.1;
            }
            if (p.max === undefined || p.max === null) hi = hi + (hi - lo) * 0.05;
            return [lo, hi];
          },
        },
      },
      axes: [
        {
          stroke: axisColor,
          // With ticks seconds apart the first tick's second line reads "date h:mm", which ran into
          // the next label at uPlot's 50 px; those get 70 px. Minute ticks keep 50 px so that narrow
          // panels still get more than one label.
          space: (_u, _i, min, max, dim): number => (dim > 0 && ((max - min) / dim) * 50 < 60 ? 70 : 50),
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor },
        },
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor },
          // Wide enough for the longest tick label (uPlot clips labels that do not fit).
          size: (_u, values): number => (values ? Math.max(...values.map((v) => v.length), 2) * 7.2 + 18 : 50),
          values: (_u, vals): string[] => vals.map((v) => trimZeros(fmt(v, p.unit, null))),
        },
      ],
      series: [
        { label: 'Time', value: (_u, v): string => (v === null ? '' : formatTimestamp(v * 1000)) },
        ...p.series.map((s, i) => {
          const color = s.color ?? PALETTE[i % PALETTE.length]!;
          const f = s.fillOpacity ?? fill;
          return {
            label: s.label,
            stroke: color,
            width: s.lineWidth ?? 1.25,
            show: s.hidden !== true,
            fill: f > 0 ? withAlpha(color, f / 100) : undefined,
            spanGaps: false,
            // uPlot hides points where the data is dense; a sample without a neighbour (a series
            // scraped once in the range, or between gaps) would then not be drawn at all.
            points: { fill: color, filter: (u: uPlot, si: number, show: boolean): number[] | null => (show ? null : isolatedPoints(u.data[si])) },
            // Hover values show the series' own value, not the stacked sum.
            value: (_u: uPlot, _v: number | null, _si: number, idx: number | null): string => {
              if (idx === null) return '';
              const raw = cur.current.series[i]?.values[idx];
              return raw === null || raw === undefined ? '—' : fmt(raw, p.unit, p.decimals);
            },
          } satisfies uPlot.Series;
        }),
      ],
      hooks: {
        setSelect: [
          (u: uPlot): void => {
            if (!zoomRef.current || u.select.width < 5) return;
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoomRef.current(from, to);
          },
        ],
      },
    };
    if (p.stacked) {
      // Fill between each stacked series and the stacked one below it, as Grafana's stacking does.
      const inStack = p.series.map((s, i) => (s.stack === false ? -1 : i + 1)).filter((i) => i > 0);
      opts.bands = inStack.slice(1).map((si, k) => ({ series: [si, inStack[k]!] as [number, number] }));
    }
    const u = new uPlot(opts, [p.x, ...data] as uPlot.AlignedData, el);
    plot.current = u;
    builtWith.current = { x: p.x, series: p.series };
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - u.width) > 1) u.setSize({ width: w, height: p.height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [structure]);

  // Same series, new samples: update in place.
  useEffect(() => {
    const u = plot.current;
    const b = builtWith.current;
    if (!u || !b || (b.x === p.x && b.series === p.series)) return;
    builtWith.current = { x: p.x, series: p.series };
    const data = plotData(p);
    u.setData([p.x, ...data] as uPlot.AlignedData, true);
  }, [p.x, p.series, p.xMin, p.xMax]);

  return <div class="graph" ref={ref} />;
}
