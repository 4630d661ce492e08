import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorBox, Loading } from '../components/common.js';
import { promApi } from '../lib/api.js';
import { href, linkClick, navigate, useRoute } from '../lib/router.js';
import { formatTimestamp, parseDuration, parseTimeExpr } from '../lib/time.js';
import { useTheme } from '../theme.js';
import { layoutPanels } from './layout.js';
import { DashboardPanel } from './panels.js';
import { expandRepeats, scopeVars } from './repeat.js';
import type { Dashboard, Panel, VariableModel } from './types.js';
import { ALL, initialSelection, resolveOptions, type BuiltIns, type VarState } from './variables.js';

const RANGES: Array<[string, string]> = [
  ['now-5m', 'Last 5 minutes'],
  ['now-15m', 'Last 15 minutes'],
  ['now-30m', 'Last 30 minutes'],
  ['now-1h', 'Last 1 hour'],
  ['now-3h', 'Last 3 hours'],
  ['now-6h', 'Last 6 hours'],
  ['now-12h', 'Last 12 hours'],
  ['now-24h', 'Last 24 hours'],
  ['now-2d', 'Last 2 days'],
  ['now-7d', 'Last 7 days'],
];
const REFRESH = ['off', '5s', '10s', '30s', '1m', '5m', '15m', '30m', '1h'];

const ROW_PX = 30;
const GAP_PX = 8;

/** Shows one dashboard: variables, time picker, auto-refresh and the panel grid. State lives in the URL (from, to, refresh, var-*). */
export function DashboardView({ uid }: { uid: string }): preact.JSX.Element {
  const [dash, setDash] = useState<Dashboard | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setDash(null);
    setError(null);
    promApi<Dashboard>(`api/vigil/dashboards/${encodeURIComponent(uid)}`).then(
      (r) => setDash(r.data),
      (e: unknown) => setError(e),
    );
  }, [uid]);
  if (error) return <ErrorBox error={error} title={`Dashboard "${uid}"`} />;
  if (!dash) return <Loading />;
  return <DashboardBody dash={dash} uid={uid} />;
}

