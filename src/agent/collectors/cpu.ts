import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import { fields, flagRegex, lines } from '../collector.js';
import type { MetricSink } from '../exposition.js';
import { isNotExist, readDir, tryAttr, readText } from '../procfs.js';

/** procfs' USER_HZ assumption (node_exporter divides /proc/stat ticks by 100). */
const USER_HZ = 100;
const MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
// Label order in output: cpu, mode (sorted). Emitted in mode order sorted by name, like client_golang.
const SORTED_MODES: Array<[string, number]> = MODES.map((m, i): [string, number] => [m, i]).sort((a, b) => (a[0] < b[0] ? -1 : 1));

/**
 * node_cpu_seconds_total / node_cpu_guest_seconds_total from /proc/stat, plus the
 * thermal-throttle counters where sysfs has them. Like node_exporter 1.5, a counter
 * that goes backwards (iowait and idle can on some kernels) keeps its previous value.
 */
class CpuCollector implements Collector {
  private prev = new Map<string, Float64Array>();
  /** When thermal_throttle was last found missing; re-checked every 5 minutes, not every scrape. */
  private noThrottleAt = -Infinity;

  constructor(
    private readonly guest: boolean,
    private readonly info: boolean,
    private readonly flagsInclude: RegExp | undefined,
    private readonly bugsInclude: RegExp | undefined,
  ) {}

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const [text, cpuinfo] = await Promise.all([ctx.shared(ctx.proc('stat')), this.info ? readText(ctx.proc('cpuinfo')) : undefined]);
    if (cpuinfo !== undefined) this.cpuInfo(sink, cpuinfo);
    const seconds = sink.counter('node_cpu_seconds_total', 'Seconds the CPUs spent in each mode.');
    const guest = this.guest ? sink.counter('node_cpu_guest_seconds_total', 'Seconds the CPUs spent in guests (VMs) for each mode.') : undefined;
    const seen = new Set<string>();
    const cpus: string[] = [];
    for (const line of lines(text)) {
      if (!line.startsWith('cpu') || line.startsWith('cpu ')) continue;
      const f = fields(line);
      const cpu = f[0]!.slice(3);
      seen.add(cpu);
      cpus.push(cpu);
      let p = this.prev.get(cpu);
      if (p === undefined) {
        p = new Float64Array(10);
        this.prev.set(cpu, p);
      }
      for (let i = 0; i < 10; i++) {
        const v = f[i + 1] === undefined ? 0 : Number(f[i + 1]) / USER_HZ;
        if (v >= p[i]!) p[i] = v;
      }
      for (const [mode, i] of SORTED_MODES) seconds.addLabels(['cpu', cpu, 'mode', mode], p[i]!);
      if (guest) {
        guest.addLabels(['cpu', cpu, 'mode', 'nice'], p[9]!);
        guest.addLabels(['cpu', cpu, 'mode', 'user'], p[8]!);
      }
    }
    // CPUs that went offline lose their history (node_exporter resets on hotplug too).
    for (const k of this.prev.keys()) if (!seen.has(k)) this.prev.delete(k);
    await this.throttles(sink, ctx, cpus);
  }

  /** node_cpu_info per logical CPU, and the first CPU's flags/bugs filtered by the include regexes. */
  private cpuInfo(sink: MetricSink, text: string): void {
    const info = sink.gauge('node_cpu_info', 'CPU information from /proc/cpuinfo.');
    let first = true;
    for (const block of text.split(/\n\s*\n/)) {
      const kv = new Map<string, string>();
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) kv.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      if (!kv.has('processor')) continue;
      const g = (k: string): string => kv.get(k) ?? '';
      info.addLabels(
        ['cachesize', g('cache size'), 'core', g('core id'), 'cpu', g('processor'), 'family', g('cpu family'), 'microcode', g('microcode'), 'model', g('model'), 'model_name', g('model name'), 'package', g('physical id'), 'stepping', g('stepping'), 'vendor', g('vendor_id')],
        1,
      );
      if (!first) continue;
      first = false;
      if (this.flagsInclude) {
        const fam = sink.gauge('node_cpu_flag_info', 'The `flags` field of CPU information from /proc/cpuinfo taken from the first core.');
        for (const f of fields(g('flags')).filter((x) => this.flagsInclude!.test(x)).sort()) fam.add1('flag', f, 1);
      }
      if (this.bugsInclude) {
        const fam = sink.gauge('node_cpu_bug_info', 'The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.');
        for (const b of fields(g('bugs')).filter((x) => this.bugsInclude!.test(x)).sort()) fam.add1('bug', b, 1);
      }
    }
  }

  private async throttles(sink: MetricSink, ctx: CollectContext, cpus: string[]): Promise<void> {
    const first = cpus[0];
    if (first === undefined || Date.now() - this.noThrottleAt < 300_000) return;
    if ((await tryAttr(ctx.sys(`devices/system/cpu/cpu${first}/thermal_throttle/core_throttle_count`))) === undefined) {
      this.noThrottleAt = Date.now();
      return;
    }
    const core = new Map<string, number>();
    const pkg = new Map<string, number>();
    await Promise.all(
      cpus.map(async (cpu) => {
        const base = ctx.sys(`devices/system/cpu/cpu${cpu}`);
        const [p, c, cc, pc] = await Promise.all([
          tryAttr(`${base}/topology/physical_package_id`),
          tryAttr(`${base}/topology/core_id`),
          tryAttr(`${base}/thermal_throttle/core_throttle_count`),
          tryAttr(`${base}/thermal_throttle/package_throttle_count`),
        ]);
        if (p === undefined || c === undefined) return;
        if (cc !== undefined) core.set(`${p}\u0000${c}`, Number(cc));
        if (pc !== undefined) pkg.set(p, Number(pc));
      }),
    );
    const cf = sink.counter('node_cpu_core_throttles_total', 'Number of times this CPU core has been throttled.');
    for (const [k, v] of core) {
      const [p, c] = k.split('\u0000') as [string, string];
      cf.addLabels(['core', c, 'package', p], v);
    }
    const pf = sink.counter('node_cpu_package_throttles_total', 'Number of times this CPU package has been throttled.');
    for (const [p, v] of pkg) pf.add1('package', p, v);
  }
}

