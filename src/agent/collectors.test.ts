import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../testutil/index.js';
import { parseFlags } from '../util/index.js';
import { makeUnreadable, readPage, writeTree } from './fixture-tree.js';
import { collectorFlagSpecs, createNodeCollector, nodeCollectorOptionsFromFlags, type FsStats, type NodeCollectorOptions } from './index.js';

function fixture(files: Record<string, string>): { root: string; cleanup: () => void; opts: NodeCollectorOptions } {
  const t = tempDir('vigil-agent-fx-');
  writeTree(t.path, files);
  return { root: t.path, cleanup: t.cleanup, opts: { procfs: join(t.path, 'proc'), sysfs: join(t.path, 'sys'), rootfs: join(t.path, 'root'), udevData: join(t.path, 'udev') } };
}

const STAT = `cpu  300 0 200 10000 5 0 1 0 0 0
cpu0 100 2 50 5000 3 1 1 4 7 9
cpu1 200 0 150 5000 2 0 0 0 0 0
intr 252536 0 9 0
ctxt 731262
btime 1795320538
processes 7477
procs_running 2
procs_blocked 1
softirq 1 2 3
`;

test('cpu and stat: ticks become seconds, guest modes, counters never go backwards', async () => {
  const fx = fixture({ 'proc/stat': STAT });
  try {
    const c = createNodeCollector({ ...fx.opts, collectors: ['cpu', 'stat'] });
    let p = readPage(await c.render());
    assert.equal(p.value('node_cpu_seconds_total', { cpu: '0', mode: 'user' }), 1);
    assert.equal(p.value('node_cpu_seconds_total', { cpu: '0', mode: 'steal' }), 0.04);
    assert.equal(p.value('node_cpu_seconds_total', { cpu: '1', mode: 'idle' }), 50);
    assert.equal(p.value('node_cpu_guest_seconds_total', { cpu: '0', mode: 'user' }), 0.07);
    assert.equal(p.value('node_cpu_guest_seconds_total', { cpu: '0', mode: 'nice' }), 0.09);
    assert.equal(p.series('node_cpu_seconds_total').size, 16);
    assert.equal(p.value('node_intr_total'), 252536);
    assert.equal(p.value('node_context_switches_total'), 731262);
    assert.equal(p.value('node_boot_time_seconds'), 1795320538);
    assert.equal(p.value('node_forks_total'), 7477);
    assert.equal(p.value('node_procs_blocked'), 1);
    // iowait of cpu0 drops from 3 to 1 ticks: the exported counter stays at 0.03.
    writeTree(fx.root, { 'proc/stat': STAT.replace('cpu0 100 2 50 5000 3', 'cpu0 110 2 50 5000 1') });
    p = readPage(await c.render());
    assert.equal(p.value('node_cpu_seconds_total', { cpu: '0', mode: 'iowait' }), 0.03);
    assert.equal(p.value('node_cpu_seconds_total', { cpu: '0', mode: 'user' }), 1.1);
  } finally {
    fx.cleanup();
  }
});

test('meminfo: parenthesised keys, kB to bytes, unitless HugePages', async () => {
  const fx = fixture({
    'proc/meminfo': 'MemTotal:       24684000 kB\nActive(anon):     1000 kB\nHugePages_Total:       4\nHugepagesize:       2048 kB\n',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['meminfo'] }).render());
    assert.equal(p.value('node_memory_MemTotal_bytes'), 24684000 * 1024);
    assert.equal(p.value('node_memory_Active_anon_bytes'), 1024000);
    assert.equal(p.value('node_memory_HugePages_Total'), 4);
    assert.equal(p.families.get('node_memory_HugePages_Total')!.help, 'Memory information field HugePages_Total.');
    assert.equal(p.families.get('node_memory_Active_anon_bytes')!.type, 'gauge');
  } finally {
    fx.cleanup();
  }
});

