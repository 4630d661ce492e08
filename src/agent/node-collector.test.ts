import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, makeUnreadable, readPage } from './fixture-tree.js';
import { createNodeCollector } from './index.js';

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
