/**
 * Go's fmt package as far as templates need it: the %v rendering of template
 * values (Fprint) and Sprintf with flags, width and precision.
 *
 * Value model (see value.ts): Go ints are JS bigints, Go float64s are JS numbers,
 * strings are strings, slices are arrays, maps are Maps or plain objects.
 */
import { isSafeString, GoTime } from './value.js';

/** Go's %v for a float64 (strconv 'g' with shortest precision: exponent when exp < -4 || exp >= 6). */
export function formatFloatV(x: number): string {
  return formatFloatG(x, -1);
}

interface Digits {
  neg: boolean;
  d: string; // significant digits, no trailing zeros (at least one digit)
  dp: number; // decimal point position: value = 0.d × 10^dp
}

function digitsOf(x: number, prec: number): Digits {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a === 0) return { neg, d: '0', dp: 1 };
  if (prec < 0) {
    const [mant, exp] = a.toExponential().split('e') as [string, string];
    return { neg, d: mant.replace('.', '').replace(/0+$/, '') || '0', dp: Number(exp) + 1 };
  }
  return roundDigits(exactDigits(a), Math.max(prec, 1), neg);
}

/** (Nearly) exact decimal digits of a positive double: 100 significant digits. */
function exactDigits(a: number): Digits {
  const [mant, exp] = a.toExponential(99).split('e') as [string, string];
  return { neg: false, d: mant.replace('.', ''), dp: Number(exp) + 1 };
}

/** Rounds to n significant digits, ties to even as Go's strconv does. */
function roundDigits(ex: Digits, n: number, neg: boolean): Digits {
  let d = ex.d;
  let dp = ex.dp;
  if (n < d.length) {
    const rest = d.slice(n);
    let up: boolean;
    if (rest[0]! > '5') up = true;
    else if (rest[0]! < '5') up = false;
    else if (/[1-9]/.test(rest.slice(1))) up = true;
    else up = n > 0 && (Number(d[n - 1]) & 1) === 1;
    d = d.slice(0, n);
    if (up) {
      const arr = d.split('').map(Number);
      let i = arr.length - 1;
      while (i >= 0) {
        if (arr[i]! < 9) {
          arr[i]!++;
          break;
        }
        arr[i] = 0;
        i--;
      }
      if (i < 0) {
        arr.unshift(1);
        arr.pop();
        dp++;
      }
      d = arr.join('');
    }
  }
  d = d.replace(/0+$/, '');
  if (d === '') return { neg, d: '0', dp: 1 };
  return { neg, d, dp };
}

function special(x: number, plus: boolean): string | null {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  void plus;
  return null;
}

function fmtE(dg: Digits, prec: number, upper = false): string {
  let s = dg.neg ? '-' : '';
  s += dg.d[0]!;
  if (prec > 0) {
    let frac = dg.d.slice(1, 1 + prec);
    while (frac.length < prec) frac += '0';
    s += '.' + frac;
  }
  const exp = dg.d === '0' ? 0 : dg.dp - 1;
  const ae = Math.abs(exp);
  s += (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : String(ae));
  return s;
}

function fmtF(dg: Digits, prec: number): string {
  let s = dg.neg ? '-' : '';
  if (dg.dp > 0) {
    let int = dg.d.slice(0, dg.dp);
    while (int.length < dg.dp) int += '0';
    s += int;
  } else s += '0';
  if (prec > 0) {
    let frac = '';
    for (let i = 0; i < prec; i++) {
      const j = dg.dp + i;
      frac += j < 0 || j >= dg.d.length ? '0' : dg.d[j]!;
    }
    s += '.' + frac;
  }
  return s;
}

/** strconv.FormatFloat(x, 'g', prec, 64) (prec -1 = shortest). */
export function formatFloatG(x: number, prec: number, upper = false): string {
  const sp = special(x, false);
  if (sp !== null) return sp;
  const shortest = prec < 0;
  if (prec === 0) prec = 1;
  const dg = digitsOf(x, prec);
  let eprec = shortest ? dg.d.length : prec;
  if (!shortest && eprec > dg.d.length && dg.d.length >= dg.dp) eprec = dg.d.length;
  // %e is used when the exponent is < -4 or >= the precision; shortest decides with 6 (strconv).
  if (shortest) eprec = 6;
  const exp = dg.dp - 1;
  if (exp < -4 || exp >= eprec) {
    let p = shortest ? dg.d.length : prec;
    if (p > dg.d.length) p = dg.d.length;
    return fmtE(dg, p - 1, upper);
  }
  let p = shortest ? dg.d.length : prec;
  if (p > dg.dp) p = dg.d.length;
  return fmtF(dg, Math.max(p - dg.dp, 0));
}