test('diskstats: default device exclusion, short kernel lines, udev info labels', async () => {
  const fx = fixture({
    'proc/diskstats': [
      '   7       0 loop0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
      '   8       0 sda 100 2 800 30 40 5 96 70 1 60 100 3 4 8 9 10 11',
      '   8       1 sda1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
      ' 259       0 nvme0n1 5 0 16 1 0 0 0 0 0 2 2',
      ' 259       1 nvme0n1p1 5 0 16 1 0 0 0 0 0 2 2',
      ' 253       0 dm-0 5 0 16 1 0 0 0 0 0 2 2 0 0 0 0',
    ].join('\n'),
    'udev/b8:0': 'S:disk/by-id/x\nE:ID_MODEL=Disk_Model\nE:ID_SERIAL_SHORT=SN123\nE:ID_PATH=pci-0000:00:1f.2-ata-1\nE:ID_WWN=0x5000\nE:ID_REVISION=1.0\n',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['diskstats'] }).render());
    assert.deepEqual([...p.series('node_disk_reads_completed_total').keys()].sort(), ['device=dm-0', 'device=nvme0n1', 'device=sda']);
    assert.equal(p.value('node_disk_read_bytes_total', { device: 'sda' }), 800 * 512);
    assert.equal(p.value('node_disk_write_time_seconds_total', { device: 'sda' }), 0.07);
    assert.equal(p.value('node_disk_io_now', { device: 'sda' }), 1);
    assert.equal(p.value('node_disk_flush_requests_time_seconds_total', { device: 'sda' }), 11 * 0.001);
    // nvme0n1 has only the 11 classic fields: no discard or flush series for it.
    assert.equal(p.value('node_disk_discards_completed_total', { device: 'nvme0n1' }), undefined);
    assert.equal(p.value('node_disk_discards_completed_total', { device: 'dm-0' }), 0);
    assert.equal(p.value('node_disk_flush_requests_total', { device: 'dm-0' }), undefined);
    assert.equal(
      p.value('node_disk_info', { device: 'sda', major: '8', minor: '0', model: 'Disk_Model', path: 'pci-0000:00:1f.2-ata-1', revision: '1.0', serial: 'SN123', wwn: '0x5000' }),
      1,
    );
    assert.equal(p.value('node_disk_info', { device: 'nvme0n1', major: '259', minor: '0', model: '', path: '', revision: '', serial: '', wwn: '' }), 1);
  } finally {
    fx.cleanup();
  }
});

const MOUNTS = [
  '/dev/sda1 / ext4 rw,relatime 0 0',
  'proc /proc proc rw 0 0',
  'tmpfs /run tmpfs rw 0 0',
  '/dev/sdb1 /data\\040disk xfs ro,noatime 0 0',
  '/dev/sda1 / ext4 rw,relatime 0 0',
  'server:/export /nfs nfs4 rw 0 0',
  'overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0',
].join('\n');

const FS: FsStats = { bsize: 4096, blocks: 1000, bfree: 400, bavail: 300, files: 500, ffree: 200 };

test('filesystem: exclusions, octal escapes, read-only flag, duplicate mounts', async () => {
  const fx = fixture({ 'proc/1/mounts': MOUNTS });
  const asked: string[] = [];
  try {
    const c = createNodeCollector({
      ...fx.opts,
      collectors: ['filesystem'],
      statfs: async (p) => {
        asked.push(p);
        if (p.endsWith('/nfs')) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
        return FS;
      },
    });
    const p = readPage(await c.render());
    const root = { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' };
    const data = { device: '/dev/sdb1', fstype: 'xfs', mountpoint: '/data disk' };
    assert.equal(p.value('node_filesystem_size_bytes', root), 4096000);
    assert.equal(p.value('node_filesystem_free_bytes', root), 1638400);
    assert.equal(p.value('node_filesystem_avail_bytes', root), 1228800);
    assert.equal(p.value('node_filesystem_files', root), 500);
    assert.equal(p.value('node_filesystem_files_free', root), 200);
    assert.equal(p.value('node_filesystem_readonly', root), 0);
    assert.equal(p.value('node_filesystem_readonly', data), 1);
    assert.equal(p.series('node_filesystem_size_bytes').size, 2);
    // statfs failing with an error: device_error 1, no size series, collector still succeeds (as node_exporter).
    assert.equal(p.value('node_filesystem_device_error', { device: 'server:/export', fstype: 'nfs4', mountpoint: '/nfs' }), 1);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'filesystem' }), 1);
    // statfs is called under --path.rootfs.
    assert.ok(asked.includes(join(fx.root, 'root') + '/data disk'), asked.join(' '));
  } finally {
    fx.cleanup();
  }
});

