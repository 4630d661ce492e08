import { MatchType, Matcher, METRIC_NAME, RegexError } from '../model/index.js';
import { ParamError } from './params.js';

/**
 * Parses a PromQL series selector (`up`, `up{job="a"}`, `{__name__=~"x.*"}`) as
 * Prometheus' parser.ParseMetricSelector does, for match[] and match_target
 * parameters. Errors read `1:col: parse error: ...` like Prometheus'.
 */
export function parseSeriesSelector(input: string): Matcher[] {
  return new SelectorParser(input).parse();
}

/**
 * Prometheus' parseMatchersParam: every selector parsed, and each must have at least one
 * matcher that does not match the empty string.
 */
export function parseMatcherSets(selectors: readonly string[]): Matcher[][] {
  const sets = selectors.map(parseSeriesSelector);
  for (const set of sets) {
    if (!set.some((m) => !m.matchesEmpty())) throw new ParamError('match[] must contain at least one non-empty matcher');
  }
  return sets;
}

// Words the PromQL lexer turns into keywords/operators outside braces; they cannot be metric names.
const SET_OPS = new Set(['and', 'or', 'unless', 'atan2']);
const AGGREGATORS = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'count_values', 'quantile']);
const KEYWORDS = new Set(['offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool']);

/** How Prometheus' parser names a keyword token in "unexpected ..." messages, or null for a plain identifier. */
function keywordToken(word: string): string | null {
  const w = word.toLowerCase();
  if (SET_OPS.has(w)) return `<op:${w}>`;
  if (AGGREGATORS.has(w)) return `<aggr:${w}>`;
  if (KEYWORDS.has(w)) return `<${w}>`;
  return null;
}

class SelectorParser {
  private pos = 0;

  constructor(private readonly s: string) {}