/** cpufreq from /sys/devices/system/cpu/cpu*\/cpufreq, kHz converted to Hz. */
class CpufreqCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    let names: string[];
    try {
      names = await readDir(ctx.sys('devices/system/cpu'));
    } catch (err) {
      if (isNotExist(err)) return;
      throw err;
    }
    const cpus = names.filter((n) => /^cpu\d+$/.test(n)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
    // One directory listing tells whether the kernel exposes cpufreq at all (most VMs do not).
    let present: Set<string>;
    try {
      present = new Set(await readDir(ctx.sys(`devices/system/cpu/${cpus[0] ?? 'cpu0'}/cpufreq`)));
    } catch (err) {
      if (isNotExist(err)) return;
      throw err;
    }
    const all = [
      ['cpuinfo_cur_freq', 'node_cpu_frequency_hertz', 'Current cpu thread frequency in hertz.'],
      ['cpuinfo_max_freq', 'node_cpu_frequency_max_hertz', 'Maximum cpu thread frequency in hertz.'],
      ['cpuinfo_min_freq', 'node_cpu_frequency_min_hertz', 'Minimum cpu thread frequency in hertz.'],
      ['scaling_cur_freq', 'node_cpu_scaling_frequency_hertz', 'Current scaled CPU thread frequency in hertz.'],
      ['scaling_max_freq', 'node_cpu_scaling_frequency_max_hertz', 'Maximum scaled CPU thread frequency in hertz.'],
      ['scaling_min_freq', 'node_cpu_scaling_frequency_min_hertz', 'Minimum scaled CPU thread frequency in hertz.'],
    ] as const;
    const files = all.filter(([f]) => present.has(f));
    const values = await Promise.all(
      cpus.map((cpu) => Promise.all(files.map(([file]) => tryAttr(ctx.sys(`devices/system/cpu/${cpu}/cpufreq/${file}`))))),
    );
    for (let fi = 0; fi < files.length; fi++) {
      const [, name, help] = files[fi]!;
      for (let ci = 0; ci < cpus.length; ci++) {
        const raw = values[ci]![fi];
        if (raw === undefined || raw === '') continue;
        sink.gauge(name, help).add1('cpu', cpus[ci]!.slice(3), Number(raw) * 1000);
      }
    }
  }
}

export const cpuCollectors: CollectorDef[] = [
  {
    name: 'cpu',
    defaultEnabled: true,
    create: (o) =>
      new CpuCollector(
        o.cpuGuest ?? true,
        o.cpuInfo ?? false,
        o.cpuInfoFlagsInclude ? flagRegex('collector.cpu.info.flags-include', o.cpuInfoFlagsInclude) : undefined,
        o.cpuInfoBugsInclude ? flagRegex('collector.cpu.info.bugs-include', o.cpuInfoBugsInclude) : undefined,
      ),
  },
  { name: 'cpufreq', defaultEnabled: true, create: () => new CpufreqCollector() },
];