test('filesystem: a statfs that never returns times out, marks the mount stuck, and the scrape completes', async () => {
  const fx = fixture({ 'proc/1/mounts': MOUNTS, 'proc/loadavg': '0.5 0.25 0.125 1/100 42\n' });
  let hungCalls = 0;
  let release: (() => void) | undefined;
  try {
    const c = createNodeCollector({
      ...fx.opts,
      collectors: ['filesystem', 'loadavg'],
      filesystemMountTimeoutMs: 150,
      statfs: (path) => {
        if (path.endsWith('/nfs')) {
          // Only the first call hangs; the mount answers normally once it recovers.
          if (++hungCalls === 1) return new Promise<FsStats>((resolve) => (release = () => resolve(FS)));
        }
        return Promise.resolve(FS);
      },
    });
    const t0 = Date.now();
    let p = readPage(await c.render());
    assert.ok(Date.now() - t0 < 5000);
    const nfs = { device: 'server:/export', fstype: 'nfs4', mountpoint: '/nfs' };
    assert.equal(p.value('node_filesystem_device_error', nfs), 1);
    assert.equal(p.value('node_filesystem_size_bytes', nfs), undefined);
    assert.equal(p.value('node_filesystem_size_bytes', { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' }), 4096000);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'filesystem' }), 0);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'loadavg' }), 1);
    assert.equal(p.value('node_load1'), 0.5);
    // Second scrape: the stuck mount is not asked again (no second thread-pool thread pinned).
    p = readPage(await c.render());
    assert.equal(hungCalls, 1);
    assert.equal(p.value('node_filesystem_device_error', nfs), 1);
    // The hung call finally returns: the mount recovers.
    release!();
    await new Promise((r) => setImmediate(r));
    p = readPage(await c.render());
    assert.equal(hungCalls, 2);
    assert.equal(p.value('node_filesystem_device_error', nfs), 0);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'filesystem' }), 1);
  } finally {
    release?.();
    fx.cleanup();
  }
});

test('filesystem: with a small thread pool, at most one remote statfs is left hanging', async () => {
  const mounts = ['/dev/sda1 / ext4 rw 0 0', 'a:/x /nfs1 nfs4 rw 0 0', 'b:/y /nfs2 nfs4 rw 0 0', 'c:/z /cifs cifs rw 0 0'].join('\n');
  const fx = fixture({ 'proc/1/mounts': mounts });
  const saved = process.env['UV_THREADPOOL_SIZE'];
  process.env['UV_THREADPOOL_SIZE'] = '2';
  const hanging: string[] = [];
  const releases: Array<() => void> = [];
  try {
    const c = createNodeCollector({
      ...fx.opts,
      collectors: ['filesystem'],
      filesystemMountTimeoutMs: 100,
      statfs: (p) => {
        if (p === join(fx.root, 'root')) return Promise.resolve(FS);
        hanging.push(p);
        return new Promise<FsStats>((resolve) => releases.push(() => resolve(FS)));
      },
    });
    const p = readPage(await c.render());
    // Remote mounts are asked one at a time; after the first hangs, the others are not asked.
    assert.equal(hanging.length, 1, hanging.join(' '));
    for (const mp of ['/nfs1', '/nfs2', '/cifs']) assert.equal([...p.series('node_filesystem_device_error')].find(([k]) => k.endsWith(`mountpoint=${mp}`))?.[1], 1, mp);
    assert.equal(p.value('node_filesystem_size_bytes', { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' }), 4096000);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'filesystem' }), 0);
  } finally {
    if (saved === undefined) delete process.env['UV_THREADPOOL_SIZE'];
    else process.env['UV_THREADPOOL_SIZE'] = saved;
    for (const r of releases) r();
    fx.cleanup();
  }
});

test('a collector whose file is missing reports success 0 and the rest of the page is intact', async () => {
  const fx = fixture({ 'proc/meminfo': 'MemTotal: 1 kB\n' });
  try {
    const text = await createNodeCollector({ ...fx.opts, collectors: ['loadavg', 'meminfo', 'pressure', 'conntrack'] }).render();
    const p = readPage(text);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'loadavg' }), 0);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'pressure' }), 0);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'conntrack' }), 0);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'meminfo' }), 1);
    assert.equal(p.value('node_memory_MemTotal_bytes'), 1024);
    assert.ok(p.value('node_scrape_collector_duration_seconds', { collector: 'loadavg' })! >= 0);
    assert.equal(p.families.get('node_load1'), undefined);
  } finally {
    fx.cleanup();
  }
});

