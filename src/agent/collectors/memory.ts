import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import { DEFAULTS, fields, flagRegex, lines } from '../collector.js';
import type { MetricSink } from '../exposition.js';
import { readAttr, readDir, readText } from '../procfs.js';

/**
 * node_memory_* from /proc/meminfo: "Active(anon)" becomes "Active_anon", values
 * with a kB unit are multiplied by 1024 and get a "_bytes" suffix.
 */
class MeminfoCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const text = await readText(ctx.proc('meminfo'), true);
    let n = 0;
    for (const line of lines(text)) {
      const f = fields(line);
      if (f.length < 2) continue;
      let key = f[0]!.endsWith(':') ? f[0]!.slice(0, -1) : f[0]!;
      const open = key.indexOf('(');
      if (open >= 0 && key.endsWith(')')) key = key.slice(0, open) + '_' + key.slice(open + 1, -1);
      let v = Number(f[1]);
      if (Number.isNaN(v)) throw new Error(`invalid value in meminfo: ${JSON.stringify(line)}`);
      if (f.length === 3) {
        v *= 1024;
        key += '_bytes';
      }
      sink.gauge('node_memory_' + key, `Memory information field ${key}.`).add(v);
      n++;
    }
    if (n === 0) throw new Error('no data in meminfo');
  }
}

/** node_vmstat_* for /proc/vmstat fields matching --collector.vmstat.fields. */
class VmstatCollector implements Collector {
  /** Regex verdict per field name (the set of /proc/vmstat fields is fixed per kernel). */
  private readonly verdicts = new Map<string, boolean>();

  constructor(private readonly re: RegExp) {}

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const text = await readText(ctx.proc('vmstat'));
    for (const line of lines(text)) {
      const sp = line.indexOf(' ');
      if (sp < 0) continue;
      const name = line.slice(0, sp);
      let wanted = this.verdicts.get(name);
      if (wanted === undefined) this.verdicts.set(name, (wanted = this.re.test(name)));
      if (!wanted) continue;
      sink.family('node_vmstat_' + name, `/proc/vmstat information field ${name}.`, 'untyped').add(Number(line.slice(sp + 1)));
    }
  }
}

/** node_buddyinfo_blocks{node,zone,size} from /proc/buddyinfo (default off, as in node_exporter). */
class BuddyinfoCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const fam = sink.gauge('node_buddyinfo_blocks', 'Count of free blocks according to size.');
    for (const line of lines(await readText(ctx.proc('buddyinfo')))) {
      // "Node 0, zone   Normal  17517  18401 …"
      const f = fields(line);
      if (f.length < 5 || f[0] !== 'Node' || f[2] !== 'zone') continue;
      const node = f[1]!.replace(/,$/, '');
      for (let i = 4; i < f.length; i++) fam.addLabels(['node', node, 'size', String(i - 4), 'zone', f[3]!], Number(f[i]));
    }
  }
}

/**
 * node_memory_numa_* per NUMA node (default off): each node's meminfo in bytes —
 * named without a _bytes suffix, as node_exporter does — and its numastat counters
 * with a _total suffix.
 */
class MeminfoNumaCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const base = ctx.sys('devices/system/node');
    const nodes = (await readDir(base)).filter((n) => /^node\d+$/.test(n));
    const texts = await Promise.all(nodes.map((n) => Promise.all([readText(`${base}/${n}/meminfo`), readText(`${base}/${n}/numastat`)])));
    nodes.forEach((dir, i) => {
      const node = dir.slice(4);
      const [meminfo, numastat] = texts[i]!;
      for (const line of lines(meminfo)) {
        // "Node 0 Active(anon):     1860 kB"
        const f = fields(line);
        if (f.length < 4) continue;
        let key = f[2]!.replace(/:$/, '');
        const open = key.indexOf('(');
        if (open >= 0 && key.endsWith(')')) key = key.slice(0, open) + '_' + key.slice(open + 1, -1);
        const v = Number(f[3]) * (f[4] === 'kB' ? 1024 : 1);
        sink.gauge(`node_memory_numa_${key}`, `Memory information field ${key}.`).add1('node', node, v);
      }
      for (const line of lines(numastat)) {
        const f = fields(line);
        if (f.length < 2) continue;
        sink.counter(`node_memory_numa_${f[0]}_total`, `Memory information field ${f[0]}_total.`).add1('node', node, Number(f[1]));
      }
    });
  }
}

const KSMD_FILES = ['full_scans', 'merge_across_nodes', 'pages_shared', 'pages_sharing', 'pages_to_scan', 'pages_unshared', 'pages_volatile', 'run', 'sleep_millisecs'];

/** node_ksmd_* from /sys/kernel/mm/ksm (default off): full_scans is a counter, sleep in seconds. */
class KsmdCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const values = await Promise.all(KSMD_FILES.map((f) => readAttr(ctx.sys(`kernel/mm/ksm/${f}`))));
    KSMD_FILES.forEach((file, i) => {
      const v = Number(values[i]!.trim());
      const help = `ksmd '${file}' file.`;
      if (file === 'full_scans') sink.counter('node_ksmd_full_scans_total', help).add(v);
      else if (file === 'sleep_millisecs') sink.gauge('node_ksmd_sleep_seconds', help).add(v / 1000);
      else sink.gauge(`node_ksmd_${file}`, help).add(v);
    });
  }
}

export const memoryCollectors: CollectorDef[] = [
  { name: 'ksmd', defaultEnabled: false, create: () => new KsmdCollector() },
  { name: 'meminfo_numa', defaultEnabled: false, create: () => new MeminfoNumaCollector() },
  { name: 'buddyinfo', defaultEnabled: false, create: () => new BuddyinfoCollector() },
  { name: 'meminfo', defaultEnabled: true, create: () => new MeminfoCollector() },
  {
    name: 'vmstat',
    defaultEnabled: true,
    create: (o) => new VmstatCollector(flagRegex('collector.vmstat.fields', o.vmstatFields ?? DEFAULTS.vmstatFields)),
  },
];
