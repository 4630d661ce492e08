/**
 * Grafana's field overrides (fieldConfig.overrides) for time series panels, reduced to what
 * changes how a series is drawn: per-series colour, fill, line width, stacking group,
 * negative-Y transform, hiding and display name. Matchers: byName, byNames, byRegexp,
 * byFrameRefID (byType and others match nothing, like a field type Vigil does not have).
 */
import type { GraphSeries } from '../components/graph.js';
import { resolveColor } from './units.js';

export interface OverrideFrame {
  name: string;
  refId: string;
}

export interface Override {
  matcher?: { id?: string; options?: unknown };
  properties?: Array<{ id?: string; value?: unknown }>;
}

/**
 * How one series is drawn (the chart's own per-series options) plus its display name;
 * unset fields fall back to the panel defaults.
 */
export type SeriesStyle = Pick<GraphSeries, 'color' | 'fillOpacity' | 'lineWidth' | 'stack' | 'negate' | 'hidden'> & { displayName?: string };

/** Grafana's stringToJsRegex: "/re/flags" is a regex literal, anything else must match whole. */
export function grafanaRegex(s: string): RegExp | null {
  try {
    if (!s.startsWith('/')) return new RegExp(`^${s}$`);
    const m = /^\/(.*)\/([gimsuy]*)$/s.exec(s);
    return m ? new RegExp(m[1]!, m[2]!.replace('g', '')) : null;
  } catch {
    return null;
  }
}

function matches(matcher: Override['matcher'], f: OverrideFrame): boolean {
  const opt = matcher?.options;
  switch (matcher?.id) {
    case 'byName':
      return typeof opt === 'string' && opt === f.name;
    case 'byNames': {
      const names = (opt as { names?: unknown } | undefined)?.names;
      return Array.isArray(names) && names.includes(f.name);
    }
    case 'byRegexp':
      return typeof opt === 'string' && (grafanaRegex(opt)?.test(f.name) ?? false);
    case 'byFrameRefID':
      return typeof opt === 'string' && opt === f.refId;
    default:
      return false;
  }
}

/**
 * The style of each frame after applying the overrides in order (a later override wins, as in
 * Grafana). `defaultGroup` is the panel's custom.stacking.group ("A" when unset).
 */
export function seriesStyles(overrides: unknown[] | undefined, frames: OverrideFrame[], defaultGroup = 'A'): SeriesStyle[] {
  const list = (overrides ?? []).filter((o): o is Override => o !== null && typeof o === 'object');
  return frames.map((f) => {
    const s: SeriesStyle = {};
    for (const o of list) {
      if (!matches(o.matcher, f)) continue;
      for (const p of o.properties ?? []) {
        const v = p.value;
        switch (p.id) {
          case 'displayName':
            if (typeof v === 'string' && v !== '') s.displayName = v;
            break;
          case 'color': {
            const c = v as { mode?: string; fixedColor?: string } | undefined;
            if (c?.mode === 'fixed' && c.fixedColor) s.color = resolveColor(c.fixedColor);
            break;
          }
          case 'custom.fillOpacity':
            if (typeof v === 'number') s.fillOpacity = v;
            break;
          case 'custom.lineWidth':
            if (typeof v === 'number') s.lineWidth = v;
            break;
          case 'custom.stacking': {
            const st = v as { mode?: string; group?: unknown } | undefined;
            // A series in another group (Grafana writes group: false to take one out) or with
            // stacking off is drawn on its own, not on top of the others.
            s.stack = st?.mode !== 'none' && (st?.group === undefined || st.group === defaultGroup);
            break;
          }
          case 'custom.transform':
            s.negate = v === 'negative-Y';
            break;
          case 'custom.hideFrom':
            s.hidden = (v as { viz?: boolean } | undefined)?.viz === true;
            break;
        }
      }
    }
    return s;
  });
}

/**
 * Cumulative sums for stacking ("normal") or shares of the stack's total ("percent", 0..1);
 * series with stack === false keep their own values. Nulls count as 0 where a lower series is
 * missing.
 */
export function stackValues(series: Array<{ values: Array<number | null>; stack?: boolean }>, n: number, mode: 'normal' | 'percent' = 'normal'): Array<Array<number | null>> {
  const total = new Float64Array(n);
  if (mode === 'percent') {
    for (const s of series) {
      if (s.stack === false) continue;
      s.values.forEach((v, i) => {
        if (v !== null && Number.isFinite(v)) total[i] = total[i]! + Math.abs(v);
      });
    }
  }
  const acc = new Float64Array(n);
  return series.map((s) => {
    if (s.stack === false) return s.values;
    return s.values.map((v, i) => {
      if (v === null || !Number.isFinite(v)) return null;
      acc[i] = acc[i]! + v;
      return mode === 'percent' ? (total[i]! === 0 ? 0 : acc[i]! / total[i]!) : acc[i]!;
    });
  });
}
