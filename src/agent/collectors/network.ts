import { NoDataError } from '../collector.js';
import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import { DEFAULTS, fields, flagRegex, lines } from '../collector.js';
import type { Family, MetricSink } from '../exposition.js';
import { isNotExist, readAttr, readDirents, readText, tryAttr } from '../procfs.js';
import { pageSize } from './pagesize.js';

/** /proc/net/dev column → node_exporter 1.5 (netlink) statistic name; null = not exported. */
const NETDEV_RX = ['receive_bytes', 'receive_packets', 'receive_errs', 'receive_drop', 'receive_fifo', 'receive_frame', 'receive_compressed', 'receive_multicast'];
const NETDEV_TX = ['transmit_bytes', 'transmit_packets', 'transmit_errs', 'transmit_drop', 'transmit_fifo', 'transmit_colls', 'transmit_carrier', 'transmit_compressed'];

/**
 * node_network_{receive,transmit}_*_total from /proc/net/dev, plus rx_nohandler
 * from sysfs (node_exporter 1.5 reads rtnetlink stats, which include it).
 */
class NetdevCollector implements Collector {
  constructor(
    private readonly exclude: RegExp | undefined,
    private readonly include: RegExp | undefined,
  ) {}

  private ignored(dev: string): boolean {
    if (this.include) return !this.include.test(dev);
    return this.exclude ? this.exclude.test(dev) : false;
  }

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const text = await readText(ctx.proc('net/dev'));
    const names = [...NETDEV_RX, ...NETDEV_TX];
    const fams = names.map((n) => sink.counter(`node_network_${n}_total`, `Network device statistic ${n}.`));
    const nohandler = sink.counter('node_network_receive_nohandler_total', 'Network device statistic receive_nohandler.');
    const devs: string[] = [];
    for (const line of lines(text)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const dev = line.slice(0, colon).trim();
      if (dev === '' || dev.includes('|') || this.ignored(dev)) continue;
      const f = fields(line.slice(colon + 1));
      if (f.length < 16) continue;
      for (let i = 0; i < 16; i++) fams[i]!.add1('device', dev, Number(f[i]));
      devs.push(dev);
    }
    const nh = await Promise.all(devs.map((d) => tryAttr(ctx.sys(`class/net/${d}/statistics/rx_nohandler`))));
    for (let i = 0; i < devs.length; i++) nohandler.add1('device', devs[i]!, nh[i] === undefined ? 0 : Number(nh[i]));
  }
}

/** Numeric /sys/class/net/<dev> attributes: file, metric suffix, counter?, base-0 parse (hex allowed). */
const NETCLASS_NUM: ReadonlyArray<[string, string, boolean, boolean]> = [
  ['addr_assign_type', 'address_assign_type', false, false],
  ['carrier', 'carrier', false, false],
  ['carrier_changes', 'carrier_changes_total', true, false],
  ['carrier_up_count', 'carrier_up_changes_total', true, false],
  ['carrier_down_count', 'carrier_down_changes_total', true, false],
  ['dev_id', 'device_id', false, true],
  ['dormant', 'dormant', false, false],
  ['flags', 'flags', false, true],
  ['ifindex', 'iface_id', false, false],
  ['iflink', 'iface_link', false, false],
  ['link_mode', 'iface_link_mode', false, false],
  ['mtu', 'mtu_bytes', false, false],
  ['name_assign_type', 'name_assign_type', false, false],
  ['netdev_group', 'net_dev_group', false, false],
  ['speed', 'speed_bytes', false, false],
  ['tx_queue_len', 'transmit_queue_length', false, false],
  ['type', 'protocol_type', false, false],
];
const NETCLASS_STR = ['address', 'broadcast', 'duplex', 'ifalias', 'operstate'] as const;

function parseIntAuto(s: string): number {
  const t = s.trim();
  if (/^-?0x/i.test(t)) return t.startsWith('-') ? -parseInt(t.slice(3), 16) : parseInt(t.slice(2), 16);
  return Number(t);
}

/**
 * Attributes that only change when a device is re-created or re-addressed; they are
 * re-read every STATIC_TTL_MS instead of on every scrape (each sysfs read costs a
 * thread-pool round trip; node_exporter reads them all every time).
 */
const NETCLASS_STATIC = new Set(['addr_assign_type', 'address', 'broadcast', 'dev_id', 'ifindex', 'iflink', 'link_mode', 'name_assign_type', 'netdev_group', 'type']);
const STATIC_TTL_MS = 60_000;

