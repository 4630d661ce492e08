import { Component, type ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Graph } from '../components/graph.js';
import { alignFrames, reduce, runPanelQueries, type Frame, type PanelData } from './data.js';
import { renderMarkdown, sanitizeHtml } from './markdown.js';
import { seriesStyles } from './overrides.js';
import type { FieldDefaults, Panel } from './types.js';
import { displayValue, formattedToString, PALETTE, resolveColor, thresholdColor } from './units.js';
import { interpolate, type VarState } from './variables.js';

export interface PanelProps {
  panel: Panel;
  vars: Map<string, VarState>;
  fromMs: number;
  toMs: number;
  /** Changes on every refresh tick. */
  refreshKey: number;
  theme: string;
  heightPx: number;
  /** Drag-to-zoom on a time series panel: the new absolute range in ms. */
  onZoom?: (fromMs: number, toMs: number) => void;
}

/** Catches render errors so that one broken panel shows an error instead of taking the dashboard down. */
class PanelBoundary extends Component<{ children: ComponentChildren; resetKey: unknown }, { error: Error | null; key: unknown }> {
  override state: { error: Error | null; key: unknown } = { error: null, key: undefined };
  static override getDerivedStateFromProps(props: { resetKey: unknown }, state: { error: Error | null; key: unknown }): { error: Error | null; key: unknown } | null {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }
  override componentDidCatch(error: Error): void {
    this.setState({ error });
  }
  override render(): ComponentChildren {
    if (this.state.error) return <div class="panel-error-msg">Panel failed to render: {this.state.error.message}</div>;
    return this.props.children;
  }
}

/** Field config merged with a legacy graph panel's y-axis settings. */
function defaultsOf(panel: Panel): FieldDefaults {
  const d: FieldDefaults = { ...(panel.fieldConfig?.defaults ?? {}) };
  const ax = panel.yaxes?.[0];
  if (panel.type === 'graph' && ax) {
    if (!d.unit && ax.format) d.unit = ax.format;
    if (d.min === undefined && ax.min !== undefined && ax.min !== null && ax.min !== '') d.min = Number(ax.min);
    if (d.max === undefined && ax.max !== undefined && ax.max !== null && ax.max !== '') d.max = Number(ax.max);
    if (d.decimals === undefined && ax.decimals !== undefined) d.decimals = ax.decimals;
  }
  if (!d.unit && panel.format) d.unit = panel.format;
  if (d.decimals === undefined && panel.decimals !== undefined) d.decimals = panel.decimals;
  return d;
}

const DATA_PANELS = new Set(['timeseries', 'graph', 'stat', 'gauge', 'bargauge', 'table', 'singlestat']);