  private fail(msg: string, at = this.pos): never {
    // Prometheus reports line:column (1-based column of the offending token).
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < this.s.length; i++) {
      if (this.s[i] === '\n') {
        line++;
        col = 1;
      } else col++;
    }
    throw new ParamError(`${line}:${col}: parse error: ${msg}`);
  }

  private skipSpace(): void {
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '#') {
        while (this.pos < this.s.length && this.s[this.pos] !== '\n') this.pos++;
      } else break;
    }
  }

  parse(): Matcher[] {
    this.skipSpace();
    if (this.pos >= this.s.length) this.fail('unexpected end of input');
    const matchers: Matcher[] = [];
    let name: string | null = null;
    const c = this.s[this.pos]!;
    if (/[a-zA-Z_:]/.test(c)) {
      const start = this.pos;
      name = this.ident(/[a-zA-Z0-9_:]/);
      const kw = keywordToken(name);
      if (kw !== null) {
        // An aggregation's "(" is where the selector grammar gives up, as in Prometheus.
        this.skipSpace();
        if (kw.startsWith('<aggr:') && this.s[this.pos] === '(') this.fail('unexpected "("');
        this.fail(`unexpected ${kw}`, start);
      }
      if (/^(inf|nan)$/i.test(name)) this.fail(`unexpected number "${name}"`, start);
      matchers.push(new Matcher(MatchType.Equal, METRIC_NAME, name));
      this.skipSpace();
    } else if (c !== '{') {
      this.fail(this.describeAt());
    }
    if (this.s[this.pos] === '{') {
      this.pos++;
      this.parseMatchers(matchers);
    } else if (name === null) {
      this.fail(this.describeAt());
    }
    this.skipSpace();
    if (this.pos < this.s.length) this.fail(this.describeAt());
    return matchers;
  }

  private parseMatchers(out: Matcher[]): void {
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.s.length) this.fail('unexpected end of input inside braces');
      if (this.s[this.pos] === '}') {
        this.pos++;
        return;
      }
      const nameStart = this.pos;
      const lc = this.s[this.pos]!;
      if (!/[a-zA-Z_]/.test(lc)) {
        if (lc === ',' || lc === '=' || lc === '{') this.fail(`unexpected "${lc}" in label matching, expected identifier or "}"`);
        if (lc === '"' || lc === "'" || lc === '`') this.fail(`${this.describeAt()} in label matching, expected identifier or "}"`);
        this.fail(`unexpected character inside braces: ${goRuneQuote(lc)}`);
      }
      const label = this.ident(/[a-zA-Z0-9_]/);
      this.skipSpace();
      const op = this.matchOp();
      if (op === null) {
        if (this.pos >= this.s.length) this.fail('unexpected end of input inside braces');
        const oc = this.s[this.pos]!;
        if (oc === '!') {
          const after = this.s[this.pos + 1];
          if (after === undefined) this.fail('unexpected end of input inside braces');
          this.fail(`unexpected character after '!' inside braces: ${goRuneQuote(after)}`);
        }
        if (oc === '}' || oc === ',' || oc === '{') this.fail(`unexpected "${oc}" in label matching, expected label matching operator`);
        if (/[a-zA-Z_]/.test(oc) || oc === '"' || oc === "'" || oc === '`') this.fail(`${this.describeAt()} in label matching, expected label matching operator`);
        this.fail(`unexpected character inside braces: ${goRuneQuote(oc)}`);
      }
      this.skipSpace();
      if (this.pos >= this.s.length) this.fail('unexpected end of input inside braces');
      const q = this.s[this.pos]!;
      if (q !== '"' && q !== "'" && q !== '`') {
        if (q === '}' || q === ',' || q === '=' || q === '{') this.fail(`unexpected "${q}" in label matching, expected string`);
        if (/[a-zA-Z_]/.test(q)) this.fail(`${this.describeAt()} in label matching, expected string`);
        this.fail(`unexpected character inside braces: ${goRuneQuote(q)}`);
      }
      const value = this.string();
      if (op === MatchType.Regexp || op === MatchType.NotRegexp) {
        // RE2 refuses repeat counts above 1000; JavaScript would accept them.
        const big = /\{(\d+)(?:,(\d*))?\}/g;
        for (const m of value.matchAll(big)) {
          if (Number(m[1]) > 1000 || (m[2] !== undefined && m[2] !== '' && Number(m[2]) > 1000)) this.fail(`error parsing regexp: invalid repeat count: \`${m[0]}\``, nameStart);
        }
      }
      try {
        out.push(new Matcher(op, label, value));
      } catch (err) {
        // Prometheus reports the position of the label name and Go's regexp message.
        if (err instanceof RegexError) this.fail(goRegexpError(value, err.message), nameStart);
        throw err;
      }
      this.skipSpace();
      const sep = this.s[this.pos];
      if (sep === ',') {
        this.pos++;
        continue;
      }
      if (sep === '}') {
        this.pos++;
        return;
      }
      if (sep === undefined) this.fail('unexpected end of input inside braces');
      this.fail(`${this.describeAt()} in label matching, expected "," or "}"`);
    }
  }

  private ident(re: RegExp): string {
    const start = this.pos;
    while (this.pos < this.s.length && re.test(this.s[this.pos]!)) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private matchOp(): MatchType | null {
    const two = this.s.slice(this.pos, this.pos + 2);
    if (two === '!=') {
      this.pos += 2;
      return MatchType.NotEqual;
    }
    if (two === '=~') {
      this.pos += 2;
      return MatchType.Regexp;
    }
    if (two === '!~') {
      this.pos += 2;
      return MatchType.NotRegexp;
    }
    // The lexer reads "==" as "=" followed by a stray "=".
    if (two === '==') this.fail('unexpected "=" in label matching, expected string', this.pos + 1);
    if (this.s[this.pos] === '=') {
      this.pos++;
      return MatchType.Equal;
    }
    return null;
  }

  /** A quoted string with Go escapes ("..." and '...') or a raw `...` string. */
  private string(): string {
    const start = this.pos;
    const q = this.s[this.pos++]!;
    let out = '';
    while (this.pos < this.s.length) {
      const c = this.s[this.pos++]!;
      if (c === q) return out;
      if (q === '`') {
        out += c;
        continue;
      }
      if (c === '\n') this.fail('unterminated quoted string', start);
      if (c !== '\\') {
        out += c;
        continue;
      }
      out += this.escape(q, start);
    }
    this.fail(q === '`' ? 'unterminated raw string' : 'unterminated quoted string', start);
  }

  private escape(quote: string, start: number): string {
    const c = this.s[this.pos++];
    switch (c) {
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return '\v';
      case '\\':
        return '\\';
      case 'x':
        return String.fromCharCode(this.hex(2, start));
      case 'u':
        return String.fromCodePoint(this.hex(4, start));
      case 'U':
        return String.fromCodePoint(this.hex(8, start));
      default:
        if (c === quote) return c;
        if (c !== undefined && /[0-7]/.test(c)) {
          const oct = c + this.s.slice(this.pos, this.pos + 2);
          if (!/^[0-7]{3}$/.test(oct)) this.fail('invalid escape sequence in string', start);
          this.pos += 2;
          const n = parseInt(oct, 8);
          if (n > 255) this.fail('escape sequence is an invalid Unicode code point', start);
          return String.fromCharCode(n);
        }
        if (c === undefined) this.fail('unterminated quoted string', start);
        // Go's "%U %q" of the rune, as Prometheus' lexer reports it.
        this.fail(`unknown escape sequence U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${goRuneQuote(c)}`, start);
    }
  }

  private hex(n: number, start: number): number {
    const h = this.s.slice(this.pos, this.pos + n);
    for (let i = 0; i < n; i++) {
      const ch = this.s[this.pos + i];
      if (ch === undefined) this.fail('unterminated quoted string', start);
      if (!/[0-9a-fA-F]/.test(ch)) this.fail(`illegal character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${goRuneQuote(ch)} in escape sequence`, start);
    }
    this.pos += n;
    const v = parseInt(h, 16);
    if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) this.fail('escape sequence is an invalid Unicode code point', start);
    return v;
  }

  /** "unexpected <token>" for the token at the cursor, in Prometheus' wording. */
  private describeAt(): string {
    const rest = this.s.slice(this.pos);
    if (rest === '') return 'unexpected end of input';
    const num = /^[0-9.]+(?:[eE][+-]?\d+)?/.exec(rest);
    if (num) return `unexpected number ${JSON.stringify(num[0])}`;
    const id = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest);
    if (id) {
      const kw = keywordToken(id[0]);
      return kw !== null ? `unexpected ${kw}` : `unexpected identifier ${JSON.stringify(id[0])}`;
    }
    const q = rest[0]!;
    if (q === '"' || q === "'" || q === '`') {
      const end = rest.indexOf(q, 1);
      return `unexpected string ${JSON.stringify(end > 0 ? rest.slice(0, end + 1) : rest)}`;
    }
    // Tokens the PromQL lexer knows outside braces; anything else fails in the lexer.
    const op = /^(?:==|!=|>=|<=|[-+*/%^<>])/.exec(rest);
    if (op) return `unexpected <op:${op[0]}>`;
    if ('([,={'.includes(q)) return `unexpected "${q}"`;
    return `unexpected character: ${goRuneQuote(q)}`;
  }
}

