/**
 * Parser for Go's text/template syntax: text and {{actions}} with trim markers,
 * comments, pipelines, variables, if/else if/range/with/define/template/block,
 * break/continue. Produces the AST in ast.ts. Errors read like Go's:
 * `template: NAME:LINE: message`.
 */
import type { Arg, Command, ListNode, Node, Pipe } from './ast.js';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type TokKind = 'ident' | 'field' | 'var' | 'string' | 'number' | 'char' | 'bool' | 'nil' | 'dot' | 'lparen' | 'rparen' | 'pipe' | 'declare' | 'assign' | 'comma' | 'end';

interface Token {
  kind: TokKind;
  text: string;
  /** Literal value for strings/numbers/chars/bools. */
  value?: string | number | bigint | boolean;
  /** Whitespace precedes this token. */
  space: boolean;
  line: number;
}

interface RawItem {
  kind: 'text' | 'action';
  text: string;
  tokens: Token[];
  line: number;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

/** Splits source into text and action items, applying trim markers and dropping comments. */
function lex(src: string, name: string): RawItem[] {
  const items: RawItem[] = [];
  let i = 0;
  let line = 1;
  const fail = (ln: number, msg: string): never => {
    throw new TemplateError(`template: ${name}:${ln}: ${msg}`);
  };
  const countLines = (s: string): number => {
    let n = 0;
    for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) === 10) n++;
    return n;
  };
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    let leftTrim = false;
    if (open >= 0 && src[open + 2] === '-' && /[ \t\r\n]/.test(src[open + 3] ?? '')) leftTrim = true;
    const textLine = line;
    line += countLines(text);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (leftTrim) text = text.replace(/[ \t\r\n]+$/, '');
    if (text !== '') items.push({ kind: 'text', text, tokens: [], line: textLine });
    if (open < 0) break;
    let j = open + 2 + (leftTrim ? 2 : 0);
    const actLine = line;
    // Comment: {{/* ... */}} possibly with trim markers around it.
    let k = j;
    while (leftTrim && k < src.length && /[ \t\r\n]/.test(src[k]!)) k++;
    if (src.startsWith('/*', k)) {
      const close = src.indexOf('*/', k + 2);
      if (close < 0) fail(actLine, 'unclosed comment');
      let after = close + 2;
      let rightTrim = false;
      if (src.startsWith(' -}}', after) || /^[ \t\r\n]-\}\}/.test(src.slice(after, after + 4))) {
        rightTrim = true;
        after += 4;
      } else if (src.startsWith('}}', after)) after += 2;
      else fail(actLine, 'comment ends before closing delimiter');
      line += countLines(src.slice(open, after));
      trimNext = rightTrim;
      i = after;
      continue;
    }
    const tokens: Token[] = [];
    let space = false;
    let rightTrim = false;
    for (;;) {
      if (j >= src.length) fail(actLine, 'unclosed action');
      const c = src[j]!;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        // " -}}" right trim marker
        if (src[j + 1] === '-' && src.startsWith('}}', j + 2)) {
          rightTrim = true;
          line += countLines(src.slice(j, j + 4));
          j += 4;
          break;
        }
        if (c === '\n') line++;
        space = true;
        j++;
        continue;
      }
      if (src.startsWith('}}', j)) {
        j += 2;
        break;
      }
      const tl = line;
      const push = (kind: TokKind, text: string, value?: Token['value']): void => {
        tokens.push({ kind, text, value, space, line: tl });
        space = false;
      };
      if (c === '|') {
        push('pipe', c);
        j++;
      } else if (c === '(') {
        push('lparen', c);
        j++;
      } else if (c === ')') {
        push('rparen', c);
        j++;
      } else if (c === ',') {
        push('comma', c);
        j++;
      } else if (c === ':' && src[j + 1] === '=') {
        push('declare', ':=');
        j += 2;
      } else if (c === '=') {
        push('assign', '=');
        j++;
      } else if (c === '"') {
        let e = j + 1;
        while (e < src.length && src[e] !== '"') {
          if (src[e] === '\\') e++;
          if (src[e] === '\n') fail(tl, 'unterminated quoted string');
          e++;
        }
        if (e >= src.length) fail(tl, 'unterminated quoted string');
        const raw = src.slice(j, e + 1);
        push('string', raw, unquote(raw, name, tl));
        j = e + 1;
      } else if (c === '`') {
        const e = src.indexOf('`', j + 1);
        if (e < 0) fail(tl, 'unterminated raw quoted string');
        const raw = src.slice(j, e + 1);
        line += countLines(raw);
        push('string', raw, raw.slice(1, -1));
        j = e + 1;
      } else if (c === "'") {
        let e = j + 1;
        while (e < src.length && src[e] !== "'") {
          if (src[e] === '\\') e++;
          e++;
        }
        const raw = src.slice(j, e + 1);
        const s = unquote('"' + raw.slice(1, -1).replace(/"/g, '\\"') + '"', name, tl);
        const cps = [...s];
        if (cps.length !== 1) fail(tl, `malformed character constant: ${raw}`);
        push('char', raw, BigInt(cps[0]!.codePointAt(0)!));
        j = e + 1;
      } else if (c === '.' && !/[0-9]/.test(src[j + 1] ?? '')) {
        const m = /^\.[\p{L}_][\p{L}\p{N}_]*/u.exec(src.slice(j));
        if (m) {
          push('field', m[0]);
          j += m[0].length;
        } else {
          push('dot', '.');
          j++;
        }
      } else if (c === '$') {
        const m = /^\$[\p{L}\p{N}_]*/u.exec(src.slice(j))!;
        push('var', m[0]);
        j += m[0].length;
      } else if (/[0-9+\-.]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(src.slice(j));
        const txt = m ? m[0] : '';
        if (txt === '' || txt === '+' || txt === '-') fail(tl, `unexpected "${c}" in command`);
        push('number', txt, parseNumber(txt, name, tl));
        j += txt.length;
      } else if (/[\p{L}_]/u.test(c)) {
        const m = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(src.slice(j))!;
        const w = m[0];
        if (w === 'true' || w === 'false') push('bool', w, w === 'true');
        else if (w === 'nil') push('nil', w);
        else push('ident', w);
        j += w.length;
      } else {
        fail(tl, `unexpected "${c}" in command`);
      }
    }
    items.push({ kind: 'action', text: src.slice(open, j), tokens, line: actLine });
    trimNext = rightTrim;
    i = j;
  }
  return items;
}

