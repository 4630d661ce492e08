/**
 * Grafana-like value formatting for panel units (fieldConfig.defaults.unit, or a legacy graph
 * panel's yaxes[0].format). Decimals follow Grafana: explicit `decimals` wins, otherwise about
 * three significant digits.
 */

export interface Formatted {
  text: string;
  suffix: string;
  prefix: string;
}

export function formattedToString(f: Formatted): string {
  return f.prefix + f.text + f.suffix;
}

/** Grafana's automatic decimals (getDecimalsForValue), capped to keep labels short. */
export function autoDecimals(v: number): number {
  if (!Number.isFinite(v) || v === 0 || v % 1 === 0) return 0;
  const log10 = Math.floor(Math.log10(Math.abs(v)));
  return Math.min(Math.max(0, -log10 + 2), 8);
}

function fixed(v: number, decimals: number | undefined): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const d = decimals ?? autoDecimals(v);
  const s = v.toFixed(Math.min(Math.max(d, 0), 20));
  return s === '-0' || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

function scaled(v: number, factor: number, exts: string[], decimals: number | undefined, offset = 0): Formatted {
  if (!Number.isFinite(v)) return { prefix: '', text: fixed(v, decimals), suffix: '' };
  let i = 0;
  let x = v;
  if (x !== 0) {
    i = Math.floor(Math.log(Math.abs(x)) / Math.log(factor));
    i = Math.min(Math.max(i, -offset), exts.length - 1 - offset);
    x = v / Math.pow(factor, i);
  }
  return { prefix: '', text: fixed(x, decimals), suffix: exts[i + offset] ?? '' };
}

const SI = ['', ' k', ' M', ' G', ' T', ' P', ' E'];
const SI_SMALL = [' n', ' µ', ' m'];

function siUnit(v: number, unit: string, decimals: number | undefined, small = false): Formatted {
  if (small) {
    const exts = [...SI_SMALL.map((p) => p + unit), ...SI.map((p) => (p === '' ? ' ' : p) + unit)];
    return scaled(v, 1000, exts, decimals, 3);
  }
  return scaled(v, 1000, SI.map((p) => (p === '' ? ' ' : p) + unit), decimals);
}

function iec(v: number, unit: string, decimals: number | undefined): Formatted {
  const exts = ['', ' Ki', ' Mi', ' Gi', ' Ti', ' Pi', ' Ei'].map((p) => (p === '' ? ' ' : p) + unit);
  return scaled(v, 1024, exts, decimals);
}

/** Grafana's "short": K, Mil, Bil, Tri... */
function short(v: number, decimals: number | undefined): Formatted {
  if (Math.abs(v) < 1000) return { prefix: '', text: fixed(v, decimals), suffix: '' };
  return scaled(v, 1000, ['', ' K', ' Mil', ' Bil', ' Tri', ' Quadr', ' Quint', ' Sext', ' Sept'], decimals);
}

/** Time in seconds (or another base) picked like Grafana's toSeconds/toMilliSeconds. */
function time(v: number, baseMs: number, decimals: number | undefined): Formatted {
  const ms = v * baseMs;
  const abs = Math.abs(ms);
  const r = (x: number, suffix: string): Formatted => ({ prefix: '', text: fixed(x, decimals), suffix });
  if (abs === 0) return r(0, baseMs >= 1000 ? ' s' : ' ms');
  if (abs < 0.001) return r(ms * 1e6, ' ns');
  if (abs < 1) return r(ms * 1000, ' µs');
  if (abs < 1000) return r(ms, ' ms');
  if (abs < 60_000) return r(ms / 1000, ' s');
  if (abs < 3_600_000) return r(ms / 60_000, ' min');
  if (abs < 86_400_000) return r(ms / 3_600_000, ' hour');
  if (abs < 604_800_000) return r(ms / 86_400_000, ' day');
  if (abs < 31_536_000_000) return r(ms / 604_800_000, ' week');
  return r(ms / 31_536_000_000, ' year');
}

const SUFFIX_UNITS: Record<string, string> = {
  ops: ' ops/s',
  reqps: ' req/s',
  rps: ' rd/s',
  wps: ' wr/s',
  iops: ' io/s',
  opm: ' ops/min',
  rpm: ' rd/min',
  wpm: ' wr/min',
  pps: ' p/s',
  celsius: '°C',
  fahrenheit: '°F',
  humidity: '%H',
  degree: '°',
};