export function DashboardPanel(p: PanelProps): preact.JSX.Element {
  const { panel } = p;
  const type = panel.type ?? 'graph';
  const ref = useRef<HTMLDivElement>(null);
  const [data, setData] = useState<PanelData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const varsKey = useMemo(() => JSON.stringify([...p.vars.values()].map((v) => [v.model.name, v.selected, v.options.length])), [p.vars]);

  useEffect(() => {
    if (!DATA_PANELS.has(type)) return;
    const ac = new AbortController();
    setLoading(true);
    const width = ref.current?.clientWidth ?? 600;
    runPanelQueries(panel, p.vars, p.fromMs, p.toMs, width, ac.signal).then(
      (d) => {
        if (ac.signal.aborted) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
    return () => ac.abort();
  }, [panel, varsKey, p.fromMs, p.toMs, p.refreshKey]);

  const title = interpolate(panel.title ?? '', p.vars);
  const bodyHeight = Math.max(40, p.heightPx - 30);
  const hasData = data !== null && data.frames.length > 0;
  const state = !DATA_PANELS.has(type) ? 'ok' : error ? 'error' : data === null ? 'loading' : hasData ? 'ok' : 'nodata';

  return (
    <div class="dash-panel-inner" data-testid="panel" data-panel-type={type} data-state={state} data-loading={loading ? 'true' : 'false'} data-series={data?.frames.length ?? 0} ref={ref}>
      <div class="dash-panel-head" title={panel.description ?? ''}>
        <span class="dash-panel-title">{title}</span>
        {loading ? <span class="spinner" aria-label="loading" /> : null}
        {error ? (
          <span class="panel-error-icon" title={error}>
            !
          </span>
        ) : null}
      </div>
      <div class="dash-panel-body" style={{ height: `${bodyHeight}px` }}>
        <PanelBoundary resetKey={data}>
          {error ? (
            <div class="panel-error-msg" role="alert">
              {error}
            </div>
          ) : (
            <PanelContent type={type} panel={panel} data={data} height={bodyHeight} theme={p.theme} vars={p.vars} fromMs={p.fromMs} toMs={p.toMs} onZoom={p.onZoom} />
          )}
        </PanelBoundary>
      </div>
    </div>
  );
}

function PanelContent(p: { type: string; panel: Panel; data: PanelData | null; height: number; theme: string; vars: Map<string, VarState>; fromMs: number; toMs: number; onZoom?: (fromMs: number, toMs: number) => void }): preact.JSX.Element {
  const { panel, data } = p;
  if (p.type === 'text') return <TextPanel panel={panel} vars={p.vars} />;
  if (!DATA_PANELS.has(p.type)) return <div class="panel-error-msg">Panel type "{p.type}" is not supported by Vigil.</div>;
  if (data === null) return <div class="muted center">Loading…</div>;
  if (data.frames.length === 0) return <div class="muted center no-data">{panel.fieldConfig?.defaults?.noValue ?? 'No data'}</div>;
  const d = defaultsOf(panel);
  switch (p.type) {
    case 'timeseries':
    case 'graph':
      return <TimeSeriesPanel panel={panel} frames={data.frames} defaults={d} height={p.height} theme={p.theme} fromMs={p.fromMs} toMs={p.toMs} onZoom={p.onZoom} />;
    case 'stat':
    case 'singlestat':
      return <StatPanel panel={panel} frames={data.frames} defaults={d} height={p.height} />;
    case 'gauge':
      return <GaugePanel panel={panel} frames={data.frames} defaults={d} height={p.height} />;
    case 'bargauge':
      return <BarGaugePanel panel={panel} frames={data.frames} defaults={d} />;
    case 'table':
      return <TablePanel frames={data.frames} defaults={d} />;
    default:
      return <div class="panel-error-msg">Panel type "{p.type}" is not supported by Vigil.</div>;
  }
}

function TimeSeriesPanel(p: { panel: Panel; frames: Frame[]; defaults: FieldDefaults; height: number; theme: string; fromMs: number; toMs: number; onZoom?: (fromMs: number, toMs: number) => void }): preact.JSX.Element {
  const aligned = useMemo(() => alignFrames(p.frames), [p.frames]);
  const custom = p.defaults.custom ?? {};
  const stackMode = custom.stacking?.mode;
  const series = useMemo(() => {
    const styles = p.panel.type === 'graph' ? [] : seriesStyles(p.panel.fieldConfig?.overrides, p.frames, custom.stacking?.group ?? 'A');
    return p.frames.map((f, i) => {
      const st = styles[i] ?? {};
      return { label: st.displayName ?? f.name, values: aligned.values[i]!, color: st.color ?? PALETTE[i % PALETTE.length]!, fillOpacity: st.fillOpacity, lineWidth: st.lineWidth, stack: st.stack, negate: st.negate, hidden: st.hidden };
    });
  }, [aligned, p.frames, p.panel]);
  const stacked = p.panel.type === 'graph' ? p.panel.stack === true : stackMode === 'normal' || stackMode === 'percent';
  const percent = p.panel.type !== 'graph' && stackMode === 'percent';
  const fill = p.panel.type === 'graph' ? (p.panel.fill ?? 1) * 10 : (custom.fillOpacity ?? 0);
  const legendRows = Math.min(3, Math.ceil(p.frames.length / 3));
  const chartHeight = Math.max(60, p.height - 8 - legendRows * 20);
  return <Graph x={aligned.x} series={series} unit={p.defaults.unit} decimals={p.defaults.decimals} min={p.defaults.min} max={p.defaults.max} stacked={stacked} percent={percent} fillOpacity={fill} height={chartHeight} theme={p.theme} xMin={p.fromMs / 1000} xMax={p.toMs / 1000} onZoom={p.onZoom ? (a, b): void => p.onZoom!(Math.round(a * 1000), Math.round(b * 1000)) : undefined} />;
}

function calcOf(panel: Panel): string {
  const ro = panel.options?.['reduceOptions'] as { calcs?: string[] } | undefined;
  return ro?.calcs?.[0] ?? 'lastNotNull';
}

function Sparkline({ frame, color }: { frame: Frame; color: string }): preact.JSX.Element | null {
  const pts = frame.values.map((v, i) => [frame.times[i]!, v] as const).filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]));
  if (pts.length < 2) return null;
  const t0 = pts[0]![0];
  const t1 = pts[pts.length - 1]![0];
  let lo = Infinity;
  let hi = -Infinity;
  for (const [, v] of pts) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi === lo) hi = lo + 1;
  const d = pts.map(([t, v], i) => `${i ? 'L' : 'M'}${(((t - t0) / (t1 - t0 || 1)) * 100).toFixed(2)},${(30 - ((v - lo) / (hi - lo)) * 28).toFixed(2)}`).join('');
  return (
    <svg class="sparkline" viewBox="0 0 100 30" preserveAspectRatio="none" aria-hidden="true">
      <path d={`${d}L100,30L0,30Z`} fill={color} fill-opacity="0.15" stroke="none" />
      <path d={d} fill="none" stroke={color} stroke-width="1.5" vector-effect="non-scaling-stroke" />
    </svg>
  );
}

