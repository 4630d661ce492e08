/**
 * Precedence-climbing PromQL parser producing the typed AST of ast.ts, with the
 * type checks of Prometheus' parser.checkAST. Error texts follow Prometheus'.
 */
import { MatchType, Matcher, RegexError, METRIC_NAME } from '../model/index.js';
import { parseDuration } from '../util/index.js';
import {
  type AggregateExpr,
  type AggregateOp,
  type AtModifier,
  type BinaryExpr,
  type BinaryOp,
  type Call,
  type Expr,
  type PosRange,
  type ValueType,
  type VectorMatching,
  type VectorSelector,
  describeType,
  isComparisonOp,
  isSetOp,
} from './ast.js';
import { ParseError } from './errors.js';
import { Lexer, describeToken, unquoteString, type Token } from './lexer.js';
import { FUNCTIONS } from './signatures.js';

export interface ParseOptions {
  /** '3' (default) or '2': Prometheus major version whose syntax/semantics to follow. */
  compat?: '2' | '3';
  /** Accept functions behind Prometheus' promql-experimental-functions flag (default true). */
  experimentalFunctions?: boolean;
  /** Accept 3.x duration expressions, fill modifiers and anchored/smoothed (default false). */
  experimentalSyntax?: boolean;
}

const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<=': 3,
  '<': 3,
  '>=': 3,
  '>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};

/** Parses a PromQL expression. Throws ParseError. */
export function parseExpr(input: string, opts: ParseOptions = {}): Expr {
  try {
    return new Parser(input, opts).parseTop();
  } catch (err) {
    // Absurd nesting must not take the process down with a stack overflow.
    if (err instanceof RangeError) throw new ParseError(input, { start: 0, end: 0 }, 'expression nesting is too deep');
    throw err;
  }
}

/** Returns the static type of an expression. */
export function exprType(e: Expr): ValueType {
  switch (e.type) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'ParenExpr':
    case 'UnaryExpr':
      return exprType(e.expr);
    case 'BinaryExpr':
      return exprType(e.lhs) === 'scalar' && exprType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'Call':
      return FUNCTIONS.get(e.func)!.returnType;
    case 'AggregateExpr':
      return 'vector';
  }
}

class Parser {
  private toks: Token[] = [];
  /** Operator token position of each binary expression (Prometheus reports some errors there). */
  private opPos = new WeakMap<BinaryExpr, number>();
  private p = 0;
  private readonly compat: '2' | '3';

  constructor(
    private readonly src: string,
    private readonly opts: ParseOptions,
  ) {
    this.compat = opts.compat ?? '3';
  }

  private err(range: PosRange | number, msg: string): never {
    const r = typeof range === 'number' ? { start: range, end: range } : range;
    throw new ParseError(this.src, r, msg);
  }

  private peek(o = 0): Token {
    return this.toks[Math.min(this.p + o, this.toks.length - 1)]!;
  }

  private take(): Token {
    const t = this.peek();
    if (this.p < this.toks.length - 1) this.p++;
    return t;
  }

  private unexpected(t: Token, context = '', expected = ''): never {
    let msg = 'unexpected ' + describeToken(t);
    if (context) msg += ' in ' + context;
    if (expected) msg += ', expected ' + expected;
    this.err({ start: t.pos, end: t.end }, msg);
  }

  private expect(kind: Token['kind'], context: string, expected: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.unexpected(t, context, expected);
    return this.take();
  }

  parseTop(): Expr {
    this.toks = new Lexer(this.src).all();
    if (this.peek().kind === 'EOF') this.err(0, 'no expression found in input');
    const e = this.parseExpr(0);
    const t = this.peek();
    if (t.kind !== 'EOF') this.unexpected(t);
    this.check(e);
    return e;
  }

