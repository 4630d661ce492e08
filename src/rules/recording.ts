import { LabelsBuilder, labelsKey, METRIC_NAME } from '../model/index.js';
import { Rule } from './rule.js';
import type { QueryFunc, VectorSample } from './types.js';

/** A recording rule: evaluates its expression and renames the result (Prometheus rules.RecordingRule). */
export class RecordingRule extends Rule {
  async eval(t: number, queryOffsetMs: number, query: QueryFunc, limit: number): Promise<VectorSample[]> {
    const qt = t - queryOffsetMs;
    const vector = await query(this.spec.expr, qt);
    const b = new LabelsBuilder();
    const seen = new Set<string>();
    const out: VectorSample[] = [];
    for (const s of vector) {
      b.reset(s.labels).set(METRIC_NAME, this.spec.name);
      // Rule labels are not templated for recording rules; they override result labels.
      for (const l of this.labels) b.set(l.name, l.value);
      const labels = b.labels();
      const key = labelsKey(labels);
      if (seen.has(key)) throw new Error('vector contains metrics with the same labelset after applying rule labels');
      seen.add(key);
      // Written at the (offset) query time, as Prometheus does.
      out.push({ labels, t: qt, v: s.v });
    }
    if (limit > 0 && out.length > limit) throw new Error(`exceeded limit ${limit} with ${out.length} series`);
    return out;
  }
}