function StatPanel(p: { panel: Panel; frames: Frame[]; defaults: FieldDefaults; height: number }): preact.JSX.Element {
  const calc = calcOf(p.panel);
  const colorMode = (p.panel.options?.['colorMode'] as string | undefined) ?? 'value';
  const graphMode = (p.panel.options?.['graphMode'] as string | undefined) ?? 'area';
  const textMode = (p.panel.options?.['textMode'] as string | undefined) ?? 'auto';
  const th = p.defaults.thresholds;
  const n = p.frames.length;
  return (
    <div class="stat-grid" style={{ gridTemplateColumns: `repeat(${Math.min(n, 4)}, 1fr)` }}>
      {p.frames.map((f, i) => {
        const v = reduce(f.values, calc);
        const fv = displayValue(v, p.defaults.unit, p.defaults.decimals, p.defaults.mappings);
        const color = fv.color ?? (p.defaults.color?.mode === 'fixed' ? resolveColor(p.defaults.color.fixedColor) : thresholdColor(v, th?.steps, th?.mode, p.defaults.min ?? 0, p.defaults.max ?? 100));
        // Sized to the tile with container units so long values never overflow.
        const chars = (fv.prefix + fv.text).length + fv.suffix.length * 0.6;
        const fontSize = `min(${n > 1 ? 30 : 42}cqh, ${Math.round(150 / Math.max(chars, 2))}cqw, 64px)`;
        return (
          <div class="stat" key={i} style={colorMode === 'background' ? { background: color, color: '#fff' } : {}}>
            {(n > 1 && textMode !== 'value') || textMode === 'value_and_name' || textMode === 'name' ? <div class={textMode === 'name' ? 'stat-value stat-name-only' : 'stat-name'}>{f.name}</div> : null}
            {textMode === 'name' || textMode === 'none' ? null : <div class="stat-value" style={{ color: colorMode === 'value' ? color : undefined, fontSize }}>
              {fv.prefix}
              {fv.text}
              <span class="stat-suffix">{fv.suffix}</span>
            </div>}
            {graphMode === 'area' && f.times.length > 1 ? <Sparkline frame={f} color={colorMode === 'background' ? '#fff' : color} /> : null}
          </div>
        );
      })}
    </div>
  );
}