/** Formats `v` for `unit` with Grafana's conventions. Unknown units print the value plus the unit text. */
export function formatValue(v: number | null | undefined, unit = 'short', decimals?: number | null): Formatted {
  const dec = decimals === null || decimals === undefined ? undefined : decimals;
  if (v === null || v === undefined) return { prefix: '', text: 'No data', suffix: '' };
  const u = unit || 'short';
  switch (u) {
    case 'none':
    case 'string':
      return { prefix: '', text: fixed(v, dec), suffix: '' };
    case 'short':
      return short(v, dec);
    case 'percent':
      return { prefix: '', text: fixed(v, dec), suffix: '%' };
    case 'percentunit':
      return { prefix: '', text: fixed(v * 100, dec), suffix: '%' };
    case 'bytes':
    case 'bytes(IEC)':
      return iec(v, 'B', dec);
    case 'decbytes':
    case 'bytes(SI)':
      return siUnit(v, 'B', dec);
    case 'kbytes':
      return iec(v * 1024, 'B', dec);
    case 'mbytes':
      return iec(v * 1024 * 1024, 'B', dec);
    case 'bits':
    case 'bits(IEC)':
      return iec(v, 'b', dec);
    case 'decbits':
    case 'bits(SI)':
      return siUnit(v, 'b', dec);
    case 'bps':
      return siUnit(v, 'bps', dec);
    case 'Bps':
      return siUnit(v, 'B/s', dec);
    case 'binBps':
      return iec(v, 'B/s', dec);
    case 'binbps':
      return iec(v, 'bps', dec);
    case 'KBs':
      return siUnit(v * 1000, 'B/s', dec);
    case 'hertz':
      return siUnit(v, 'Hz', dec);
    case 'watt':
      return siUnit(v, 'W', dec, true);
    case 'volt':
      return siUnit(v, 'V', dec, true);
    case 'amp':
      return siUnit(v, 'A', dec, true);
    case 'ns':
      return time(v, 1e-6, dec);
    case 'µs':
    case 'us':
      return time(v, 1e-3, dec);
    case 'ms':
      return time(v, 1, dec);
    case 's':
      return time(v, 1000, dec);
    case 'm':
      return time(v, 60_000, dec);
    case 'h':
      return time(v, 3_600_000, dec);
    case 'd':
      return time(v, 86_400_000, dec);
    case 'dtdurations':
    case 'dtdurationms': {
      const s = u === 'dtdurations' ? v : v / 1000;
      return { prefix: '', text: compoundDuration(s), suffix: '' };
    }
    case 'dateTimeAsIso':
    case 'dateTimeFromNow':
      return { prefix: '', text: new Date(v).toISOString().replace('T', ' ').slice(0, 19), suffix: '' };
    case 'currencyUSD':
      return { ...short(v, dec), prefix: '$' };
    case 'currencyEUR':
      return { ...short(v, dec), prefix: '€' };
    default: {
      const sfx = SUFFIX_UNITS[u];
      if (sfx !== undefined) return { ...short(v, dec), suffix: short(v, dec).suffix + sfx };
      // Grafana's custom units: "suffix:<text>", "prefix:<text>", "si:<unit>".
      if (u.startsWith('suffix:')) return { prefix: '', text: fixed(v, dec), suffix: u.slice(7) };
      if (u.startsWith('prefix:')) return { prefix: u.slice(7), text: fixed(v, dec), suffix: '' };
      if (u.startsWith('si:')) return siUnit(v, u.slice(3), dec, true);
      return { prefix: '', text: fixed(v, dec), suffix: ' ' + u };
    }
  }
}