  private parseExpr(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'OP') break;
      const prec = PRECEDENCE[t.text];
      if (prec === undefined) {
        // =~ / !~ outside braces.
        this.unexpected(t);
      }
      if (prec < minPrec) break;
      this.take();
      const op = t.text as BinaryOp;
      const bin: BinaryExpr = {
        type: 'BinaryExpr',
        op,
        lhs,
        rhs: lhs,
        matching: null,
        returnBool: false,
        pos: { start: lhs.pos.start, end: 0 },
      };
      this.opPos.set(bin, t.pos);
      this.parseBinModifiers(bin, t);
      // ^ is right-associative; everything else left-associative.
      bin.rhs = this.parseExpr(op === '^' ? prec : prec + 1);
      bin.pos.end = bin.rhs.pos.end;
      lhs = bin;
    }
    return lhs;
  }

  private parseBinModifiers(bin: BinaryExpr, opTok: Token): void {
    if (this.peek().kind === 'KEYWORD' && this.peek().text === 'bool') {
      this.take();
      bin.returnBool = true;
    }
    const t = this.peek();
    if (t.kind === 'KEYWORD' && (t.text === 'on' || t.text === 'ignoring')) {
      this.take();
      const m: VectorMatching = {
        card: isSetOp(bin.op) ? 'many-to-many' : 'one-to-one',
        matchingLabels: this.parseLabelList('grouping opts'),
        on: t.text === 'on',
        include: [],
        explicit: true,
      };
      bin.matching = m;
      const g = this.peek();
      if (g.kind === 'KEYWORD' && (g.text === 'group_left' || g.text === 'group_right')) {
        this.take();
        m.card = g.text === 'group_left' ? 'many-to-one' : 'one-to-many';
        if (this.peek().kind === '(') m.include = this.parseLabelList('grouping opts');
      }
    } else if (t.kind === 'KEYWORD' && (t.text === 'group_left' || t.text === 'group_right')) {
      this.unexpected(t, '', '');
    }
    if (this.opts.experimentalSyntax && this.peek().kind === 'IDENT' && /^fill(_left|_right)?$/.test(this.peek().text) && this.peek(1).kind === '(') {
      const fill = { left: null as number | null, right: null as number | null };
      while (this.peek().kind === 'IDENT' && /^fill(_left|_right)?$/.test(this.peek().text)) {
        const which = this.take().text;
        this.expect('(', 'fill modifier', '"("');
        const v = this.parseSignedNumber();
        this.expect(')', 'fill modifier', '")"');
        if (which !== 'fill_right') fill.left = v;
        if (which !== 'fill_left') fill.right = v;
      }
      bin.fill = fill;
    }
    void opTok;
  }

  private parseSignedNumber(): number {
    let sign = 1;
    if (this.peek().kind === 'OP' && (this.peek().text === '-' || this.peek().text === '+')) sign = this.take().text === '-' ? -1 : 1;
    const t = this.expect('NUMBER', 'fill modifier', 'number');
    return sign * parseNumber(t.text);
  }

  private parseLabelList(context: string): string[] {
    this.expect('(', context, '"("');
    const out: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === ')') {
        this.take();
        return out;
      }
      if (t.kind === 'IDENT' || t.kind === 'KEYWORD' || t.kind === 'AGGR' || (t.kind === 'OP' && /^[a-z]/.test(t.text)) || t.kind === 'METRIC_IDENT') {
        if (t.kind === 'METRIC_IDENT') this.unexpected(t, context, 'label');
        out.push(this.take().text);
      } else if (t.kind === 'STRING' && this.compat === '3') {
        this.take();
        out.push(unquoteString(t.text, this.src, t.pos));
      } else if (t.kind === 'NUMBER' && /^(inf|nan)$/i.test(t.text)) {
        out.push(this.take().text);
      } else {
        this.unexpected(t, context, 'label');
      }
      const n = this.peek();
      if (n.kind === ',') {
        this.take();
        continue;
      }
      if (n.kind !== ')') this.unexpected(n, context, '"," or ")"');
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'OP' && (t.text === '-' || t.text === '+')) {
      this.take();
      // Unary minus binds tighter than * and / but looser than ^ (Prometheus: %prec MUL).
      const operand = this.parseExpr(PRECEDENCE['^']!);
      if (operand.type === 'NumberLiteral') {
        if (t.text === '-') operand.val = -operand.val;
        operand.pos = { start: t.pos, end: operand.pos.end };
        return operand;
      }
      return { type: 'UnaryExpr', op: t.text as '-' | '+', expr: operand, pos: { start: t.pos, end: operand.pos.end } };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.kind === '[') {
        e = this.parseRangeOrSubquery(e);
        continue;
      }
      if (t.kind === 'KEYWORD' && t.text === 'offset') {
        this.take();
        const neg = this.peek().kind === 'OP' && this.peek().text === '-' ? (this.take(), true) : false;
        if (!neg && this.peek().kind === 'OP' && this.peek().text === '+') this.take();
        let d = this.parseDurationTok('offset');
        if (neg) d = -d;
        this.setOffset(e, d, t);
        continue;
      }
      if (t.kind === '@') {
        this.take();
        this.setAt(e, this.parseAtValue(), t);
        continue;
      }
      if (this.opts.experimentalSyntax && t.kind === 'IDENT' && (t.text === 'anchored' || t.text === 'smoothed') && e.type === 'MatrixSelector') {
        this.take();
        if (t.text === 'anchored') e.vs.anchored = true;
        else e.vs.smoothed = true;
        continue;
      }
      return e;
    }
  }

  private parseAtValue(): AtModifier {
    const t = this.peek();
    if (t.kind === 'IDENT' && (t.text === 'start' || t.text === 'end') && this.peek(1).kind !== '(') {
      this.take();
      this.unexpected(this.peek(), '@', 'timestamp');
    }
    if (t.kind === 'IDENT' && (t.text === 'start' || t.text === 'end') && this.peek(1).kind === '(') {
      this.take();
      this.take();
      this.expect(')', '@ modifier', '")"');
      return { kind: t.text as 'start' | 'end' };
    }
    let sign = 1;
    if (t.kind === 'OP' && (t.text === '-' || t.text === '+')) {
      this.take();
      if (t.text === '-') sign = -1;
    }
    const n = this.peek();
    if (n.kind !== 'NUMBER') this.unexpected(n, '@', 'timestamp');
    this.take();
    const v = sign * parseNumber(n.text);
    if (!Number.isFinite(v)) this.err({ start: t.pos, end: n.end }, `timestamp out of bounds for @ modifier: ${formatGoFloat(v)}`);
    // Prometheus rounds the seconds to milliseconds.
    return { kind: 'ts', ms: Math.round(v * 1000) };
  }

  private setOffset(e: Expr, d: number, t: Token): void {
    const target = e.type === 'MatrixSelector' ? e.vs : e;
    if (target.type !== 'VectorSelector' && target.type !== 'SubqueryExpr') {
      this.err({ start: e.pos.start, end: t.end }, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
    }
    if (target.offset !== 0) this.err({ start: e.pos.start, end: t.end }, 'offset may not be set multiple times');
    target.offset = d;
    e.pos = { start: e.pos.start, end: this.toks[this.p - 1]!.end };
  }

  private setAt(e: Expr, at: AtModifier, t: Token): void {
    const target = e.type === 'MatrixSelector' ? e.vs : e;
    if (target.type !== 'VectorSelector' && target.type !== 'SubqueryExpr') {
      this.err({ start: e.pos.start, end: t.end }, '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery');
    }
    if (target.at !== null) this.err({ start: e.pos.start, end: t.end }, '@ <timestamp> may not be set multiple times');
    target.at = at;
    e.pos = { start: e.pos.start, end: this.toks[this.p - 1]!.end };
  }

  /** A duration token (or, in 3.x, a plain number of seconds; or a duration expression when enabled). */
  private parseDurationTok(context: string): number {
    const t = this.peek();
    if (this.opts.experimentalSyntax && (t.kind === '(' || (t.kind === 'IDENT' && t.text === 'step'))) {
      return this.parseDurationExpr();
    }
    if (t.kind === 'DURATION') {
      this.take();
      try {
        return parseDuration(t.text);
      } catch (err) {
        this.err({ start: t.pos, end: t.end }, (err as Error).message);
      }
    }
    if (t.kind === 'NUMBER' && this.compat === '3') {
      this.take();
      const v = parseNumber(t.text);
      if (!Number.isFinite(v) || Number.isNaN(v)) this.err({ start: t.pos, end: t.end }, `invalid duration: ${t.text}`);
      return Math.round(v * 1000);
    }
    if (context === 'offset') this.unexpected(t, 'offset', 'duration');
    this.unexpected(t, context, 'duration');
  }

  /** 3.x experimental duration arithmetic: (1h + 5m) * 2, step(). Evaluated at parse time except step(). */
  private parseDurationExpr(): number {
    const expr = (minPrec: number): number => {
      let lhs = atom();
      for (;;) {
        const t = this.peek();
        if (t.kind !== 'OP' || !['+', '-', '*', '/', '%', '^'].includes(t.text)) return lhs;
        const prec = PRECEDENCE[t.text]!;
        if (prec < minPrec) return lhs;
        this.take();
        const rhs = expr(t.text === '^' ? prec : prec + 1);
        switch (t.text) {
          case '+':
            lhs += rhs;
            break;
          case '-':
            lhs -= rhs;
            break;
          case '*':
            lhs = (lhs * rhs) / 1000;
            break;
          case '/':
            lhs = (lhs / rhs) * 1000;
            break;
          case '%':
            lhs = lhs % rhs;
            break;
          case '^':
            lhs = Math.pow(lhs / 1000, rhs / 1000) * 1000;
            break;
        }
      }
    };
    const atom = (): number => {
      const t = this.take();
      if (t.kind === '(') {
        const v = expr(0);
        this.expect(')', 'duration expression', '")"');
        return v;
      }
      if (t.kind === 'OP' && t.text === '-') return -atom();
      if (t.kind === 'DURATION') return parseDuration(t.text);
      if (t.kind === 'NUMBER') return parseNumber(t.text) * 1000;
      this.unexpected(t, 'duration expression');
    };
    const v = expr(0);
    if (!Number.isFinite(v)) this.err(this.peek().pos, 'duration expression is not finite');
    return Math.round(v);
  }

  private parseRangeOrSubquery(e: Expr): Expr {
    const open = this.take();
    const range = this.parseDurationTok('range');
    const t = this.peek();
    if (t.kind === ']') {
      this.take();
      if (e.type !== 'VectorSelector') this.err({ start: open.pos, end: t.end }, 'ranges only allowed for vector selectors');
      if (e.offset !== 0 || e.at !== null) this.err({ start: open.pos, end: t.end }, 'no offset modifiers allowed before range');
      if (range <= 0 && this.compat === '2') this.err({ start: open.pos, end: t.end }, 'range must be positive');
      return { type: 'MatrixSelector', vs: e, range, pos: { start: e.pos.start, end: t.end } };
    }
    if (t.kind === ':') {
      this.take();
      let step = 0;
      if (this.peek().kind !== ']') step = this.parseDurationTok('subquery');
      const close = this.expect(']', 'subquery selector', '"]"');
      return { type: 'SubqueryExpr', expr: e, range, step, offset: 0, at: null, pos: { start: e.pos.start, end: close.end } };
    }
    this.unexpected(t, 'subquery or range', '":" or "]"');
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'NUMBER':
        this.take();
        return { type: 'NumberLiteral', val: parseNumber(t.text), pos: { start: t.pos, end: t.end } };
      case 'DURATION':
        // Prometheus 3 accepts a duration where a number is expected only in duration contexts.
        this.unexpected(t);
      // eslint-disable-next-line no-fallthrough
      case 'STRING':
        this.take();
        return { type: 'StringLiteral', val: unquoteString(t.text, this.src, t.pos), pos: { start: t.pos, end: t.end } };
      case '(': {
        this.take();
        const e = this.parseExpr(0);
        const close = this.expect(')', 'paren expression', '")"');
        return { type: 'ParenExpr', expr: e, pos: { start: t.pos, end: close.end } };
      }
      case '{':
        return this.parseSelector('', t);
      case 'AGGR':
        return this.parseAggregate();
      case 'IDENT':
      case 'METRIC_IDENT':
      case 'KEYWORD':
      case 'OP': {
        if (t.kind === 'OP' && !/^[a-z]/.test(t.text)) break;
        if (t.kind === 'IDENT' && this.peek(1).kind === '(') return this.parseCall();
        if (t.kind === 'KEYWORD' || t.kind === 'OP') break;
        this.take();
        return this.parseSelector(t.text, t);
      }
      default:
        break;
    }
    this.unexpected(t);
  }

  private parseCall(): Call {
    const name = this.take();
    const sig = FUNCTIONS.get(name.text);
    const ok =
      sig !== undefined &&
      !(sig.onlyCompat && sig.onlyCompat !== this.compat && !(sig.name === 'double_exponential_smoothing' && this.opts.experimentalFunctions !== false)) &&
      !(sig.experimental && this.opts.experimentalFunctions === false);
    if (!ok) {
      if (sig?.experimental && this.opts.experimentalFunctions === false) {
        this.err({ start: name.pos, end: name.end }, `function "${name.text}" is not enabled`);
      }
      this.err({ start: name.pos, end: name.end }, `unknown function with name "${name.text}"`);
    }
    this.take(); // (
    const args: Expr[] = [];
    if (this.peek().kind !== ')') {
      for (;;) {
        args.push(this.parseExpr(0));
        const n = this.peek();
        if (n.kind === ',') {
          this.take();
          continue;
        }
        if (n.kind === ')') break;
        this.unexpected(n, 'function call', '"," or ")"'.replace('"," or ")"', '"," or ")"'));
      }
    }
    const close = this.take();
    return { type: 'Call', func: name.text, args, pos: { start: name.pos, end: close.end } };
  }

  private parseAggregate(): AggregateExpr {
    const opTok = this.take();
    const op = opTok.text as AggregateOp;
    const agg: AggregateExpr = {
      type: 'AggregateExpr',
      op,
      expr: null as unknown as Expr,
      param: null,
      grouping: [],
      without: false,
      hasGrouping: false,
      pos: { start: opTok.pos, end: 0 },
    };
    const modifier = (): boolean => {
      const t = this.peek();
      if (t.kind === 'KEYWORD' && (t.text === 'by' || t.text === 'without')) {
        if (agg.hasGrouping) this.unexpected(t, 'aggregation');
        this.take();
        agg.without = t.text === 'without';
        agg.grouping = this.parseLabelList('grouping opts');
        agg.hasGrouping = true;
        return true;
      }
      return false;
    };
    modifier();
    const open = this.peek();
    if (open.kind !== '(') this.unexpected(open, 'aggregation', open.kind === 'EOF' ? '' : '"("');
    this.take();
    if (this.peek().kind === ')') this.err({ start: opTok.pos, end: this.peek().end }, 'no arguments for aggregate expression provided');
    const first = this.parseExpr(0);
    let second: Expr | null = null;
    if (this.peek().kind === ',') {
      this.take();
      second = this.parseExpr(0);
    }
    if (this.peek().kind === ',') this.unexpected(this.peek(), 'aggregation', '")"');
    const close = this.expect(')', 'aggregation', '")"');
    agg.pos.end = close.end;
    if (second) {
      agg.param = first;
      agg.expr = second;
    } else {
      agg.expr = first;
    }
    if (modifier()) agg.pos.end = this.toks[this.p - 1]!.end;
    return agg;
  }

  private parseSelector(name: string, startTok: Token): VectorSelector {
    const matchers: Matcher[] = [];
    let metricName = name;
    let end = startTok.end;
    if (name !== '') matchers.push(this.newMatcher(MatchType.Equal, METRIC_NAME, name, startTok));
    if (this.peek().kind === '{') {
      this.take();
      for (;;) {
        const t = this.peek();
        if (t.kind === '}') {
          end = this.take().end;
          break;
        }
        if (t.kind === 'STRING' && this.compat === '3' && (this.peek(1).kind === ',' || this.peek(1).kind === '}')) {
          // UTF-8 syntax: a quoted metric name inside braces.
          this.take();
          const qn = unquoteString(t.text, this.src, t.pos);
          if (metricName !== '') this.err({ start: t.pos, end: t.end }, `metric name must not be set twice: ${JSON.stringify(metricName)} or ${JSON.stringify(qn)}`);
          metricName = qn;
          matchers.push(this.newMatcher(MatchType.Equal, METRIC_NAME, qn, t));
        } else {
          let lname: string;
          if (t.kind === 'IDENT') lname = this.take().text;
          else if (t.kind === 'STRING' && this.compat === '3') lname = unquoteString(this.take().text, this.src, t.pos);
          else this.unexpected(t, 'label matching', 'identifier or "}"');
          const opTok = this.peek();
          let mt: MatchType;
          if (opTok.kind === '=') mt = MatchType.Equal;
          else if (opTok.kind === 'OP' && opTok.text === '!=') mt = MatchType.NotEqual;
          else if (opTok.kind === 'OP' && opTok.text === '=~') mt = MatchType.Regexp;
          else if (opTok.kind === 'OP' && opTok.text === '!~') mt = MatchType.NotRegexp;
          else this.unexpected(opTok, 'label matching', 'label matching operator');
          this.take();
          const v = this.peek();
          if (v.kind !== 'STRING') this.unexpected(v, 'label matching', 'string');
          this.take();
          const val = unquoteString(v.text, this.src, v.pos);
          if (lname === METRIC_NAME && mt === MatchType.Equal && metricName !== '' && name !== '') {
            this.err({ start: startTok.pos, end: v.end }, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(val)}`);
          }
          matchers.push(this.newMatcher(mt, lname, val, t));
        }
        const n = this.peek();
        if (n.kind === ',') {
          this.take();
          continue;
        }
        if (n.kind !== '}') this.unexpected(n, 'label matching', '"," or "}"');
      }
    }
    const vs: VectorSelector = { type: 'VectorSelector', name: metricName, matchers, offset: 0, at: null, pos: { start: startTok.pos, end } };
    if (!matchers.some((m) => !m.matchesEmpty())) {
      this.err(vs.pos, 'vector selector must contain at least one non-empty matcher');
    }
    return vs;
  }

  private newMatcher(t: MatchType, name: string, value: string, tok: Token): Matcher {
    try {
      return new Matcher(t, name, value, { dotAll: this.compat === '3' });
    } catch (err) {
      if (err instanceof RegexError) this.err({ start: tok.pos, end: tok.end }, err.message);
      throw err;
    }
  }

  // ---- type checking (Prometheus checkAST) ----

  private expectType(e: Expr, want: ValueType, context: string): void {
    const got = exprType(e);
    if (got !== want) this.err(e.pos, `expected type ${describeType(want)} in ${context}, got ${describeType(got)}`);
  }

  private check(e: Expr): void {
    switch (e.type) {
      case 'NumberLiteral':
      case 'StringLiteral':
      case 'VectorSelector':
        return;
      case 'MatrixSelector':
        return;
      case 'ParenExpr':
        this.check(e.expr);
        return;
      case 'SubqueryExpr': {
        this.check(e.expr);
        const t = exprType(e.expr);
        if (t !== 'vector') this.err(e.pos, `subquery is only allowed on instant vector, got ${describeType(t)} instead`);
        return;
      }
      case 'UnaryExpr': {
        this.check(e.expr);
        const t = exprType(e.expr);
        if (t !== 'scalar' && t !== 'vector') this.err(e.pos, `unary expression only allowed on expressions of type scalar or instant vector, got "${describeType(t)}"`);
        return;
      }
      case 'AggregateExpr': {
        const needsParam = e.op === 'topk' || e.op === 'bottomk' || e.op === 'quantile' || e.op === 'limitk' || e.op === 'limit_ratio' || e.op === 'count_values';
        if (needsParam && !e.param) this.err(e.pos, `wrong number of arguments for aggregate expression provided, expected 2, got 1`);
        this.check(e.expr);
        if (e.param) this.check(e.param);
        const ctx = 'aggregation expression';
        this.expectType(e.expr, 'vector', ctx);
        if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'quantile' || e.op === 'limitk' || e.op === 'limit_ratio') {
          this.expectType(e.param!, 'scalar', 'aggregation parameter');
        } else if (e.op === 'count_values') {
          this.expectType(e.param!, 'string', 'aggregation parameter');
        } else if (e.param) {
          this.err(e.pos, `wrong number of arguments for aggregate expression provided, expected 1, got 2`);
        }
        if ((e.op === 'limitk' || e.op === 'limit_ratio') && this.opts.experimentalFunctions === false) {
          this.err(e.pos, `limitk() and limit_ratio() are experimental and must be enabled with --enable-feature=promql-experimental-functions`);
        }
        return;
      }
      case 'Call': {
        const sig = FUNCTIONS.get(e.func)!;
        const nargs = sig.argTypes.length;
        if (sig.variadic === 0) {
          if (nargs !== e.args.length) this.err(e.pos, `expected ${nargs} argument(s) in call to "${e.func}", got ${e.args.length}`);
        } else {
          const na = nargs - 1;
          if (na > e.args.length) this.err(e.pos, `expected at least ${na} argument(s) in call to "${e.func}", got ${e.args.length}`);
          if (sig.variadic > 0 && na + sig.variadic < e.args.length) {
            this.err(e.pos, `expected at most ${na + sig.variadic} argument(s) in call to "${e.func}", got ${e.args.length}`);
          }
        }
        for (let i = 0; i < e.args.length; i++) {
          const a = e.args[i]!;
          this.check(a);
          const want = sig.argTypes[Math.min(i, nargs - 1)]!;
          this.expectType(a, want, `call to function "${e.func}"`);
        }
        if (e.func === 'label_replace' || e.func === 'label_join') this.checkLabelArgs(e);
        for (const a of e.args) {
          if (a.type !== 'MatrixSelector') continue;
          if (a.vs.anchored && !['resets', 'changes', 'rate', 'increase', 'delta'].includes(e.func)) {
            this.err(a.pos, `anchored modifier can only be used with: changes, delta, increase, rate, resets - not with ${e.func}`);
          }
          if (a.vs.smoothed && !['rate', 'increase', 'delta'].includes(e.func)) {
            this.err(a.pos, `smoothed modifier can only be used with: delta, increase, rate - not with ${e.func}`);
          }
        }
        return;
      }
      case 'BinaryExpr': {
        this.check(e.lhs);
        this.check(e.rhs);
        // Same checks, order and positions as Prometheus' checkAST.
        const lt = exprType(e.lhs);
        const rt = exprType(e.rhs);
        const op = this.opPos.get(e) ?? e.pos.start;
        if (e.returnBool && !isComparisonOp(e.op)) this.err(op, 'bool modifier can only be used on comparison operators');
        if (isComparisonOp(e.op) && !e.returnBool && lt === 'scalar' && rt === 'scalar') this.err(op, 'comparisons between scalars must use BOOL modifier');
        if (e.matching && e.matching.on) {
          for (const l of e.matching.include) {
            if (e.matching.matchingLabels.includes(l)) this.err(op, `label "${l}" must not occur in ON and GROUP clause at once`);
          }
        }
        if (lt !== 'scalar' && lt !== 'vector') this.err(e.lhs.pos, 'binary expression must contain only scalar and instant vector types');
        if (rt !== 'scalar' && rt !== 'vector') this.err(e.rhs.pos, 'binary expression must contain only scalar and instant vector types');
        if ((lt !== 'vector' || rt !== 'vector') && e.matching) {
          if (e.matching.matchingLabels.length > 0) this.err(e.pos, 'vector matching only allowed between instant vectors');
          e.matching = null;
        } else if (isSetOp(e.op) && e.matching && (e.matching.card === 'many-to-one' || e.matching.card === 'one-to-many')) {
          this.err(e.pos, `no grouping allowed for "${e.op}" operation`);
        }
        if (isSetOp(e.op) && (lt === 'scalar' || rt === 'scalar')) this.err(e.pos, `set operator "${e.op}" not allowed in binary scalar expression`);
        if (lt === 'vector' && rt === 'vector' && !e.matching) {
          e.matching = { card: isSetOp(e.op) ? 'many-to-many' : 'one-to-one', matchingLabels: [], on: false, include: [], explicit: false };
        }
        return;
      }
    }
  }

  private checkLabelArgs(e: Call): void {
    const lit = (i: number): string | null => {
      const a = e.args[i];
      return a && a.type === 'StringLiteral' ? a.val : null;
    };
    const dst = lit(e.func === 'label_replace' ? 1 : 1);
    if (dst !== null && !isValidLabelName(dst, this.compat)) {
      // Prometheus reports invalid destination labels at evaluation time; keep parity.
    }
    if (e.func === 'label_replace') {
      const re = lit(3);
      if (re !== null) {
        try {
          new Matcher(MatchType.Regexp, 'x', re, { dotAll: this.compat === '3' });
        } catch (err) {
          if (err instanceof RegexError) {
            // Prometheus compiles the regex at evaluation time (an execution error).
          }
        }
      }
    }
  }
}

export function isValidLabelName(name: string, compat: '2' | '3'): boolean {
  if (compat === '3') return name.length > 0;
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
}

/** Go's strconv.ParseFloat plus Prometheus' hex/octal integer literals and Inf/NaN. */
export function parseNumber(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (l === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/.test(l)) return parseInt(l.slice(2), 16);
  // Prometheus parses "0755"-style literals as octal integers (strconv.ParseInt base 0).
  if (/^0[0-7]+$/.test(l)) return parseInt(l, 8);
  return Number(s);
}

function formatGoFloat(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export { ParseError };
