/**
 * Go's strconv.ParseFloat as Prometheus' exposition parsers use it: decimal floats
 * with optional exponent, "Inf"/"Infinity" (any case, optional sign) and "NaN"
 * (any case, no sign). Underscores, hex and `p` exponents are rejected (Prometheus
 * refuses "pP_"), as are values that overflow to infinity. Returns undefined when invalid.
 */
export function parseGoFloat(s: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  // Fast path for plain decimals: JS's Number() agrees with Go on them once we exclude
  // what only JS accepts (surrounding whitespace, 0x/0b/0o prefixes) and overflow.
  const first = s.charCodeAt(start);
  const last = s.charCodeAt(end - 1);
  const fast = fastDecimal(s, start, end);
  if (fast === fast) return fast;
  if ((isDigit(first) || first === 45 || first === 43 || first === 46) && (isDigit(last) || last === 46)) {
    let j = start;
    if (first === 45 || first === 43) j++;
    if (s.charCodeAt(j) === 48 && j + 1 < end) {
      const x = s.charCodeAt(j + 1) | 0x20;
      if (x === 120 || x === 98 || x === 111) return undefined;
    }
    const v = Number(s.slice(start, end));
    if (v !== v || v === Infinity || v === -Infinity) return undefined;
    return v;
  }
  let i = start;
  let c = s.charCodeAt(i);
  const signed = c === 43 /* + */ || c === 45; /* - */
  if (signed) {
    i++;
    if (i >= end) return undefined;
    c = s.charCodeAt(i);
  }
  if (c === 105 || c === 73 || c === 110 || c === 78) {
    const word = s.slice(i, end).toLowerCase();
    if (word === 'inf' || word === 'infinity') return s.charCodeAt(start) === 45 ? -Infinity : Infinity;
    if (word === 'nan' && !signed) return NaN;
    return undefined;
  }
  let digits = 0;
  while (i < end && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < end && s.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < end && isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return undefined;
  if (i < end && (s.charCodeAt(i) === 101 || s.charCodeAt(i) === 69)) {
    i++;
    if (i < end && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    let ed = 0;
    while (i < end && isDigit(s.charCodeAt(i))) {
      i++;
      ed++;
    }
    if (ed === 0) return undefined;
  }
  if (i !== end) return undefined;
  const v = Number(s.slice(start, end));
  if (v === Infinity || v === -Infinity || v !== v) return undefined; // ErrRange
  return v;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** [a-zA-Z_:] */
export function isMetricNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}
/** [a-zA-Z0-9_:] */
export function isMetricNameChar(c: number): boolean {
  return isMetricNameStart(c) || isDigit(c);
}
/** [a-zA-Z_] */
export function isLabelNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
export function isLabelNameChar(c: number): boolean {
  return isLabelNameStart(c) || isDigit(c);
}

/** Describes the character at i for error messages ("'='", "end of input", "newline"). */
export function describe(s: string, i: number): string {
  if (i >= s.length) return 'end of input';
  const c = s[i]!;
  if (c === '\n') return 'newline';
  const code = c.charCodeAt(0);
  // Invisible characters (controls, BOM, non-breaking spaces) are shown by code.
  if (code < 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0xfeff || (code >= 0x2000 && code <= 0x200f)) {
    return `'\\u${code.toString(16).padStart(4, '0')}'`;
  }
  return JSON.stringify(c).replace(/^"|"$/g, "'");
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Clinger's fast path without allocating: `[-]digits[.digits]` with at most 15
 * significant digits and at most 22 decimals is one correctly rounded division of
 * two exactly representable numbers. Returns NaN when the input needs the slow path.
 */
function fastDecimal(s: string, start: number, end: number): number {
  let i = start;
  let neg = false;
  const c0 = s.charCodeAt(i);
  if (c0 === 45) {
    neg = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = -1;
  let any = false;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      any = true;
      // Leading zeros do not count as significant digits.
      if (m !== 0 || c !== 48) digits++;
      if (digits > 15) return NaN;
      m = m * 10 + (c - 48);
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) {
      frac = 0;
    } else return NaN;
  }
  if (!any || (frac > 22)) return NaN;
  const v = frac > 0 ? m / POW10[frac]! : m;
  return neg ? -v : v;
}
