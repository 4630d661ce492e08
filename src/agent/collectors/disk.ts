import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import { DEFAULTS, fields, flagRegex, lines } from '../collector.js';
import type { MetricSink, MetricType } from '../exposition.js';
import { readText } from '../procfs.js';

const SECTOR = 512;
const SECONDS_PER_TICK = 1.0 / 1000.0;

/** /proc/diskstats columns after major, minor and name, in kernel order. */
const STATS: ReadonlyArray<[string, string, MetricType, number]> = [
  ['node_disk_reads_completed_total', 'The total number of reads completed successfully.', 'counter', 1],
  ['node_disk_reads_merged_total', 'The total number of reads merged.', 'counter', 1],
  ['node_disk_read_bytes_total', 'The total number of bytes read successfully.', 'counter', SECTOR],
  ['node_disk_read_time_seconds_total', 'The total number of seconds spent by all reads.', 'counter', SECONDS_PER_TICK],
  ['node_disk_writes_completed_total', 'The total number of writes completed successfully.', 'counter', 1],
  ['node_disk_writes_merged_total', 'The number of writes merged.', 'counter', 1],
  ['node_disk_written_bytes_total', 'The total number of bytes written successfully.', 'counter', SECTOR],
  ['node_disk_write_time_seconds_total', 'This is the total number of seconds spent by all writes.', 'counter', SECONDS_PER_TICK],
  ['node_disk_io_now', 'The number of I/Os currently in progress.', 'gauge', 1],
  ['node_disk_io_time_seconds_total', 'Total seconds spent doing I/Os.', 'counter', SECONDS_PER_TICK],
  ['node_disk_io_time_weighted_seconds_total', 'The weighted # of seconds spent doing I/Os.', 'counter', SECONDS_PER_TICK],
  ['node_disk_discards_completed_total', 'The total number of discards completed successfully.', 'counter', 1],
  ['node_disk_discards_merged_total', 'The total number of discards merged.', 'counter', 1],
  ['node_disk_discarded_sectors_total', 'The total number of sectors discarded successfully.', 'counter', 1],
  ['node_disk_discard_time_seconds_total', 'This is the total number of seconds spent by all discards.', 'counter', SECONDS_PER_TICK],
  ['node_disk_flush_requests_total', 'The total number of flush requests completed successfully', 'counter', 1],
  ['node_disk_flush_requests_time_seconds_total', 'This is the total number of seconds spent by all flush requests.', 'counter', SECONDS_PER_TICK],
];

/** udev properties node_exporter copies into node_disk_info. */
const UDEV_INFO: ReadonlyArray<[string, string]> = [
  ['model', 'ID_MODEL'],
  ['path', 'ID_PATH'],
  ['revision', 'ID_REVISION'],
  ['serial', 'ID_SERIAL_SHORT'],
  ['wwn', 'ID_WWN'],
];

const UDEV_ATA: ReadonlyArray<[string, string, string]> = [
  ['ID_ATA_WRITE_CACHE', 'node_disk_ata_write_cache', 'ATA disk has a write cache.'],
  ['ID_ATA_WRITE_CACHE_ENABLED', 'node_disk_ata_write_cache_enabled', 'ATA disk has its write cache enabled.'],
  ['ID_ATA_ROTATION_RATE_RPM', 'node_disk_ata_rotation_rate_rpm', 'ATA disk rotation rate in RPMs (0 for SSDs).'],
];

class DiskstatsCollector implements Collector {
  private udevDisabled = false;

  constructor(
    private readonly exclude: RegExp | undefined,
    private readonly include: RegExp | undefined,
  ) {}