/** node_network_* device properties from /sys/class/net (attributes that fail to read are skipped). */
class NetclassCollector implements Collector {
  private readonly staticCache = new Map<string, { at: number; values: Map<string, string | undefined> }>();

  constructor(
    private readonly ignoredDevices: RegExp,
    private readonly ignoreInvalidSpeed: boolean,
  ) {}

  private async readDevice(ctx: CollectContext, dev: string, files: readonly string[], now: number): Promise<Array<string | undefined>> {
    let cached = this.staticCache.get(dev);
    if (cached && now - cached.at > STATIC_TTL_MS) cached = undefined;
    const values = await Promise.all(
      files.map((f) => (cached && NETCLASS_STATIC.has(f) ? cached.values.get(f) : tryAttr(ctx.sys(`class/net/${dev}/${f}`)))),
    );
    if (!cached) {
      const m = new Map<string, string | undefined>();
      files.forEach((f, i) => NETCLASS_STATIC.has(f) && m.set(f, values[i]));
      this.staticCache.set(dev, { at: now, values: m });
    }
    return values;
  }

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const ents = await readDirents(ctx.sys('class/net'));
    const devs = ents.filter((e) => (e.isSymbolicLink() || e.isDirectory()) && !this.ignoredDevices.test(e.name)).map((e) => e.name);
    for (const d of this.staticCache.keys()) if (!devs.includes(d)) this.staticCache.delete(d);
    const files = [...NETCLASS_NUM.map((n) => n[0]), ...NETCLASS_STR];
    const now = Date.now();
    const values = await Promise.all(devs.map((d) => this.readDevice(ctx, d, files, now)));
    const up = sink.gauge('node_network_up', "Value is 1 if operstate is 'up', 0 otherwise.");
    const info = sink.gauge('node_network_info', 'Non-numeric data from /sys/class/net/<iface>, value is always 1.');
    const fams: Family[] = NETCLASS_NUM.map(([, name, counter]) =>
      sink.family(`node_network_${name}`, `Network device property: ${name}`, counter ? 'counter' : 'gauge'),
    );
    for (let di = 0; di < devs.length; di++) {
      const dev = devs[di]!;
      const v = values[di]!;
      const str = (k: (typeof NETCLASS_STR)[number]): string => v[NETCLASS_NUM.length + NETCLASS_STR.indexOf(k)] ?? '';
      up.add1('device', dev, str('operstate') === 'up' ? 1 : 0);
      info.addLabels(['address', str('address'), 'broadcast', str('broadcast'), 'device', dev, 'duplex', str('duplex'), 'ifalias', str('ifalias'), 'operstate', str('operstate')], 1);
      for (let i = 0; i < NETCLASS_NUM.length; i++) {
        const raw = v[i];
        if (raw === undefined || raw === '') continue;
        let n = NETCLASS_NUM[i]![3] ? parseIntAuto(raw) : Number(raw);
        if (Number.isNaN(n)) continue;
        if (NETCLASS_NUM[i]![0] === 'speed') {
          // The kernel reports -1 for links without a speed; node_exporter 1.5 exports it unless told not to.
          if (n < 0 && this.ignoreInvalidSpeed) continue;
          n = Math.trunc((n * 1000 * 1000) / 8);
        }
        fams[i]!.add1('device', dev, n);
      }
    }
  }
}

/** node_netstat_* for /proc/net/{netstat,snmp,snmp6} fields matching --collector.netstat.fields. */
class NetstatCollector implements Collector {
  /**
   * Per header line ("TcpExt: SyncookiesSent …") or snmp6 field name: the family name
   * for each column that --collector.netstat.fields selects, or null. Headers are the
   * same on every scrape, so names, HELP strings and regex verdicts are built once.
   */
  private readonly headerSpecs = new Map<string, Array<string | null>>();
  private readonly snmp6Specs = new Map<string, string | null>();

  constructor(private readonly re: RegExp) {}

