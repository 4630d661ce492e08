/**
 * Sample values. Staleness is marked with the NaN bit pattern Prometheus uses
 * (0x7ff0000000000002, value.StaleNaN); it must survive storage bit-exactly, so
 * compare bits, never `isNaN`.
 */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Little-endian: u32[0] is the low word, u32[1] the high word.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;

u32[HI] = STALE_NAN_HI;
u32[LO] = STALE_NAN_LO;
/** The staleness marker value. Arithmetic on it yields an ordinary NaN. */
export const STALE_NAN: number = f64[0]!;

export function isStaleNaN(v: number): boolean {
  if (v === v) return false; // not NaN at all: fast path
  f64[0] = v;
  return u32[HI] === STALE_NAN_HI && u32[LO] === STALE_NAN_LO;
}

/**
 * Formats a float as Prometheus' HTTP API does (strconv.FormatFloat(v, 'f', -1, 64)
 * with NaN, +Inf and -Inf spelled out): shortest round-trip digits, never an exponent.
 */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return formatFloatF(v);
}

/** strconv.FormatFloat(v, 'f', -1, 64) for finite v. */
export function formatFloatF(v: number): string {
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  if (!s.includes('e')) return s;
  const neg = v < 0;
  const [mant, expStr] = Math.abs(v).toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  const digits = mant.replace('.', '');
  let out: string;
  if (exp >= 0) {
    out = digits.length - 1 <= exp ? digits + '0'.repeat(exp - (digits.length - 1)) : digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  } else {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  }
  return neg ? '-' + out : out;
}

/** A float sample: timestamp in ms since the epoch, value float64. */
export interface Sample {
  t: number;
  v: number;
}