/** strconv.FormatFloat(x, 'f', prec, 64). */
export function formatFloatFixed(x: number, prec: number): string {
  const sp = special(x, false);
  if (sp !== null) return sp;
  if (prec < 0) {
    const dg = digitsOf(x, -1);
    return fmtF(dg, Math.max(dg.d.length - dg.dp, 0));
  }
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a === 0) return fmtF({ neg, d: '0', dp: 1 }, prec);
  const ex = exactDigits(a);
  const n = ex.dp + prec;
  if (n <= 0) {
    // Rounds to zero or to one unit in the last place.
    const half = n === 0 && (ex.d[0]! > '5' || (ex.d[0] === '5' && /[1-9]/.test(ex.d.slice(1))));
    return fmtF(half ? { neg, d: '1', dp: -prec + 1 } : { neg, d: '0', dp: 1 }, prec);
  }
  return fmtF(roundDigits(ex, n, neg), prec);
}

export function formatFloatExp(x: number, prec: number, upper = false): string {
  const sp = special(x, false);
  if (sp !== null) return sp;
  if (prec < 0) {
    const dg = digitsOf(x, -1);
    return fmtE(dg, dg.d.length - 1, upper);
  }
  return fmtE(digitsOf(x, prec + 1), prec, upper);
}

/** strconv.Quote: Go double-quoted string with Go escapes; printable Unicode kept. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c >= 0x80 && c < 0xa0) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Go type name of a template value, for error messages and %!verb(type=value). */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'function':
      return 'func';
  }
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof Map) return 'map[string]string';
  if (v instanceof GoTime) return 'time.Time';
  const ctor = (v as object).constructor;
  if (ctor && ctor !== Object && ctor.name) return '*template.' + ctor.name;
  return 'map[string]interface {}';
}

/** Go's %v (fmt.Sprint of one operand). */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'string':
      return v;
    case 'bigint':
      return v.toString();
    case 'number':
      return formatFloatV(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'function':
      return '0x0';
  }
  if (isSafeString(v)) return v.value;
  const obj = v as Record<string, unknown>;
  if (typeof obj['String'] === 'function' || typeof obj['Error'] === 'function') {
    const f = (obj['Error'] ?? obj['String']) as () => unknown;
    return String(f.call(v));
  }
  if (Array.isArray(v)) return '[' + v.map(formatValue).join(' ') + ']';
  if (v instanceof Map) {
    const keys = [...v.keys()].map(String).sort();
    return 'map[' + keys.map((k) => `${k}:${formatValue(v.get(k))}`).join(' ') + ']';
  }
  const ctor = (v as object).constructor;
  if (!ctor || ctor === Object) {
    const keys = Object.keys(obj).sort();
    return 'map[' + keys.map((k) => `${k}:${formatValue(obj[k])}`).join(' ') + ']';
  }
  // A struct: {field1 field2 ...} in declaration order.
  return '{' + Object.keys(obj).map((k) => formatValue(obj[k])).join(' ') + '}';
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(args[i]);
  }
  return out;
}

/** fmt.Sprintln: always spaces, newline at the end. */
export function sprintln(args: readonly unknown[]): string {
  return args.map(formatValue).join(' ') + '\n';
}

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width: number;
  prec: number;
}