function GaugePanel(p: { panel: Panel; frames: Frame[]; defaults: FieldDefaults; height: number }): preact.JSX.Element {
  const calc = calcOf(p.panel);
  const min = p.defaults.min ?? 0;
  const max = p.defaults.max ?? (p.defaults.unit === 'percentunit' ? 1 : 100);
  const th = p.defaults.thresholds;
  const showMarkers = p.panel.options?.['showThresholdMarkers'] !== false;
  return (
    <div class="gauge-grid" style={{ gridTemplateColumns: `repeat(${Math.min(p.frames.length, 4)}, 1fr)` }}>
      {p.frames.map((f, i) => {
        const v = reduce(f.values, calc);
        const frac = v === null ? 0 : Math.min(1, Math.max(0, (v - min) / (max - min || 1)));
        const shown = displayValue(v, p.defaults.unit, p.defaults.decimals, p.defaults.mappings);
        const color = shown.color ?? thresholdColor(v, th?.steps, th?.mode, min, max);
        // A 240° arc from -210° to 30°, like Grafana's gauge.
        const arc = (from: number, to: number, r: number): string => {
          const a0 = ((-210 + from * 240) * Math.PI) / 180;
          const a1 = ((-210 + to * 240) * Math.PI) / 180;
          const large = (to - from) * 240 > 180 ? 1 : 0;
          return `M${50 + r * Math.cos(a0)},${50 + r * Math.sin(a0)} A${r},${r} 0 ${large} 1 ${50 + r * Math.cos(a1)},${50 + r * Math.sin(a1)}`;
        };
        const steps = (th?.steps ?? []).map((s, j, all) => {
          const lo = s.value === null ? min : th?.mode === 'percentage' ? min + ((max - min) * s.value) / 100 : s.value;
          const nx = all[j + 1];
          const hi = nx ? (th?.mode === 'percentage' ? min + ((max - min) * (nx.value ?? 0)) / 100 : (nx.value ?? max)) : max;
          return { from: Math.min(1, Math.max(0, (lo - min) / (max - min || 1))), to: Math.min(1, Math.max(0, (hi - min) / (max - min || 1))), color: resolveColor(s.color) };
        });
        return (
          <div class="gauge" key={i}>
            <svg viewBox="0 0 100 88" class="gauge-svg" role="img" aria-label={`${f.name} ${formattedToString(shown)}`}>
              {showMarkers ? steps.filter((s) => s.to > s.from).map((s, j) => <path key={j} d={arc(s.from, s.to, 44)} stroke={s.color} stroke-width="3" fill="none" />) : null}
              <path d={arc(0, 1, 36)} stroke="var(--gauge-bg)" stroke-width="10" fill="none" />
              {frac > 0 ? <path d={arc(0, Math.max(frac, 0.005), 36)} stroke={color} stroke-width="10" fill="none" /> : null}
              <text x="50" y="56" text-anchor="middle" class="gauge-text" fill={color}>
                {formattedToString(shown)}
              </text>
            </svg>
            {p.frames.length > 1 ? <div class="gauge-name">{f.name}</div> : null}
          </div>
        );
      })}
    </div>
  );
}

function BarGaugePanel(p: { panel: Panel; frames: Frame[]; defaults: FieldDefaults }): preact.JSX.Element {
  const calc = calcOf(p.panel);
  const min = p.defaults.min ?? 0;
  const vals = p.frames.map((f) => reduce(f.values, calc));
  const max = p.defaults.max ?? Math.max(...vals.map((v) => v ?? 0), 1);
  const th = p.defaults.thresholds;
  return (
    <div class="bargauge">
      {p.frames.map((f, i) => {
        const v = vals[i] ?? null;
        const frac = v === null ? 0 : Math.min(1, Math.max(0, (v - min) / (max - min || 1)));
        const shown = displayValue(v, p.defaults.unit, p.defaults.decimals, p.defaults.mappings);
        const color = shown.color ?? thresholdColor(v, th?.steps, th?.mode, min, max);
        return (
          <div class="bar-row" key={i}>
            <div class="bar-name" title={f.name}>
              {f.name}
            </div>
            <div class="bar-track">
              <div class="bar-fill" style={{ width: `${frac * 100}%`, background: `linear-gradient(90deg, ${color}66, ${color})` }} />
            </div>
            <div class="bar-value" style={{ color }}>
              {formattedToString(shown)}
            </div>
          </div>
        );
      })}
    </div>
  );
}