function unquote(raw: string, name: string, line: number): string {
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = raw[++i]!;
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
      case '"':
      case "'":
        out += n;
        break;
      case 'x':
        out += String.fromCharCode(parseInt(raw.slice(i + 1, i + 3), 16));
        i += 2;
        break;
      case 'u':
        out += String.fromCodePoint(parseInt(raw.slice(i + 1, i + 5), 16));
        i += 4;
        break;
      case 'U':
        out += String.fromCodePoint(parseInt(raw.slice(i + 1, i + 9), 16));
        i += 8;
        break;
      default:
        if (/[0-7]/.test(n)) {
          out += String.fromCharCode(parseInt(raw.slice(i, i + 3), 8));
          i += 2;
        } else throw new TemplateError(`template: ${name}:${line}: invalid syntax: ${raw}`);
    }
  }
  return out;
}

function parseNumber(txt: string, name: string, line: number): number | bigint {
  const t = txt.replace(/_/g, '');
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  if (/^0[xXbBoO]/.test(body) || /^\d+$/.test(body)) {
    let v: bigint;
    if (/^0[oO]/.test(body)) v = BigInt('0o' + body.slice(2));
    else if (/^0\d/.test(body)) v = BigInt('0o' + body.slice(1));
    else v = BigInt(body);
    return neg ? -v : v;
  }
  const f = Number(t);
  if (Number.isNaN(f)) throw new TemplateError(`template: ${name}:${line}: bad number syntax: "${txt}"`);
  return f;
}

/** A parsed set: the top-level body (name) plus every {{define}}d template. */
export interface ParseResult {
  root: ListNode;
  defines: Map<string, ListNode>;
}

class Parser {
  private pos = 0;
  readonly defines = new Map<string, ListNode>();

  constructor(
    private readonly items: RawItem[],
    private readonly name: string,
    private readonly isFunc: (name: string) => boolean,
  ) {}

  fail(line: number, msg: string): never {
    throw new TemplateError(`template: ${this.name}:${line}: ${msg}`);
  }

  parse(): ListNode {
    const { list, end } = this.parseList(new Set());
    if (end) this.fail(end.line, `unexpected {{${end.tokens[0]!.text}}}`);
    return list;
  }

