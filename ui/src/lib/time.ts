/** Durations, relative times and step/interval arithmetic shared by the query page and dashboards. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Parses a Prometheus duration ("1h30m", "15s", "500ms") into milliseconds; null when invalid. */
export function parseDuration(s: string): number | null {
  const str = s.trim();
  if (str === '') return null;
  if (/^\d+(\.\d+)?$/.test(str)) return Math.round(parseFloat(str) * 1000);
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(str); m; m = re.exec(str)) {
    total += parseInt(m[1]!, 10) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === str.length && pos > 0 ? total : null;
}

/** Formats milliseconds as a Prometheus duration ("1h30m", "15s", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [u, f] of [['y', UNIT_MS['y']!], ['w', UNIT_MS['w']!], ['d', UNIT_MS['d']!], ['h', UNIT_MS['h']!], ['m', UNIT_MS['m']!], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / f);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * f;
    }
  }
  return out;
}

/** "3.2s ago", "5m ago" style relative times for last-scrape columns. */
export function ago(ts: string | number, now = Date.now()): string {
  const t = typeof ts === 'number' ? ts : Date.parse(ts);
  if (!Number.isFinite(t) || t <= 0) return 'never';
  const d = now - t;
  if (d < 0) return 'in ' + humanDuration(-d);
  return humanDuration(d) + ' ago';
}

export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${sec}s`;
}

/**
 * Resolves a Grafana time expression: "now", "now-6h", "now-1d/d" (rounding is ignored but
 * accepted), epoch milliseconds, or an ISO date. Returns ms, or null when invalid.
 */
export function parseTimeExpr(s: string, now = Date.now()): number | null {
  const str = s.trim();
  if (str === 'now') return now;
  const m = /^now(?:([+-])(\d+)(ms|s|m|h|d|w|M|y))?(?:\/(s|m|h|d|w|M|y))?$/.exec(str);
  if (m) {
    if (!m[1]) return now;
    const unit = m[3] === 'M' ? 30 * UNIT_MS['d']! : UNIT_MS[m[3]!]!;
    const delta = parseInt(m[2]!, 10) * unit;
    return m[1] === '-' ? now - delta : now + delta;
  }
  if (/^\d{10,}$/.test(str)) return parseInt(str, 10);
  const d = Date.parse(str);
  return Number.isFinite(d) ? d : null;
}

/** Grafana's nice intervals: the "rounded" interval used for $__interval. */
const NICE_MS = [1, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_200_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000, 2_592_000_000, 31_536_000_000];

export function roundInterval(ms: number): number {
  for (const n of NICE_MS) if (ms <= n) return n;
  return NICE_MS[NICE_MS.length - 1]!;
}

/**
 * The interval Grafana computes for a panel: range / maxDataPoints rounded to a nice value,
 * never below the minimum interval (panel/target "interval", else the scrape interval).
 */
export function panelInterval(rangeMs: number, maxDataPoints: number, minIntervalMs: number): number {
  const raw = rangeMs / Math.max(1, maxDataPoints);
  return Math.max(minIntervalMs, roundInterval(raw));
}

/** Grafana's $__rate_interval: max($__interval + scrape interval, 4 * scrape interval). */
export function rateInterval(intervalMs: number, scrapeMs: number): number {
  return Math.max(intervalMs + scrapeMs, 4 * scrapeMs);
}

/** Prometheus UI's default resolution: about 250 points per graph, at least 1s. */
export function defaultStep(rangeMs: number): number {
  return Math.max(Math.floor(rangeMs / 250 / 1000), 1);
}

export function formatTimestamp(ms: number, withMs = false): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const s = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return withMs ? `${s}.${p(d.getMilliseconds(), 3)}` : s;
}

/** Value for <input type="datetime-local"> in local time. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}
