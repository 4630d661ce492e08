import { Counter, Gauge, Summary, type Registry } from 'prom-client';

/** Rule manager self-metrics, named after Prometheus' prometheus_rule_* metrics with a vigil_ prefix. */
export class RuleMetrics {
  readonly evalDuration: Summary;
  readonly iterationDuration: Summary;
  readonly iterationsMissed: Counter;
  readonly iterationsScheduled: Counter;
  readonly evalTotal: Counter;
  readonly evalFailures: Counter;
  readonly groupInterval: Gauge;
  readonly groupLastEvalTime: Gauge;
  readonly groupLastDuration: Gauge;
  readonly groupRules: Gauge;
  readonly groupSamples: Gauge;

  constructor(registry: Registry | undefined) {
    const registers = registry ? [registry] : [];
    const g = ['rule_group'] as const;
    this.evalDuration = new Summary({
      name: 'vigil_rule_evaluation_duration_seconds',
      help: 'The duration for a rule to execute.',
      percentiles: [0.5, 0.9, 0.99],
      registers,
    });
    this.iterationDuration = new Summary({
      name: 'vigil_rule_group_duration_seconds',
      help: 'The duration of rule group evaluations.',
      percentiles: [0.01, 0.05, 0.5, 0.9, 0.99],
      registers,
    });
    this.iterationsMissed = new Counter({
      name: 'vigil_rule_group_iterations_missed_total',
      help: 'The total number of rule group evaluations missed due to slow rule group evaluation.',
      labelNames: g,
      registers,
    });
    this.iterationsScheduled = new Counter({
      name: 'vigil_rule_group_iterations_total',
      help: 'The total number of scheduled rule group evaluations, whether executed or missed.',
      labelNames: g,
      registers,
    });
    this.evalTotal = new Counter({ name: 'vigil_rule_evaluations_total', help: 'The total number of rule evaluations.', labelNames: g, registers });
    this.evalFailures = new Counter({
      name: 'vigil_rule_evaluation_failures_total',
      help: 'The total number of rule evaluation failures.',
      labelNames: g,
      registers,
    });
    this.groupInterval = new Gauge({ name: 'vigil_rule_group_interval_seconds', help: 'The interval of a rule group.', labelNames: g, registers });
    this.groupLastEvalTime = new Gauge({
      name: 'vigil_rule_group_last_evaluation_timestamp_seconds',
      help: 'The timestamp of the last rule group evaluation in seconds.',
      labelNames: g,
      registers,
    });
    this.groupLastDuration = new Gauge({
      name: 'vigil_rule_group_last_duration_seconds',
      help: 'The duration of the last rule group evaluation.',
      labelNames: g,
      registers,
    });
    this.groupRules = new Gauge({ name: 'vigil_rule_group_rules', help: 'The number of rules.', labelNames: g, registers });
    this.groupSamples = new Gauge({
      name: 'vigil_rule_group_last_evaluation_samples',
      help: 'The number of samples returned during the last rule group evaluation.',
      labelNames: g,
      registers,
    });
  }

  /**
   * Creates a loaded group's series at their initial values, as Prometheus' NewGroup does:
   * counters at 0 before the first evaluation, so rate() and alerts such as
   * `increase(vigil_rule_evaluation_failures_total[5m]) > 0` work from the start.
   */
  initGroup(key: string, intervalMs: number, rules: number): void {
    const l = { rule_group: key };
    for (const m of [this.iterationsMissed, this.iterationsScheduled, this.evalTotal, this.evalFailures]) m.inc(l, 0);
    this.groupInterval.set(l, intervalMs / 1000);
    this.groupRules.set(l, rules);
  }

  /** Drops the per-group series of a removed group. */
  removeGroup(key: string): void {
    for (const m of [this.iterationsMissed, this.iterationsScheduled, this.evalTotal, this.evalFailures]) m.remove(key);
    for (const m of [this.groupInterval, this.groupLastEvalTime, this.groupLastDuration, this.groupRules, this.groupSamples]) m.remove(key);
  }
}
