import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelsFromObject, labelsToObject } from '../model/index.js';
import { expandTemplate, hashmod, newRelabelConfig, relabel, RelabelConfigError, type RawRelabelConfig } from './index.js';

function run(input: Record<string, string>, ...cfgs: RawRelabelConfig[]): Record<string, string> | null {
  const out = relabel(labelsFromObject(input), cfgs.map((c) => newRelabelConfig(c)));
  return out === null ? null : labelsToObject(out);
}

test('defaults are Prometheus’: action replace, regex (.*), replacement $1, separator ;', () => {
  const c = newRelabelConfig({ targetLabel: 'x' });
  assert.equal(c.action, 'replace');
  assert.equal(c.regex, '(.*)');
  assert.equal(c.replacement, '$1');
  assert.equal(c.separator, ';');
  assert.deepEqual(run({ a: '1', b: '2' }, { sourceLabels: ['a', 'b'], targetLabel: 'c' }), { a: '1', b: '2', c: '1;2' });
});

test('replace: anchored regex, ${1} and named groups, invalid target deletes, empty result deletes', () => {
  assert.deepEqual(run({ a: 'foo-bar' }, { sourceLabels: ['a'], regex: 'foo-(.*)', targetLabel: 'b', replacement: 'x_${1}_y' }), { a: 'foo-bar', b: 'x_bar_y' });
  // Anchored: "oo" does not match "foo".
  assert.deepEqual(run({ a: 'foo' }, { sourceLabels: ['a'], regex: 'oo', targetLabel: 'b', replacement: 'z' }), { a: 'foo' });
  assert.deepEqual(run({ a: 'h:9' }, { sourceLabels: ['a'], regex: '(?P<host>[^:]+):(\\d+)', targetLabel: 'b', replacement: '$host/$2' }), { a: 'h:9', b: 'h/9' });
  // $1x is the (missing) group "1x" as in Go; $$ is a literal dollar.
  assert.deepEqual(run({ a: 'v' }, { sourceLabels: ['a'], targetLabel: 'b', replacement: '$1x|$$|${1}x' }), { a: 'v', b: '|$|vx' });
  // Target name from the match: valid → set, invalid → the literal target label is deleted.
  assert.deepEqual(run({ a: 'name' }, { sourceLabels: ['a'], targetLabel: 'l_$1', replacement: 'v' }), { a: 'name', l_name: 'v' });
  assert.deepEqual(run({ a: 'a.b', 'l_$1': 'x' }, { sourceLabels: ['a'], targetLabel: 'l_$1', replacement: 'v' }), { a: 'a.b' });
  // An emptied label set is reported as dropped (null): a target/series without labels is dropped.
  assert.deepEqual(run({ a: '', b: 'x' }, { sourceLabels: ['a'], targetLabel: 'b' }), null);
  assert.deepEqual(run({ a: '', b: 'x', c: 'y' }, { sourceLabels: ['a'], targetLabel: 'b' }), { c: 'y' });
  // 2.x: '.' does not match a newline.
  assert.deepEqual(run({ a: 'x\ny' }, { sourceLabels: ['a'], regex: 'x.y', targetLabel: 'b', replacement: 'm' }), { a: 'x\ny' });
});

test('keep, drop, keepequal, dropequal', () => {
  assert.equal(run({ a: 'x' }, { sourceLabels: ['a'], regex: 'y', action: 'keep' }), null);
  assert.deepEqual(run({ a: 'y' }, { sourceLabels: ['a'], regex: 'y', action: 'keep' }), { a: 'y' });
  assert.equal(run({ a: 'y' }, { sourceLabels: ['a'], regex: 'y|z', action: 'drop' }), null);
  assert.deepEqual(run({ a: 'x' }, { sourceLabels: ['a'], regex: 'y|z', action: 'DROP' }), { a: 'x' });
  assert.deepEqual(run({ a: '1', b: '1' }, { sourceLabels: ['a'], targetLabel: 'b', action: 'keepequal' }), { a: '1', b: '1' });
  assert.equal(run({ a: '1', b: '2' }, { sourceLabels: ['a'], targetLabel: 'b', action: 'keepequal' }), null);
  assert.equal(run({ a: '1', b: '1' }, { sourceLabels: ['a'], targetLabel: 'b', action: 'dropequal' }), null);
  assert.deepEqual(run({ a: '1', b: '2' }, { sourceLabels: ['a'], targetLabel: 'b', action: 'dropequal' }), { a: '1', b: '2' });
});