/**
 * Table panel: one row per label set (without __name__), a column per label and one value column
 * per query, like Grafana's table format with the "merge" transformation.
 */
function TablePanel(p: { frames: Frame[]; defaults: FieldDefaults }): preact.JSX.Element {
  const { rows, labelCols, valueCols } = useMemo(() => {
    const refIds = [...new Set(p.frames.map((f) => f.refId))];
    const labelSet = new Set<string>();
    const byKey = new Map<string, { labels: Record<string, string>; values: Record<string, number | null> }>();
    for (const f of p.frames) {
      const labels = { ...f.labels };
      delete labels['__name__'];
      Object.keys(labels).forEach((k) => labelSet.add(k));
      const key = JSON.stringify(Object.entries(labels).sort());
      const row = byKey.get(key) ?? { labels, values: {} };
      row.values[f.refId] = reduce(f.values, 'lastNotNull');
      byKey.set(key, row);
    }
    const valueCols = refIds.map((r) => ({ refId: r, title: refIds.length > 1 ? (p.frames.find((f) => f.refId === r && f.name && !f.name.startsWith('{'))?.name ?? `Value #${r}`) : 'Value' }));
    return { rows: [...byKey.values()], labelCols: [...labelSet].sort(), valueCols };
  }, [p.frames]);
  const [sort, setSort] = useState<{ col: string; desc: boolean } | null>(null);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const get = (r: (typeof rows)[number]): string | number => (sort.col.startsWith('#') ? (r.values[sort.col.slice(1)] ?? -Infinity) : (r.labels[sort.col] ?? ''));
    return rows.slice().sort((a, b) => {
      const x = get(a);
      const y = get(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -c : c;
    });
  }, [rows, sort]);
  const th = p.defaults.thresholds;
  const head = (col: string, label: string): preact.JSX.Element => (
    <th key={col} onClick={() => setSort({ col, desc: sort?.col === col ? !sort.desc : false })} class="sortable">
      {label}
      {sort?.col === col ? (sort.desc ? ' ▾' : ' ▴') : ''}
    </th>
  );
  return (
    <div class="table-wrap panel-table">
      <table class="table">
        <thead>
          <tr>
            {labelCols.map((c) => head(c, c))}
            {valueCols.map((c) => head('#' + c.refId, c.title))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r, i) => (
            <tr key={i}>
              {labelCols.map((c) => (
                <td key={c}>{r.labels[c] ?? ''}</td>
              ))}
              {valueCols.map((c) => {
                const v = r.values[c.refId] ?? null;
                const shown = displayValue(v, p.defaults.unit, p.defaults.decimals, p.defaults.mappings);
                return (
                  <td key={c.refId} class="num" style={{ color: shown.color ?? (th?.steps && th.steps.length > 1 ? thresholdColor(v, th.steps, th.mode) : undefined) }}>
                    {v === null ? '' : formattedToString(shown)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TextPanel({ panel, vars }: { panel: Panel; vars: Map<string, VarState> }): preact.JSX.Element {
  const mode = (panel.options?.['mode'] as string | undefined) ?? panel.mode ?? 'markdown';
  const content = interpolate((panel.options?.['content'] as string | undefined) ?? panel.content ?? '', vars);
  const html = useMemo(() => (mode === 'html' ? sanitizeHtml(content) : renderMarkdown(content)), [mode, content]);
  return <div class="text-panel markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
