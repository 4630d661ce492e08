/**
 * Template value helpers: Go's template.HTML (a string that escapers leave alone)
 * and a time.Time stand-in with Go's String()/Format() renderings.
 */

/** Go's template.HTML: output as-is, never escaped by html mode or `html`. */
export class SafeString {
  constructor(readonly value: string) {}
  String(): string {
    return this.value;
  }
}

export function isSafeString(v: unknown): v is SafeString {
  return v instanceof SafeString;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function p2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/**
 * Go's time.Time in UTC with nanosecond precision (ms from the epoch plus extra ns).
 * Methods use Go's names so templates can call `.StartsAt.Format "15:04"`, `.Unix`.
 */
export class GoTime {
  constructor(
    readonly ms: number,
    readonly extraNs = 0,
  ) {}

  static fromDate(d: Date): GoTime {
    return new GoTime(d.getTime());
  }

  IsZero(): boolean {
    return this.ms === ZERO_TIME_MS;
  }
  Unix(): bigint {
    return BigInt(Math.floor(this.ms / 1000));
  }
  UnixMilli(): bigint {
    return BigInt(this.ms);
  }
  UnixNano(): bigint {
    return BigInt(this.ms) * 1_000_000n + BigInt(this.extraNs);
  }
  UTC(): GoTime {
    return this;
  }
  Local(): GoTime {
    return this;
  }
  /** Go's time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST". */
  String(): string {
    return this.Format('2006-01-02 15:04:05.999999999 -0700 MST');
  }
  /** RFC3339 with the fraction trimmed (Go's RFC3339Nano), as JSON encodes times. */
  toJSON(): string {
    return this.Format('2006-01-02T15:04:05.999999999Z07:00');
  }
  /** Go reference-time layouts: 2006 01 02 15 04 05 Jan Mon MST -0700 Z07:00 .000 .999 PM. */
  Format(layout: string): string {
    const d = new Date(this.ms);
    const nanos = (((this.ms % 1000) + 1000) % 1000) * 1_000_000 + this.extraNs;
    const tokens: Array<[string, () => string]> = [
      ['January', () => MONTHS[d.getUTCMonth()]!],
      ['Monday', () => DAYS[d.getUTCDay()]!],
      ['Z07:00', () => 'Z'],
      ['-07:00', () => '+00:00'],
      ['Z0700', () => 'Z'],
      ['-0700', () => '+0000'],
      ['2006', () => String(d.getUTCFullYear()).padStart(4, '0')],
      ['Jan', () => MONTHS[d.getUTCMonth()]!.slice(0, 3)],
      ['Mon', () => DAYS[d.getUTCDay()]!.slice(0, 3)],
      ['MST', () => 'UTC'],
      ['-07', () => '+00'],
      ['002', () => String(dayOfYear(d)).padStart(3, '0')],
      ['01', () => p2(d.getUTCMonth() + 1)],
      ['02', () => p2(d.getUTCDate())],
      ['_2', () => String(d.getUTCDate()).padStart(2, ' ')],
      ['06', () => p2(d.getUTCFullYear() % 100)],
      ['15', () => p2(d.getUTCHours())],
      ['03', () => p2(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12)],
      ['04', () => p2(d.getUTCMinutes())],
      ['05', () => p2(d.getUTCSeconds())],
      ['PM', () => (d.getUTCHours() >= 12 ? 'PM' : 'AM')],
      ['pm', () => (d.getUTCHours() >= 12 ? 'pm' : 'am')],
      ['1', () => String(d.getUTCMonth() + 1)],
      ['2', () => String(d.getUTCDate())],
      ['3', () => String(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12)],
      ['4', () => String(d.getUTCMinutes())],
      ['5', () => String(d.getUTCSeconds())],
    ];
    let out = '';
    let i = 0;
    outer: while (i < layout.length) {
      // Fractional seconds: ".000" (fixed) or ".999" (trailing zeros trimmed), also with ','.
      if ((layout[i] === '.' || layout[i] === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
        const digit = layout[i + 1]!;
        let j = i + 1;
        while (layout[j] === digit) j++;
        if (!(layout[j]! >= '0' && layout[j]! <= '9')) {
          const n = j - i - 1;
          let frac = String(nanos).padStart(9, '0').slice(0, n);
          if (digit === '9') frac = frac.replace(/0+$/, '');
          if (frac !== '') out += layout[i] + frac;
          i = j;
          continue;
        }
      }
      for (const [tok, fn] of tokens) {
        if (layout.startsWith(tok, i)) {
          out += fn();
          i += tok.length;
          continue outer;
        }
      }
      out += layout[i++];
    }
    return out;
  }
}

/** Go's zero time (0001-01-01T00:00:00Z) in ms. */
export const ZERO_TIME_MS = new Date('0001-01-01T00:00:00Z').getTime();

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
}