  private spec(key: string): string | null {
    return this.re.test(key) ? `node_netstat_${key}` : null;
  }

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const [netstat, snmp, snmp6] = await Promise.all([
      readText(ctx.proc('net/netstat'), true),
      readText(ctx.proc('net/snmp'), true),
      readText(ctx.proc('net/snmp6'), true).catch((err: unknown) => {
        // IPv6 disabled: node_exporter skips snmp6 silently.
        if (isNotExist(err)) return '';
        throw err;
      }),
    ]);
    const seen = new Set<string>();
    const emit = (name: string, value: string): void => {
      // A key present twice keeps its last value, as node_exporter's map does.
      if (seen.has(name)) {
        const fam = sink.families.get(name)!;
        fam.text = '';
        fam.samples = 0;
      }
      seen.add(name);
      sink.family(name, `Statistic ${name.slice('node_netstat_'.length).replace('_', '')}.`, 'untyped').add(Number(value));
    };
    for (const text of [netstat, snmp]) {
      const ls = lines(text);
      for (let i = 0; i + 1 < ls.length; i += 2) {
        const header = ls[i]!;
        let specs = this.headerSpecs.get(header);
        if (specs === undefined) {
          const names = fields(header);
          const proto = names[0]!.replace(/:$/, '');
          specs = names.map((n, j) => (j === 0 ? null : this.spec(`${proto}_${n}`)));
          this.headerSpecs.set(header, specs);
        }
        const vals = fields(ls[i + 1]!);
        for (let j = 1; j < specs.length && j < vals.length; j++) {
          const name = specs[j];
          if (name) emit(name, vals[j]!);
        }
      }
    }
    for (const line of lines(snmp6)) {
      const f = fields(line);
      if (f.length < 2) continue;
      let name = this.snmp6Specs.get(f[0]!);
      if (name === undefined) {
        const six = f[0]!.indexOf('6');
        name = six < 0 ? null : this.spec(`${f[0]!.slice(0, six + 1)}_${f[0]!.slice(six + 1)}`);
        this.snmp6Specs.set(f[0]!, name);
      }
      if (name) emit(name, f[1]!);
    }
  }
}

/** node_sockstat_* from /proc/net/sockstat{,6}; mem is in pages, mem_bytes multiplies by the page size. */
class SockstatCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const [v4, v6, ps] = await Promise.all([
      readText(ctx.proc('net/sockstat'), true),
      readText(ctx.proc('net/sockstat6'), true).catch((err: unknown) => {
        if (isNotExist(err)) return '';
        throw err;
      }),
      pageSize(ctx),
    ]);
    for (const [text, isV4] of [
      [v4, true],
      [v6, false],
    ] as const) {
      for (const line of lines(text)) {
        const f = fields(line);
        const proto = (f[0] ?? '').replace(/:$/, '');
        if (proto === 'sockets') {
          if (isV4 && f[1] === 'used') sink.gauge('node_sockstat_sockets_used', 'Number of IPv4 sockets in use.').add(Number(f[2]));
          continue;
        }
        for (let i = 1; i + 1 < f.length; i += 2) {
          const field = f[i]!;
          const v = Number(f[i + 1]);
          sink.gauge(`node_sockstat_${proto}_${field}`, `Number of ${proto} sockets in state ${field}.`).add(v);
          if (field === 'mem') sink.gauge(`node_sockstat_${proto}_mem_bytes`, `Number of ${proto} sockets in state mem_bytes.`).add(v * ps);
        }
      }
    }
  }
}

class SoftnetCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const text = await readText(ctx.proc('net/softnet_stat'));
    const processed = sink.counter('node_softnet_processed_total', 'Number of processed packets');
    const dropped = sink.counter('node_softnet_dropped_total', 'Number of dropped packets');
    const squeezed = sink.counter('node_softnet_times_squeezed_total', 'Number of times processing packets ran out of quota');
    let cpu = 0;
    for (const line of lines(text)) {
      const f = fields(line);
      if (f.length < 3) continue;
      const c = String(cpu++);
      processed.add1('cpu', c, parseInt(f[0]!, 16));
      dropped.add1('cpu', c, parseInt(f[1]!, 16));
      squeezed.add1('cpu', c, parseInt(f[2]!, 16));
    }
  }
}

class ArpCollector implements Collector {
  constructor(
    private readonly exclude: RegExp | undefined,
    private readonly include: RegExp | undefined,
  ) {}

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const text = await readText(ctx.proc('net/arp'));
    const counts = new Map<string, number>();
    const ls = lines(text);
    for (let i = 1; i < ls.length; i++) {
      const f = fields(ls[i]!);
      if (f.length < 6) continue;
      const dev = f[5]!;
      if (this.include ? !this.include.test(dev) : this.exclude?.test(dev)) continue;
      counts.set(dev, (counts.get(dev) ?? 0) + 1);
    }
    const fam = sink.gauge('node_arp_entries', 'ARP entries by device');
    for (const [dev, n] of counts) fam.add1('device', dev, n);
  }
}

