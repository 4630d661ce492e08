/** The parts of Grafana's dashboard JSON model (schemaVersion 27+) that Vigil renders. */

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Target {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  interval?: string;
  instant?: boolean;
  range?: boolean;
  format?: string;
  hide?: boolean;
  intervalFactor?: number;
}

export interface FieldDefaults {
  unit?: string;
  decimals?: number | null;
  min?: number | null;
  max?: number | null;
  thresholds?: { mode?: string; steps?: Array<{ color: string; value: number | null }> };
  color?: { mode?: string; fixedColor?: string };
  custom?: { stacking?: { mode?: string; group?: string }; fillOpacity?: number; lineWidth?: number; drawStyle?: string; showPoints?: string };
  displayName?: string;
  mappings?: import('./units.js').ValueMapping[];
  noValue?: string;
}

export interface Panel {
  id?: number;
  type?: string;
  title?: string;
  description?: string;
  gridPos?: GridPos;
  targets?: Target[];
  interval?: string;
  maxDataPoints?: number;
  collapsed?: boolean;
  panels?: Panel[];
  repeat?: string;
  repeatDirection?: 'h' | 'v';
  maxPerRow?: number;
  /** Set on the copies of a repeated panel: the variable value each copy stands for. */
  scopedVars?: Record<string, string>;
  fieldConfig?: { defaults?: FieldDefaults; overrides?: unknown[] };
  options?: Record<string, unknown>;
  // legacy graph panel
  yaxes?: Array<{ format?: string; min?: number | string | null; max?: number | string | null; decimals?: number | null }>;
  stack?: boolean;
  percentage?: boolean;
  fill?: number;
  linewidth?: number;
  // legacy singlestat-ish fields that some dashboards keep
  format?: string;
  decimals?: number | null;
  content?: string;
  mode?: string;
}

export interface VariableModel {
  name: string;
  label?: string;
  type: string;
  query?: string | { query?: string; refId?: string };
  definition?: string;
  regex?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  current?: { text?: string | string[]; value?: string | string[] };
  options?: Array<{ text: string; value: string; selected?: boolean }>;
  hide?: number;
  sort?: number;
  auto?: boolean;
  auto_count?: number;
  auto_min?: string;
}

export interface Dashboard {
  uid?: string;
  title: string;
  description?: string;
  tags?: string[];
  schemaVersion?: number;
  panels?: Panel[];
  time?: { from: string; to: string };
  refresh?: string | false;
  templating?: { list?: VariableModel[] };
}
