import { readFile } from 'node:fs/promises';

/**
 * The local zone abbreviation Go's time.Now().Zone() reports ("UTC", "KST",
 * "CEST"), for node_time_zone_offset_seconds{time_zone}. JavaScript has no API for
 * it (Intl prints "GMT+9"), so read the POSIX TZ footer of the TZif file Go loads:
 * $TZ (empty means UTC) or /etc/localtime.
 */
const cache = new Map<number, string>();
let footer: Promise<string | undefined> | undefined;

export async function timeZoneName(offsetSeconds: number): Promise<string> {
  const hit = cache.get(offsetSeconds);
  if (hit !== undefined) return hit;
  footer ??= loadFooter();
  const tz = await footer;
  const name = tz === undefined ? (offsetSeconds === 0 ? 'UTC' : fallbackName(offsetSeconds)) : pickName(tz, offsetSeconds);
  cache.set(offsetSeconds, name);
  return name;
}

async function loadFooter(): Promise<string | undefined> {
  const env = process.env['TZ'];
  if (env === '') return 'UTC0';
  let file = '/etc/localtime';
  if (env !== undefined) {
    const z = env.startsWith(':') ? env.slice(1) : env;
    file = z.startsWith('/') ? z : `/usr/share/zoneinfo/${z}`;
  }
  try {
    const buf = await readFile(file);
    if (buf.subarray(0, 4).toString('latin1') !== 'TZif') return undefined;
    const end = buf.length - 1;
    if (buf[end] !== 0x0a) return undefined;
    const start = buf.lastIndexOf(0x0a, end - 1);
    return start < 0 ? undefined : buf.subarray(start + 1, end).toString('latin1');
  } catch {
    return undefined;
  }
}

/** Picks the standard or daylight abbreviation of a POSIX TZ string ("CET-1CEST,M3.5.0,…") for an offset. */
export function pickName(tz: string, offsetSeconds: number): string {
  let i = 0;
  const name = (): string => {
    if (tz[i] === '<') {
      const e = tz.indexOf('>', i);
      const n = tz.slice(i + 1, e);
      i = e + 1;
      return n;
    }
    const s = i;
    while (i < tz.length && /[A-Za-z]/.test(tz[i]!)) i++;
    return tz.slice(s, i);
  };
  const offset = (): number => {
    const m = /^([+-]?)(\d+)(?::(\d+))?(?::(\d+))?/.exec(tz.slice(i));
    if (!m) return 0;
    i += m[0].length;
    const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    // POSIX offsets are west-positive.
    return m[1] === '-' ? secs : -secs;
  };
  const std = name();
  const stdOff = offset();
  if (i >= tz.length || tz[i] === ',') return std || fallbackName(offsetSeconds);
  const dst = name();
  if (offsetSeconds === stdOff || dst === '') return std;
  return dst;
}

function fallbackName(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const a = Math.abs(offsetSeconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return sign + String(h).padStart(2, '0') + (m ? String(m).padStart(2, '0') : '');
}