/** Sums the tx_queue:rx_queue column of /proc/net/udp{,6}. */
export function udpQueues(text: string): [number, number] {
  let tx = 0;
  let rx = 0;
  const ls = lines(text);
  for (let i = 1; i < ls.length; i++) {
    const f = fields(ls[i]!);
    const q = f[4];
    if (q === undefined) continue;
    const colon = q.indexOf(':');
    tx += parseInt(q.slice(0, colon), 16);
    rx += parseInt(q.slice(colon + 1), 16);
  }
  return [tx, rx];
}

class UdpQueuesCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const fam = sink.gauge('node_udp_queues', 'Number of allocated memory in the kernel for UDP datagrams in bytes.');
    const [v4, v6] = await Promise.all([
      readText(ctx.proc('net/udp')),
      readText(ctx.proc('net/udp6')).catch((err: unknown) => {
        if (isNotExist(err)) return undefined;
        throw err;
      }),
    ]);
    const [tx4, rx4] = udpQueues(v4);
    fam.addLabels(['ip', 'v4', 'queue', 'rx'], rx4);
    fam.addLabels(['ip', 'v4', 'queue', 'tx'], tx4);
    if (v6 !== undefined) {
      const [tx6, rx6] = udpQueues(v6);
      fam.addLabels(['ip', 'v6', 'queue', 'rx'], rx6);
      fam.addLabels(['ip', 'v6', 'queue', 'tx'], tx6);
    }
  }
}

const CONNTRACK_STATS: ReadonlyArray<[string, string]> = [
  ['found', 'Number of searched entries which were successful.'],
  ['invalid', 'Number of packets seen which can not be tracked.'],
  ['ignore', 'Number of packets seen which are already connected to a conntrack entry.'],
  ['insert', 'Number of entries inserted into the list.'],
  ['insert_failed', 'Number of entries for which list insertion was attempted but failed.'],
  ['drop', 'Number of packets dropped due to conntrack failure.'],
  ['early_drop', 'Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.'],
  ['search_restart', 'Number of conntrack table lookups which had to be restarted due to hashtable resizes.'],
];

class ConntrackCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const [count, max, stat] = await Promise.allSettled([
      readAttr(ctx.proc('sys/net/netfilter/nf_conntrack_count')),
      readAttr(ctx.proc('sys/net/netfilter/nf_conntrack_max')),
      readText(ctx.proc('net/stat/nf_conntrack')),
    ]);
    if (count.status === 'rejected') {
      if (isNotExist(count.reason)) throw new NoDataError('conntrack is not loaded (no nf_conntrack_count)');
      throw count.reason;
    }
    sink.gauge('node_nf_conntrack_entries', 'Number of currently allocated flow entries for connection tracking.').add(Number(count.value.trim()));
    if (max.status === 'rejected') throw max.reason;
    sink.gauge('node_nf_conntrack_entries_limit', 'Maximum size of connection tracking table.').add(Number(max.value.trim()));
    if (stat.status === 'rejected') throw stat.reason;
    const ls = lines(stat.value);
    const header = fields(ls[0] ?? '');
    const sums = new Float64Array(header.length);
    for (let i = 1; i < ls.length; i++) {
      const f = fields(ls[i]!);
      for (let j = 0; j < header.length && j < f.length; j++) sums[j]! += parseInt(f[j]!, 16);
    }
    for (const [name, help] of CONNTRACK_STATS) {
      const j = header.indexOf(name);
      if (j >= 0) sink.gauge(`node_nf_conntrack_stat_${name}`, help).add(sums[j]!);
    }
  }
}

/**
 * node_bonding_slaves / node_bonding_active per bonding master, from
 * /sys/class/net/bonding_masters and each slave's bonding_slave/mii_status.
 */
class BondingCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const root = ctx.sys('class/net');
    let masters: string;
    try {
      masters = await readAttr(`${root}/bonding_masters`);
    } catch (err) {
      if (isNotExist(err)) throw new NoDataError('no bonding interfaces (no bonding_masters)');
      throw err;
    }
    const slavesFam = sink.gauge('node_bonding_slaves', 'Number of configured slaves per bonding interface.');
    const activeFam = sink.gauge('node_bonding_active', 'Number of active slaves per bonding interface.');
    for (const master of fields(masters)) {
      const slaves = fields(await readAttr(`${root}/${master}/bonding/slaves`));
      const states = await Promise.all(
        slaves.map((slave) =>
          readAttr(`${root}/${master}/lower_${slave}/bonding_slave/mii_status`).catch((err: unknown) => {
            // Older kernels name the link slave_<dev>.
            if (isNotExist(err)) return readAttr(`${root}/${master}/slave_${slave}/bonding_slave/mii_status`);
            throw err;
          }),
        ),
      );
      slavesFam.add1('master', master, slaves.length);
      activeFam.add1('master', master, states.filter((st) => st.trim() === 'up').length);
    }
  }
}

