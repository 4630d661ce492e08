import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration, parseFlags, Router, UserError } from './index.js';

test('durations parse and format like Prometheus', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('15s'), 15_000);
  assert.equal(parseDuration('100ms'), 100);
  assert.equal(parseDuration('1y'), 365 * 86_400_000);
  assert.equal(parseDuration('0'), 0);
  assert.throws(() => parseDuration('1m1h'));
  assert.throws(() => parseDuration('5'));
  assert.throws(() => parseDuration(''));
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(1500), '1s500ms');
  assert.equal(formatDuration(15 * 86_400_000), '15d');
  assert.equal(formatDuration(14 * 86_400_000), '2w');
  assert.equal(formatDuration(365 * 86_400_000), '1y');
});

test('flags accept kingpin forms, negation, repetition and defaults', () => {
  const specs = [
    { name: 'web.listen-address', kind: 'string' as const, help: '', default: ':9090' },
    { name: 'web.enable-lifecycle', kind: 'bool' as const, help: '' },
    { name: 'collector.cpu', kind: 'bool' as const, help: '', default: true },
    { name: 'retention', kind: 'duration' as const, help: '', default: '15d' },
    { name: 'rule', kind: 'strings' as const, help: '', default: ['a'] },
  ];
  const f = parseFlags(specs, ['--web.listen-address', '127.0.0.1:1', '--web.enable-lifecycle', '--no-collector.cpu', '--rule=x', '--rule=y', 'pos']);
  assert.equal(f.string('web.listen-address'), '127.0.0.1:1');
  assert.equal(f.bool('web.enable-lifecycle'), true);
  assert.equal(f.bool('collector.cpu'), false);
  assert.equal(f.duration('retention'), 15 * 86_400_000);
  assert.deepEqual(f.strings('rule'), ['x', 'y']);
  assert.deepEqual(f.positional, ['pos']);
  assert.throws(() => parseFlags(specs, ['--nope']), UserError);
  assert.throws(() => parseFlags(specs, ['--retention=abc']), /retention/);
  assert.deepEqual(parseFlags(specs, []).strings('rule'), ['a']);
});

test('router matches params, rest segments and reports wrong methods', () => {
  const r = new Router();
  const h = (): void => {};
  r.add({ method: 'GET', path: '/label/:name/values', handler: h }, '/api/v1');
  r.add({ method: 'POST', path: '/static/*file', handler: h });
  const m = r.match('GET', '/api/v1/label/job/values');
  assert.ok(m && m !== 'method');
  assert.deepEqual(m.params, { name: 'job' });
  const s = r.match('POST', '/static/a/b.js');
  assert.ok(s && s !== 'method');
  assert.deepEqual(s.params, { file: 'a/b.js' });
  assert.equal(r.match('POST', '/api/v1/label/job/values'), 'method');
  assert.equal(r.match('GET', '/nothing'), null);
});
