import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorBox, LabelBadges } from '../components/common.js';
import { PromQLEditor } from '../components/editor.js';
import { Graph, type GraphSeries } from '../components/graph.js';
import { formatLabels, queryInstant, queryRange, type QueryData } from '../lib/api.js';
import { navigate, useRoute } from '../lib/router.js';
import { defaultStep, formatDuration, formatTimestamp, parseDuration, toLocalInput } from '../lib/time.js';
import { useTheme } from '../theme.js';

/** One expression panel; serialised in the URL with Prometheus' own parameter names (g0.expr, g0.tab...). */
export interface PanelState {
  expr: string;
  tab: 'graph' | 'table';
  range: string;
  /** End time in ms, or null for "now". */
  end: number | null;
  /** Step in seconds, or null for automatic. */
  step: number | null;
  stacked: boolean;
}

const RANGES = ['5m', '15m', '30m', '1h', '2h', '6h', '12h', '1d', '2d', '1w', '2w', '4w'];

function readPanels(params: URLSearchParams): PanelState[] {
  const out: PanelState[] = [];
  for (let i = 0; i < 20; i++) {
    const expr = params.get(`g${i}.expr`);
    if (expr === null) break;
    const end = params.get(`g${i}.end_input`);
    const endMs = end ? Date.parse(end) : NaN;
    const step = parseFloat(params.get(`g${i}.step_input`) ?? '');
    out.push({
      expr,
      tab: params.get(`g${i}.tab`) === '1' ? 'table' : 'graph',
      range: params.get(`g${i}.range_input`) || '1h',
      end: Number.isFinite(endMs) ? endMs : null,
      step: Number.isFinite(step) && step > 0 ? step : null,
      stacked: params.get(`g${i}.stacked`) === '1',
    });
  }
  return out.length > 0 ? out : [emptyPanel()];
}

function emptyPanel(): PanelState {
  return { expr: '', tab: 'graph', range: '1h', end: null, step: null, stacked: false };
}

function writePanels(panels: PanelState[]): URLSearchParams {
  const p = new URLSearchParams();
  panels.forEach((s, i) => {
    p.set(`g${i}.expr`, s.expr);
    p.set(`g${i}.tab`, s.tab === 'table' ? '1' : '0');
    p.set(`g${i}.range_input`, s.range);
    if (s.end !== null) p.set(`g${i}.end_input`, new Date(s.end).toISOString());
    if (s.step !== null) p.set(`g${i}.step_input`, String(s.step));
    p.set(`g${i}.stacked`, s.stacked ? '1' : '0');
  });
  return p;
}

export function QueryPage(): preact.JSX.Element {
  const route = useRoute();
  const panels = useMemo(() => readPanels(route.params), [route.params.toString()]);
  const update = (i: number, s: PanelState, push = true): void => {
    const next = panels.slice();
    next[i] = s;
    navigate(`?${writePanels(next).toString()}`, !push);
  };
  return (
    <div class="page query-page">
      {panels.map((s, i) => (
        <QueryPanel
          key={i}
          index={i}
          state={s}
          onChange={(ns, push) => update(i, ns, push)}
          onRemove={
            panels.length > 1
              ? (): void => {
                  navigate(`?${writePanels(panels.filter((_, j) => j !== i)).toString()}`);
                }
              : undefined
          }
        />
      ))}
      <button class="btn" onClick={() => navigate(`?${writePanels([...panels, emptyPanel()]).toString()}`)}>
        Add panel
      </button>
    </div>
  );
}

interface Result {
  data: QueryData;
  warnings: string[];
  ms: number;
  step?: number;
  start?: number;
  end?: number;
}