/** Kernel TCP state numbers (include/net/tcp_states.h) → node_exporter's state label. */
const TCP_STATES: Record<string, string> = {
  '01': 'established', '02': 'syn_sent', '03': 'syn_recv', '04': 'fin_wait1', '05': 'fin_wait2', '06': 'time_wait',
  '07': 'close', '08': 'close_wait', '09': 'last_ack', '0A': 'listen', '0B': 'closing',
};

/**
 * node_tcp_connection_states{state} (default off) from /proc/net/tcp{,6}: sockets per
 * state plus the summed tx/rx queue bytes. node_exporter 1.5 asks netlink
 * (inet_diag); the proc files hold the same sockets and queue sizes.
 */
class TcpstatCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const texts = await Promise.all([
      readText(ctx.proc('net/tcp')),
      readText(ctx.proc('net/tcp6')).catch((err: unknown) => {
        if (isNotExist(err)) return '';
        throw err;
      }),
    ]);
    const counts = new Map<string, number>();
    let tx = 0;
    let rx = 0;
    for (const text of texts) {
      const ls = lines(text);
      for (let i = 1; i < ls.length; i++) {
        const f = fields(ls[i]!);
        const state = TCP_STATES[f[3] ?? ''];
        if (state === undefined) continue;
        counts.set(state, (counts.get(state) ?? 0) + 1);
        const q = f[4] ?? '';
        const colon = q.indexOf(':');
        if (colon > 0) {
          tx += parseInt(q.slice(0, colon), 16);
          rx += parseInt(q.slice(colon + 1), 16);
        }
      }
    }
    const fam = sink.gauge('node_tcp_connection_states', 'Number of connection states.');
    for (const [state, n] of counts) fam.add1('state', state, n);
    fam.add1('state', 'rx_queued_bytes', rx);
    fam.add1('state', 'tx_queued_bytes', tx);
  }
}

function devFilter(o: { inc?: string; exc?: string }, flag: string, def: string): [RegExp | undefined, RegExp | undefined] {
  if (o.inc && o.exc) throw new Error(`--collector.${flag}.device-exclude and --collector.${flag}.device-include are mutually exclusive`);
  if (o.inc) return [undefined, flagRegex(`collector.${flag}.device-include`, o.inc)];
  return [flagRegex(`collector.${flag}.device-exclude`, o.exc ?? def), undefined];
}

export const networkCollectors: CollectorDef[] = [
  {
    name: 'netdev',
    defaultEnabled: true,
    create: (o) => new NetdevCollector(...devFilter({ inc: o.netdevDeviceInclude, exc: o.netdevDeviceExclude }, 'netdev', DEFAULTS.netdevDeviceExclude)),
  },
  {
    name: 'netclass',
    defaultEnabled: true,
    create: (o) =>
      new NetclassCollector(flagRegex('collector.netclass.ignored-devices', o.netclassIgnoredDevices ?? DEFAULTS.netclassIgnoredDevices), o.netclassIgnoreInvalidSpeed ?? false),
  },
  {
    name: 'netstat',
    defaultEnabled: true,
    create: (o) => new NetstatCollector(flagRegex('collector.netstat.fields', o.netstatFields ?? DEFAULTS.netstatFields)),
  },
  { name: 'sockstat', defaultEnabled: true, create: () => new SockstatCollector() },
  { name: 'softnet', defaultEnabled: true, create: () => new SoftnetCollector() },
  {
    name: 'arp',
    defaultEnabled: true,
    create: (o) => {
      if (o.arpDeviceInclude && o.arpDeviceExclude) throw new Error('--collector.arp.device-exclude and --collector.arp.device-include are mutually exclusive');
      return new ArpCollector(
        o.arpDeviceExclude ? flagRegex('collector.arp.device-exclude', o.arpDeviceExclude) : undefined,
        o.arpDeviceInclude ? flagRegex('collector.arp.device-include', o.arpDeviceInclude) : undefined,
      );
    },
  },
  { name: 'udp_queues', defaultEnabled: true, create: () => new UdpQueuesCollector() },
  { name: 'conntrack', defaultEnabled: true, create: () => new ConntrackCollector() },
  { name: 'bonding', defaultEnabled: true, create: () => new BondingCollector() },
  { name: 'tcpstat', defaultEnabled: false, create: () => new TcpstatCollector() },
];