test('a collector whose file is unreadable (permission denied) reports success 0', async () => {
  const fx = fixture({ 'proc/loadavg': '1 2 3 1/1 1\n', 'proc/meminfo': 'MemTotal: 2 kB\n' });
  try {
    makeUnreadable(join(fx.root, 'proc/loadavg'));
    let text: string;
    if (process.getuid?.() === 0) {
      // root reads anything: render in a child running as nobody instead.
      chmodSync(fx.root, 0o755);
      const mod = new URL('./index.js', import.meta.url).href;
      const script = `const m = await import(${JSON.stringify(mod)}); process.stdout.write(await m.createNodeCollector(${JSON.stringify({ ...fx.opts, collectors: ['loadavg', 'meminfo'] })}).render());`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      text = r.stdout;
    } else {
      text = await createNodeCollector({ ...fx.opts, collectors: ['loadavg', 'meminfo'] }).render();
    }
    const p = readPage(text);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'loadavg' }), 0);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'meminfo' }), 1);
    assert.equal(p.value('node_memory_MemTotal_bytes'), 2048);
  } finally {
    fx.cleanup();
  }
});

test('network collectors: netdev exclusion, netstat/snmp6 names, sockstat mem_bytes, softnet, udp queues, arp', async () => {
  const fx = fixture({
    'proc/net/dev':
      'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo:   100  1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n  eth0: 482260451 12094 1 2 3 4 5 6 820632 7874 7 8 9 10 11 12\n',
    'sys/class/net/eth0/statistics/rx_nohandler': '13\n',
    'proc/net/netstat': 'TcpExt: SyncookiesSent ListenDrops TCPTimeouts Other\nTcpExt: 1 2 3 4\nIpExt: InOctets OutOctets\nIpExt: 1000 2000\n',
    'proc/net/snmp': 'Tcp: ActiveOpens CurrEstab MaxConn\nTcp: 10 3 -1\nUdp: InDatagrams NoPorts\nUdp: 5 6\n',
    'proc/net/snmp6': 'Ip6InOctets                      128\nUdp6InDatagrams 9\nUdpLite6InErrors 0\nIcmp6InMsgs 1\n',
    'proc/net/sockstat': 'sockets: used 24\nTCP: inuse 5 orphan 0 tw 1 alloc 5 mem 259\nUDP: inuse 0 mem 2\nFRAG: inuse 0 memory 0\n',
    'proc/net/sockstat6': 'TCP6: inuse 3\nUDP6: inuse 1\n',
    'proc/net/softnet_stat': '00000014 00000000 00000001 00000000\n0000240b 00000002 00000001 00000000\n',
    'proc/net/udp': '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:0044 00000000:0000 07 00000010:00000200 00:00000000 00000000     0        0 1 2\n   1: 00000000:0045 00000000:0000 07 00000001:00000002 00:00000000 00000000     0        0 1 2\n',
    'proc/net/arp': 'IP address       HW type     Flags       HW address            Mask     Device\n10.0.0.1 0x1 0x2 aa:bb:cc:dd:ee:ff * eth0\n10.0.0.2 0x1 0x2 aa:bb:cc:dd:ee:00 * eth0\n10.1.0.1 0x1 0x2 aa:bb:cc:dd:ee:01 * eth1\n',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['netdev', 'netstat', 'sockstat', 'softnet', 'udp_queues', 'arp'] }).render());
    assert.deepEqual([...p.series('node_network_receive_bytes_total').keys()], ['device=eth0']);
    assert.equal(p.value('node_network_receive_bytes_total', { device: 'eth0' }), 482260451);
    assert.equal(p.value('node_network_transmit_colls_total', { device: 'eth0' }), 10);
    assert.equal(p.value('node_network_transmit_carrier_total', { device: 'eth0' }), 11);
    assert.equal(p.value('node_network_receive_nohandler_total', { device: 'eth0' }), 13);
    assert.equal(p.value('node_netstat_TcpExt_SyncookiesSent'), 1);
    assert.equal(p.families.get('node_netstat_TcpExt_Other'), undefined);
    assert.equal(p.value('node_netstat_Tcp_CurrEstab'), 3);
    assert.equal(p.families.get('node_netstat_Tcp_CurrEstab')!.help, 'Statistic TcpCurrEstab.');
    assert.equal(p.families.get('node_netstat_Tcp_CurrEstab')!.type, 'untyped');
    assert.equal(p.value('node_netstat_Ip6_InOctets'), 128);
    assert.equal(p.value('node_netstat_Udp6_InDatagrams'), 9);
    assert.equal(p.value('node_netstat_UdpLite6_InErrors'), 0);
    assert.equal(p.value('node_netstat_Icmp6_InMsgs'), 1);
    assert.equal(p.value('node_sockstat_sockets_used'), 24);
    assert.equal(p.value('node_sockstat_TCP_mem_bytes'), 259 * 4096);
    assert.equal(p.value('node_sockstat_UDP_mem_bytes'), 2 * 4096);
    assert.equal(p.value('node_sockstat_TCP6_inuse'), 3);
    assert.equal(p.value('node_softnet_processed_total', { cpu: '1' }), 0x240b);
    assert.equal(p.value('node_softnet_dropped_total', { cpu: '1' }), 2);
    assert.equal(p.value('node_udp_queues', { ip: 'v4', queue: 'tx' }), 0x11);
    assert.equal(p.value('node_udp_queues', { ip: 'v4', queue: 'rx' }), 0x202);
    assert.equal(p.value('node_udp_queues', { ip: 'v6', queue: 'rx' }), undefined);
    assert.equal(p.value('node_arp_entries', { device: 'eth0' }), 2);
    assert.equal(p.value('node_arp_entries', { device: 'eth1' }), 1);
  } finally {
    fx.cleanup();
  }
});