function QueryPanel(p: { index: number; state: PanelState; onChange: (s: PanelState, push: boolean) => void; onRemove?: () => void }): preact.JSX.Element {
  const s = p.state;
  const [draft, setDraft] = useState(s.expr);
  const [rangeDraft, setRangeDraft] = useState(s.range);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const theme = useTheme();

  useEffect(() => setDraft(s.expr), [s.expr]);
  useEffect(() => setRangeDraft(s.range), [s.range]);

  const run = async (st: PanelState): Promise<void> => {
    if (st.expr.trim() === '') {
      setResult(null);
      setError(null);
      return;
    }
    abort.current?.abort();
    const ac = new AbortController();
    abort.current = ac;
    setLoading(true);
    const t0 = performance.now();
    try {
      const endMs = st.end ?? Date.now();
      if (st.tab === 'graph') {
        const rangeMs = parseDuration(st.range) ?? 3_600_000;
        const step = st.step ?? defaultStep(rangeMs);
        const end = Math.floor(endMs / 1000);
        const start = end - Math.floor(rangeMs / 1000);
        const r = await queryRange(st.expr, start, end, step, ac.signal);
        setResult({ ...r, ms: performance.now() - t0, step, start, end });
      } else {
        const r = await queryInstant(st.expr, endMs / 1000, ac.signal);
        setResult({ ...r, ms: performance.now() - t0 });
      }
      setError(null);
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      setError(err);
      setResult(null);
    } finally {
      if (abort.current === ac) setLoading(false);
    }
  };

  // Run whenever the committed state changes (Execute, range buttons, URL navigation).
  useEffect(() => {
    void run(s);
  }, [s.expr, s.tab, s.range, s.end, s.step]);

  const execute = (text: string = draft): void => {
    if (text === s.expr) void run(s);
    else p.onChange({ ...s, expr: text }, true);
  };

  const rangeMs = parseDuration(s.range) ?? 3_600_000;
  const stepRange = (dir: 1 | -1): void => {
    const idx = RANGES.findIndex((r) => (parseDuration(r) ?? 0) >= rangeMs);
    const next = dir > 0 ? RANGES[Math.min(idx < 0 ? RANGES.length - 1 : (parseDuration(RANGES[idx]!) === rangeMs ? idx + 1 : idx), RANGES.length - 1)] : RANGES[Math.max((idx < 0 ? RANGES.length : idx) - 1, 0)];
    p.onChange({ ...s, range: next ?? s.range }, true);
  };
  const shiftEnd = (dir: 1 | -1): void => {
    const base = s.end ?? Date.now();
    p.onChange({ ...s, end: base + (dir * rangeMs) / 2 }, true);
  };

  return (
    <div class="panel query-panel" data-testid={`query-panel-${p.index}`}>
      <div class="query-row">
        <PromQLEditor value={s.expr} onChange={setDraft} onExecute={execute} />
        <button class="btn primary execute" onClick={() => execute()} disabled={loading}>
          {loading ? 'Running…' : 'Execute'}
        </button>
        {p.onRemove ? (
          <button class="btn icon" title="Remove panel" onClick={p.onRemove}>
            ✕
          </button>
        ) : null}
      </div>
      <div class="tabs" role="tablist">
        <button role="tab" class={s.tab === 'table' ? 'tab active' : 'tab'} aria-selected={s.tab === 'table'} onClick={() => p.onChange({ ...s, tab: 'table' }, true)}>
          Table
        </button>
        <button role="tab" class={s.tab === 'graph' ? 'tab active' : 'tab'} aria-selected={s.tab === 'graph'} onClick={() => p.onChange({ ...s, tab: 'graph' }, true)}>
          Graph
        </button>
        <span class="spacer" />
        {result ? (
          <span class="muted small stats">
            Load time: {Math.round(result.ms)}ms
            {result.step !== undefined ? ` · Resolution: ${result.step}s` : ''} · Result series: {resultCount(result.data)}
          </span>
        ) : null}
      </div>
      <div class="controls">
        {s.tab === 'graph' ? (
          <>
            <div class="btn-group">
              <button class="btn" title="Shrink range" onClick={() => stepRange(-1)}>
                −
              </button>
              <input
                class="input range-input"
                aria-label="Range"
                value={rangeDraft}
                onInput={(e) => setRangeDraft((e.target as HTMLInputElement).value)}
                onBlur={() => (parseDuration(rangeDraft) !== null ? p.onChange({ ...s, range: rangeDraft }, true) : setRangeDraft(s.range))}
                onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
              />
              <button class="btn" title="Grow range" onClick={() => stepRange(1)}>
                +
              </button>
            </div>
            <div class="btn-group">
              <button class="btn" title="Back" onClick={() => shiftEnd(-1)}>
                ‹
              </button>
              <input
                class="input"
                type="datetime-local"
                aria-label="End time"
                value={s.end === null ? '' : toLocalInput(s.end)}
                onChange={(e) => {
                  const v = (e.target as HTMLInputElement).value;
                  p.onChange({ ...s, end: v ? new Date(v).getTime() : null }, true);
                }}
              />
              <button class="btn" title="Forward" onClick={() => shiftEnd(1)}>
                ›
              </button>
              {s.end !== null ? (
                <button class="btn" title="Reset to now" onClick={() => p.onChange({ ...s, end: null }, true)}>
                  now
                </button>
              ) : null}
            </div>
            <input
              class="input step-input"
              aria-label="Resolution in seconds"
              placeholder={`Res. (${defaultStep(rangeMs)}s)`}
              value={s.step ?? ''}
              onChange={(e) => {
                const v = parseFloat((e.target as HTMLInputElement).value);
                p.onChange({ ...s, step: Number.isFinite(v) && v > 0 ? v : null }, true);
              }}
            />
            <label class="check">
              <input type="checkbox" checked={s.stacked} onChange={(e) => p.onChange({ ...s, stacked: (e.target as HTMLInputElement).checked }, true)} /> Stacked
            </label>
          </>
        ) : (
          <div class="btn-group">
            <span class="muted small">Evaluation time</span>
            <input
              class="input"
              type="datetime-local"
              aria-label="Evaluation time"
              value={s.end === null ? '' : toLocalInput(s.end)}
              onChange={(e) => {
                const v = (e.target as HTMLInputElement).value;
                p.onChange({ ...s, end: v ? new Date(v).getTime() : null }, true);
              }}
            />
            {s.end !== null ? (
              <button class="btn" onClick={() => p.onChange({ ...s, end: null }, true)}>
                now
              </button>
            ) : null}
          </div>
        )}
      </div>
      {error ? <ErrorBox error={error} title="Error executing query" /> : null}
      {result && result.warnings.length > 0 ? <div class="warn-box">{result.warnings.join('; ')}</div> : null}
      {result ? (
        s.tab === 'graph' ? (
          <GraphResult result={result} stacked={s.stacked} theme={theme} onZoom={(from, to) => p.onChange({ ...s, end: Math.round(to * 1000), range: formatDuration(Math.max(1, Math.round(to - from)) * 1000) }, true)} />
        ) : (
          <TableResult data={result.data} />
        )
      ) : !error && !loading ? (
        <div class="muted empty">No data queried yet</div>
      ) : null}
    </div>
  );
}

