import type { Panel } from './types.js';
import { currentValues, type VarState } from './variables.js';

/**
 * Expands panels with `repeat: <variable>` into one copy per selected value, like Grafana:
 * horizontal repeats share the row (width 24 / min(values, maxPerRow || 4)) and wrap; vertical
 * repeats stack. Panels below a repeated one move down by the height it gained. Each copy gets
 * `scopedVars` so its queries and title use its own value. Row repeats are not expanded.
 */
export function expandRepeats(panels: Panel[], vars: Map<string, VarState>): Panel[] {
  let out = panels.map((p) => (p.type === 'row' && p.panels ? { ...p, panels: expandRepeats(p.panels, vars) } : p));
  for (;;) {
    const idx = out.findIndex((p) => p.repeat && p.type !== 'row' && !p.scopedVars && vars.has(p.repeat));
    if (idx < 0) return out;
    const p = out[idx]!;
    const state = vars.get(p.repeat!)!;
    const values = currentValues(state);
    const g = p.gridPos ?? { x: 0, y: 0, w: 12, h: 8 };
    const copies: Panel[] = [];
    let extra = 0;
    if (values.length === 0) {
      copies.push({ ...p, scopedVars: {} });
    } else if (p.repeatDirection === 'v') {
      values.forEach((v, i) => copies.push({ ...p, id: i === 0 ? p.id : (p.id ?? 0) * 1000 + i, scopedVars: { [p.repeat!]: v }, gridPos: { ...g, y: g.y + i * g.h } }));
      extra = (values.length - 1) * g.h;
    } else {
      const perRow = Math.max(1, Math.min(values.length, p.maxPerRow || 4));
      const w = Math.max(1, Math.floor(24 / perRow));
      values.forEach((v, i) =>
        copies.push({ ...p, id: i === 0 ? p.id : (p.id ?? 0) * 1000 + i, scopedVars: { [p.repeat!]: v }, gridPos: { x: (i % perRow) * w, y: g.y + Math.floor(i / perRow) * g.h, w, h: g.h } }),
      );
      extra = (Math.ceil(values.length / perRow) - 1) * g.h;
    }
    const bottom = g.y + g.h;
    const shift = (q: Panel): Panel => (q.gridPos && q.gridPos.y >= bottom && extra > 0 ? { ...q, gridPos: { ...q.gridPos, y: q.gridPos.y + extra } } : q);
    out = [...out.slice(0, idx).map(shift), ...copies, ...out.slice(idx + 1).map(shift)];
  }
}

/** The variables as a repeated panel copy sees them: its own value for the repeat variable. */
export function scopeVars(vars: Map<string, VarState>, scoped: Record<string, string> | undefined): Map<string, VarState> {
  if (!scoped || Object.keys(scoped).length === 0) return vars;
  const m = new Map(vars);
  for (const [k, v] of Object.entries(scoped)) {
    const s = m.get(k);
    if (s) m.set(k, { ...s, selected: [v] });
  }
  return m;
}