  /** Parses nodes until one of the stop keywords ({{end}}, {{else}}) or EOF. */
  private parseList(stops: Set<string>): { list: ListNode; end: RawItem | null } {
    const nodes: Node[] = [];
    while (this.pos < this.items.length) {
      const it = this.items[this.pos++]!;
      if (it.kind === 'text') {
        nodes.push({ type: 'text', text: it.text });
        continue;
      }
      const t = it.tokens;
      if (t.length === 0) this.fail(it.line, 'missing value for command');
      const kw = t[0]!.kind === 'ident' && KEYWORDS.has(t[0]!.text) ? t[0]!.text : null;
      if (kw === 'end' || kw === 'else') {
        if (!stops.has(kw)) this.fail(it.line, `unexpected {{${kw}}}`);
        return { list: { type: 'list', nodes }, end: it };
      }
      switch (kw) {
        case 'if':
        case 'with':
        case 'range':
          nodes.push(this.parseControl(kw, it, 1));
          break;
        case 'define': {
          if (t.length !== 2 || t[1]!.kind !== 'string') this.fail(it.line, 'define: expected quoted template name');
          const defName = t[1]!.value as string;
          const { list, end } = this.parseList(new Set(['end']));
          if (!end) this.fail(it.line, `unexpected EOF in define clause`);
          this.defines.set(defName, list);
          break;
        }
        case 'template':
        case 'block': {
          if (t.length < 2 || t[1]!.kind !== 'string') this.fail(it.line, `${kw}: expected quoted template name`);
          const tname = t[1]!.value as string;
          const pipe = t.length > 2 ? this.parsePipe(t.slice(2), it, false) : null;
          if (kw === 'block') {
            const { list, end } = this.parseList(new Set(['end']));
            if (!end) this.fail(it.line, 'unexpected EOF in block clause');
            this.defines.set(tname, list);
          }
          nodes.push({ type: 'template', name: tname, pipe, line: it.line });
          break;
        }
        case 'break':
        case 'continue':
          nodes.push({ type: kw, line: it.line });
          break;
        default:
          nodes.push({ type: 'action', pipe: this.parsePipe(t, it, true), line: it.line, text: it.text });
      }
    }
    if (stops.size > 0) return { list: { type: 'list', nodes }, end: null };
    return { list: { type: 'list', nodes }, end: null };
  }

  /** if/with/range: tokens from `from` form the pipeline; handles else / else if chains. */
  private parseControl(kw: 'if' | 'with' | 'range', it: RawItem, from: number): Node {
    const toks = it.tokens.slice(from);
    if (toks.length === 0) this.fail(it.line, `missing value for ${kw}`);
    const pipe = this.parsePipe(toks, it, true, kw === 'range');
    const { list, end } = this.parseList(new Set(['end', 'else']));
    if (!end) this.fail(it.line, `unexpected EOF`);
    let elseList: ListNode | null = null;
    if (end.tokens[0]!.text === 'else') {
      if (end.tokens.length > 1) {
        // {{else if ...}} / {{else with ...}}: a nested control that consumes the shared {{end}}.
        const sub = end.tokens[1]!.text;
        if (sub !== 'if' && sub !== 'with') this.fail(end.line, `unexpected ${sub} in else`);
        const nested = this.parseControl(sub, end, 2);
        elseList = { type: 'list', nodes: [nested] };
        return { type: kw, pipe, list, elseList, line: it.line };
      }
      const r = this.parseList(new Set(['end']));
      if (!r.end) this.fail(it.line, 'unexpected EOF');
      elseList = r.list;
    }
    return { type: kw, pipe, list, elseList, line: it.line };
  }

  private parsePipe(toks: Token[], it: RawItem, allowDecl: boolean, isRange = false): Pipe {
    let p = 0;
    const decl: string[] = [];
    let isAssign = false;
    if (allowDecl && toks[0]?.kind === 'var') {
      // $x := / $x = / range $i, $e :=
      if (toks[1]?.kind === 'declare' || toks[1]?.kind === 'assign') {
        decl.push(toks[0].text);
        isAssign = toks[1].kind === 'assign';
        p = 2;
      } else if (isRange && toks[1]?.kind === 'comma' && toks[2]?.kind === 'var' && (toks[3]?.kind === 'declare' || toks[3]?.kind === 'assign')) {
        decl.push(toks[0].text, toks[2].text);
        isAssign = toks[3].kind === 'assign';
        p = 4;
      }
    }
    const cmds: Command[] = [];
    const rest = toks.slice(p);
    if (rest.length === 0) this.fail(it.line, 'missing value for command');
    let cur: Token[] = [];
    let depth = 0;
    for (const tok of rest) {
      if (tok.kind === 'lparen') depth++;
      if (tok.kind === 'rparen') depth--;
      if (depth < 0) this.fail(tok.line, 'unexpected right paren');
      if (tok.kind === 'pipe' && depth === 0) {
        if (cur.length === 0) this.fail(tok.line, 'missing command');
        cmds.push(this.parseCommand(cur, it));
        cur = [];
      } else cur.push(tok);
    }
    if (depth > 0) this.fail(it.line, 'unclosed left paren');
    if (cur.length === 0) this.fail(it.line, 'missing command');
    cmds.push(this.parseCommand(cur, it));
    return { decl, isAssign, cmds, line: it.line };
  }

