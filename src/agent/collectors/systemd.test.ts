import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, readPage } from '../fixture-tree.js';
import { createNodeCollector } from '../index.js';

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
