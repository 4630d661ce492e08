import { Engine, formatExpr, parseExpr, type EngineOptions, type Expr } from '../promql/index.js';
import type { Queryable } from '../storage/index.js';
import type { ExprValidator, QueryFunc } from './types.js';

/** Parsed rule expressions, reused across evaluations (rules re-run the same few expressions). */
const astCache = new Map<string, Expr>();
const AST_CACHE_MAX = 10_000;

function parseCached(expr: string, compat: '2' | '3'): Expr {
  const key = compat + expr;
  let ast = astCache.get(key);
  if (!ast) {
    ast = parseExpr(expr, { compat });
    if (astCache.size >= AST_CACHE_MAX) astCache.clear();
    astCache.set(key, ast);
  }
  return ast;
}

let sharedEngine: Engine | null = null;

/**
 * A QueryFunc over `storage` using the PromQL engine (Prometheus' EngineQueryFunc):
 * vectors pass through, a scalar becomes one sample without labels, anything else is an error.
 */
export function promqlQueryFunc(storage: Queryable, engine?: Engine): QueryFunc {
  const eng = engine ?? (sharedEngine ??= new Engine());
  return async (expr, t) => {
    const r = await eng.instantQuery(storage, parseCached(expr, eng.compat), t);
    switch (r.resultType) {
      case 'vector':
        return r.result;
      case 'scalar':
        return [{ labels: [], t: r.result.t, v: r.result.v }];
      default:
        throw new Error('rule result is not a vector or scalar');
    }
  };
}

/** Builds an engine for rule evaluation (e.g. `compat: '2'` to reproduce Prometheus 2.x). */
export function rulesEngine(opts: EngineOptions = {}): Engine {
  return new Engine(opts);
}

/** Validates rule expressions with the PromQL parser; `format` gives the API's canonical form. */
export function promqlValidatorFor(compat: '2' | '3' = '3'): ExprValidator {
  return {
    validate(expr: string): string | null {
      try {
        parseCached(expr, compat);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
    format(expr: string): string {
      try {
        return formatExpr(parseCached(expr, compat));
      } catch {
        return expr;
      }
    },
  };
}

export const promqlValidator: ExprValidator = promqlValidatorFor('3');