  private parseCommand(toks: Token[], it: RawItem): Command {
    const args: Arg[] = [];
    let i = 0;
    while (i < toks.length) {
      const [arg, next] = this.parseOperand(toks, i, it);
      args.push(arg);
      i = next;
    }
    const first = args[0]!;
    if (args.length > 1 && (first.k === 'str' || first.k === 'num' || first.k === 'bool' || first.k === 'nil' || first.k === 'dot')) {
      this.fail(it.line, `can't give argument to non-function ${toks[0]!.text}`);
    }
    return { args, line: toks[0]!.line, text: toks.map((t, i) => (i > 0 && t.space ? ' ' : '') + t.text).join('') };
  }

  private parseOperand(toks: Token[], i: number, it: RawItem): [Arg, number] {
    const tok = toks[i]!;
    let arg: Arg;
    let j = i + 1;
    switch (tok.kind) {
      case 'field': {
        const names = [tok.text.slice(1)];
        while (j < toks.length && toks[j]!.kind === 'field' && !toks[j]!.space) names.push(toks[j++]!.text.slice(1));
        return [{ k: 'field', names, text: '.' + names.join('.') }, j];
      }
      case 'var':
        arg = { k: 'var', name: tok.text, fields: [], text: tok.text };
        break;
      case 'ident':
        if (KEYWORDS.has(tok.text)) this.fail(tok.line, `unexpected <${tok.text}> in command`);
        if (!this.isFunc(tok.text)) this.fail(tok.line, `function "${tok.text}" not defined`);
        return [{ k: 'ident', name: tok.text, text: tok.text }, j];
      case 'dot':
        arg = { k: 'dot', text: '.' };
        break;
      case 'string':
        return [{ k: 'str', v: tok.value as string, text: tok.text }, j];
      case 'number':
      case 'char':
        return [{ k: 'num', v: tok.value as number | bigint, text: tok.text }, j];
      case 'bool':
        return [{ k: 'bool', v: tok.value as boolean, text: tok.text }, j];
      case 'nil':
        return [{ k: 'nil', text: 'nil' }, j];
      case 'lparen': {
        let depth = 1;
        while (j < toks.length && depth > 0) {
          if (toks[j]!.kind === 'lparen') depth++;
          if (toks[j]!.kind === 'rparen') depth--;
          j++;
        }
        if (depth !== 0) this.fail(tok.line, 'unclosed left paren');
        const inner = toks.slice(i + 1, j - 1);
        const pipe = this.parsePipe(inner, it, true);
        arg = { k: 'pipe', pipe, fields: [], text: '(' + inner.map((t) => t.text).join(' ') + ')' };
        break;
      }
      default:
        this.fail(tok.line, `unexpected "${tok.text}" in operand`);
    }
    // Field chains on variables and parenthesised pipelines: $x.A.B, (pipe).A
    if (arg.k === 'var' || arg.k === 'pipe' || arg.k === 'dot') {
      const fields: string[] = [];
      while (j < toks.length && toks[j]!.kind === 'field' && !toks[j]!.space) fields.push(toks[j++]!.text.slice(1));
      if (fields.length > 0) {
        if (arg.k === 'dot') return [{ k: 'field', names: fields, text: '.' + fields.join('.') }, j];
        arg.fields = fields;
        arg.text += '.' + fields.join('.');
      }
    }
    return [arg, j];
  }
}

/** Parses template text. `isFunc` tells which identifiers are functions (Go checks at parse time). */
export function parseText(text: string, name: string, isFunc: (n: string) => boolean): ParseResult {
  const parser = new Parser(lex(text, name), name, isFunc);
  const root = parser.parse();
  return { root, defines: parser.defines };
}