test('netclass: numeric and hex attributes, unreadable ones skipped, speed in bytes', async () => {
  const fx = fixture({
    'sys/class/net/eth0/operstate': 'up\n',
    'sys/class/net/eth0/address': '02:fc:00:00:00:01\n',
    'sys/class/net/eth0/broadcast': 'ff:ff:ff:ff:ff:ff\n',
    'sys/class/net/eth0/duplex': 'full\n',
    'sys/class/net/eth0/flags': '0x1003\n',
    'sys/class/net/eth0/dev_id': '0x0\n',
    'sys/class/net/eth0/mtu': '1500\n',
    'sys/class/net/eth0/speed': '1000\n',
    'sys/class/net/eth0/carrier_changes': '2\n',
    'sys/class/net/bonding_masters': 'bond0\n',
    'sys/class/net/bond0/bonding/slaves': 'eth1 eth2 eth3\n',
    'sys/class/net/bond0/lower_eth1/bonding_slave/mii_status': 'up\n',
    'sys/class/net/bond0/lower_eth2/bonding_slave/mii_status': 'down\n',
    'sys/class/net/bond0/slave_eth3/bonding_slave/mii_status': 'up\n',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['netclass', 'bonding'] }).render());
    assert.equal(p.value('node_bonding_slaves', { master: 'bond0' }), 3);
    assert.equal(p.value('node_bonding_active', { master: 'bond0' }), 2);
    assert.equal(p.value('node_network_up', { device: 'eth0' }), 1);
    assert.equal(p.value('node_network_flags', { device: 'eth0' }), 4099);
    assert.equal(p.value('node_network_speed_bytes', { device: 'eth0' }), 125000000);
    assert.equal(p.value('node_network_mtu_bytes', { device: 'eth0' }), 1500);
    assert.equal(p.families.get('node_network_carrier_changes_total')!.type, 'counter');
    assert.equal(p.value('node_network_info', { address: '02:fc:00:00:00:01', broadcast: 'ff:ff:ff:ff:ff:ff', device: 'eth0', duplex: 'full', ifalias: '', operstate: 'up' }), 1);
    assert.equal(p.families.get('node_network_carrier'), undefined);
    assert.deepEqual([...p.series('node_network_up').keys()].sort(), ['device=bond0', 'device=eth0'], 'bonding_masters is a file, not a device');
  } finally {
    fx.cleanup();
  }
});