function resultCount(d: QueryData): number {
  return d.resultType === 'vector' || d.resultType === 'matrix' ? d.result.length : 1;
}

/** Aligns matrix series on the query's step grid (nulls where a series has no point). */
function alignMatrix(d: QueryData, start: number, end: number, step: number): { x: number[]; series: GraphSeries[] } {
  if (d.resultType !== 'matrix') return { x: [], series: [] };
  const n = Math.floor((end - start) / step) + 1;
  const x = new Array<number>(n);
  for (let i = 0; i < n; i++) x[i] = start + i * step;
  const series = d.result.map((s) => {
    const values = new Array<number | null>(n).fill(null);
    for (const [t, v] of s.values) {
      const i = Math.round((t - start) / step);
      if (i >= 0 && i < n) values[i] = parseFloat(v);
    }
    return { label: formatLabels(s.metric), values };
  });
  return { x, series };
}

function GraphResult(p: { result: Result; stacked: boolean; theme: string; onZoom: (from: number, to: number) => void }): preact.JSX.Element {
  const { result } = p;
  const aligned = useMemo(() => alignMatrix(result.data, result.start ?? 0, result.end ?? 0, result.step ?? 1), [result]);
  if (result.data.resultType !== 'matrix') return <div class="muted empty">The query returned a {result.data.resultType}; only range vectors can be graphed. Use the Table tab.</div>;
  if (aligned.series.length === 0) return <div class="muted empty">Empty query result</div>;
  return <Graph x={aligned.x} series={aligned.series} stacked={p.stacked} height={360} theme={p.theme} onZoom={p.onZoom} xMin={result.start} xMax={result.end} />;
}

function TableResult({ data }: { data: QueryData }): preact.JSX.Element {
  const LIMIT = 10_000;
  switch (data.resultType) {
    case 'scalar':
    case 'string':
      return (
        <table class="table">
          <tbody>
            <tr>
              <td>{data.resultType}</td>
              <td class="num">{data.result[1]}</td>
            </tr>
          </tbody>
        </table>
      );
    case 'vector':
      if (data.result.length === 0) return <div class="muted empty">Empty query result</div>;
      return (
        <table class="table result-table">
          <tbody>
            {data.result.slice(0, LIMIT).map((s, i) => (
              <tr key={i}>
                <td>
                  <span class="metric-name">{s.metric['__name__'] ?? ''}</span>
                  <LabelBadges labels={s.metric} skipName />
                </td>
                <td class="num">{s.value[1]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'matrix':
      if (data.result.length === 0) return <div class="muted empty">Empty query result</div>;
      return (
        <table class="table result-table">
          <tbody>
            {data.result.slice(0, LIMIT).map((s, i) => (
              <tr key={i}>
                <td>
                  <span class="metric-name">{s.metric['__name__'] ?? ''}</span>
                  <LabelBadges labels={s.metric} skipName />
                </td>
                <td class="num small">
                  {s.values.slice(-50).map(([t, v]) => (
                    <div key={t}>
                      {v} @{t} <span class="muted">({formatTimestamp(t * 1000)})</span>
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      );
  }
}
