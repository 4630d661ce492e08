import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { labelsFromStrings } from '../../model/index.js';
import { openTsdb } from '../../tsdb/index.js';
import { tempDir, VIGIL_BIN } from '../../testutil/index.js';
import { nopLogger } from '../../util/index.js';

function vigil(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [VIGIL_BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

it('vigil tsdb import openmetrics / analyze / dump round-trip through real files', () => {
  const tmp = tempDir();
  try {
    const file = join(tmp.path, 'in.om');
    const lines: string[] = ['# TYPE node_load1 gauge'];
    for (let i = 0; i < 600; i++) lines.push(`node_load1{instance="h${i % 3}"} ${i / 10} ${1_700_000_000 + i * 30}`);
    lines.push('# TYPE up gauge', 'up{job="x"} NaN 1700000000.5', '# EOF');
    writeFileSync(file, lines.join('\n') + '\n');
    const data = join(tmp.path, 'data');
    let r = vigil('tsdb', 'import', 'openmetrics', file, data);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /imported 601 samples of 4 series into \d+ block/);
    r = vigil('tsdb', 'analyze', data);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Highest cardinality metric names:\n\s+3 node_load1/);
    r = vigil('tsdb', 'dump', data, '--match', 'node_load1{instance="h1"}', '--max-time', String(1_700_000_000_000 + 300_000));
    assert.equal(r.code, 0, r.err);
    const out = r.out.trim().split('\n');
    assert.equal(out.length, 4); // i = 1, 4, 7, 10 (t <= +300 s)
    assert.equal(out[0], '{__name__="node_load1", instance="h1"} 0.1 1700000030000');
    r = vigil('tsdb', 'dump', data, '--match', 'up');
    assert.equal(r.out, '{__name__="up", job="x"} NaN 1700000000500\n');
    writeFileSync(file, 'up{job="x" 1 2\n');
    r = vigil('tsdb', 'import', 'openmetrics', file, data);
    assert.equal(r.code, 2);
    assert.match(r.err, /in\.om:1:\d+: expected "," or "}"/);
    r = vigil('tsdb', 'dump', data, '--match', 'up{job=~"("}');
    assert.equal(r.code, 2);
  } finally {
    tmp.cleanup();
  }
});

it('vigil tsdb analyze / dump: a missing data directory is an error (exit 1), not an empty report', () => {
  const tmp = tempDir();
  try {
    const missing = join(tmp.path, 'no-such-dir');
    for (const sub of ['analyze', 'dump']) {
      const r = vigil('tsdb', sub, missing);
      assert.equal(r.code, 1, `${sub}: ${r.out}${r.err}`);
      assert.equal(r.err, `vigil tsdb ${sub}: ${missing}: no such data directory\n`);
      assert.equal(r.out, '');
    }
    // An existing directory without blocks or WAL samples has nothing to analyze (promtool: exit 1 too).
    const r = vigil('tsdb', 'analyze', tmp.path);
    assert.equal(r.code, 1);
    assert.match(r.err, /no data in .*: no blocks, and no samples in the WAL/);
    const d = vigil('tsdb', 'dump', tmp.path);
    assert.equal(d.code, 1);
    assert.match(d.err, /no TSDB data here \(no blocks and no wal\/ directory\)/);
  } finally {
    tmp.cleanup();
  }
});

it('vigil tsdb analyze: a data directory that only has a WAL (a stopped TSDB cuts no block) is analyzed from its head', async () => {
  const tmp = tempDir();
  try {
    const db = await openTsdb({ dir: tmp.path, logger: nopLogger(), compactionIntervalMs: 0 });
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 10; i++) {
      const app = db.appender();
      for (let h = 0; h < 4; h++) app.append(0, labelsFromStrings('__name__', 'node_load1', 'instance', `h${h}`), t0 + i * 15_000, i);
      app.append(0, labelsFromStrings('__name__', 'up', 'job', 'x'), t0 + i * 15_000, 1);
      await app.commit();
    }
    await db.close();
    // What the hint says: closing the TSDB leaves the head in the WAL and writes no block.
    assert.deepEqual(readdirSync(tmp.path).filter((f) => /^[0-9A-Z]{26}$/.test(f)), []);
    const r = vigil('tsdb', 'analyze', tmp.path);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^No blocks yet in .*: analyzing the head, read from the WAL \(blocks are cut every 2h0m of data, once the head spans 3h0m; stopping the server does not cut one\)\.\n/);
    assert.match(r.out, /\nSeries: 5 {2}Chunks: \d+/);
    assert.match(r.out, /Highest cardinality metric names:\n\s+4 node_load1\n\s+1 up\n/);
    // dump reads the same head from the WAL.
    const d = vigil('tsdb', 'dump', tmp.path, '--match', 'up');
    assert.equal(d.code, 0, d.err);
    assert.equal(d.out.trim().split('\n').length, 10);
  } finally {
    tmp.cleanup();
  }
});