test('hashmod gives the shard Prometheus 2.42 gives (values taken from the real binary)', () => {
  // Observed from Prometheus' /api/v1/targets in the differential test config.
  assert.equal(hashmod('127.0.0.1:32975', 8), 5);
  assert.equal(hashmod('127.0.0.1:33851', 8), 0);
  assert.equal(hashmod('127.0.0.1:34077', 8), 5);
  assert.equal(hashmod('127.0.0.1:32975', 1000), 189);
  assert.equal(hashmod('127.0.0.1:33851', 1000), 872);
  assert.equal(hashmod('127.0.0.1:34077', 1000), 29);
  assert.deepEqual(run({ __address__: '127.0.0.1:33851' }, { sourceLabels: ['__address__'], modulus: 1000, targetLabel: 's', action: 'hashmod' }), {
    __address__: '127.0.0.1:33851',
    s: '872',
  });
});

test('labelmap, labeldrop, labelkeep, lowercase, uppercase', () => {
  assert.deepEqual(run({ __meta_x_a: '1', __meta_x_b: '2', c: '3' }, { regex: '__meta_x_(.+)', replacement: 'm_$1', action: 'labelmap' }), {
    __meta_x_a: '1',
    __meta_x_b: '2',
    c: '3',
    m_a: '1',
    m_b: '2',
  });
  assert.deepEqual(run({ tmp_a: '1', tmp_b: '2', c: '3' }, { regex: 'tmp_.*', action: 'labeldrop' }), { c: '3' });
  assert.deepEqual(run({ tmp_a: '1', tmp_b: '2', c: '3' }, { regex: 'tmp_.*', action: 'labelkeep' }), { tmp_a: '1', tmp_b: '2' });
  assert.deepEqual(run({ a: 'MiXed' }, { sourceLabels: ['a'], targetLabel: 'l', action: 'lowercase' }, { sourceLabels: ['a'], targetLabel: 'u', action: 'uppercase' }), {
    a: 'MiXed',
    l: 'mixed',
    u: 'MIXED',
  });
});

test('validation errors are Prometheus’ messages', () => {
  const bad: Array<[RawRelabelConfig, RegExp]> = [
    [{ action: 'nope' }, /unknown relabel action "nope"/],
    [{ action: '' }, /relabel action cannot be empty/],
    [{ action: 'hashmod', targetLabel: 'x' }, /requires non-zero modulus/],
    [{ action: 'replace' }, /replace action requires 'target_label' value/],
    [{ action: 'replace', targetLabel: 'a-b' }, /"a-b" is invalid 'target_label' for replace action/],
    [{ action: 'lowercase', targetLabel: 'x', replacement: 'y' }, /'replacement' can not be set for lowercase action/],
    [{ action: 'labelmap', replacement: 'a-$1' }, /"a-\$1" is invalid 'replacement' for labelmap action/],
    [{ action: 'hashmod', modulus: 2, targetLabel: 'x_$1' }, /"x_\$1" is invalid 'target_label' for hashmod action/],
    [{ action: 'keepequal', targetLabel: 'x', regex: 'a' }, /keepequal action requires only 'source_labels' and `target_label`/],
    [{ action: 'labeldrop', sourceLabels: ['a'] }, /labeldrop action requires only 'regex', and no other fields/],
    [{ action: 'labelkeep', targetLabel: 'x' }, /labelkeep action requires only 'regex'/],
    [{ sourceLabels: ['1a'], targetLabel: 'x' }, /"1a" is not a valid label name/],
    [{ targetLabel: 'x', regex: '(' }, /error parsing regexp/],
  ];
  for (const [cfg, re] of bad) assert.throws(() => newRelabelConfig(cfg), (e: unknown) => e instanceof RelabelConfigError && re.test((e as Error).message), JSON.stringify(cfg));
});

test('expandTemplate follows Go regexp.Expand', () => {
  const m = /^(?<a>x)(y)$/.exec('xy')!;
  assert.equal(expandTemplate('$a-$2-${a}-${2}-$3-$$-$-${', m), 'x-y-x-y--$-$-${');
  assert.equal(expandTemplate('no dollars', m), 'no dollars');
  assert.equal(expandTemplate('$01', m), '');
});
