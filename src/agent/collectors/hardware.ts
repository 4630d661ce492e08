import { NoDataError } from '../collector.js';
import { basename, dirname } from 'node:path';
import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import type { MetricSink } from '../exposition.js';
import { isNotExist, readDir, realPath, tryAttr } from '../procfs.js';

/** node_thermal_zone_temp and node_cooling_device_* from /sys/class/thermal. */
class ThermalZoneCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    let names: string[];
    try {
      names = await readDir(ctx.sys('class/thermal'));
    } catch (err) {
      if (isNotExist(err)) throw new NoDataError('no /sys/class/thermal');
      throw err;
    }
    const zones = names.filter((n) => /^thermal_zone\d+$/.test(n));
    const cools = names.filter((n) => /^cooling_device\d+$/.test(n));
    const zoneVals = await Promise.all(
      zones.map((z) => Promise.all([tryAttr(ctx.sys(`class/thermal/${z}/type`)), tryAttr(ctx.sys(`class/thermal/${z}/temp`))])),
    );
    const temp = sink.gauge('node_thermal_zone_temp', 'Zone temperature in Celsius');
    for (let i = 0; i < zones.length; i++) {
      const [type, t] = zoneVals[i]!;
      if (type === undefined || t === undefined) continue;
      temp.addLabels(['type', type, 'zone', zones[i]!.slice('thermal_zone'.length)], Number(t) / 1000);
    }
    const coolVals = await Promise.all(
      cools.map((c) =>
        Promise.all([
          tryAttr(ctx.sys(`class/thermal/${c}/type`)),
          tryAttr(ctx.sys(`class/thermal/${c}/cur_state`)),
          tryAttr(ctx.sys(`class/thermal/${c}/max_state`)),
        ]),
      ),
    );
    const cur = sink.gauge('node_cooling_device_cur_state', 'Current throttle state of the cooling device');
    const max = sink.gauge('node_cooling_device_max_state', 'Maximum throttle state of the cooling device');
    for (let i = 0; i < cools.length; i++) {
      const [type, c, m] = coolVals[i]!;
      if (type === undefined) continue;
      const labels = ['name', cools[i]!.slice('cooling_device'.length), 'type', type];
      if (c !== undefined) cur.addLabels(labels, Number(c));
      if (m !== undefined) max.addLabels(labels, Number(m));
    }
  }
}

/** node_exporter's cleanMetricName for hwmon chip names. */
function cleanName(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9:_]/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Sensor families node_exporter derives from hwmon attribute files (subset: temp, fan, in). */
const HWMON: Record<string, { unit: string; scale: number; what: string }> = {
  temp: { unit: 'celsius', scale: 0.001, what: 'temperature' },
  fan: { unit: 'rpm', scale: 1, what: 'fan revolutions per minute' },
  in: { unit: 'volts', scale: 0.001, what: 'voltage' },
};
const HWMON_PROPS = new Set(['input', 'min', 'max', 'crit', 'lcrit', 'emergency', 'lowest', 'highest']);

/**
 * node_hwmon_* for temperature, fan and voltage sensors, with node_exporter's stable
 * chip names (<bus>_<device> from the device symlink, else the name file).
 */
class HwmonCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    let chips: string[];
    try {
      chips = await readDir(ctx.sys('class/hwmon'));
    } catch (err) {
      if (isNotExist(err)) throw new NoDataError('no /sys/class/hwmon');
      throw err;
    }
    await Promise.all(chips.map((c) => this.chip(sink, ctx, ctx.sys(`class/hwmon/${c}`))));
  }

  private async chip(sink: MetricSink, ctx: CollectContext, dir: string): Promise<void> {
    const [files, rawName] = await Promise.all([readDir(dir).catch(() => [] as string[]), tryAttr(`${dir}/name`)]);
    const chip = await this.chipName(dir, rawName);
    if (rawName !== undefined && rawName !== '') {
      sink.gauge('node_hwmon_chip_names', 'Annotation metric for human-readable chip names').addLabels(['chip', chip, 'chip_name', rawName.trim()], 1);
    }
    const wanted: Array<[string, string, string]> = [];
    for (const f of files) {
      const m = /^([a-z]+)(\d+)_(\w+)$/.exec(f);
      if (!m) continue;
      const [, type, id, prop] = m as unknown as [string, string, string, string];
      if (prop === 'label' || (HWMON[type] && HWMON_PROPS.has(prop))) wanted.push([f, type + id, prop]);
    }
    const vals = await Promise.all(wanted.map(([f]) => tryAttr(`${dir}/${f}`)));
    for (let i = 0; i < wanted.length; i++) {
      const [, sensor, prop] = wanted[i]!;
      const raw = vals[i];
      if (raw === undefined) continue;
      if (prop === 'label') {
        sink.gauge('node_hwmon_sensor_label', 'Label for given chip and sensor').addLabels(['chip', chip, 'label', raw.trim(), 'sensor', sensor], 1);
        continue;
      }
      const type = sensor.replace(/\d+$/, '');
      const spec = HWMON[type]!;
      const name = prop === 'input' ? `node_hwmon_${type}_${spec.unit}` : `node_hwmon_${type}_${prop}_${spec.unit}`;
      sink.gauge(name, `Hardware monitor for ${spec.what} (${prop})`).addLabels(['chip', chip, 'sensor', sensor], Number(raw) * spec.scale);
    }
  }

  private async chipName(dir: string, rawName: string | undefined): Promise<string> {
    try {
      const dev = await realPath(`${dir}/device`);
      const devName = cleanName(basename(dev));
      const devType = cleanName(basename(dirname(dev)));
      if (devType !== '' && devName !== '') return `${devType}_${devName}`;
      if (devName !== '') return devName;
    } catch {
      // no device link: fall through to the name file
    }
    if (rawName !== undefined && cleanName(rawName) !== '') return cleanName(rawName);
    return cleanName(basename(await realPath(dir).catch(() => dir)));
  }
}

export const hardwareCollectors: CollectorDef[] = [
  { name: 'thermal_zone', defaultEnabled: true, create: () => new ThermalZoneCollector() },
  { name: 'hwmon', defaultEnabled: true, create: () => new HwmonCollector() },
];