function pad(s: string, sp: Spec, numeric: boolean): string {
  if (sp.width < 0 || s.length >= sp.width) return s;
  const n = sp.width - [...s].length;
  if (n <= 0) return s;
  if (sp.minus) return s + ' '.repeat(n);
  if (sp.zero && numeric) {
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

function signed(s: string, sp: Spec): string {
  if (s.startsWith('-')) return s;
  if (sp.plus) return '+' + s;
  if (sp.space) return ' ' + s;
  return s;
}

function badVerb(verb: string, v: unknown): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatValue(v)})`;
}

function hexString(s: string, upper: boolean, sp: Spec): string {
  const hex = Buffer.from(s, 'utf8').toString('hex');
  let out = upper ? hex.toUpperCase() : hex;
  if (sp.space) out = out.match(/../g)?.join(' ') ?? '';
  return out;
}

function formatOne(verb: string, v: unknown, sp: Spec): string {
  if (isSafeString(v)) v = v.value;
  switch (verb) {
    case 'v':
      if (typeof v === 'number' && sp.prec >= 0) return pad(signed(formatFloatG(v, sp.prec), sp), sp, true);
      if (sp.sharp && typeof v === 'string') return pad(goQuote(v), sp, false);
      return pad(typeof v === 'number' || typeof v === 'bigint' ? signed(formatValue(v), sp) : formatValue(v), sp, typeof v === 'number' || typeof v === 'bigint');
    case 's':
      if (typeof v === 'string') return pad(sp.prec >= 0 ? [...v].slice(0, sp.prec).join('') : v, sp, false);
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map)) return pad(formatValue(v), sp, false);
      if (Array.isArray(v)) return pad('[' + v.map((e) => formatOne('s', e, { ...sp, width: -1 })).join(' ') + ']', sp, false);
      return badVerb(verb, v);
    case 'q':
      if (typeof v === 'string') return pad(goQuote(v), sp, false);
      if (typeof v === 'bigint') return pad("'" + String.fromCodePoint(Number(v)) + "'", sp, false);
      return badVerb(verb, v);
    case 'd':
      if (typeof v === 'bigint') return pad(signed(v.toString(), sp), sp, true);
      if (Array.isArray(v)) return '[' + v.map((e) => formatOne('d', e, sp)).join(' ') + ']';
      return badVerb(verb, v);
    case 'b':
      if (typeof v === 'bigint') return pad(signed(v.toString(2), sp), sp, true);
      return badVerb(verb, v);
    case 'o':
      if (typeof v === 'bigint') return pad(signed(v.toString(8), sp), sp, true);
      return badVerb(verb, v);
    case 'x':
    case 'X': {
      const up = verb === 'X';
      if (typeof v === 'bigint') {
        let s = (v < 0n ? -v : v).toString(16);
        if (up) s = s.toUpperCase();
        if (sp.sharp) s = (up ? '0X' : '0x') + s;
        return pad(signed((v < 0n ? '-' : '') + s, sp), sp, true);
      }
      if (typeof v === 'string') return pad(hexString(v, up, sp), sp, false);
      if (typeof v === 'number') return badVerb(verb, v);
      return badVerb(verb, v);
    }
    case 'c':
      if (typeof v === 'bigint') return pad(String.fromCodePoint(Number(v)), sp, false);
      return badVerb(verb, v);
    case 'f':
    case 'F':
      if (typeof v === 'number') return pad(signed(formatFloatFixed(v, sp.prec < 0 ? 6 : sp.prec), sp), sp, true);
      return badVerb(verb, v);
    case 'e':
    case 'E':
      if (typeof v === 'number') return pad(signed(formatFloatExp(v, sp.prec < 0 ? 6 : sp.prec, verb === 'E'), sp), sp, true);
      return badVerb(verb, v);
    case 'g':
    case 'G':
      if (typeof v === 'number') return pad(signed(formatFloatG(v, sp.prec, verb === 'G'), sp), sp, true);
      return badVerb(verb, v);
    case 't':
      if (typeof v === 'boolean') return pad(v ? 'true' : 'false', sp, false);
      return badVerb(verb, v);
    case 'T':
      return pad(goTypeName(v), sp, false);
    default:
      return `%!${verb}(${goTypeName(v)}=${formatValue(v)})`;
  }
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const ch = format[i]!;
    if (ch !== '%') {
      out += ch;
      i++;
      continue;
    }
    i++;
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const sp: Spec = { minus: false, plus: false, space: false, zero: false, sharp: false, width: -1, prec: -1 };
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === '-') sp.minus = true;
      else if (f === '+') sp.plus = true;
      else if (f === ' ') sp.space = true;
      else if (f === '0') sp.zero = true;
      else if (f === '#') sp.sharp = true;
      else break;
    }
    if (format[i] === '*') {
      const w = args[argi++];
      sp.width = typeof w === 'bigint' ? Number(w) : -1;
      if (sp.width < 0 && typeof w === 'bigint') {
        sp.minus = true;
        sp.width = -sp.width;
      }
      i++;
    } else {
      let w = '';
      while (i < format.length && format[i]! >= '0' && format[i]! <= '9') w += format[i++];
      if (w !== '') sp.width = Number(w);
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        const p = args[argi++];
        sp.prec = typeof p === 'bigint' ? Number(p) : 0;
        i++;
      } else {
        let p = '';
        while (i < format.length && format[i]! >= '0' && format[i]! <= '9') p += format[i++];
        sp.prec = p === '' ? 0 : Number(p);
      }
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = format[i++]!;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, args[argi++], sp);
  }
  if (argi < args.length) {
    out += '%!(EXTRA ' + args.slice(argi).map((a) => `${goTypeName(a)}=${formatValue(a)}`).join(', ') + ')';
  }
  return out;
}
