import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, readPage, writeTree } from '../fixture-tree.js';
import { createNodeCollector } from '../index.js';

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

test('cpu info, flags and bugs from /proc/cpuinfo; softirq vectors from /proc/stat', async () => {
  const cpuinfo = (n: number): string =>
    `processor\t: ${n}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nmodel name\t: Intel(R) Xeon(R)\nstepping\t: 7\nmicrocode\t: 0x5003\ncache size\t: 36608 KB\nphysical id\t: 0\ncore id\t\t: ${n}\nflags\t\t: fpu sse sse2 aes avx avx2\nbugs\t\t: spectre_v1 mds\n`;
  const fx = fixture({ 'proc/stat': STAT, 'proc/cpuinfo': cpuinfo(0) + '\n' + cpuinfo(1) + '\n' });
  try {
    const p = readPage(
      await createNodeCollector({ ...fx.opts, collectors: ['cpu', 'stat'], cpuInfo: true, cpuInfoFlagsInclude: '^avx', cpuInfoBugsInclude: 'spectre', statSoftirq: true }).render(),
    );
    const labels = { cachesize: '36608 KB', core: '1', cpu: '1', family: '6', microcode: '0x5003', model: '85', model_name: 'Intel(R) Xeon(R)', package: '0', stepping: '7', vendor: 'GenuineIntel' };
    assert.equal(p.value('node_cpu_info', labels), 1);
    assert.equal(p.series('node_cpu_info').size, 2);
    assert.deepEqual([...p.series('node_cpu_flag_info').keys()], ['flag=avx', 'flag=avx2']);
    assert.deepEqual([...p.series('node_cpu_bug_info').keys()], ['bug=spectre_v1']);
    // softirq line "1 2 3": total 1, then hi=2, timer=3.
    assert.equal(p.value('node_softirqs_total', { vector: 'hi' }), 2);
    assert.equal(p.value('node_softirqs_total', { vector: 'timer' }), 3);
    assert.equal(p.series('node_softirqs_total').size, 2);
    const off = readPage(await createNodeCollector({ ...fx.opts, collectors: ['cpu', 'stat'] }).render());
    assert.equal(off.families.get('node_cpu_info'), undefined);
    assert.equal(off.families.get('node_softirqs_total'), undefined);
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

test('interrupts: numbered and named IRQs, ERR/MIS totals skipped', async () => {
  const fx = fixture({
    'proc/interrupts': [
      '           CPU0       CPU1       ',
      '  0:         36          0   IO-APIC   2-edge      timer',
      ' 28:          0          0 PCI-MSIX-0000:00:01.0   0-edge      virtio0-config',
      ' 42:          5          7  IR-PCI-MSI 512000-edge',
      'NMI:          0          1   Non-maskable interrupts',
      'LOC:    1518546    1430507   Local timer interrupts',
      'ERR:          0',
      'MIS:          0',
    ].join('\n'),
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['interrupts'] }).render());
    assert.equal(p.value('node_interrupts_total', { cpu: '0', devices: '2-edge timer', info: 'IO-APIC', type: '0' }), 36);
    assert.equal(p.value('node_interrupts_total', { cpu: '1', devices: '512000-edge', info: 'IR-PCI-MSI', type: '42' }), 7);
    assert.equal(p.value('node_interrupts_total', { cpu: '1', devices: '', info: 'Local timer interrupts', type: 'LOC' }), 1430507);
    assert.equal(p.value('node_interrupts_total', { cpu: '1', devices: '', info: 'Non-maskable interrupts', type: 'NMI' }), 1);
    assert.equal(p.series('node_interrupts_total').size, 10, 'ERR and MIS are skipped');
    assert.equal(p.families.get('node_interrupts_total')!.type, 'counter');
  } finally {
    fx.cleanup();
  }
});

test('buddyinfo and cgroups (opt-in)', async () => {
  const fx = fixture({
    'proc/buddyinfo': 'Node 0, zone      DMA      0      0      1\nNode 0, zone   Normal  17517  18401  21136\n',
    'proc/cgroups': '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t3\t1\t1\nmemory\t5\t56\t1\nrdma\t0\t1\t0\n',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['buddyinfo', 'cgroups'] }).render());
    assert.equal(p.value('node_buddyinfo_blocks', { node: '0', size: '2', zone: 'DMA' }), 1);
    assert.equal(p.value('node_buddyinfo_blocks', { node: '0', size: '1', zone: 'Normal' }), 18401);
    assert.equal(p.series('node_buddyinfo_blocks').size, 6);
    assert.equal(p.value('node_cgroups_cgroups', { subsys_name: 'memory' }), 56);
    assert.equal(p.value('node_cgroups_enabled', { subsys_name: 'rdma' }), 0);
  } finally {
    fx.cleanup();
  }
});

test('meminfo_numa (opt-in): per-node meminfo in bytes without suffix, numastat counters', async () => {
  const fx = fixture({
    'sys/devices/system/node/node0/meminfo': 'Node 0 MemTotal:        6514892 kB\nNode 0 Active(anon):        1860 kB\nNode 0 HugePages_Total:     0\n',
    'sys/devices/system/node/node0/numastat': 'numa_hit 69173949\nnuma_miss 0\n',
    'sys/devices/system/node/node1/meminfo': 'Node 1 MemTotal:        1024 kB\n',
    'sys/devices/system/node/node1/numastat': 'numa_hit 5\n',
    'sys/devices/system/node/possible': '0-1\n',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['meminfo_numa'] }).render());
    assert.equal(p.value('node_memory_numa_MemTotal', { node: '0' }), 6514892 * 1024);
    assert.equal(p.value('node_memory_numa_Active_anon', { node: '0' }), 1860 * 1024);
    assert.equal(p.value('node_memory_numa_HugePages_Total', { node: '0' }), 0);
    assert.equal(p.value('node_memory_numa_MemTotal', { node: '1' }), 1024 * 1024);
    assert.equal(p.value('node_memory_numa_numa_hit_total', { node: '1' }), 5);
    assert.equal(p.families.get('node_memory_numa_numa_hit_total')!.type, 'counter');
    assert.equal(p.families.get('node_memory_numa_MemTotal')!.help, 'Memory information field MemTotal.');
  } finally {
    fx.cleanup();
  }
});

test('ksmd (opt-in): counters, gauges and sleep in seconds', async () => {
  const files: Record<string, string> = {};
  for (const [f, v] of Object.entries({ full_scans: '7', merge_across_nodes: '1', pages_shared: '0', pages_sharing: '0', pages_to_scan: '100', pages_unshared: '0', pages_volatile: '0', run: '0', sleep_millisecs: '20' })) {
    files[`sys/kernel/mm/ksm/${f}`] = v + '\n';
  }
  const fx = fixture(files);
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['ksmd'] }).render());
    assert.equal(p.value('node_ksmd_full_scans_total'), 7);
    assert.equal(p.families.get('node_ksmd_full_scans_total')!.type, 'counter');
    assert.equal(p.value('node_ksmd_sleep_seconds'), 0.02);
    assert.equal(p.value('node_ksmd_pages_to_scan'), 100);
    assert.equal(p.families.get('node_ksmd_run')!.help, "ksmd 'run' file.");
  } finally {
    fx.cleanup();
  }
});
