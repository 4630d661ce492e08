import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, readPage, writeTree } from '../fixture-tree.js';
import { createNodeCollector, type FsStats } from '../index.js';

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
    'udev/b8:0':
      'S:disk/by-id/x\nE:ID_MODEL=Disk_Model\nE:ID_SERIAL_SHORT=SN123\nE:ID_PATH=pci-0000:00:1f.2-ata-1\nE:ID_WWN=0x5000\nE:ID_REVISION=1.0\nE:ID_ATA=1\nE:ID_ATA_WRITE_CACHE=1\nE:ID_ATA_WRITE_CACHE_ENABLED=0\nE:ID_ATA_ROTATION_RATE_RPM=7200\nE:ID_FS_TYPE=ext4\nE:ID_FS_USAGE=filesystem\nE:ID_FS_UUID=3deafd0d\nE:ID_FS_VERSION=1.0\n',
    'udev/b253:0': 'E:DM_NAME=vg0-root\nE:DM_UUID=LVM-abc\nE:DM_VG_NAME=vg0\nE:DM_LV_NAME=root\nE:ID_FS_TYPE=xfs\n',
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
    assert.equal(p.value('node_disk_ata_rotation_rate_rpm', { device: 'sda' }), 7200);
    assert.equal(p.value('node_disk_ata_write_cache', { device: 'sda' }), 1);
    assert.equal(p.value('node_disk_ata_write_cache_enabled', { device: 'sda' }), 0);
    assert.equal(p.value('node_disk_ata_write_cache', { device: 'dm-0' }), undefined, 'not an ATA disk');
    assert.equal(p.value('node_disk_filesystem_info', { device: 'sda', type: 'ext4', usage: 'filesystem', uuid: '3deafd0d', version: '1.0' }), 1);
    assert.equal(p.value('node_disk_filesystem_info', { device: 'dm-0', type: 'xfs', usage: '', uuid: '', version: '' }), 1);
    const only = readPage(await createNodeCollector({ ...fx.opts, collectors: ['diskstats'], diskstatsDeviceInclude: '^sd' }).render());
    assert.deepEqual([...only.series('node_disk_reads_completed_total').keys()].sort(), ['device=sda', 'device=sda1'], 'include replaces the default exclude');
    assert.equal(p.value('node_disk_device_mapper_info', { device: 'dm-0', lv_layer: '', lv_name: 'root', name: 'vg0-root', uuid: 'LVM-abc', vg_name: 'vg0' }), 1);
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

test('filesystem: inside a container, mount points under --path.rootfs lose the prefix in labels', async () => {
  const fx = fixture({ 'proc/1/mounts': '' });
  const rootfs = join(fx.root, 'root');
  writeTree(fx.root, { 'proc/1/mounts': [`/dev/sda1 ${rootfs} ext4 rw 0 0`, `/dev/sdb1 ${rootfs}/data xfs ro 0 0`, '/dev/sdc1 /elsewhere ext4 rw 0 0'].join('\n') });
  const asked: string[] = [];
  try {
    const p = readPage(
      await createNodeCollector({ ...fx.opts, collectors: ['filesystem'], statfs: async (path) => (asked.push(path), FS) }).render(),
    );
    assert.deepEqual([...p.series('node_filesystem_size_bytes').keys()].sort(), [
      'device=/dev/sda1,fstype=ext4,mountpoint=/',
      'device=/dev/sdb1,fstype=xfs,mountpoint=/data',
      'device=/dev/sdc1,fstype=ext4,mountpoint=/elsewhere',
    ]);
    assert.ok(asked.includes(rootfs + '/data'), asked.join(' '));
  } finally {
    fx.cleanup();
  }
});

test('a collector that never finishes is cut off by the collector timeout; the scrape completes', async () => {
  const fx = fixture({ 'proc/1/mounts': '/dev/sda1 / ext4 rw 0 0\n', 'proc/loadavg': '1 2 3 1/1 1\n' });
  let release: (() => void) | undefined;
  try {
    const c = createNodeCollector({
      ...fx.opts,
      collectors: ['filesystem', 'loadavg'],
      filesystemMountTimeoutMs: 60_000,
      collectorTimeoutMs: 150,
      statfs: () => new Promise<FsStats>((resolve) => (release = () => resolve(FS))),
    });
    const t0 = Date.now();
    const p = readPage(await c.render());
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(p.value('node_scrape_collector_success', { collector: 'filesystem' }), 0);
    assert.equal(p.families.get('node_filesystem_device_error'), undefined, 'partial output of a timed-out collector is dropped');
    assert.equal(p.value('node_load1'), 1);
  } finally {
    release?.();
    fx.cleanup();
  }
});
