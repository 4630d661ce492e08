import type { FlagSpec, Logger, ParsedFlags } from '../util/index.js';
import { UserError } from '../util/index.js';
import type { NodeCollectorOptions } from './collector.js';
import { DEFAULTS } from './collector.js';
import { COLLECTORS } from './registry.js';

/**
 * node_exporter 1.5 collectors Vigil does not implement. Their --collector.<name> /
 * --no-collector.<name> flags are accepted (hidden) so existing unit files keep
 * working; enabling one logs a warning.
 */
const NOT_IMPLEMENTED = [
  'bcache', 'btrfs', 'drbd', 'drm', 'ethtool', 'fibrechannel',
  'infiniband', 'ipvs', 'lnstat', 'logind', 'mountstats',
  'network_route', 'nfs', 'nfsd', 'ntp', 'nvme', 'perf', 'powersupplyclass', 'processes', 'qdisc', 'rapl', 'runit',
  'slabinfo', 'supervisord', 'sysctl', 'tapestats', 'wifi', 'xfs', 'zfs', 'zoneinfo',
];

/**
 * Options of node_exporter 1.5 that Vigil accepts but does not act on (they belong
 * to unimplemented collectors or to Go's runtime), so command lines carry over.
 */
const IGNORED_BOOL = [
  'collector.bcache.priorityStats', 'collector.netclass.netlink', 'collector.netclass_rtnl.with-stats', 'collector.netdev.address-info',
  'collector.netdev.enable-detailed-metrics', 'collector.netdev.netlink', 'collector.ntp.server-is-local', 'collector.rapl.enable-zone-label',
  'collector.systemd.enable-restarts-metrics', 'collector.systemd.enable-start-time-metrics', 'collector.systemd.enable-task-metrics',
];
const IGNORED_VALUE = [
  'collector.ethtool.device-exclude', 'collector.ethtool.device-include', 'collector.ethtool.metrics-include', 'collector.ipvs.backend-labels',
  'collector.ntp.ip-ttl', 'collector.ntp.local-offset-tolerance', 'collector.ntp.max-distance', 'collector.ntp.protocol-version', 'collector.ntp.server',
  'collector.ntp.server-port', 'collector.perf.cpus', 'collector.perf.tracepoint', 'collector.powersupply.ignored-supplies', 'collector.qdisc.fixtures',
  'collector.qdisk.device-exclude', 'collector.qdisk.device-include', 'collector.runit.servicedir', 'collector.supervisord.url', 'collector.sysctl.include',
  'collector.sysctl.include-info', 'collector.tapestats.ignored-devices', 'collector.wifi.fixtures', 'runtime.gomaxprocs',
];

/** Names from hand-written unit files (e.g. the seeds' --collector.memory) mapped to real collectors. */
const ALIASES: Record<string, string> = { memory: 'meminfo', disk: 'diskstats', network: 'netdev' };

/**
 * The --path.* and --collector.* flags, named and defaulted exactly as node_exporter's,
 * shared by `vigil agent` and `vigil server` (which passes them to createNodeCollector).
 */
