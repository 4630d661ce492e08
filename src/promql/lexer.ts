/**
 * Hand-written PromQL lexer. Token kinds and their error descriptions follow
 * Prometheus' promql/parser/lex.go so that parse errors read the same.
 */
import { AGGREGATORS } from './ast.js';
import { ParseError } from './errors.js';

export type TokenKind =
  | 'EOF'
  | 'IDENT'
  | 'METRIC_IDENT'
  | 'NUMBER'
  | 'DURATION'
  | 'STRING'
  | 'OP'
  | 'KEYWORD'
  | 'AGGR'
  | '('
  | ')'
  | '{'
  | '}'
  | '['
  | ']'
  | ','
  | ':'
  | '@'
  | '=';

export interface Token {
  kind: TokenKind;
  /** Raw text (strings keep their quotes). */
  text: string;
  pos: number;
  end: number;
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool']);
const WORD_OPS = new Set(['and', 'or', 'unless', 'atan2']);

/** Prometheus' Item.desc(): how a token is named in "unexpected ..." errors. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'EOF':
      return 'end of input';
    case 'IDENT':
      return `identifier ${JSON.stringify(t.text)}`;
    case 'METRIC_IDENT':
      return `metric identifier ${JSON.stringify(t.text)}`;
    case 'NUMBER':
      return `number ${JSON.stringify(t.text)}`;
    case 'DURATION':
      return `duration ${JSON.stringify(t.text)}`;
    case 'STRING':
      return `string ${JSON.stringify(t.text)}`;
    case 'OP':
      return `<op:${t.text}>`;
    case 'KEYWORD':
      return `<${t.text}>`;
    case 'AGGR':
      return `<aggr:${t.text}>`;
    default:
      return JSON.stringify(t.text);
  }
}

function isAlpha(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isAlnum(c: string): boolean {
  return isAlpha(c) || isDigit(c);
}

const DURATION_UNIT = /^(ms|s|m|h|d|w|y)/;

export class Lexer {
  private i = 0;
  private bracketDepth = 0;
  private braceOpen = false;
  private parenDepth = 0;

  constructor(private readonly src: string) {}

  /** Lexes the whole input (comments dropped). */
  all(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const t = this.next();
      out.push(t);
      if (t.kind === 'EOF') break;
    }
    return out;
  }

  private err(pos: number, msg: string, end = pos): never {
    throw new ParseError(this.src, { start: pos, end }, msg);
  }

  private tok(kind: TokenKind, start: number): Token {
    return { kind, text: this.src.slice(start, this.i), pos: start, end: this.i };
  }

  next(): Token {
    const s = this.src;
    for (;;) {
      while (this.i < s.length && /[ \t\n\r]/.test(s[this.i]!)) this.i++;
      if (s[this.i] === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
        continue;
      }
      break;
    }
    const start = this.i;
    if (this.i >= s.length) {
      if (this.braceOpen) this.err(start, 'unexpected end of input inside braces');
      if (this.bracketDepth > 0) this.err(start, 'unclosed left bracket');
      if (this.parenDepth > 0) this.err(start, 'unclosed left parenthesis');
      return { kind: 'EOF', text: '', pos: start, end: start };
    }
    const c = s[this.i]!;
    const c2 = s[this.i + 1] ?? '';
    if (this.braceOpen && !(isAlpha(c) || c === '"' || c === "'" || c === '`' || c === '=' || c === '!' || c === ',' || c === '}')) {
      this.err(start, `unexpected character inside braces: '${c}'`);
    }
    switch (c) {
      case '(':
        this.parenDepth++;
        this.i++;
        return this.tok('(', start);
      case ')':
        this.i++;
        if (this.parenDepth === 0) this.err(start + 1, 'unexpected right parenthesis \')\'');
        this.parenDepth--;
        return this.tok(')', start);
      case '{':
        if (this.braceOpen) this.err(start, "unexpected left brace '{'");
        this.braceOpen = true;
        this.i++;
        return this.tok('{', start);
      case '}':
        if (!this.braceOpen) this.err(start, "unexpected character: '}'");
        this.braceOpen = false;
        this.i++;
        return this.tok('}', start);
      case '[':
        if (this.bracketDepth > 0 && !this.braceOpen) this.err(start, "unexpected left bracket '['");
        this.bracketDepth++;
        this.i++;
        return this.tok('[', start);
      case ']':
        if (this.bracketDepth === 0) this.err(start, "unexpected right bracket ']'");
        this.bracketDepth--;
        this.i++;
        return this.tok(']', start);
      case ',':
        this.i++;
        return this.tok(',', start);
      case ':':
        if (this.bracketDepth > 0 && !this.braceOpen) {
          this.i++;
          return this.tok(':', start);
        }
        break;
      case '@':
        this.i++;
        return this.tok('@', start);
      case '=':
        if (c2 === '=') {
          this.i += 2;
          return this.tok('OP', start);
        }
        if (c2 === '~') {
          this.i += 2;
          return this.tok('OP', start);
        }
        this.i++;
        return this.tok('=', start);
      case '!':
        if (c2 === '=' || c2 === '~') {
          this.i += 2;
          return this.tok('OP', start);
        }
        this.err(start, `unexpected character after '!': ${JSON.stringify(c2).slice(1, -1) || 'EOF'}`);
      // eslint-disable-next-line no-fallthrough
      case '<':
      case '>':
        this.i += c2 === '=' ? 2 : 1;
        return this.tok('OP', start);
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case '^':
        this.i++;
        return this.tok('OP', start);
      case '"':
      case "'":
      case '`':
        return this.lexString(c, start);
    }
    if (isDigit(c) || (c === '.' && isDigit(c2))) return this.lexNumberOrDuration(start);
    if (isAlpha(c) || c === ':') {
      while (this.i < s.length && (isAlnum(s[this.i]!) || s[this.i] === ':')) this.i++;
      const word = s.slice(start, this.i);
      const lower = word.toLowerCase();
      if (this.braceOpen) return this.tok('IDENT', start);
      if (lower === 'inf' || lower === 'nan') return this.tok('NUMBER', start);
      if (word.includes(':')) return this.tok('METRIC_IDENT', start);
      if (WORD_OPS.has(lower)) return { kind: 'OP', text: lower, pos: start, end: this.i };
      if (KEYWORDS.has(lower)) return { kind: 'KEYWORD', text: lower, pos: start, end: this.i };
      if (AGGREGATORS.has(lower)) return { kind: 'AGGR', text: lower, pos: start, end: this.i };
      return this.tok('IDENT', start);
    }
    this.err(start, `unexpected character: ${JSON.stringify(c)}`.replace(/"/g, "'"));
  }

  private lexString(q: string, start: number): Token {
    const s = this.src;
    this.i++;
    for (;;) {
      if (this.i >= s.length) this.err(start, 'unterminated quoted string', s.length);
      const c = s[this.i]!;
      if (c === '\\' && q !== '`') {
        this.i += 2;
        continue;
      }
      if (c === '\n' && q !== '`') this.err(this.i, 'unterminated quoted string');
      this.i++;
      if (c === q) break;
    }
    return this.tok('STRING', start);
  }

  private lexNumberOrDuration(start: number): Token {
    const s = this.src;
    // Hex.
    if (s[this.i] === '0' && (s[this.i + 1] === 'x' || s[this.i + 1] === 'X') && /[0-9a-fA-F]/.test(s[this.i + 2] ?? '')) {
      this.i += 2;
      while (/[0-9a-fA-F]/.test(s[this.i] ?? '')) this.i++;
      return this.tok('NUMBER', start);
    }
    // Duration: digits followed by a unit, repeated (1h30m).
    const rest = s.slice(this.i);
    const dm = /^(?:\d+(?:ms|s|m|h|d|w|y))+/.exec(rest);
    if (dm && !isAlnum(rest[dm[0].length] ?? '') && rest[dm[0].length] !== '.') {
      this.i += dm[0].length;
      return this.tok('DURATION', start);
    }
    const nm = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
    if (!nm) this.err(start, `bad number or duration syntax: ${JSON.stringify(rest.slice(0, 1))}`);
    this.i += nm[0].length;
    if (isAlnum(s[this.i] ?? '') || s[this.i] === '.') {
      // e.g. "1a" or "5m3" — Prometheus reports the whole run.
      while (isAlnum(s[this.i] ?? '') || s[this.i] === '.') this.i++;
      this.err(start, `bad number or duration syntax: ${JSON.stringify(s.slice(start, this.i))}`, this.i);
    }
    void DURATION_UNIT;
    return this.tok('NUMBER', start);
  }
}

/** Unquotes a PromQL string literal (Go strconv.Unquote semantics; single quotes allow strings). */
export function unquoteString(raw: string, src: string, pos: number): string {
  const q = raw[0]!;
  const body = raw.slice(1, -1);
  if (q === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      if (c === q) throw new ParseError(src, { start: pos, end: pos + raw.length }, 'invalid syntax');
      out += c;
      continue;
    }
    const n = body[++i];
    switch (n) {
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
      case "'":
        if (n !== q) throw new ParseError(src, { start: pos, end: pos + raw.length }, 'invalid syntax');
        out += n;
        break;
      case 'x': {
        const h = body.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new ParseError(src, { start: pos, end: pos + raw.length }, 'invalid syntax');
        out += String.fromCharCode(parseInt(h, 16));
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        const len = n === 'u' ? 4 : 8;
        const h = body.slice(i + 1, i + 1 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) throw new ParseError(src, { start: pos, end: pos + raw.length }, 'invalid syntax');
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) throw new ParseError(src, { start: pos, end: pos + raw.length }, 'invalid syntax');
        out += String.fromCodePoint(cp);
        i += len;
        break;
      }
      default:
        if (n !== undefined && n >= '0' && n <= '7') {
          const o = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) throw new ParseError(src, { start: pos, end: pos + raw.length }, 'invalid syntax');
          out += String.fromCharCode(parseInt(o, 8));
          i += 2;
          break;
        }
        if (n === undefined) throw new ParseError(src, { start: pos, end: pos + raw.length }, 'invalid syntax');
        throw new ParseError(src, { start: pos, end: pos + raw.length }, `unknown escape sequence U+${n.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${n}'`);
    }
  }
  return out;
}
