/**
 * time_intervals / mute_time_intervals (timeinterval package): times, weekdays,
 * days_of_month (negative = from the end), months, years and location. An
 * interval matches when every given field matches; a named set matches when any
 * of its intervals does.
 */
import { ConfigError } from './yamlnode.js';

export interface Range {
  begin: number;
  end: number;
}

export interface TimeInterval {
  /** Minutes since midnight, [start, end). */
  times: Range[];
  weekdays: Range[];
  daysOfMonth: Range[];
  months: Range[];
  years: Range[];
  location: string;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function parseRange(s: string, parseOne: (x: string) => number, what: string): Range {
  const parts = s.split(':');
  if (parts.length > 2) throw new ConfigError(`invalid ${what} range: ${s}`);
  const begin = parseOne(parts[0]!.trim());
  const end = parts.length === 2 ? parseOne(parts[1]!.trim()) : begin;
  return { begin, end };
}

export function parseWeekdays(list: string[]): Range[] {
  return list.map((s) => {
    const r = parseRange(s.toLowerCase(), (x) => {
      const i = WEEKDAYS.indexOf(x);
      if (i < 0) throw new ConfigError(`${x} is not a valid weekday`);
      return i;
    }, 'weekday');
    if (r.begin > r.end) throw new ConfigError(`start day cannot be before end day: ${s}`);
    return r;
  });
}

export function parseMonths(list: string[]): Range[] {
  return list.map((s) => {
    const r = parseRange(s.toLowerCase(), (x) => {
      const i = MONTHS.indexOf(x);
      if (i >= 0) return i + 1;
      const n = Number(x);
      if (!Number.isInteger(n) || n < 1 || n > 12) throw new ConfigError(`${x} is not a valid month`);
      return n;
    }, 'month');
    if (r.begin > r.end) throw new ConfigError(`end month ${r.end} is before start month ${r.begin}`);
    return r;
  });
}

export function parseDaysOfMonth(list: string[]): Range[] {
  return list.map((s) => {
    const r = parseRange(s, (x) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n === 0 || n < -31 || n > 31) throw new ConfigError(`${x} is not a valid day of the month: out of range`);
      return n;
    }, 'day of month');
    if (r.begin > 0 && r.end > 0 && r.begin > r.end) throw new ConfigError(`end day must be after start day: ${s}`);
    return r;
  });
}

export function parseYears(list: string[]): Range[] {
  return list.map((s) => {
    const r = parseRange(s, (x) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${x} is not a valid year`);
      return n;
    }, 'year');
    if (r.begin > r.end) throw new ConfigError(`end year ${r.end} is before start year ${r.begin}`);
    return r;
  });
}

export function parseTime(s: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) throw new ConfigError(`couldn't parse timestamp ${s}, invalid format`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) throw new ConfigError(`timestamp ${s} out of range`);
  return h * 60 + min;
}

export function checkLocation(loc: string): void {
  if (loc === '' || loc === 'UTC' || loc === 'Local') return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: loc });
  } catch {
    throw new ConfigError(`unknown time zone ${loc}`);
  }
}

interface Parts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minutes: number;
  daysInMonth: number;
}

function partsIn(ms: number, loc: string): Parts {
  if (loc === '' || loc === 'UTC') {
    const d = new Date(ms);
    return fromFields(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCDay(), d.getUTCHours() * 60 + d.getUTCMinutes());
  }
  if (loc === 'Local') {
    const d = new Date(ms);
    return fromFields(d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getDay(), d.getHours() * 60 + d.getMinutes());
  }
  const f = new Intl.DateTimeFormat('en-US', { timeZone: loc, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'long', hourCycle: 'h23' });
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return fromFields(Number(p['year']), Number(p['month']), Number(p['day']), WEEKDAYS.indexOf((p['weekday'] ?? '').toLowerCase()), Number(p['hour']) * 60 + Number(p['minute']));
}

function fromFields(year: number, month: number, day: number, weekday: number, minutes: number): Parts {
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { year, month, day, weekday, minutes, daysInMonth };
}

function inRanges(v: number, rs: Range[]): boolean {
  for (const r of rs) if (v >= r.begin && v <= r.end) return true;
  return false;
}

/** TimeInterval.ContainsTime. */
export function intervalContains(ti: TimeInterval, ms: number): boolean {
  const p = partsIn(ms, ti.location);
  if (ti.times.length > 0 && !ti.times.some((r) => p.minutes >= r.begin && p.minutes < r.end)) return false;
  if (ti.daysOfMonth.length > 0) {
    const ok = ti.daysOfMonth.some((r) => {
      const b = r.begin < 0 ? p.daysInMonth + r.begin + 1 : r.begin;
      const e = r.end < 0 ? p.daysInMonth + r.end + 1 : r.end;
      return p.day >= Math.max(b, 1) && p.day <= Math.min(e, p.daysInMonth);
    });
    if (!ok) return false;
  }
  if (ti.months.length > 0 && !inRanges(p.month, ti.months)) return false;
  if (ti.weekdays.length > 0 && !inRanges(p.weekday, ti.weekdays)) return false;
  if (ti.years.length > 0 && !inRanges(p.year, ti.years)) return false;
  return true;
}
