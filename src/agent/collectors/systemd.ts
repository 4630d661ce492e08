import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import { DEFAULTS, flagRegex } from '../collector.js';
import type { MetricSink } from '../exposition.js';
import { readDir, tryAttr } from '../procfs.js';

const STATES = ['activating', 'active', 'deactivating', 'failed', 'inactive'] as const;

/**
 * node_systemd_unit_state without D-Bus. systemd keeps every running unit in its
 * own cgroup (v2: <sysfs>/fs/cgroup/system.slice/<unit>), so a unit whose cgroup
 * holds at least one process is "active"; a unit with an empty cgroup is reported
 * "inactive". Units systemd has stopped or failed leave no cgroup behind, so they
 * are listed only when installed as unit files wanted by a target (from
 * <rootfs>/etc/systemd/system/*.wants), as "inactive". The "failed" and
 * transitional states cannot be told apart this way; docs/agent.md says so.
 */
class SystemdCollector implements Collector {
  constructor(
    private readonly include: RegExp,
    private readonly exclude: RegExp,
  ) {}

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const cg = ctx.sys('fs/cgroup/system.slice');
    const names = await readDir(cg);
    const state = new Map<string, string>();
    await Promise.all(
      names
        .filter((n) => /\.(service|socket|timer|swap|path)$/.test(n))
        .map(async (n) => {
          const procs = await tryAttr(`${cg}/${n}/cgroup.procs`);
          state.set(n, procs !== undefined && procs.trim() !== '' ? 'active' : 'inactive');
        }),
    );
    try {
      const etc = ctx.root('etc/systemd/system');
      const wants = (await readDir(etc)).filter((n) => n.endsWith('.wants'));
      for (const w of wants) for (const u of await readDir(`${etc}/${w}`).catch(() => [] as string[])) if (!state.has(u)) state.set(u, 'inactive');
    } catch {
      // no unit directory under the rootfs: only cgroup-derived units
    }
    const fam = sink.gauge('node_systemd_unit_state', 'Systemd unit');
    const units = [...state.keys()].filter((u) => this.include.test(u) && !this.exclude.test(u)).sort();
    for (const u of units) {
      const type = u.slice(u.lastIndexOf('.') + 1);
      for (const s of STATES) fam.addLabels(['name', u, 'state', s, 'type', type], state.get(u) === s ? 1 : 0);
    }
  }
}

export const systemdCollectors: CollectorDef[] = [
  {
    name: 'systemd',
    defaultEnabled: false,
    create: (o) =>
      new SystemdCollector(
        new RegExp(`^(?:${o.systemdUnitInclude ?? DEFAULTS.systemdUnitInclude})$`),
        flagRegex('collector.systemd.unit-exclude', `^(?:${o.systemdUnitExclude ?? DEFAULTS.systemdUnitExclude})$`),
      ),
  },
];