/** "1d 2h 3m" style durations (Grafana's dtdurations). */
function compoundDuration(sec: number): string {
  if (!Number.isFinite(sec)) return String(sec);
  const neg = sec < 0;
  let s = Math.floor(Math.abs(sec));
  const parts: string[] = [];
  for (const [u, f] of [['y', 31_536_000], ['w', 604_800], ['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(s / f);
    if (n > 0) parts.push(`${n}${u}`);
    s -= n * f;
    if (parts.length === 3) break;
  }
  return (neg ? '-' : '') + (parts.length ? parts.join(' ') : '0s');
}

export function fmt(v: number | null | undefined, unit?: string, decimals?: number | null): string {
  return formattedToString(formatValue(v, unit, decimals));
}

// ---- colours and thresholds ----

const NAMED: Record<string, string> = {
  green: '#73bf69', 'dark-green': '#37872d', 'semi-dark-green': '#56a64b', 'light-green': '#96d98d', 'super-light-green': '#c8f2c2',
  red: '#f2495c', 'dark-red': '#c4162a', 'semi-dark-red': '#e02f44', 'light-red': '#ff7383', 'super-light-red': '#ffa6b0',
  orange: '#ff9830', 'dark-orange': '#fa6400', 'semi-dark-orange': '#ff780a', 'light-orange': '#ffb357', 'super-light-orange': '#ffcb7d',
  yellow: '#fade2a', 'dark-yellow': '#e0b400', 'semi-dark-yellow': '#f2cc0c', 'light-yellow': '#ffee52', 'super-light-yellow': '#fff899',
  blue: '#5794f2', 'dark-blue': '#1f60c4', 'semi-dark-blue': '#3274d9', 'light-blue': '#8ab8ff', 'super-light-blue': '#c0d8ff',
  purple: '#b877d9', 'dark-purple': '#8f3bb8', 'semi-dark-purple': '#a352cc', 'light-purple': '#ca95e5', 'super-light-purple': '#deb6f2',
  text: 'var(--fg)', transparent: 'transparent',
};

export function resolveColor(c: string | undefined | null): string {
  if (!c) return NAMED['green']!;
  return NAMED[c] ?? c;
}

/** The palette used for series (Grafana's classic palette). */
export const PALETTE = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9', '#705da0', '#508642', '#cca300', '#447ebc', '#c15c17', '#890f02', '#0a437c', '#6d1f62', '#584477', '#b7dbab', '#f4d598', '#70dbed', '#f9ba8f'];

export interface ThresholdStep {
  color: string;
  value: number | null;
}

/** Colour of `v` under absolute (or percentage, given min/max) thresholds: the last step whose value ≤ v. */
export function thresholdColor(v: number | null | undefined, steps: ThresholdStep[] | undefined, mode = 'absolute', min = 0, max = 100): string {
  if (!steps || steps.length === 0) return resolveColor('green');
  let color = steps[0]!.color;
  if (v === null || v === undefined || Number.isNaN(v)) return resolveColor(color);
  const x = mode === 'percentage' ? ((v - min) / (max - min || 1)) * 100 : v;
  for (const s of steps) {
    if (s.value === null || s.value === undefined || x >= s.value) color = s.color;
  }
  return resolveColor(color);
}

// ---- value mappings (fieldConfig.defaults.mappings) ----

export interface MappingResult {
  text?: string;
  color?: string;
  index?: number;
}

export type ValueMapping =
  | { type: 'value'; options: Record<string, MappingResult> }
  | { type: 'range'; options: { from?: number | null; to?: number | null; result: MappingResult } }
  | { type: 'regex'; options: { pattern: string; result: MappingResult } }
  | { type: 'special'; options: { match: string; result: MappingResult } };

/** The first mapping that matches `v`, in order, like Grafana's getValueMappingResult. */
export function mapValue(v: number | null, mappings: ValueMapping[] | undefined): MappingResult | null {
  if (!mappings || mappings.length === 0) return null;
  for (const m of mappings) {
    switch (m.type) {
      case 'value': {
        if (v === null) break;
        const r = m.options[String(v)];
        if (r) return r;
        break;
      }
      case 'range': {
        if (v === null || Number.isNaN(v)) break;
        const from = m.options.from ?? -Infinity;
        const to = m.options.to ?? Infinity;
        if (v >= from && v <= to) return m.options.result;
        break;
      }
      case 'regex': {
        if (v === null) break;
        try {
          if (new RegExp(m.options.pattern).test(String(v))) return m.options.result;
        } catch {
          /* an invalid pattern never matches */
        }
        break;
      }
      case 'special': {
        const match = m.options.match;
        if ((match === 'null' || match === 'null+nan') && v === null) return m.options.result;
        if ((match === 'nan' || match === 'null+nan') && v !== null && Number.isNaN(v)) return m.options.result;
        if (match === 'true' && v === 1) return m.options.result;
        if (match === 'false' && v === 0) return m.options.result;
        break;
      }
      default:
        break;
    }
  }
  return null;
}

/** Formats a value for display: a matching value mapping's text wins over the unit. */
export function displayValue(v: number | null, unit: string | undefined, decimals: number | null | undefined, mappings: ValueMapping[] | undefined): Formatted & { color?: string } {
  const m = mapValue(v, mappings);
  const base = formatValue(v, unit, decimals);
  if (!m) return base;
  return { ...(m.text !== undefined && m.text !== '' ? { prefix: '', text: m.text, suffix: '' } : base), color: m.color ? resolveColor(m.color) : undefined };
}