/** Go's %q of a rune: single-quoted, with the usual escapes. */
function goRuneQuote(c: string): string {
  const esc: Record<string, string> = { "'": "\\'", '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' };
  return `'${esc[c] ?? c}'`;
}

/**
 * Rewords a JavaScript RegExp syntax error the way Go's regexp package words the same
 * mistake (as Prometheus reports it); unknown cases keep the JavaScript text.
 */
function goRegexpError(pattern: string, jsMessage: string): string {
  const anchored = `^(?:${pattern})$`;
  const go = (what: string, expr: string): string => `error parsing regexp: ${what}: \`${expr}\``;
  if (/Unterminated group/.test(jsMessage)) return go('missing closing )', anchored);
  if (/Unmatched '\)'/.test(jsMessage)) return go('unexpected )', anchored);
  if (/Unterminated character class/.test(jsMessage)) {
    const i = pattern.indexOf('[');
    if (i >= 0) return go('missing closing ]', anchored.slice(4 + i));
  }
  if (/Nothing to repeat/.test(jsMessage)) {
    const nested = /[*+?][*+]|\}[*+?]/.exec(pattern);
    if (nested) return go('invalid nested repetition operator', nested[0]);
    const bare = /(?:^|[(|])([*+?]|\{\d+(?:,\d*)?\})/.exec(pattern);
    if (bare) return go('missing argument to repetition operator', bare[1]!);
  }
  if (/numbers out of order/.test(jsMessage)) {
    for (const m of pattern.matchAll(/\{(\d+),(\d+)\}/g)) if (Number(m[1]) > Number(m[2])) return go('invalid repeat count', m[0]);
  }
  if (/Range out of order/.test(jsMessage)) {
    for (const m of pattern.matchAll(/([^\\[\]])-([^\\\]])/g)) if (m[1]! > m[2]!) return go('invalid character class range', `${m[1]}-${m[2]}`);
  }
  if (/Invalid escape/.test(jsMessage)) {
    const m = /\\[^\\]/.exec(pattern.replace(/\\\\/g, ''));
    if (m) return go('invalid escape sequence', m[0]);
  }
  return jsMessage;
}
