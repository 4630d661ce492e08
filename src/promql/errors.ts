import type { PosRange } from './ast.js';

/**
 * A parse or type-check error. `message` reads like Prometheus' ParseErr:
 * `<line>:<col>: parse error: <what>` (col is 1-based, counted in characters).
 */
export class ParseError extends Error {
  override name = 'ParseError';
  readonly line: number;
  readonly col: number;
  constructor(
    readonly query: string,
    readonly range: PosRange,
    readonly detail: string,
  ) {
    let line = 1;
    let lastBreak = -1;
    const pos = Math.max(0, Math.min(range.start, query.length));
    for (let i = 0; i < pos; i++) {
      if (query[i] === '\n') {
        line++;
        lastBreak = i;
      }
    }
    const col = pos - lastBreak;
    super(`${line}:${col}: parse error: ${detail}`);
    this.line = line;
    this.col = col;
  }
}

/** Evaluation error kinds, mapped to Prometheus' API errorType values. */
export type EvalErrorKind = 'execution' | 'timeout' | 'canceled' | 'too_many_samples' | 'bad_data' | 'internal';

export class EvalError extends Error {
  override name = 'EvalError';
  constructor(
    readonly kind: EvalErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const ERR_TOO_MANY_SAMPLES = 'query processing would load too many samples into memory in query execution';
