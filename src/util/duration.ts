/**
 * Prometheus duration strings: "1h30m", "5m", "15s", "100ms", "1y", "2w", "1d".
 * Units and their order follow Prometheus' model.ParseDuration: y, w, d, h, m, s, ms,
 * each at most once, largest first. A year is 365 days, a week 7 days.
 */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 24 * 3600 * 1000],
  ['w', 7 * 24 * 3600 * 1000],
  ['d', 24 * 3600 * 1000],
  ['h', 3600 * 1000],
  ['m', 60 * 1000],
  ['s', 1000],
  ['ms', 1],
];

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Parses a Prometheus duration into milliseconds. "0" is accepted as zero. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new DurationError('empty duration string');
  const m = DURATION_RE.exec(s);
  if (!m) throw new DurationError(`not a valid duration string: "${s}"`);
  let total = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) total += Number(part) * UNITS[i]![1];
  }
  if (!Number.isSafeInteger(total)) throw new DurationError(`duration out of range: "${s}"`);
  return total;
}

/**
 * Formats milliseconds the way Prometheus' model.Duration.String does ("1h30m", "0s").
 * Years and weeks are used only when they divide the rest exactly ("15d", not "2w1d").
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.abs(ms);
  let out = ms < 0 ? '-' : '';
  for (const [unit, size] of UNITS) {
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
