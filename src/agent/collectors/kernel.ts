import { NoDataError } from '../collector.js';
import { hostname, machine, release, type as osType, version as osVersion } from 'node:os';
import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import { fields, lines } from '../collector.js';
import type { MetricSink } from '../exposition.js';
import { isNotExist, readAttr, readDir, readText, statPath, tryAttr } from '../procfs.js';
import { timeZoneName } from './timezone.js';

class LoadavgCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const f = fields(await readAttr(ctx.proc('loadavg')));
    if (f.length < 3) throw new Error('unexpected content in loadavg');
    sink.gauge('node_load1', '1m load average.').add(Number(f[0]));
    sink.gauge('node_load5', '5m load average.').add(Number(f[1]));
    sink.gauge('node_load15', '15m load average.').add(Number(f[2]));
  }
}

/** Names of the per-vector counts on /proc/stat's softirq line, in kernel order. */
const SOFTIRQ_VECTORS = ['hi', 'timer', 'net_tx', 'net_rx', 'block', 'block_iopoll', 'tasklet', 'sched', 'hrtimer', 'rcu'];

class StatCollector implements Collector {
  constructor(private readonly softirq: boolean) {}

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const text = await ctx.shared(ctx.proc('stat'));
    for (const line of lines(text)) {
      const sp = line.indexOf(' ');
      const key = line.slice(0, sp);
      switch (key) {
        case 'intr':
          sink.counter('node_intr_total', 'Total number of interrupts serviced.').add(Number(fields(line)[1]));
          break;
        case 'ctxt':
          sink.counter('node_context_switches_total', 'Total number of context switches.').add(Number(line.slice(sp + 1)));
          break;
        case 'processes':
          sink.counter('node_forks_total', 'Total number of forks.').add(Number(line.slice(sp + 1)));
          break;
        case 'btime':
          sink.gauge('node_boot_time_seconds', 'Node boot time, in unixtime.').add(Number(line.slice(sp + 1)));
          break;
        case 'procs_running':
          sink.gauge('node_procs_running', 'Number of processes in runnable state.').add(Number(line.slice(sp + 1)));
          break;
        case 'procs_blocked':
          sink.gauge('node_procs_blocked', 'Number of processes blocked waiting for I/O to complete.').add(Number(line.slice(sp + 1)));
          break;
        case 'softirq': {
          if (!this.softirq) break;
          const f = fields(line);
          const fam = sink.counter('node_softirqs_total', 'Number of softirq calls.');
          SOFTIRQ_VECTORS.forEach((v, i) => f[i + 2] !== undefined && fam.add1('vector', v, Number(f[i + 2])));
          break;
        }
      }
    }
  }
}

class FilefdCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const f = fields(await readAttr(ctx.proc('sys/fs/file-nr')));
    if (f.length < 3) throw new Error('unexpected content in file-nr');
    sink.gauge('node_filefd_allocated', 'File descriptor statistics: allocated.').add(Number(f[0]));
    sink.gauge('node_filefd_maximum', 'File descriptor statistics: maximum.').add(Number(f[2]));
  }
}

class EntropyCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const [avail, pool] = await Promise.all([
      readAttr(ctx.proc('sys/kernel/random/entropy_avail')),
      tryAttr(ctx.proc('sys/kernel/random/poolsize')),
    ]);
    sink.gauge('node_entropy_available_bits', 'Bits of available entropy.').add(Number(avail.trim()));
    if (pool !== undefined) sink.gauge('node_entropy_pool_size_bits', 'Bits of entropy pool.').add(Number(pool.trim()));
  }
}

/** PSI totals (µs) from /proc/pressure; cpu "full" is ignored as in node_exporter 1.5. */
class PressureCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const res = ['cpu', 'io', 'memory'] as const;
    const texts = await Promise.all(
      res.map((r) =>
        readText(ctx.proc(`pressure/${r}`), true).catch((err: unknown) => {
          if (isNotExist(err)) throw new NoDataError('pressure information is unavailable, you need a Linux kernel >= 4.20 and/or CONFIG_PSI');
          throw err;
        }),
      ),
    );
    for (let i = 0; i < res.length; i++) {
      const some = psiTotal(texts[i]!, 'some');
      const full = psiTotal(texts[i]!, 'full');
      switch (res[i]) {
        case 'cpu':
          sink.counter('node_pressure_cpu_waiting_seconds_total', 'Total time in seconds that processes have waited for CPU time').add(some / 1000 / 1000);
          break;
        case 'io':
          sink.counter('node_pressure_io_waiting_seconds_total', 'Total time in seconds that processes have waited due to IO congestion').add(some / 1000 / 1000);
          sink.counter('node_pressure_io_stalled_seconds_total', 'Total time in seconds no process could make progress due to IO congestion').add(full / 1000 / 1000);
          break;
        case 'memory':
          sink.counter('node_pressure_memory_waiting_seconds_total', 'Total time in seconds that processes have waited for memory').add(some / 1000 / 1000);
          sink.counter('node_pressure_memory_stalled_seconds_total', 'Total time in seconds no process could make progress due to memory congestion').add(full / 1000 / 1000);
          break;
      }
    }
  }
}

