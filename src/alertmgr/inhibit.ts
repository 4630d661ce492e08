/**
 * Inhibition (inhibit package): a target alert is muted while a firing source
 * alert with the same `equal` labels exists. When the target also matches the
 * source side, source alerts that also match the target side are ignored, so two
 * alerts cannot inhibit each other.
 */
import type { InhibitRule } from './config.js';
import { matchesLabels } from './matchers.js';
import type { AlertStore } from './alerts.js';
import { resolvedAt, type LabelSet } from './types.js';

export class Inhibitor {
  constructor(
    private readonly rules: InhibitRule[],
    private readonly store: AlertStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fingerprints of the alerts inhibiting `ls` (empty when not inhibited). */
  inhibitedBy(ls: LabelSet): string[] {
    const now = this.now();
    for (const r of this.rules) {
      if (!matchesLabels(r.targetMatchers, ls)) continue;
      const excludeTwoSided = matchesLabels(r.sourceMatchers, ls);
      for (const [fp, a] of this.store.entries()) {
        if (resolvedAt(a, now)) continue;
        if (!matchesLabels(r.sourceMatchers, a.labels)) continue;
        if (excludeTwoSided && matchesLabels(r.targetMatchers, a.labels)) continue;
        let eq = true;
        for (const n of r.equal) {
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
}
