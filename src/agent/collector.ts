import type { Logger } from '../util/index.js';
import type { MetricSink } from './exposition.js';
import type { StatfsFn } from './procfs.js';

/**
 * The data a collector reads does not exist on this host (module not loaded, old
 * kernel). Like node_exporter's ErrNoData it sets success 0 but is logged at debug.
 */
export class NoDataError extends Error {
  override name = 'NoDataError';
}

/** Roots and settings every collector reads; built once from the options. */
export interface CollectContext {
  /** Path under --path.procfs. */
  proc(p: string): string;
  /** Path under --path.sysfs. */
  sys(p: string): string;
  /** Path under --path.rootfs. */
  root(p: string): string;
  readonly rootfs: string;
  readonly udevData: string;
  readonly logger: Logger;
  /**
   * Reads a single_open procfs file once per scrape, for files several collectors
   * parse (/proc/stat feeds both cpu and stat).
   */
  shared(path: string): Promise<string>;
}

/**
 * A host collector. `update` adds its families to the sink and throws when it
 * cannot collect; the registry turns that into node_scrape_collector_success 0
 * and the rest of the scrape goes on (node_exporter's collector.go behaviour).
 */
export interface Collector {
  update(sink: MetricSink, ctx: CollectContext): Promise<void>;
}

/** Per-collector settings, named after node_exporter's flags. */
export interface NodeCollectorOptions {
  /** --path.procfs (default /proc). */
  procfs?: string;
  /** --path.sysfs (default /sys). */
  sysfs?: string;
  /** --path.rootfs (default /). */
  rootfs?: string;
  /** --path.udev.data (default /run/udev/data). */
  udevData?: string;
  /** Collectors to run; defaults to the default-enabled set. */
  collectors?: readonly string[];
  /** --collector.filesystem.mount-points-exclude */
  filesystemMountPointsExclude?: string;
  /** --collector.filesystem.fs-types-exclude */
  filesystemFsTypesExclude?: string;
  /** --collector.filesystem.mount-timeout in ms: how long one statfs may take before the mount is marked stuck. */
  filesystemMountTimeoutMs?: number;
  /** statfs implementation (tests inject a hanging one). */
  statfs?: StatfsFn;
  /** Path of the timex native addon (default native/timex/build/Release/timex.node; tests point it at a missing file). */
  timexAddon?: string;
  diskstatsDeviceExclude?: string;
  diskstatsDeviceInclude?: string;
  netdevDeviceExclude?: string;
  netdevDeviceInclude?: string;
  netclassIgnoredDevices?: string;
  netstatFields?: string;
  vmstatFields?: string;
  /** --collector.textfile.directory; empty disables reading. */
  textfileDirectory?: string;
  systemdUnitInclude?: string;
  systemdUnitExclude?: string;
  /** --collector.cpu.guest (default true). */
  cpuGuest?: boolean;
  /** --collector.cpu.info: node_cpu_info from /proc/cpuinfo. */
  cpuInfo?: boolean;
  /** --collector.cpu.info.flags-include / bugs-include: node_cpu_flag_info / node_cpu_bug_info for matching entries. */
  cpuInfoFlagsInclude?: string;
  cpuInfoBugsInclude?: string;
  /** --collector.stat.softirq: node_softirqs_total per vector. */
  statSoftirq?: boolean;
  /** --collector.arp.device-include / device-exclude. */
  arpDeviceInclude?: string;
  arpDeviceExclude?: string;
  /** --collector.netclass.ignore-invalid-speed: drop node_network_speed_bytes when the kernel reports -1. */
  netclassIgnoreInvalidSpeed?: boolean;
  /**
   * Upper bound for one collector's update (default 10 s). A collector still running
   * then (a sysfs read stuck in a broken driver) reports success 0 and its partial
   * output is dropped, so a scrape always completes.
   */
  collectorTimeoutMs?: number;
  /** Emit node_exporter_build_info (default true). */
  buildInfo?: boolean;
  logger?: Logger;
}

/** node_exporter's defaults, reproduced verbatim so relabelling and alerts see the same series. */
export const DEFAULTS = {
  filesystemMountPointsExclude: '^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)',
  filesystemFsTypesExclude:
    '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$',
  filesystemMountTimeoutMs: 5000,
  diskstatsDeviceExclude: '^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$',
  netdevDeviceExclude: '^lo$',
  netclassIgnoredDevices: '^$',
  netstatFields:
    '^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$',
  vmstatFields: '^(oom_kill|pgpg|pswp|pg.*fault).*',
  textfileDirectory: '',
  systemdUnitInclude: '.+',
  systemdUnitExclude: '.+\\.(automount|device|mount|scope|slice|target)',
  udevData: '/run/udev/data',
} as const;

/** A collector's registration: name, default state, factory. */
export interface CollectorDef {
  name: string;
  defaultEnabled: boolean;
  create(opts: NodeCollectorOptions): Collector;
}

/** Compiles a node_exporter flag regex (Go RE2 syntax; the defaults are also valid JS). Unanchored like Go's MatchString. */
export function flagRegex(flag: string, pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new Error(`--${flag}: invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}

/** Splits a whitespace-separated line without regex allocation churn. */
export function fields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) i++;
    out.push(line.slice(start, i));
  }
  return out;
}

/** Lines of a file without the trailing empty line. */
export function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