export function collectorFlagSpecs(): FlagSpec[] {
  const specs: FlagSpec[] = [
    { name: 'path.procfs', kind: 'string', default: '/proc', help: 'procfs mountpoint.' },
    { name: 'path.sysfs', kind: 'string', default: '/sys', help: 'sysfs mountpoint.' },
    { name: 'path.rootfs', kind: 'string', default: '/', help: 'rootfs mountpoint.' },
    { name: 'path.udev.data', kind: 'string', default: DEFAULTS.udevData, help: 'udev data path.' },
    { name: 'collector.disable-defaults', kind: 'bool', help: 'Set all collectors to disabled by default.' },
    { name: 'collector.cpu.guest', kind: 'bool', default: true, help: 'Enables metric node_cpu_guest_seconds_total' },
    { name: 'collector.cpu.info', kind: 'bool', help: 'Enables metric cpu_info' },
    { name: 'collector.cpu.info.flags-include', kind: 'string', help: 'Filter the `flags` field in cpuInfo with a value that must be a regular expression' },
    { name: 'collector.cpu.info.bugs-include', kind: 'string', help: 'Filter the `bugs` field in cpuInfo with a value that must be a regular expression' },
    { name: 'collector.stat.softirq', kind: 'bool', help: 'Export softirq calls per vector' },
    { name: 'collector.arp.device-include', kind: 'string', help: 'Regexp of arp devices to include (mutually exclusive to device-exclude).' },
    { name: 'collector.arp.device-exclude', kind: 'string', help: 'Regexp of arp devices to exclude (mutually exclusive to device-include).' },
    { name: 'collector.netclass.ignore-invalid-speed', kind: 'bool', help: 'Ignore devices where the speed is invalid.' },
    { name: 'collector.diskstats.device-exclude', kind: 'string', default: DEFAULTS.diskstatsDeviceExclude, help: 'Regexp of diskstats devices to exclude (mutually exclusive to device-include).' },
    { name: 'collector.diskstats.device-include', kind: 'string', help: 'Regexp of diskstats devices to include (mutually exclusive to device-exclude).' },
    { name: 'collector.filesystem.mount-points-exclude', kind: 'string', default: DEFAULTS.filesystemMountPointsExclude, help: 'Regexp of mount points to exclude for filesystem collector.' },
    { name: 'collector.filesystem.fs-types-exclude', kind: 'string', default: DEFAULTS.filesystemFsTypesExclude, help: 'Regexp of filesystem types to exclude for filesystem collector.' },
    { name: 'collector.filesystem.mount-timeout', kind: 'duration', default: '5s', help: 'how long to wait for a mount to respond before marking it as stale' },
    { name: 'collector.filesystem.ignored-mount-points', kind: 'string', hidden: true, help: 'deprecated: use --collector.filesystem.mount-points-exclude' },
    { name: 'collector.filesystem.ignored-fs-types', kind: 'string', hidden: true, help: 'deprecated: use --collector.filesystem.fs-types-exclude' },
    { name: 'collector.netclass.ignored-devices', kind: 'string', default: DEFAULTS.netclassIgnoredDevices, help: 'Regexp of net devices to ignore for netclass collector.' },
    { name: 'collector.netdev.device-exclude', kind: 'string', default: DEFAULTS.netdevDeviceExclude, help: 'Regexp of net devices to exclude (mutually exclusive to device-include).' },
    { name: 'collector.netdev.device-include', kind: 'string', help: 'Regexp of net devices to include (mutually exclusive to device-exclude).' },
    { name: 'collector.netstat.fields', kind: 'string', default: DEFAULTS.netstatFields, help: 'Regexp of fields to return for netstat collector.' },
    { name: 'collector.vmstat.fields', kind: 'string', default: DEFAULTS.vmstatFields, help: 'Regexp of fields to return for vmstat collector.' },
    { name: 'collector.textfile.directory', kind: 'string', default: DEFAULTS.textfileDirectory, help: 'Directory to read text files with metrics from.' },
    { name: 'collector.systemd.unit-include', kind: 'string', default: DEFAULTS.systemdUnitInclude, help: 'Regexp of systemd units to include. Units must both match include and not match exclude to be included.' },
    { name: 'collector.systemd.unit-exclude', kind: 'string', default: DEFAULTS.systemdUnitExclude, help: 'Regexp of systemd units to exclude. Units must both match include and not match exclude to be included.' },
  ];
  for (const c of COLLECTORS) {
    specs.push({ name: `collector.${c.name}`, kind: 'bool', default: c.defaultEnabled, help: `Enable the ${c.name} collector (default: ${c.defaultEnabled ? 'enabled' : 'disabled'}).` });
  }
  for (const n of NOT_IMPLEMENTED) specs.push({ name: `collector.${n}`, kind: 'bool', hidden: true, help: `node_exporter's ${n} collector (not implemented; accepted and ignored)` });
  for (const n of IGNORED_BOOL) specs.push({ name: n, kind: 'bool', hidden: true, help: 'node_exporter option (accepted and ignored)' });
  for (const n of IGNORED_VALUE) specs.push({ name: n, kind: 'strings', hidden: true, help: 'node_exporter option (accepted and ignored)' });
  for (const a of Object.keys(ALIASES)) specs.push({ name: `collector.${a}`, kind: 'bool', hidden: true, help: `alias of --collector.${ALIASES[a]}` });
  return specs;
}