function DashboardBody({ dash, uid }: { dash: Dashboard; uid: string }): preact.JSX.Element {
  const route = useRoute();
  const theme = useTheme();
  const params = route.params;
  const from = params.get('from') ?? dash.time?.from ?? 'now-1h';
  const to = params.get('to') ?? dash.time?.to ?? 'now';
  const refresh = params.get('refresh') ?? (typeof dash.refresh === 'string' && dash.refresh ? dash.refresh : 'off');
  const [tick, setTick] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [vars, setVars] = useState<Map<string, VarState> | null>(null);
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});

  const fromMs = parseTimeExpr(from, now) ?? now - 3_600_000;
  const toMs = parseTimeExpr(to, now) ?? now;

  const setParam = (changes: Record<string, string | string[] | null>): void => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      p.delete(k);
      if (v === null) continue;
      if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
      else p.set(k, v);
    }
    navigate(href('dashboard', p));
  };

  // Auto-refresh: move "now" forward and re-run every panel.
  useEffect(() => {
    const ms = refresh === 'off' ? null : parseDuration(refresh);
    if (!ms) return;
    const id = setInterval(() => {
      setNow(Date.now());
      setTick((t) => t + 1);
    }, Math.max(ms, 1000));
    return () => clearInterval(id);
  }, [refresh]);

  // Resolve variables in order: each may use the ones before it.
  const models = dash.templating?.list ?? [];
  const urlKey = models.map((m) => params.getAll(`var-${m.name}`).join(',')).join('|');
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const map = new Map<string, VarState>();
      const b: BuiltIns = { intervalMs: 15_000, rateIntervalMs: 60_000, rangeMs: toMs - fromMs, fromMs, toMs };
      for (const model of models) {
        if (model.type === 'datasource' || model.type === 'adhoc') continue;
        let options: string[] = [];
        let err: string | undefined;
        try {
          options = await resolveOptions(model, map, b);
        } catch (e) {
          err = e instanceof Error ? e.message : String(e);
        }
        const selected = initialSelection(model, options, params.getAll(`var-${model.name}`));
        map.set(model.name, { model, options, selected, error: err });
      }
      if (!cancelled) setVars(map);
    })();
    return () => {
      cancelled = true;
    };
  }, [uid, urlKey, tick === 0 ? 0 : Math.floor(tick / 10)]);

  // Drag-to-zoom on any time series panel sets an absolute range, like Grafana.
  const zoom = (a: number, b: number): void => setParam({ from: String(a), to: String(b) });
  const zoomOut = (): void => {
    const span = toMs - fromMs;
    const end = Math.min(Date.now(), toMs + span / 2);
    setParam({ from: String(Math.round(end - span * 2)), to: end >= Date.now() - 1000 ? 'now' : String(Math.round(end)) });
  };
  const expanded = useMemo(() => (vars ? expandRepeats(dash.panels ?? [], vars) : []), [dash, vars]);
  const laid = useMemo(() => layoutPanels(expanded, collapsed), [expanded, collapsed]);
  // One scoped variable map per repeated copy, stable across renders so panels do not refetch.
  const scoped = useMemo(() => {
    const m = new Map<Panel, Map<string, VarState>>();
    if (!vars) return m;
    const visit = (ps: Panel[]): void => {
      for (const p of ps) {
        if (p.scopedVars) m.set(p, scopeVars(vars, p.scopedVars));
        if (p.panels) visit(p.panels);
      }
    };
    visit(expanded);
    return m;
  }, [expanded, vars]);
  const totalRows = laid.reduce((m, l) => Math.max(m, l.y + l.h), 0);

  return (
    <div class="page dash">
      <div class="page-head dash-head">
        <h1>
          <a href={href('dashboards')} onClick={linkClick} class="muted">
            Dashboards
          </a>{' '}
          / {dash.title}
        </h1>
        <span class="spacer" />
        <select class="input" aria-label="Time range" value={RANGES.some(([v]) => v === from) && to === 'now' ? from : ''} onChange={(e) => setParam({ from: (e.target as HTMLSelectElement).value, to: 'now' })}>
          {RANGES.some(([v]) => v === from) && to === 'now' ? null : <option value="">{rangeText(from, to, fromMs, toMs)}</option>}
          {RANGES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <button class="btn" title="Zoom out (twice the range)" aria-label="Zoom out" onClick={zoomOut}>
          ⊖
        </button>
        <button
          class="btn"
          title="Refresh now"
          onClick={() => {
            setNow(Date.now());
            setTick((t) => t + 1);
          }}
        >
          ⟳
        </button>
        <select class="input" aria-label="Auto refresh" value={refresh} onChange={(e) => setParam({ refresh: (e.target as HTMLSelectElement).value })}>
          {(REFRESH.includes(refresh) ? REFRESH : [...REFRESH, refresh]).map((r) => (
            <option key={r} value={r}>
              {r === 'off' ? 'Auto refresh off' : `Every ${r}`}
            </option>
          ))}
        </select>
      </div>
      {vars ? (
        <div class="var-bar">
          {[...vars.values()]
            .filter((v) => v.model.hide !== 2)
            .map((v) => (
              <VariablePicker key={v.model.name} state={v} onChange={(sel) => setParam({ [`var-${v.model.name}`]: sel })} />
            ))}
        </div>
      ) : null}
      {vars === null ? (
        <Loading text="Resolving variables…" />
      ) : (
        <div class="dash-grid" style={{ gridTemplateRows: `repeat(${Math.max(totalRows, 1)}, ${ROW_PX}px)` }}>
          {laid.map((l, i) => {
            const style = { '--x': l.x + 1, '--w': l.w, '--y': l.y + 1, '--h': l.h } as unknown as Record<string, string>;
            if (l.panel.type === 'row') {
              return (
                <div class="dash-row" style={style} key={`row-${l.rowKey}`}>
                  <button class="link-btn" aria-expanded={!l.collapsed} onClick={() => setCollapsed({ ...collapsed, [l.rowKey!]: !l.collapsed })}>
                    <span class="chev">{l.collapsed ? '▸' : '▾'}</span> {l.panel.title}
                    {l.collapsed && l.panel.panels?.length ? <span class="muted small"> ({l.panel.panels.length} panels)</span> : null}
                  </button>
                </div>
              );
            }
            return (
              <div class="dash-panel" style={style} key={`p-${l.panel.id ?? i}-${i}`}>
                <DashboardPanel panel={l.panel} vars={scoped.get(l.panel) ?? vars} fromMs={fromMs} toMs={toMs} refreshKey={tick} theme={theme} heightPx={l.h * ROW_PX + (l.h - 1) * GAP_PX} onZoom={zoom} />
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}

function rangeText(from: string, to: string, fromMs: number, toMs: number): string {
  const abs = (s: string, ms: number): string => (/^\d+$/.test(s) ? formatTimestamp(ms) : s);
  return `${abs(from, fromMs)} to ${abs(to, toMs)}`;
}

function varLabel(m: VariableModel): string {
  return m.label || m.name;
}

/** A variable dropdown: single or multi-select, with "All" when the variable allows it. */
function VariablePicker({ state, onChange }: { state: VarState; onChange: (sel: string[]) => void }): preact.JSX.Element {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  const m = state.model;
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent): void => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);
  if (m.type === 'constant' || m.hide === 2) return <span />;
  const isAll = state.selected.length === 1 && state.selected[0] === ALL;
  const text = isAll ? 'All' : state.selected.length === 0 ? 'None' : state.selected.join(' + ');
  const toggle = (v: string): void => {
    if (!m.multi) {
      onChange([v]);
      setOpen(false);
      return;
    }
    if (v === ALL) return onChange([ALL]);
    const cur = isAll ? [] : state.selected;
    const next = cur.includes(v) ? cur.filter((x) => x !== v) : [...cur, v];
    onChange(next.length === 0 ? (m.includeAll ? [ALL] : []) : next);
  };
  const opts = (m.includeAll ? [ALL] : []).concat(state.options).filter((o) => !search || o.toLowerCase().includes(search.toLowerCase()));
  return (
    <div class="var-picker" ref={ref} data-var={m.name}>
      {m.hide === 1 ? null : <span class="var-label">{varLabel(m)}</span>}
      <button class="btn var-value" aria-haspopup="listbox" aria-expanded={open} onClick={() => setOpen(!open)} title={state.error ?? text}>
        {state.error ? <span class="error-text">error</span> : text} ▾
      </button>
      {open ? (
        <div class="var-menu" role="listbox" aria-multiselectable={m.multi}>
          {state.options.length > 8 ? <input class="input" type="search" placeholder="Search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} /> : null}
          {state.error ? <div class="error-text small">{state.error}</div> : null}
          {opts.length === 0 ? <div class="muted small">No options</div> : null}
          {opts.map((o) => {
            const sel = o === ALL ? isAll : !isAll && state.selected.includes(o);
            return (
              <button key={o} role="option" aria-selected={sel} class={sel ? 'var-option selected' : 'var-option'} onClick={() => toggle(o)}>
                {m.multi ? <span class="box">{sel ? '☑' : '☐'}</span> : null} {o === ALL ? 'All' : o}
              </button>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}