  private ignored(dev: string): boolean {
    if (this.include) return !this.include.test(dev);
    return this.exclude ? this.exclude.test(dev) : false;
  }

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const text = await readText(ctx.proc('diskstats'));
    const info = sink.gauge('node_disk_info', 'Info of /sys/block/<block_device>.');
    const fams = STATS.map(([name, help, type]) => sink.family(name, help, type));
    const devs: Array<[string, string, string]> = [];
    for (const line of lines(text)) {
      const f = fields(line);
      if (f.length < 14) continue;
      const dev = f[2]!;
      if (this.ignored(dev)) continue;
      devs.push([dev, f[0]!, f[1]!]);
      const n = Math.min(f.length - 3, STATS.length);
      for (let i = 0; i < n; i++) fams[i]!.add1('device', dev, Number(f[i + 3]) * STATS[i]![3]);
    }
    const udev = await Promise.all(devs.map(([, maj, min]) => this.udevProps(ctx, maj, min)));
    for (let i = 0; i < devs.length; i++) {
      const [dev, maj, min] = devs[i]!;
      const props = udev[i]!;
      const pairs = ['device', dev, 'major', maj, 'minor', min];
      for (const [label, key] of UDEV_INFO) pairs.push(label, props.get(key) ?? '');
      // Labels must stay sorted: device, major, minor, model, path, revision, serial, wwn.
      info.addLabels(pairs, 1);
      this.udevFamilies(sink, dev, props);
    }
  }

  /** node_disk_filesystem_info, node_disk_device_mapper_info and node_disk_ata_* from udev properties. */
  private udevFamilies(sink: MetricSink, dev: string, p: Map<string, string>): void {
    const fsType = p.get('ID_FS_TYPE');
    if (fsType !== undefined) {
      sink
        .gauge('node_disk_filesystem_info', 'Info about disk filesystem.')
        .addLabels(['device', dev, 'type', fsType, 'usage', p.get('ID_FS_USAGE') ?? '', 'uuid', p.get('ID_FS_UUID') ?? '', 'version', p.get('ID_FS_VERSION') ?? ''], 1);
    }
    const dmName = p.get('DM_NAME');
    if (dmName !== undefined) {
      sink
        .gauge('node_disk_device_mapper_info', 'Info about disk device mapper.')
        .addLabels(
          ['device', dev, 'lv_layer', p.get('DM_LV_LAYER') ?? '', 'lv_name', p.get('DM_LV_NAME') ?? '', 'name', dmName, 'uuid', p.get('DM_UUID') ?? '', 'vg_name', p.get('DM_VG_NAME') ?? ''],
          1,
        );
    }
    if ((p.get('ID_ATA') ?? '') === '') return;
    for (const [key, name, help] of UDEV_ATA) {
      const raw = p.get(key);
      if (raw === undefined || raw.trim() === '' || Number.isNaN(Number(raw))) continue;
      sink.gauge(name, help).add1('device', dev, Number(raw));
    }
  }

  /** Reads /run/udev/data/b<major>:<minor> ("E:KEY=value" lines); missing data gives empty labels. */
  private async udevProps(ctx: CollectContext, maj: string, min: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (this.udevDisabled) return out;
    let text: string;
    try {
      text = await readText(`${ctx.udevData}/b${maj}:${min}`);
    } catch (err) {
      // Like node_exporter: no udev database at all disables the lookups for good.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        try {
          await readText(ctx.udevData);
        } catch (e2) {
          if ((e2 as NodeJS.ErrnoException).code === 'ENOENT') this.udevDisabled = true;
        }
      }
      return out;
    }
    for (const line of lines(text)) {
      if (!line.startsWith('E:')) continue;
      const eq = line.indexOf('=');
      if (eq > 2) out.set(line.slice(2, eq), line.slice(eq + 1));
    }
    return out;
  }
}

export const diskCollectors: CollectorDef[] = [
  {
    name: 'diskstats',
    defaultEnabled: true,
    create: (o) => {
      const inc = o.diskstatsDeviceInclude;
      if (inc && o.diskstatsDeviceExclude) throw new Error('--collector.diskstats.device-exclude and --collector.diskstats.device-include are mutually exclusive');
      return new DiskstatsCollector(
        inc ? undefined : flagRegex('collector.diskstats.device-exclude', o.diskstatsDeviceExclude ?? DEFAULTS.diskstatsDeviceExclude),
        inc ? flagRegex('collector.diskstats.device-include', inc) : undefined,
      );
    },
  },
];
