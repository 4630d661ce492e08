import type { Panel } from './types.js';

export interface LaidOut {
  panel: Panel;
  x: number;
  y: number;
  w: number;
  h: number;
  /** For rows: whether the row is shown collapsed. */
  collapsed?: boolean;
  rowKey?: string;
}

function pos(p: Panel): { x: number; y: number; w: number; h: number } {
  const g = p.gridPos ?? { x: 0, y: 0, w: 12, h: 8 };
  return { x: Math.max(0, Math.min(23, g.x ?? 0)), y: Math.max(0, g.y ?? 0), w: Math.max(1, Math.min(24, g.w ?? 12)), h: Math.max(1, g.h ?? 8) };
}

export function rowKey(p: Panel, index: number): string {
  return `${p.id ?? 'row'}-${index}-${p.title ?? ''}`;
}

/**
 * Lays out a dashboard's panels on Grafana's 24-column grid. Panels before the first row come
 * first; each row owns the panels after it (or, when saved collapsed, the panels inside it).
 * Sections are stacked vertically, so collapsing a row pulls the following ones up, as Grafana
 * does. `collapsed` overrides each row's saved state.
 */
export function layoutPanels(panels: Panel[], collapsed: Record<string, boolean>): LaidOut[] {
  const sorted = panels
    .map((p, i) => ({ p, i }))
    .sort((a, b) => pos(a.p).y - pos(b.p).y || pos(a.p).x - pos(b.p).x || a.i - b.i);
  interface Sec {
    row: Panel | null;
    key: string;
    children: Panel[];
  }
  const secs: Sec[] = [{ row: null, key: '', children: [] }];
  sorted.forEach(({ p, i }) => {
    if (p.type === 'row') secs.push({ row: p, key: rowKey(p, i), children: [...(p.panels ?? [])] });
    else secs[secs.length - 1]!.children.push(p);
  });
  const out: LaidOut[] = [];
  let cursor = 0;
  for (const s of secs) {
    if (s.row) {
      const isCollapsed = collapsed[s.key] ?? s.row.collapsed === true;
      out.push({ panel: s.row, x: 0, y: cursor, w: 24, h: 1, collapsed: isCollapsed, rowKey: s.key });
      cursor += 1;
      if (isCollapsed) continue;
    }
    if (s.children.length === 0) continue;
    const minY = Math.min(...s.children.map((c) => pos(c).y));
    let bottom = cursor;
    const kids = s.children.slice().sort((a, b) => pos(a).y - pos(b).y || pos(a).x - pos(b).x);
    for (const c of kids) {
      const g = pos(c);
      const y = cursor + (g.y - minY);
      out.push({ panel: c, x: g.x, y, w: Math.min(g.w, 24 - g.x), h: g.h });
      bottom = Math.max(bottom, y + g.h);
    }
    cursor = bottom;
  }
  return out;
}
