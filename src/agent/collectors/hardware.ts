import { NoDataError } from '../collector.js';
import { basename, dirname } from 'node:path';
import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import type { MetricSink } from '../exposition.js';
import { isNotExist, readAttr, readDir, realPath, tryAttr } from '../procfs.js';

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

/** node_exporter's cleanMetricName: lower case, [^a-z0-9:_] to "_", trimmed of "_". */
export function cleanName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9:_]/g, '_')
    .replace(/^_+|_+$/g, '');
}

const SENSOR_TYPES = new Set(['vrm', 'beep_enable', 'update_interval', 'in', 'cpu', 'fan', 'pwm', 'temp', 'curr', 'power', 'energy', 'humidity', 'intrusion']);
/** <type><num>_<property>, e.g. temp1_input, pwm1, update_interval. */
const SENSOR_FILE = /^([^0-9]+)([0-9]*)(?:_(.+))?$/;

/** Splits a sensor file name; the sensor key is type + number (number 0 when absent, as node_exporter does). */
function explodeSensorFile(name: string): { type: string; sensor: string; prop: string } | undefined {
  const m = SENSOR_FILE.exec(name);
  if (!m) return undefined;
  const type = m[1]!;
  return { type, sensor: type + String(m[2] ? Number(m[2]) : 0), prop: m[3] ?? '' };
}

interface HwmonMetric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  value: number;
}

/** Maps one sensor property to node_exporter's family, unit and scale. */
function hwmonMetric(type: string, prop: string, raw: string, hasBareValue: boolean): HwmonMetric | undefined {
  let name = `node_hwmon_${type}`;
  if (prop === 'input') {
    if (hasBareValue) name += '_input';
  } else if (prop !== '') {
    name += '_' + cleanName(prop);
  }
  const v = Number(raw.trim());
  if (raw.trim() === '' || Number.isNaN(v)) return undefined;
  const g = (n: string, help: string, value: number): HwmonMetric => ({ name: n, help, type: 'gauge', value });
  if (prop === 'fault' || prop === 'alarm') return g(name, `Hardware sensor ${prop} status (${type})`, v);
  if (prop === 'beep') return g(name + '_enabled', 'Hardware monitor sensor has beeping enabled', v);
  if (type === 'in' || type === 'cpu') return g(name + '_volts', `Hardware monitor for voltage (${prop})`, v * 0.001);
  if (type === 'temp' && prop !== 'type') return g(name + '_celsius', `Hardware monitor for temperature (${prop === '' ? 'input' : prop})`, v * 0.001);
  if (type === 'curr') return g(name + '_amps', `Hardware monitor for current (${prop})`, v * 0.001);
  if (type === 'energy') return { name: name + '_joule_total', help: `Hardware monitor for joules used so far (${prop})`, type: 'counter', value: v / 1000000.0 };
  if (type === 'power' && prop === 'accuracy') return g(name, 'Hardware monitor power meter accuracy, as a ratio', v / 1000000.0);
  if (type === 'power' && (prop === 'average_interval' || prop === 'average_interval_min' || prop === 'average_interval_max')) {
    return g(name + '_seconds', `Hardware monitor power usage update interval (${prop})`, v * 0.001);
  }
  if (type === 'power') return g(name + '_watt', `Hardware monitor for power usage in watts (${prop})`, v / 1000000.0);
  if (type === 'humidity') return g(name, `Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (${prop})`, v / 1000000.0);
  if (type === 'fan' && (prop === 'input' || prop === 'min' || prop === 'max' || prop === 'target')) return g(name + '_rpm', `Hardware monitor for fan revolutions per minute (${prop})`, v);
  return g(name, `Hardware monitor ${type} element ${prop}`, v);
}

