/**
 * formatExpr: the canonical one-line form of an expression, as Prometheus'
 * Expr.String() writes it (used by /api/v1/format_query).
 */
import { METRIC_NAME, MatchType } from '../model/index.js';
import { formatDuration } from '../util/index.js';
import type { AtModifier, Expr, VectorSelector } from './ast.js';

/** Go fmt %v for float64: shortest digits, exponent form when exp < -4 or exp >= 6. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const e = Math.abs(exp);
    return `${mant}e${sign}${e < 10 ? '0' + e : e}`;
  }
  return String(v);
}

/** Go's strconv.Quote. */
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
    else out += ch;
  }
  return out + '"';
}

function dur(ms: number): string {
  return formatDuration(ms);
}

function atStr(at: AtModifier | null): string {
  if (!at) return '';
  if (at.kind === 'start') return ' @ start()';
  if (at.kind === 'end') return ' @ end()';
  return ` @ ${(at.ms / 1000).toFixed(3)}`;
}

function offsetStr(o: number): string {
  if (o > 0) return ` offset ${dur(o)}`;
  if (o < 0) return ` offset -${dur(-o)}`;
  return '';
}

function selectorBody(vs: VectorSelector): string {
  const parts: string[] = [];
  // Prometheus prints matchers ordered by label name.
  const ms = [...vs.matchers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const m of ms) {
    if (m.name === METRIC_NAME && m.type === MatchType.Equal && m.value === vs.name) continue;
    parts.push(`${m.name}${m.type}${goQuote(m.value)}`);
  }
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(vs.name) || vs.name === '' ? vs.name : '';
  if (name === '' && vs.name !== '') parts.unshift(goQuote(vs.name));
  return parts.length === 0 ? name : `${name}{${parts.join(', ').replace(/, /g, ',')}}`;
}

export function formatExpr(e: Expr): string {
  switch (e.type) {
    case 'NumberLiteral':
      return formatGoFloat(e.val);
    case 'StringLiteral':
      return goQuote(e.val);
    case 'VectorSelector':
      return selectorBody(e) + atStr(e.at) + offsetStr(e.offset);
    case 'MatrixSelector':
      return `${selectorBody(e.vs)}[${dur(e.range)}]${e.vs.anchored ? ' anchored' : ''}${e.vs.smoothed ? ' smoothed' : ''}${atStr(e.vs.at)}${offsetStr(e.vs.offset)}`;
    case 'SubqueryExpr':
      return `${formatExpr(e.expr)}[${dur(e.range)}:${e.step > 0 ? dur(e.step) : ''}]${atStr(e.at)}${offsetStr(e.offset)}`;
    case 'ParenExpr':
      return `(${formatExpr(e.expr)})`;
    case 'UnaryExpr':
      return `${e.op}${formatExpr(e.expr)}`;
    case 'Call':
      return `${e.func}(${e.args.map(formatExpr).join(', ')})`;
    case 'AggregateExpr': {
      let s: string = e.op;
      if (e.without) s += ` without (${e.grouping.join(', ')}) `;
      else if (e.grouping.length > 0) s += ` by (${e.grouping.join(', ')}) `;
      s += '(';
      if (e.param) s += formatExpr(e.param) + ', ';
      return s + formatExpr(e.expr) + ')';
    }
    case 'BinaryExpr': {
      let matching = '';
      const m = e.matching;
      if (m && (m.matchingLabels.length > 0 || m.on)) {
        matching = ` ${m.on ? 'on' : 'ignoring'} (${m.matchingLabels.join(', ')})`;
        if (m.card === 'many-to-one' || m.card === 'one-to-many') {
          matching += ` group_${m.card === 'many-to-one' ? 'left' : 'right'} (${m.include.join(', ')})`;
        }
      }
      let fill = '';
      if (e.fill) {
        if (e.fill.left !== null && e.fill.left === e.fill.right) fill = ` fill (${formatGoFloat(e.fill.left)})`;
        else {
          if (e.fill.left !== null) fill += ` fill_left (${formatGoFloat(e.fill.left)})`;
          if (e.fill.right !== null) fill += ` fill_right (${formatGoFloat(e.fill.right)})`;
        }
      }
      return `${formatExpr(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matching}${fill} ${formatExpr(e.rhs)}`;
    }
  }
}

const MAX_LINE = 100;

function indent(level: number): string {
  return '  '.repeat(level);
}

/**
 * prettyExpr: the multi-line form /api/v1/format_query returns (Prometheus'
 * Prettify): nodes whose one-line form exceeds 100 characters are split, one
 * operand or argument per line, indented by two spaces per level.
 */
export function prettyExpr(e: Expr, level = 0): string {
  const one = formatExpr(e);
  if (one.length <= MAX_LINE) {
    return indent(level) + one;
  }
  switch (e.type) {
    case 'AggregateExpr': {
      let s = indent(level) + e.op;
      if (e.without) s += ` without (${e.grouping.join(', ')}) `;
      else if (e.grouping.length > 0) s += ` by (${e.grouping.join(', ')}) `;
      s += '(\n';
      if (e.param) s += prettyExpr(e.param, level + 1) + ',\n';
      return s + prettyExpr(e.expr, level + 1) + '\n' + indent(level) + ')';
    }
    case 'BinaryExpr': {
      let matching = '';
      const m = e.matching;
      if (m && (m.matchingLabels.length > 0 || m.on)) {
        matching = ` ${m.on ? 'on' : 'ignoring'} (${m.matchingLabels.join(', ')})`;
        if (m.card === 'many-to-one' || m.card === 'one-to-many') matching += ` group_${m.card === 'many-to-one' ? 'left' : 'right'} (${m.include.join(', ')})`;
      }
      return `${prettyExpr(e.lhs, level + 1)}\n${indent(level)}${e.op}${e.returnBool ? ' bool' : ''}${matching}\n${prettyExpr(e.rhs, level + 1)}`;
    }
    case 'Call':
      return `${indent(level)}${e.func}(\n${e.args.map((a) => prettyExpr(a, level + 1)).join(',\n')}\n${indent(level)})`;
    case 'ParenExpr':
      return `${indent(level)}(\n${prettyExpr(e.expr, level + 1)}\n${indent(level)})`;
    case 'UnaryExpr':
      return `${indent(level)}${e.op}${prettyExpr(e.expr, level).trim()}`;
    case 'SubqueryExpr':
      return `${prettyExpr(e.expr, level)}[${dur(e.range)}:${e.step > 0 ? dur(e.step) : ''}]${atStr(e.at)}${offsetStr(e.offset)}`;
    default:
      return indent(level) + one;
  }
}