test('kernel collectors: loadavg, filefd, entropy, pressure, schedstat, conntrack, os, uname, time', async () => {
  const fx = fixture({
    'proc/loadavg': '1.54 0.43 0.15 2/300 1234\n',
    'proc/sys/fs/file-nr': '699\t0\t2466170\n',
    'proc/sys/kernel/random/entropy_avail': '256\n',
    'proc/sys/kernel/random/poolsize': '256\n',
    'proc/pressure/cpu': 'some avg10=0.00 avg60=0.00 avg300=0.00 total=22188337\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
    'proc/pressure/io': 'some avg10=0.00 avg60=0.00 avg300=0.00 total=3705550\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=3324025\n',
    'proc/pressure/memory': 'some avg10=0.00 avg60=0.00 avg300=0.00 total=5\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=4\n',
    'proc/schedstat': 'version 15\ntimestamp 4294\ncpu0 0 0 0 0 0 0 193905409644830 1000000000 2671310666\ndomain0 3 1 2 3\n',
    'proc/sys/net/netfilter/nf_conntrack_count': '12\n',
    'proc/sys/net/netfilter/nf_conntrack_max': '262144\n',
    'proc/net/stat/nf_conntrack':
      'entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n0000000c  00000000 00000001 00000000 00000002 00000003 00000000 00000000 00000004 00000000 00000005 00000000 00000000  00000000 00000000 00000000 00000006\n0000000c  00000000 00000001 00000000 00000002 00000003 00000000 00000000 00000004 00000000 00000005 00000000 00000000  00000000 00000000 00000000 00000006\n',
    'root/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n# comment\nVARIANT=\'Server \\"x\\"\'\n',
    'sys/devices/system/clocksource/clocksource0/available_clocksource': 'kvm-clock tsc \n',
    'sys/devices/system/clocksource/clocksource0/current_clocksource': 'tsc\n',
  });
  try {
    const p = readPage(
      await createNodeCollector({ ...fx.opts, collectors: ['loadavg', 'filefd', 'entropy', 'pressure', 'schedstat', 'conntrack', 'os', 'uname', 'time'] }).render(),
    );
    assert.equal(p.value('node_load1'), 1.54);
    assert.equal(p.value('node_load15'), 0.15);
    assert.equal(p.value('node_filefd_allocated'), 699);
    assert.equal(p.value('node_filefd_maximum'), 2466170);
    assert.equal(p.value('node_entropy_available_bits'), 256);
    assert.equal(p.value('node_pressure_cpu_waiting_seconds_total'), 22.188337);
    assert.equal(p.value('node_pressure_io_stalled_seconds_total'), 3324025 / 1000 / 1000);
    assert.equal(p.value('node_pressure_memory_stalled_seconds_total'), 4e-6);
    assert.equal(p.value('node_schedstat_running_seconds_total', { cpu: '0' }), 193905.40964483);
    assert.equal(p.value('node_schedstat_waiting_seconds_total', { cpu: '0' }), 1);
    assert.equal(p.value('node_schedstat_timeslices_total', { cpu: '0' }), 2671310666);
    assert.equal(p.value('node_nf_conntrack_entries'), 12);
    assert.equal(p.value('node_nf_conntrack_entries_limit'), 262144);
    assert.equal(p.value('node_nf_conntrack_stat_found'), 2);
    assert.equal(p.value('node_nf_conntrack_stat_search_restart'), 12);
    assert.equal(p.value('node_nf_conntrack_stat_drop'), 10);
    assert.equal(
      p.value('node_os_info', {
        build_id: '', id: 'debian', id_like: '', image_id: '', image_version: '', name: 'Debian GNU/Linux', pretty_name: 'Debian GNU/Linux 12 (bookworm)',
        variant: 'Server \\"x\\"', variant_id: '', version: '12 (bookworm)', version_codename: 'bookworm', version_id: '12',
      }),
      1,
    );
    assert.equal(p.value('node_os_version', { id: 'debian', id_like: '', name: 'Debian GNU/Linux' }), 12);
    assert.equal(p.series('node_uname_info').size, 1);
    assert.ok(Math.abs(p.value('node_time_seconds')! - Date.now() / 1000) < 5);
    assert.equal(p.value('node_time_clocksource_available_info', { clocksource: 'kvm-clock', device: '0' }), 1);
    assert.equal(p.value('node_time_clocksource_current_info', { clocksource: 'tsc', device: '0' }), 1);
    for (const c of ['loadavg', 'filefd', 'entropy', 'pressure', 'schedstat', 'conntrack', 'os', 'uname', 'time']) {
      assert.equal(p.value('node_scrape_collector_success', { collector: c }), 1, c);
    }
  } finally {
    fx.cleanup();
  }
});

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