/**
 * node_hwmon_* from /sys/class/hwmon, following node_exporter's naming: a stable chip
 * name from the device path (<bus>_<device>, else the name file, else hwmonN),
 * sensor attributes from the hwmon directory and its device/ directory, units by
 * sensor type, node_hwmon_chip_names and node_hwmon_sensor_label annotations.
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
    await Promise.all(chips.map((c) => this.chip(sink, ctx.sys(`class/hwmon/${c}`))));
  }

  private async sensorFiles(dir: string, data: Map<string, Map<string, string>>): Promise<void> {
    const files = await readDir(dir).catch(() => [] as string[]);
    const wanted = files.map((f) => [f, explodeSensorFile(f)] as const).filter(([, e]) => e !== undefined && SENSOR_TYPES.has(e.type));
    const values = await Promise.all(wanted.map(([f]) => tryAttr(`${dir}/${f}`)));
    wanted.forEach(([, e], i) => {
      const v = values[i];
      if (v === undefined) return;
      let m = data.get(e!.sensor);
      if (!m) data.set(e!.sensor, (m = new Map()));
      m.set(e!.prop, v);
    });
  }

  private async chip(sink: MetricSink, dir: string): Promise<void> {
    const [rawName, devPath] = await Promise.all([tryAttr(`${dir}/name`), realPath(`${dir}/device`).catch(() => undefined)]);
    const chip = await this.chipName(dir, rawName, devPath);
    const data = new Map<string, Map<string, string>>();
    await this.sensorFiles(dir, data);
    if (devPath !== undefined) await this.sensorFiles(`${dir}/device`, data);
    if (rawName !== undefined && cleanName(rawName) !== '') {
      sink.gauge('node_hwmon_chip_names', 'Annotation metric for human-readable chip names').addLabels(['chip', chip, 'chip_name', cleanName(rawName)], 1);
    }
    for (const sensor of [...data.keys()].sort()) {
      const props = data.get(sensor)!;
      const type = sensor.replace(/\d+$/, '');
      const labels = ['chip', chip, 'sensor', sensor];
      const label = props.get('label');
      if (label !== undefined && cleanName(label) !== '') {
        sink.gauge('node_hwmon_sensor_label', 'Label for given chip and sensor').addLabels(['chip', chip, 'label', cleanName(label), 'sensor', sensor], 1);
      }
      if (type === 'beep_enable') {
        sink.gauge('node_hwmon_beep_enabled', 'Hardware beep enabled').addLabels(labels, props.get('') === '1' ? 1 : 0);
        continue;
      }
      if (type === 'vrm' || type === 'update_interval') {
        const v = Number(props.get('') ?? 'x');
        if (Number.isNaN(v)) continue;
        if (type === 'vrm') sink.gauge('node_hwmon_voltage_regulator_version', 'Hardware voltage regulator').addLabels(labels, v);
        else sink.gauge('node_hwmon_update_interval_seconds', 'Hardware monitor update interval').addLabels(labels, v * 0.001);
        continue;
      }
      for (const prop of [...props.keys()].sort()) {
        if (prop === 'label') continue;
        const m = hwmonMetric(type, prop, props.get(prop)!, props.has(''));
        if (m) sink.family(m.name, m.help, m.type).addLabels(labels, m.value);
      }
    }
  }

  private async chipName(dir: string, rawName: string | undefined, devPath: string | undefined): Promise<string> {
    if (devPath !== undefined) {
      const devName = cleanName(basename(devPath));
      const devType = cleanName(basename(dirname(devPath)));
      if (devType !== '' && devName !== '') return `${devType}_${devName}`;
      if (devName !== '') return devName;
    }
    if (rawName !== undefined && cleanName(rawName) !== '') return cleanName(rawName);
    return cleanName(basename(await realPath(dir).catch(() => dir)));
  }
}

const DMI_LABELS: Array<[string, string]> = [
  ['bios_date', 'bios_date'],
  ['bios_release', 'bios_release'],
  ['bios_vendor', 'bios_vendor'],
  ['bios_version', 'bios_version'],
  ['board_asset_tag', 'board_asset_tag'],
  ['board_name', 'board_name'],
  ['board_serial', 'board_serial'],
  ['board_vendor', 'board_vendor'],
  ['board_version', 'board_version'],
  ['chassis_asset_tag', 'chassis_asset_tag'],
  ['chassis_serial', 'chassis_serial'],
  ['chassis_vendor', 'chassis_vendor'],
  ['chassis_version', 'chassis_version'],
  ['product_family', 'product_family'],
  ['product_name', 'product_name'],
  ['product_serial', 'product_serial'],
  ['product_sku', 'product_sku'],
  ['product_uuid', 'product_uuid'],
  ['product_version', 'product_version'],
  ['system_vendor', 'sys_vendor'],
];

/**
 * node_dmi_info from /sys/class/dmi/id. Like node_exporter, it is read once: a label
 * appears only when its file is readable (serials and the UUID are root-only).
 */