function psiTotal(text: string, kind: 'some' | 'full'): number {
  for (const line of lines(text)) {
    if (!line.startsWith(kind + ' ')) continue;
    const i = line.indexOf('total=');
    if (i >= 0) return Number(line.slice(i + 6));
  }
  return 0;
}

class SchedstatCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const text = await readText(ctx.proc('schedstat'));
    const running = sink.counter('node_schedstat_running_seconds_total', 'Number of seconds CPU spent running a process.');
    const waiting = sink.counter('node_schedstat_waiting_seconds_total', 'Number of seconds spent by processing waiting for this CPU.');
    const slices = sink.counter('node_schedstat_timeslices_total', 'Number of timeslices executed by CPU.');
    for (const line of lines(text)) {
      if (!line.startsWith('cpu')) continue;
      const f = fields(line);
      if (f.length < 10) continue;
      const cpu = f[0]!.slice(3);
      running.add1('cpu', cpu, Number(f[7]) / 1e9);
      waiting.add1('cpu', cpu, Number(f[8]) / 1e9);
      slices.add1('cpu', cpu, Number(f[9]));
    }
  }
}

class UnameCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const domain = (await tryAttr(ctx.proc('sys/kernel/domainname'))) ?? '(none)';
    sink
      .gauge('node_uname_info', 'Labeled system information as provided by the uname system call.')
      .addLabels(['domainname', domain, 'machine', machine(), 'nodename', hostname(), 'release', release(), 'sysname', osType(), 'version', osVersion()], 1);
  }
}

const OS_LABELS: Array<[string, string]> = [
  ['build_id', 'BUILD_ID'],
  ['id', 'ID'],
  ['id_like', 'ID_LIKE'],
  ['image_id', 'IMAGE_ID'],
  ['image_version', 'IMAGE_VERSION'],
  ['name', 'NAME'],
  ['pretty_name', 'PRETTY_NAME'],
  ['variant', 'VARIANT'],
  ['variant_id', 'VARIANT_ID'],
  ['version', 'VERSION'],
  ['version_codename', 'VERSION_CODENAME'],
  ['version_id', 'VERSION_ID'],
];

/** Parses os-release(5): KEY=value lines, values optionally quoted with shell escapes. */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let v = line.slice(eq + 1);
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
      const q = v[0];
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\([$"\\`])/g, '$1');
    }
    out.set(line.slice(0, eq), v);
  }
  return out;
}

class OsCollector implements Collector {
  // Like node_exporter, os-release is parsed again only when its mtime changes.
  private cache: { path: string; mtimeMs: number; osr: Map<string, string> } | undefined;

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    let path = ctx.root('etc/os-release');
    let st;
    try {
      st = await statPath(path);
    } catch (err) {
      if (!isNotExist(err)) throw err;
      path = ctx.root('usr/lib/os-release');
      st = await statPath(path);
    }
    if (this.cache?.path !== path || this.cache.mtimeMs !== st.mtimeMs) {
      this.cache = { path, mtimeMs: st.mtimeMs, osr: parseOsRelease(await readText(path)) };
    }
    const osr = this.cache.osr;
    const pairs: string[] = [];
    for (const [label, key] of OS_LABELS) pairs.push(label, osr.get(key) ?? '');
    sink
      .gauge(
        'node_os_info',
        "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
      )
      .addLabels(pairs, 1);
    const m = /^[0-9]+\.?[0-9]*/.exec(osr.get('VERSION_ID') ?? '');
    if (m) {
      sink
        .gauge('node_os_version', 'Metric containing the major.minor part of the OS version.')
        .addLabels(['id', osr.get('ID') ?? '', 'id_like', osr.get('ID_LIKE') ?? '', 'name', osr.get('NAME') ?? ''], Number(m[0]));
    }
  }
}

class TimeCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const now = Date.now();
    sink.gauge('node_time_seconds', 'System time in seconds since epoch (1970).').add(now / 1000);
    const offset = -new Date(now).getTimezoneOffset() * 60;
    sink.gauge('node_time_zone_offset_seconds', 'System time zone offset in seconds.').add1('time_zone', await timeZoneName(offset), offset);
    let names: string[];
    try {
      names = await readDir(ctx.sys('devices/system/clocksource'));
    } catch (err) {
      if (isNotExist(err)) return;
      throw err;
    }
    const devs = names.filter((n) => /^clocksource\d+$/.test(n));
    const avail = sink.gauge('node_time_clocksource_available_info', "Available clocksources read from '/sys/devices/system/clocksource'.");
    const cur = sink.gauge('node_time_clocksource_current_info', "Current clocksource read from '/sys/devices/system/clocksource'.");
    for (const d of devs) {
      const dev = d.slice('clocksource'.length);
      const [a, c] = await Promise.all([
        tryAttr(ctx.sys(`devices/system/clocksource/${d}/available_clocksource`)),
        tryAttr(ctx.sys(`devices/system/clocksource/${d}/current_clocksource`)),
      ]);
      for (const cs of fields(a ?? '')) avail.addLabels(['clocksource', cs, 'device', dev], 1);
      if (c !== undefined && c !== '') cur.addLabels(['clocksource', c.trim(), 'device', dev], 1);
    }
  }
}

/** node_selinux_*: enabled 0 when selinuxfs is not mounted, otherwise the modes. */
class SelinuxCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const enforce = await tryAttr(ctx.sys('fs/selinux/enforce'));
    const enabled = sink.gauge('node_selinux_enabled', 'SELinux is enabled, 1 is true, 0 is false');
    if (enforce === undefined) {
      enabled.add(0);
      return;
    }
    enabled.add(1);
    sink.gauge('node_selinux_current_mode', 'Current SELinux enforcement mode').add(Number(enforce));
    const cfg = await tryAttr(ctx.root('etc/selinux/config'));
    const m = /^SELINUX=(\w+)/m.exec(cfg ?? '');
    const mode = m?.[1] === 'enforcing' ? 1 : m?.[1] === 'permissive' ? 0 : -1;
    sink.gauge('node_selinux_config_mode', 'Configured SELinux enforcement mode').add(mode);
  }
}

/**
 * node_interrupts_total{cpu,type,info,devices} from /proc/interrupts (default off, as
 * in node_exporter). Numbered IRQs carry the controller as info and the rest of the
 * line as devices; named ones (NMI, LOC, …) carry their description as info. Lines
 * with a single total instead of per-CPU counts (ERR, MIS) are skipped like upstream.
 */
class InterruptsCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const ls = lines(await readText(ctx.proc('interrupts')));
    const cpus = fields(ls[0] ?? '').length;
    const fam = sink.counter('node_interrupts_total', 'Interrupt details.');
    for (let i = 1; i < ls.length; i++) {
      const parts = fields(ls[i]!);
      if (parts.length < cpus + 2) continue;
      const type = parts[0]!.replace(/:$/, '');
      let info: string;
      let devices = '';
      if (/^\d+$/.test(type)) {
        info = parts[cpus + 1]!;
        devices = parts.slice(cpus + 2).join(' ');
      } else {
        info = parts.slice(cpus + 1).join(' ');
      }
      for (let c = 0; c < cpus; c++) fam.addLabels(['cpu', String(c), 'devices', devices, 'info', info, 'type', type], Number(parts[c + 1]));
    }
  }
}

/** node_cgroups_{cgroups,enabled}{subsys_name} from /proc/cgroups (default off; HELP text as node_exporter's). */
class CgroupsCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const count = sink.gauge('node_cgroups_cgroups', 'Current cgroup number of the subsystem.');
    const enabled = sink.gauge('node_cgroups_enabled', 'Current cgroup number of the subsystem.');
    for (const line of lines(await readText(ctx.proc('cgroups')))) {
      if (line.startsWith('#')) continue;
      const f = fields(line);
      if (f.length < 4) continue;
      count.add1('subsys_name', f[0]!, Number(f[2]));
      enabled.add1('subsys_name', f[0]!, Number(f[3]));
    }
  }
}

export const kernelCollectors: CollectorDef[] = [
  { name: 'cgroups', defaultEnabled: false, create: () => new CgroupsCollector() },
  { name: 'interrupts', defaultEnabled: false, create: () => new InterruptsCollector() },
  { name: 'loadavg', defaultEnabled: true, create: () => new LoadavgCollector() },
  { name: 'stat', defaultEnabled: true, create: (o) => new StatCollector(o.statSoftirq ?? false) },
  { name: 'filefd', defaultEnabled: true, create: () => new FilefdCollector() },
  { name: 'entropy', defaultEnabled: true, create: () => new EntropyCollector() },
  { name: 'pressure', defaultEnabled: true, create: () => new PressureCollector() },
  { name: 'schedstat', defaultEnabled: true, create: () => new SchedstatCollector() },
  { name: 'uname', defaultEnabled: true, create: () => new UnameCollector() },
  { name: 'os', defaultEnabled: true, create: () => new OsCollector() },
  { name: 'time', defaultEnabled: true, create: () => new TimeCollector() },
  { name: 'selinux', defaultEnabled: true, create: () => new SelinuxCollector() },
];
