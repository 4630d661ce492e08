import type { Labels } from '../model/index.js';

/** One element of an instant vector as rules see it (Prometheus promql.Sample, floats only). */
export interface VectorSample {
  labels: Labels;
  /** Timestamp in ms. */
  t: number;
  v: number;
}

/**
 * Evaluates an expression at time `t` (ms) and returns an instant vector, like
 * Prometheus' rules.QueryFunc. A scalar result is returned as one sample without
 * labels; a string result is an error.
 */
export type QueryFunc = (expr: string, t: number) => Promise<VectorSample[]>;

/**
 * Checks that an expression parses. Returns null when it does, otherwise a message
 * with the position inside the expression ("1:17: parse error: ...").
 * `format` (optional) returns the canonical printed form shown by the API.
 */
export interface ExprValidator {
  validate(expr: string): string | null;
  format?(expr: string): string;
}

/** Expression validator that accepts everything (used until a PromQL parser is wired). */
export const acceptAllExprs: ExprValidator = { validate: () => null };

/** Alert states, as Prometheus names them in the API and the ALERTS series. */
export type AlertState = 'inactive' | 'pending' | 'firing';

/** Rule health as reported by /api/v1/rules. */
export type RuleHealth = 'unknown' | 'ok' | 'err';

/** The data a rule template sees: `$labels`, `$externalLabels`, `$externalURL`, `$value`. */
export interface AlertTemplateData {
  labels: Record<string, string>;
  externalLabels: Record<string, string>;
  externalURL: string;
  value: number;
}

/**
 * Expands alert label and annotation templates (Prometheus' template.Expander with
 * the rule defs header). Implemented on top of src/template; injectable for tests.
 */
export interface RuleTemplater {
  /** Returns null when `text` parses as a template, else the error message. */
  check(text: string, name: string): string | null;
  /** Expands `text`; `query` backs the `query` template function at time `t` (ms). Throws on errors. */
  expand(text: string, name: string, data: AlertTemplateData, t: number, query: QueryFunc): Promise<string>;
}