class DmiCollector implements Collector {
  private pairs: string[] | undefined;

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    if (this.pairs === undefined) {
      const dir = ctx.sys('class/dmi/id');
      try {
        await readDir(dir);
      } catch (err) {
        if (isNotExist(err)) throw new NoDataError('no /sys/class/dmi/id');
        throw err;
      }
      const values = await Promise.all(DMI_LABELS.map(([, file]) => tryAttr(`${dir}/${file}`)));
      const pairs: string[] = [];
      DMI_LABELS.forEach(([label], i) => {
        const v = values[i];
        if (v !== undefined) pairs.push(label, v.trim());
      });
      this.pairs = pairs;
    }
    if (this.pairs.length === 0) return;
    sink
      .gauge(
        'node_dmi_info',
        "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, chassis_serial, chassis_vendor, chassis_version, product_family, product_name, product_serial, product_sku, product_uuid, product_version, system_vendor if provided by DMI.",
      )
      .addLabels(this.pairs, 1);
  }
}

/**
 * node_edac_* ECC error counters per memory controller and csrow from
 * /sys/devices/system/edac/mc. No EDAC driver means no series (node_exporter's
 * empty glob), not a failure. Errors the controller could not attribute to a row
 * are reported with csrow="unknown".
 */
class EdacCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    const base = ctx.sys('devices/system/edac/mc');
    let names: string[];
    try {
      names = await readDir(base);
    } catch (err) {
      if (isNotExist(err)) return;
      throw err;
    }
    const ce = sink.counter('node_edac_correctable_errors_total', 'Total correctable memory errors.');
    const ue = sink.counter('node_edac_uncorrectable_errors_total', 'Total uncorrectable memory errors.');
    const rowCe = sink.counter('node_edac_csrow_correctable_errors_total', 'Total correctable memory errors for this csrow.');
    const rowUe = sink.counter('node_edac_csrow_uncorrectable_errors_total', 'Total uncorrectable memory errors for this csrow.');
    for (const mc of names.filter((n) => /^mc\d+$/.test(n))) {
      const controller = mc.slice(2);
      const dir = `${base}/${mc}`;
      const [c, cn, u, un, entries] = await Promise.all([
        readAttr(`${dir}/ce_count`),
        readAttr(`${dir}/ce_noinfo_count`),
        readAttr(`${dir}/ue_count`),
        readAttr(`${dir}/ue_noinfo_count`),
        readDir(dir),
      ]);
      ce.add1('controller', controller, Number(c));
      ue.add1('controller', controller, Number(u));
      rowCe.addLabels(['controller', controller, 'csrow', 'unknown'], Number(cn));
      rowUe.addLabels(['controller', controller, 'csrow', 'unknown'], Number(un));
      for (const row of entries.filter((n) => /^csrow\d+$/.test(n))) {
        const [rc, ru] = await Promise.all([readAttr(`${dir}/${row}/ce_count`), readAttr(`${dir}/${row}/ue_count`)]);
        rowCe.addLabels(['controller', controller, 'csrow', row.slice(5)], Number(rc));
        rowUe.addLabels(['controller', controller, 'csrow', row.slice(5)], Number(ru));
      }
    }
  }
}

export const hardwareCollectors: CollectorDef[] = [
  { name: 'edac', defaultEnabled: true, create: () => new EdacCollector() },
  { name: 'dmi', defaultEnabled: true, create: () => new DmiCollector() },
  { name: 'thermal_zone', defaultEnabled: true, create: () => new ThermalZoneCollector() },
  { name: 'hwmon', defaultEnabled: true, create: () => new HwmonCollector() },
];
