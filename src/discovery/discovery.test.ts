import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { labelsFromStrings, labelsToObject } from '../model/index.js';
import { eventually, tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { discovererContract } from './contract.js';
import { expandGlob, FileDiscoverer, parseTargetGroupsFile, StaticDiscoverer, type TargetGroup } from './index.js';

discovererContract('static', async () => ({
  discoverer: new StaticDiscoverer([
    { targets: ['a:1', 'b:2'], labels: labelsFromStrings('env', 'x') },
    { targets: ['c:3'], labels: [] },
  ]),
  expectedAddresses: ['a:1', 'b:2', 'c:3'],
  cleanup: () => undefined,
}));

discovererContract('file', async () => {
  const d = tempDir('vigil-fsd-');
  writeFileSync(join(d.path, 'a.json'), JSON.stringify([{ targets: ['a:1'], labels: { x: '1' } }, { targets: ['b:2'] }]));
  writeFileSync(join(d.path, 'b.yml'), '- targets: [c:3]\n');
  return { discoverer: new FileDiscoverer({ files: [join(d.path, '*.json'), join(d.path, '*.yml')], refreshInterval: 60_000 }, nopLogger()), expectedAddresses: ['a:1', 'b:2', 'c:3'], cleanup: d.cleanup };
});

test('file_sd parses JSON and YAML, adds __meta_filepath, rejects bad label names and unknown YAML fields', () => {
  const g = parseTargetGroupsFile('[{"targets": ["h:1"], "labels": {"a": "b"}, "ignored": 1}]', '/x/t.json');
  assert.deepEqual(labelsToObject(g[0]!.labels), { a: 'b', __meta_filepath: '/x/t.json' });
  assert.equal(g[0]!.source, '/x/t.json:0');
  assert.deepEqual(parseTargetGroupsFile('', '/x/e.yml'), []);
  assert.throws(() => parseTargetGroupsFile('- targets: [h:1]\n  labels: {"a-b": x}\n', '/x/t.yml'), /"a-b" is not a valid label name/);
  assert.throws(() => parseTargetGroupsFile('- targets: [h:1]\n  extra: 1\n', '/x/t.yml'), /field extra not found/);
  assert.throws(() => parseTargetGroupsFile('{"targets": []}', '/x/t.json'), /expected a list/);
});

test('file_sd follows edits via fs.watch, keeps the last good targets of a broken file, and empties deleted files', async () => {
  const d = tempDir('vigil-fsd-');
  const sub = join(d.path, 'sd');
  mkdirSync(sub);
  const file = join(sub, 't.yml');
  writeFileSync(file, '- targets: [a:1]\n');
  // A long refresh interval: updates must come from the watcher.
  const disc = new FileDiscoverer({ files: [join(sub, '*.yml')], refreshInterval: 600_000 }, nopLogger());
  const ac = new AbortController();
  const updates: TargetGroup[][] = [];
  const running = disc.run(ac.signal, (g) => updates.push(g));
  const addrs = (u: TargetGroup[] | undefined): string[] => (u ?? []).flatMap((g) => g.targets.map((t) => labelsToObject(t)['__address__']!)).sort();
  try {
    await eventually(async () => updates.length >= 1);
    assert.deepEqual(addrs(updates[0]), ['a:1']);
    writeFileSync(file, '- targets: [a:1, b:2]\n');
    await eventually(async () => addrs(updates.at(-1)).length === 2);
    const before = disc.readErrors;
    writeFileSync(file, '- targets: [unclosed\n');
    await eventually(async () => disc.readErrors > before);
    assert.deepEqual(addrs(updates.at(-1)), ['a:1', 'b:2'], 'broken file keeps its last good targets');
    rmSync(file);
    await eventually(async () => {
      const last = updates.at(-1)!;
      return last.length > 0 && last.every((g) => g.targets.length === 0);
    });
  } finally {
    ac.abort();
    await running;
    d.cleanup();
  }
});

test('file_sd polls on refresh_interval too', async () => {
  const d = tempDir('vigil-fsd-');
  const disc = new FileDiscoverer({ files: [join(d.path, 'late.json')], refreshInterval: 200 }, nopLogger());
  const ac = new AbortController();
  const updates: TargetGroup[][] = [];
  const running = disc.run(ac.signal, (g) => updates.push(g));
  try {
    await eventually(async () => updates.length >= 1);
    assert.deepEqual(updates[0], []);
    writeFileSync(join(d.path, 'late.json'), '[{"targets": ["z:9"]}]');
    await eventually(async () => updates.some((u) => u.length === 1 && u[0]!.targets.length === 1));
  } finally {
    ac.abort();
    await running;
    d.cleanup();
  }
});

test('globs expand like filepath.Glob in the last path element', () => {
  const d = tempDir('vigil-glob-');
  try {
    for (const n of ['a.json', 'b.json', 'c.yml', 'ab.json']) writeFileSync(join(d.path, n), '[]');
    assert.deepEqual(expandGlob(join(d.path, '*.json')).map((p) => p.slice(d.path.length + 1)), ['a.json', 'ab.json', 'b.json']);
    assert.deepEqual(expandGlob(join(d.path, '?.json')).map((p) => p.slice(d.path.length + 1)), ['a.json', 'b.json']);
    assert.deepEqual(expandGlob(join(d.path, '[ab].json')).map((p) => p.slice(d.path.length + 1)), ['a.json', 'b.json']);
    assert.deepEqual(expandGlob(join(d.path, 'missing', '*.json')), []);
  } finally {
    d.cleanup();
  }
});