/** Turns parsed flags into createNodeCollector options (collector selection included). */
export function nodeCollectorOptionsFromFlags(flags: ParsedFlags, logger?: Logger): NodeCollectorOptions {
  const disableDefaults = flags.bool('collector.disable-defaults');
  const enabled: string[] = [];
  for (const c of COLLECTORS) {
    const flag = `collector.${c.name}`;
    const on = flags.explicit.has(flag) ? flags.bool(flag) : !disableDefaults && c.defaultEnabled;
    if (on) enabled.push(c.name);
  }
  for (const [alias, target] of Object.entries(ALIASES)) {
    if (!flags.explicit.has(`collector.${alias}`)) continue;
    logger?.warn({ flag: `--collector.${alias}`, collector: target }, 'flag is not a node_exporter collector; treating it as its closest collector');
    const on = flags.bool(`collector.${alias}`);
    if (on && !enabled.includes(target)) enabled.push(target);
    if (!on && enabled.includes(target)) enabled.splice(enabled.indexOf(target), 1);
  }
  for (const n of NOT_IMPLEMENTED) {
    if (flags.explicit.has(`collector.${n}`) && flags.bool(`collector.${n}`)) {
      logger?.warn({ collector: n }, 'collector is not implemented by Vigil; ignoring it (see docs/agent.md)');
    }
  }
  for (const n of [...IGNORED_BOOL, ...IGNORED_VALUE]) {
    if (flags.explicit.has(n)) logger?.warn({ flag: `--${n}` }, 'node_exporter option has no effect in Vigil; ignoring it');
  }
  const str = (name: string): string | undefined => (flags.explicit.has(name) ? flags.string(name) : undefined);
  const pick = (inc: string, exc: string, deprecated?: string): [string | undefined, string | undefined] => {
    const i = str(inc);
    const e = str(exc) ?? (deprecated ? str(deprecated) : undefined);
    if (i !== undefined && e !== undefined) throw new UserError(`--${exc} and --${inc} are mutually exclusive`);
    return [i, e];
  };
  const [diskInc, diskExc] = pick('collector.diskstats.device-include', 'collector.diskstats.device-exclude');
  const [netInc, netExc] = pick('collector.netdev.device-include', 'collector.netdev.device-exclude');
  return {
    procfs: flags.string('path.procfs'),
    sysfs: flags.string('path.sysfs'),
    rootfs: flags.string('path.rootfs'),
    udevData: flags.string('path.udev.data'),
    collectors: enabled.sort(),
    cpuGuest: flags.bool('collector.cpu.guest'),
    cpuInfo: flags.bool('collector.cpu.info'),
    cpuInfoFlagsInclude: str('collector.cpu.info.flags-include'),
    cpuInfoBugsInclude: str('collector.cpu.info.bugs-include'),
    statSoftirq: flags.bool('collector.stat.softirq'),
    arpDeviceInclude: str('collector.arp.device-include'),
    arpDeviceExclude: str('collector.arp.device-exclude'),
    netclassIgnoreInvalidSpeed: flags.bool('collector.netclass.ignore-invalid-speed'),
    diskstatsDeviceInclude: diskInc,
    diskstatsDeviceExclude: diskExc,
    netdevDeviceInclude: netInc,
    netdevDeviceExclude: netExc,
    filesystemMountPointsExclude: str('collector.filesystem.mount-points-exclude') ?? str('collector.filesystem.ignored-mount-points'),
    filesystemFsTypesExclude: str('collector.filesystem.fs-types-exclude') ?? str('collector.filesystem.ignored-fs-types'),
    filesystemMountTimeoutMs: flags.duration('collector.filesystem.mount-timeout'),
    netclassIgnoredDevices: flags.string('collector.netclass.ignored-devices'),
    netstatFields: flags.string('collector.netstat.fields'),
    vmstatFields: flags.string('collector.vmstat.fields'),
    textfileDirectory: flags.string('collector.textfile.directory'),
    systemdUnitInclude: flags.string('collector.systemd.unit-include'),
    systemdUnitExclude: flags.string('collector.systemd.unit-exclude'),
    logger,
  };
}
