import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, readPage } from '../fixture-tree.js';
import { createNodeCollector } from '../index.js';

test('thermal_zone, hwmon and cpufreq read sysfs where the kernel exposes them', async () => {
  const fx = fixture({
    'sys/class/thermal/thermal_zone0/type': 'x86_pkg_temp\n',
    'sys/class/thermal/thermal_zone0/temp': '45500\n',
    'sys/class/thermal/cooling_device0/type': 'Processor\n',
    'sys/class/thermal/cooling_device0/cur_state': '0\n',
    'sys/class/thermal/cooling_device0/max_state': '10\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/name': 'coretemp\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/temp1_input': '42000\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/temp1_crit': '100000\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/temp1_label': 'Package id 0\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/fan2_input': '1200\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/temp1_crit_alarm': '0\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/in0_input': '1150\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/pwm1': '128\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/pwm1_enable': '2\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/power1_average': '12500000\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/intrusion0_alarm': '1\n',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/update_interval': '1000\n',
    'sys/devices/platform/coretemp.0/temp3_input': '51000\n',
    'sys/devices/virtual/hwmon/hwmon2/name': 'acpitz\n',
    'sys/devices/virtual/hwmon/hwmon2/temp1_input': '27800\n',
    'sys/class/hwmon/hwmon2': '->../../devices/virtual/hwmon/hwmon2',
    'sys/devices/platform/coretemp.0/hwmon/hwmon1/device': '->../..',
    'sys/class/hwmon/hwmon1': '->../../devices/platform/coretemp.0/hwmon/hwmon1',
    'sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq': '2400000\n',
    'sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq': '3600000\n',
    'sys/devices/system/cpu/cpu1/online': '1\n',
    'sys/devices/system/edac/mc/mc0/ce_count': '10\n',
    'sys/devices/system/edac/mc/mc0/ce_noinfo_count': '2\n',
    'sys/devices/system/edac/mc/mc0/ue_count': '1\n',
    'sys/devices/system/edac/mc/mc0/ue_noinfo_count': '0\n',
    'sys/devices/system/edac/mc/mc0/csrow0/ce_count': '8\n',
    'sys/devices/system/edac/mc/mc0/csrow0/ue_count': '1\n',
    'sys/class/dmi/id/bios_vendor': 'SeaBIOS\n',
    'sys/class/dmi/id/bios_version': '1.16.2-debian-1.16.2-1\n',
    'sys/class/dmi/id/board_asset_tag': '\n',
    'sys/class/dmi/id/sys_vendor': 'QEMU\n',
    'sys/class/dmi/id/product_name': 'Standard PC (Q35 + ICH9, 2009)\n',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['thermal_zone', 'hwmon', 'cpufreq', 'dmi', 'edac'] }).render());
    assert.equal(p.value('node_edac_correctable_errors_total', { controller: '0' }), 10);
    assert.equal(p.value('node_edac_uncorrectable_errors_total', { controller: '0' }), 1);
    assert.equal(p.value('node_edac_csrow_correctable_errors_total', { controller: '0', csrow: 'unknown' }), 2);
    assert.equal(p.value('node_edac_csrow_correctable_errors_total', { controller: '0', csrow: '0' }), 8);
    assert.equal(p.value('node_edac_csrow_uncorrectable_errors_total', { controller: '0', csrow: '0' }), 1);
    // Only readable DMI files become labels.
    assert.equal(
      p.value('node_dmi_info', { bios_vendor: 'SeaBIOS', bios_version: '1.16.2-debian-1.16.2-1', board_asset_tag: '', product_name: 'Standard PC (Q35 + ICH9, 2009)', system_vendor: 'QEMU' }),
      1,
    );
    assert.equal(p.value('node_thermal_zone_temp', { type: 'x86_pkg_temp', zone: '0' }), 45.5);
    assert.equal(p.value('node_cooling_device_max_state', { name: '0', type: 'Processor' }), 10);
    assert.equal(p.value('node_hwmon_temp_celsius', { chip: 'platform_coretemp_0', sensor: 'temp1' }), 42);
    assert.equal(p.value('node_hwmon_temp_crit_celsius', { chip: 'platform_coretemp_0', sensor: 'temp1' }), 100);
    assert.equal(p.value('node_hwmon_fan_rpm', { chip: 'platform_coretemp_0', sensor: 'fan2' }), 1200);
    // Labels and chip names are cleaned like metric names, as node_exporter does.
    assert.equal(p.value('node_hwmon_sensor_label', { chip: 'platform_coretemp_0', label: 'package_id_0', sensor: 'temp1' }), 1);
    assert.equal(p.value('node_hwmon_chip_names', { chip: 'platform_coretemp_0', chip_name: 'coretemp' }), 1);
    assert.equal(p.value('node_hwmon_temp_crit_alarm_celsius', { chip: 'platform_coretemp_0', sensor: 'temp1' }), 0);
    assert.equal(p.families.get('node_hwmon_temp_crit_alarm_celsius')!.help, 'Hardware monitor for temperature (crit_alarm)');
    assert.equal(p.value('node_hwmon_in_volts', { chip: 'platform_coretemp_0', sensor: 'in0' }), 1150 * 0.001); // multiplied like node_exporter: 1.1500000000000001
    assert.equal(p.value('node_hwmon_pwm', { chip: 'platform_coretemp_0', sensor: 'pwm1' }), 128);
    assert.equal(p.value('node_hwmon_pwm_enable', { chip: 'platform_coretemp_0', sensor: 'pwm1' }), 2);
    assert.equal(p.families.get('node_hwmon_pwm_enable')!.help, 'Hardware monitor pwm element enable');
    assert.equal(p.value('node_hwmon_power_average_watt', { chip: 'platform_coretemp_0', sensor: 'power1' }), 12.5);
    assert.equal(p.value('node_hwmon_intrusion_alarm', { chip: 'platform_coretemp_0', sensor: 'intrusion0' }), 1);
    assert.equal(p.value('node_hwmon_update_interval_seconds', { chip: 'platform_coretemp_0', sensor: 'update_interval0' }), 1);
    // Attributes in the device directory count too.
    assert.equal(p.value('node_hwmon_temp_celsius', { chip: 'platform_coretemp_0', sensor: 'temp3' }), 51);
    // No device link: the chip is named by its name file.
    assert.equal(p.value('node_hwmon_temp_celsius', { chip: 'acpitz', sensor: 'temp1' }), 27.8);
    assert.equal(p.value('node_cpu_scaling_frequency_hertz', { cpu: '0' }), 2.4e9);
    assert.equal(p.value('node_cpu_frequency_max_hertz', { cpu: '0' }), 3.6e9);
    assert.equal(p.series('node_cpu_scaling_frequency_hertz').size, 1);
  } finally {
    fx.cleanup();
  }
});
