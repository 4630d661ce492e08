import type { Queryable } from '../storage/index.js';
import type { ExprValidator, QueryFunc } from './types.js';

/**
 * PromQL wiring for rules: a QueryFunc over a Queryable and an expression validator.
 * Placeholder until the promql branch lands: queries fail with a clear message and
 * every expression validates.
 */
export function promqlQueryFunc(_storage: Queryable): QueryFunc {
  return async () => {
    throw new Error('the PromQL engine is not available in this build');
  };
}

export const promqlValidator: ExprValidator = { validate: () => null };
