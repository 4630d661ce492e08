import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { tempDir, VIGIL_BIN } from '../../testutil/index.js';

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
