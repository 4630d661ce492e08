import { labelsFromPairs } from '../model/index.js';
import { aborted, type Discoverer, type StaticConfig, type TargetGroup } from './types.js';

/** Target groups of static_configs: one group per entry, sent once. */
export class StaticDiscoverer implements Discoverer {
  constructor(private readonly configs: readonly StaticConfig[]) {}

  groups(): TargetGroup[] {
    return this.configs.map((c, i) => ({
      targets: c.targets.map((t) => labelsFromPairs([{ name: '__address__', value: t }])),
      labels: c.labels,
      source: String(i),
    }));
  }

  async run(signal: AbortSignal, send: (groups: TargetGroup[]) => void): Promise<void> {
    if (signal.aborted) return;
    send(this.groups());
    await aborted(signal);
  }
}
