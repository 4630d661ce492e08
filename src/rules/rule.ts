import { labelsToString, labelsFromObject, type Labels } from '../model/index.js';
import type { RuleSpec } from './rulefile.js';
import type { QueryFunc, RuleHealth, VectorSample } from './types.js';

/** What every rule exposes to its group, the manager and the API. */
export abstract class Rule {
  health: RuleHealth = 'unknown';
  lastError: string | null = null;
  /** Start of the last evaluation (wall clock, ms); 0 = never. */
  lastEvaluation = 0;
  /** Duration of the last evaluation in ms. */
  evaluationTimeMs = 0;
  readonly labels: Labels;

  constructor(readonly spec: RuleSpec) {
    this.labels = labelsFromObject(spec.labels);
  }

  get name(): string {
    return this.spec.name;
  }

  /** Identity used to carry state over a reload (Prometheus' nameAndLabels). */
  get identity(): string {
    return this.spec.name + labelsToString(this.labels);
  }

  /**
   * Evaluates the rule at `t` (ms) with the query shifted back by `queryOffsetMs`;
   * returns the samples to append. Throws on query errors and limit violations.
   */
  abstract eval(t: number, queryOffsetMs: number, query: QueryFunc, limit: number): Promise<VectorSample[]>;

  /** Same expression, labels, annotations and durations (Prometheus compares rule strings). */
  sameDefinition(other: Rule): boolean {
    const a = this.spec;
    const b = other.spec;
    return (
      a.kind === b.kind &&
      a.name === b.name &&
      a.expr === b.expr &&
      a.forMs === b.forMs &&
      a.keepFiringForMs === b.keepFiringForMs &&
      JSON.stringify(a.labels) === JSON.stringify(b.labels) &&
      JSON.stringify(a.annotations) === JSON.stringify(b.annotations)
    );
  }
}
