/**
 * The typed PromQL AST produced by the parser (shape follows Prometheus' parser package).
 * Durations and timestamps are integer milliseconds; `pos` is the byte offset of the
 * node's first character in the query string (for error messages).
 */
import type { Matcher } from '../model/index.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Prometheus' wording of value types in error messages. */
export function describeType(t: ValueType): string {
  switch (t) {
    case 'scalar':
      return 'scalar';
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
    case 'string':
      return 'string';
  }
}

export interface PosRange {
  start: number;
  end: number;
}

/** `@` modifier: a fixed timestamp in ms, or the query's start()/end(). */
export type AtModifier = { kind: 'ts'; ms: number } | { kind: 'start' } | { kind: 'end' };

export interface NumberLiteral {
  type: 'NumberLiteral';
  val: number;
  pos: PosRange;
}

export interface StringLiteral {
  type: 'StringLiteral';
  val: string;
  pos: PosRange;
}

export interface VectorSelector {
  type: 'VectorSelector';
  /** Metric name if given outside braces or as a quoted name ('' when only matchers). */
  name: string;
  matchers: Matcher[];
  /** Offset in ms (may be negative). */
  offset: number;
  at: AtModifier | null;
  /** 3.x experimental `anchored` / `smoothed` range modifiers (only on range selectors). */
  anchored?: boolean;
  smoothed?: boolean;
  pos: PosRange;
}

export interface MatrixSelector {
  type: 'MatrixSelector';
  vs: VectorSelector;
  range: number;
  pos: PosRange;
}

export interface SubqueryExpr {
  type: 'SubqueryExpr';
  expr: Expr;
  range: number;
  /** 0 means the engine's default evaluation interval. */
  step: number;
  offset: number;
  at: AtModifier | null;
  pos: PosRange;
}

export interface ParenExpr {
  type: 'ParenExpr';
  expr: Expr;
  pos: PosRange;
}

export interface UnaryExpr {
  type: 'UnaryExpr';
  op: '-' | '+';
  expr: Expr;
  pos: PosRange;
}

export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | 'atan2'
  | '=='
  | '!='
  | '>'
  | '<'
  | '>='
  | '<='
  | 'and'
  | 'or'
  | 'unless';

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  card: Cardinality;
  /** Labels of on()/ignoring(). */
  matchingLabels: string[];
  /** true for on(), false for ignoring() (or no clause). */
  on: boolean;
  /** Extra labels of group_left(...)/group_right(...). */
  include: string[];
  /** Whether an on()/ignoring() clause was written (for formatting). */
  explicit: boolean;
}

/** 3.x experimental fill modifiers: fill(v), fill_left(v), fill_right(v). */
export interface FillModifier {
  left: number | null;
  right: number | null;
}

export interface BinaryExpr {
  type: 'BinaryExpr';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  matching: VectorMatching | null;
  returnBool: boolean;
  fill?: FillModifier;
  pos: PosRange;
}

export interface Call {
  type: 'Call';
  func: string;
  args: Expr[];
  pos: PosRange;
}

export type AggregateOp =
  | 'sum'
  | 'min'
  | 'max'
  | 'avg'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'count'
  | 'count_values'
  | 'bottomk'
  | 'topk'
  | 'quantile'
  | 'limitk'
  | 'limit_ratio';

export interface AggregateExpr {
  type: 'AggregateExpr';
  op: AggregateOp;
  expr: Expr;
  param: Expr | null;
  grouping: string[];
  without: boolean;
  /** Whether a by()/without() clause was written (`sum by () (x)` keeps it). */
  hasGrouping: boolean;
  pos: PosRange;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | ParenExpr
  | UnaryExpr
  | BinaryExpr
  | Call
  | AggregateExpr;

export const AGGREGATORS: ReadonlySet<string> = new Set<AggregateOp>([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);

export function isComparisonOp(op: BinaryOp): boolean {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

export function isSetOp(op: BinaryOp): boolean {
  return op === 'and' || op === 'or' || op === 'unless';
}
