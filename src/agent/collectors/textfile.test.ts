import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, readPage } from '../fixture-tree.js';
import { createNodeCollector } from '../index.js';

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
