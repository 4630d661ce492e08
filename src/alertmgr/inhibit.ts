/**
 * Inhibition (inhibit package): a target alert is muted while a firing source
 * alert with the same `equal` labels exists. When the target also matches the
 * source side, source alerts that also match the target side are ignored, so two
 * alerts cannot inhibit each other. Each rule keeps a cache of the alerts matching
 * its source side (fed by the store), so a check does not scan every alert.
 */
import type { InhibitRule } from './config.js';
import { matchesLabels } from './matchers.js';
import type { AlertStore } from './alerts.js';
import { resolvedAt, type Alert, type LabelSet } from './types.js';

interface RuleState {
  rule: InhibitRule;
  sources: Map<string, Alert>;
}

export class Inhibitor {
  private readonly rules: RuleState[];
  private readonly unsubscribe: () => void;

  constructor(
    rules: InhibitRule[],
    store: AlertStore,
    private readonly now: () => number = Date.now,
  ) {
    this.rules = rules.map((rule) => ({ rule, sources: new Map() }));
    for (const [fp, a] of store.entries()) this.observe(a, fp);
    this.unsubscribe = store.subscribe((a, fp) => this.observe(a, fp));
  }

  private observe(a: Alert, fp: string): void {
    for (const r of this.rules) {
      if (matchesLabels(r.rule.sourceMatchers, a.labels)) r.sources.set(fp, a);
    }
  }

  /** Stops following the store (the inhibitor of a replaced configuration). */
  close(): void {
    this.unsubscribe();
  }

  /** Fingerprints of the alerts inhibiting `ls` (empty when not inhibited). */
  inhibitedBy(ls: LabelSet): string[] {
    const now = this.now();
    for (const { rule, sources } of this.rules) {
      if (!matchesLabels(rule.targetMatchers, ls)) continue;
      const excludeTwoSided = matchesLabels(rule.sourceMatchers, ls);
      for (const [fp, a] of sources) {
        if (resolvedAt(a, now)) continue;
        if (excludeTwoSided && matchesLabels(rule.targetMatchers, a.labels)) continue;
        let eq = true;
        for (const n of rule.equal) {
          if ((a.labels[n] ?? '') !== (ls[n] ?? '')) {
            eq = false;
            break;
          }
        }
        if (eq) return [fp];
      }
    }
    return [];
  }

  /** Drops cached source alerts that the store no longer holds. */
  gc(store: AlertStore): void {
    for (const r of this.rules) for (const fp of r.sources.keys()) if (!store.get(fp)) r.sources.delete(fp);
  }
}
