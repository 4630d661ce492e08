import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlags } from './../util/index.js';
import {  } from './fixture-tree.js';
import { collectorFlagSpecs, createNodeCollector, nodeCollectorOptionsFromFlags, type NodeCollectorOptions } from './index.js';

test('collector flags: disable-defaults, explicit enables, --no-collector, aliases, mutual exclusion', () => {
  const specs = collectorFlagSpecs();
  const opts = (argv: string[]): NodeCollectorOptions => nodeCollectorOptionsFromFlags(parseFlags(specs, argv));
  assert.deepEqual(opts(['--collector.disable-defaults', '--collector.cpu', '--collector.loadavg']).collectors, ['cpu', 'loadavg']);
  const def = opts([]).collectors!;
  assert.ok(def.includes('cpu') && def.includes('filesystem') && !def.includes('systemd'));
  assert.ok(!opts(['--no-collector.cpu']).collectors!.includes('cpu'));
  assert.ok(opts(['--collector.systemd']).collectors!.includes('systemd'));
  // The seeds' unit file uses names node_exporter does not have; they map to the real collectors.
  assert.deepEqual(opts(['--collector.disable-defaults', '--collector.memory', '--collector.disk', '--collector.network']).collectors, ['diskstats', 'meminfo', 'netdev']);
  // Unimplemented node_exporter collectors are accepted and ignored.
  assert.ok(!opts(['--collector.zfs', '--no-collector.xfs']).collectors!.includes('zfs'));
  assert.throws(() => opts(['--collector.netdev.device-include=eth', '--collector.netdev.device-exclude=lo']), /mutually exclusive/);
  const o = opts(['--collector.filesystem.mount-timeout=2s', '--path.procfs=/host/proc', '--collector.diskstats.device-include=^sd']);
  assert.equal(o.filesystemMountTimeoutMs, 2000);
  assert.equal(o.procfs, '/host/proc');
  assert.equal(o.diskstatsDeviceInclude, '^sd');
  assert.equal(o.diskstatsDeviceExclude, undefined);
  assert.throws(() => createNodeCollector({ collectors: ['nope'] }), /unknown collector/);
  // node_exporter options without an effect in Vigil are accepted, so unit files carry over.
  const compat = opts(['--no-collector.netdev.netlink', '--collector.ntp.server=10.0.0.1', '--runtime.gomaxprocs=2', '--collector.systemd.enable-task-metrics']);
  assert.ok(compat.collectors!.includes('netdev'));
  const info = opts(['--collector.cpu.info', '--collector.cpu.info.flags-include=^avx', '--collector.stat.softirq', '--collector.arp.device-exclude=^lo$', '--collector.netclass.ignore-invalid-speed']);
  assert.equal(info.cpuInfo, true);
  assert.equal(info.cpuInfoFlagsInclude, '^avx');
  assert.equal(info.statSoftirq, true);
  assert.equal(info.arpDeviceExclude, '^lo$');
  assert.equal(info.netclassIgnoreInvalidSpeed, true);
  assert.throws(() => createNodeCollector({ collectors: ['vmstat'], vmstatFields: '(' }), /--collector\.vmstat\.fields: invalid regular expression/);
});