test('textfile: valid files merged with label union; a bad file sets scrape_error 1 and is skipped', async () => {
  const fx = fixture({
    'tf/good.prom': '# HELP a_metric Some help\n# TYPE a_metric counter\na_metric{x="1"} 3\na_metric{y="2"} 4\nnohelp 1.5\n',
    'tf/hist.prom': '# TYPE lat histogram\nlat_bucket{le="0.1"} 1\nlat_bucket{le="+Inf"} 2\nlat_sum 0.3\nlat_count 2\n',
    'tf/bad.prom': 'bad{ 1\n',
    'tf/ts.prom': 'with_ts 1 1700000000000\n',
    'tf/ignored.txt': 'not_read 1\n',
  });
  const dir = join(fx.root, 'tf');
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['textfile'], textfileDirectory: dir }).render());
    assert.equal(p.value('node_textfile_scrape_error'), 1);
    assert.equal(p.value('a_metric', { x: '1', y: '' }), 3);
    assert.equal(p.value('a_metric', { x: '', y: '2' }), 4);
    assert.equal(p.families.get('nohelp')!.help, `Metric read from ${dir}/good.prom`);
    assert.equal(p.families.get('lat')!.type, 'histogram');
    assert.equal(p.families.get('lat')!.samples.length, 4);
    assert.equal(p.families.get('bad'), undefined);
    assert.equal(p.families.get('with_ts'), undefined);
    assert.equal(p.families.get('not_read'), undefined);
    assert.deepEqual([...p.series('node_textfile_mtime_seconds').keys()].sort(), [`file=${dir}/good.prom`, `file=${dir}/hist.prom`]);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'textfile' }), 1);
    // Only good files: no error.
    const ok = readPage(await createNodeCollector({ ...fx.opts, collectors: ['textfile'], textfileDirectory: join(fx.root, 'none') }).render());
    assert.equal(ok.value('node_textfile_scrape_error'), 1, 'a missing directory is an error');
    const none = readPage(await createNodeCollector({ ...fx.opts, collectors: ['textfile'] }).render());
    assert.equal(none.value('node_textfile_scrape_error'), 0, 'no directory configured is not an error');
  } finally {
    fx.cleanup();
  }
});

test('systemd (opt-in): unit states from cgroups, include/exclude filters', async () => {
  const fx = fixture({
    'sys/fs/cgroup/system.slice/ssh.service/cgroup.procs': '123\n',
    'sys/fs/cgroup/system.slice/cron.service/cgroup.procs': '',
    'sys/fs/cgroup/system.slice/dev-hugepages.mount/cgroup.procs': '1\n',
    'root/etc/systemd/system/multi-user.target.wants/nginx.service': '',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['systemd'] }).render());
    assert.equal(p.value('node_systemd_unit_state', { name: 'ssh.service', state: 'active', type: 'service' }), 1);
    assert.equal(p.value('node_systemd_unit_state', { name: 'ssh.service', state: 'inactive', type: 'service' }), 0);
    assert.equal(p.value('node_systemd_unit_state', { name: 'cron.service', state: 'inactive', type: 'service' }), 1);
    assert.equal(p.value('node_systemd_unit_state', { name: 'nginx.service', state: 'inactive', type: 'service' }), 1);
    assert.equal(p.series('node_systemd_unit_state').size, 15, 'mount units are excluded by default');
  } finally {
    fx.cleanup();
  }
});

