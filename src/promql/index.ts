export * from './ast.js';
export { parseExpr, exprType, parseNumber, type ParseOptions } from './parser.js';
export { ParseError, EvalError, type EvalErrorKind, ERR_TOO_MANY_SAMPLES } from './errors.js';
export { Engine, type EngineOptions, type QueryOpts } from './engine.js';
export type { InstantResult, RangeResult, VectorSample, MatrixSeries, QueryResult } from './values.js';
export { formatExpr, prettyExpr } from './format.js';
export { queryRoutes, type QueryApiOptions } from './api.js';
