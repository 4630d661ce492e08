/**
 * Number and string formatting exactly as client_golang's text encoder prints them
 * (expfmt writeFloat: strconv.AppendFloat(v, 'g', -1, 64) with 1/0/-1, NaN, ±Inf
 * special-cased), so dashboards and diff tools see byte-identical values.
 */

/** strconv.FormatFloat(v, 'g', -1, 64) plus Prometheus' spelling of NaN and infinities. */
export function formatGoFloat(v: number): string {
  // Integers below 1e6 print plainly in both Go %g and JS: the common case, no work.
  if (Number.isInteger(v) && v < 1e6 && v > -1e6) return Object.is(v, -0) ? '-0' : String(v);
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0;
  const a = neg ? -v : v;
  // Shortest round-trip digits, the same digit string Go's shortest mode picks.
  const e = a.toExponential();
  const ePos = e.indexOf('e');
  const mant = e.slice(0, ePos);
  const exp = Number(e.slice(ePos + 1));
  const digits = mant.length > 1 ? mant[0]! + mant.slice(2) : mant;
  const nd = digits.length;
  // Go: eprec = 6 for shortest; if eprec > nd && nd >= decimalPoint, eprec = nd.
  let eprec = 6;
  const dp = exp + 1;
  if (eprec > nd && nd >= dp) eprec = nd;
  let out: string;
  if (exp < -4 || exp >= eprec) {
    const ae = exp < 0 ? -exp : exp;
    out = (nd > 1 ? digits[0] + '.' + digits.slice(1) : digits) + (exp < 0 ? 'e-' : 'e+') + (ae < 10 ? '0' + ae : String(ae));
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  } else if (nd <= dp) {
    out = digits + '0'.repeat(dp - nd);
  } else {
    out = digits.slice(0, dp) + '.' + digits.slice(dp);
  }
  return neg ? '-' + out : out;
}

const LABEL_ESCAPE = /[\\"\n]/;

/** Label value escaping of the text format: backslash, double quote and newline. */
export function escapeLabelValue(s: string): string {
  if (!LABEL_ESCAPE.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escaping: backslash and newline only. */
export function escapeHelp(s: string): string {
  if (s.indexOf('\\') < 0 && s.indexOf('\n') < 0) return s;
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