const MDSTAT = `Personalities : [raid1] [raid0] [raid6] [raid5] [raid4]
md3 : active raid6 sda1[8] sdh1[7] sdg1[6] sdf1[5] sde1[11] sdd1[3] sdc1[10] sdb1[9] sdi1[12](S) sdj1[13](S)
      5853468288 blocks super 1.2 level 6, 64k chunk, algorithm 2 [8/8] [UUUUUUUU]

md127 : active raid1 sdi2[0] sdj2[1](F)
      312319552 blocks [2/1] [U_]
      [=>...................]  recovery =  8.5% (26604544/312319552) finish=32.1min speed=148166K/sec

md0 : active raid0 sdb2[1] sdc2[0]
      1024 blocks super 1.2 512k chunks

md4 : inactive sdd2[0](S)
      4883648 blocks

md6 : active raid1 sde2[0] sdf2[1]
      195310144 blocks [2/2] [UU]
      bitmap: 0/2 pages [0KB], 65536KB chunk
      [===>.................]  check = 15.3% (29880576/195310144) finish=19.2min speed=143284K/sec

md8 : active raid1 sdg2[0] sdh2[1]
      195310144 blocks [2/2] [UU]
        resync=PENDING

unused devices: <none>
`;

test('mdadm: raid levels, failed/spare disks, recovery, check, pending resync, bitmap lines', async () => {
  const fx = fixture({ 'proc/mdstat': MDSTAT });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['mdadm'] }).render());
    assert.equal(p.value('node_md_disks_required', { device: 'md3' }), 8);
    assert.equal(p.value('node_md_disks', { device: 'md3', state: 'active' }), 8);
    assert.equal(p.value('node_md_disks', { device: 'md3', state: 'spare' }), 2);
    assert.equal(p.value('node_md_blocks', { device: 'md3' }), 5853468288);
    assert.equal(p.value('node_md_state', { device: 'md3', state: 'active' }), 1);
    assert.equal(p.value('node_md_disks', { device: 'md127', state: 'failed' }), 1);
    assert.equal(p.value('node_md_disks', { device: 'md127', state: 'active' }), 1);
    assert.equal(p.value('node_md_state', { device: 'md127', state: 'recovering' }), 1);
    assert.equal(p.value('node_md_state', { device: 'md127', state: 'active' }), 0);
    assert.equal(p.value('node_md_blocks_synced', { device: 'md127' }), 26604544);
    assert.equal(p.value('node_md_disks_required', { device: 'md0' }), 2);
    assert.equal(p.value('node_md_blocks_synced', { device: 'md0' }), 1024);
    assert.equal(p.value('node_md_state', { device: 'md4', state: 'inactive' }), 1);
    assert.equal(p.value('node_md_disks_required', { device: 'md4' }), 0);
    assert.equal(p.value('node_md_state', { device: 'md6', state: 'check' }), 1);
    assert.equal(p.value('node_md_blocks_synced', { device: 'md6' }), 29880576);
    assert.equal(p.value('node_md_state', { device: 'md8', state: 'resync' }), 1);
    assert.equal(p.value('node_md_blocks_synced', { device: 'md8' }), 0);
    assert.equal(p.series('node_md_state').size, 30);
    // A malformed status line fails the collector with the line number.
    writeTree(fx.root, { 'proc/mdstat': 'md1 : active raid1 sda1[0]\n      garbage\n\n\n' });
    const bad = readPage(await createNodeCollector({ ...fx.opts, collectors: ['mdadm'] }).render());
    assert.equal(bad.value('node_scrape_collector_success', { collector: 'mdadm' }), 0);
  } finally {
    fx.cleanup();
  }
});

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
  assert.throws(() => createNodeCollector({ collectors: ['vmstat'], vmstatFields: '(' }), /--collector\.vmstat\.fields: invalid regular expression/);
});

test('render(only) restricts collectors like ?collect[] and rejects unknown names', async () => {
  const fx = fixture({ 'proc/loadavg': '1 2 3 1/1 1\n', 'proc/meminfo': 'MemTotal: 2 kB\n' });
  try {
    const c = createNodeCollector({ ...fx.opts, collectors: ['loadavg', 'meminfo'] });
    const p = readPage(await c.render(['loadavg']));
    assert.equal(p.value('node_load1'), 1);
    assert.equal(p.families.get('node_memory_MemTotal_bytes'), undefined);
    await assert.rejects(c.render(['cpu']), /missing collector: cpu/);
  } finally {
    fx.cleanup();
  }
});
