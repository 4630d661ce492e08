import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileAnchoredRegex,
  formatValue,
  hashLabels,
  labelsCompare,
  labelsFromObject,
  labelsFromStrings,
  LabelsBuilder,
  labelsToString,
  Matcher,
  MatchType,
  seriesToString,
  STALE_NAN,
  isStaleNaN,
} from './index.js';

test('labels are sorted, empty values dropped, and compared like Prometheus', () => {
  const ls = labelsFromObject({ job: 'node', __name__: 'up', empty: '' });
  assert.deepEqual(ls.map((l) => l.name), ['__name__', 'job']);
  assert.equal(labelsToString(ls), '{__name__="up", job="node"}');
  assert.equal(seriesToString(ls), 'up{job="node"}');
  assert.ok(labelsCompare(labelsFromStrings('a', '1'), labelsFromStrings('a', '1', 'b', '2')) < 0);
  assert.ok(labelsCompare(labelsFromStrings('a', '2'), labelsFromStrings('a', '10')) > 0);
  const b = new LabelsBuilder(ls).set('instance', 'x').del('job').set('__name__', '');
  assert.deepEqual(b.labels(), labelsFromStrings('instance', 'x'));
});

test('label hashes differ for different sets and agree for equal ones', () => {
  const a = hashLabels(labelsFromStrings('a', 'b', 'c', 'd'));
  assert.equal(a, hashLabels(labelsFromStrings('c', 'd', 'a', 'b')));
  assert.notEqual(a, hashLabels(labelsFromStrings('a', 'bc', 'd', '')));
  assert.notEqual(a, hashLabels(labelsFromStrings('a', 'b', 'c', 'e')));
  assert.ok(Number.isSafeInteger(a));
});

test('stale NaN is distinguishable from other NaNs', () => {
  assert.ok(isStaleNaN(STALE_NAN));
  assert.ok(!isStaleNaN(NaN));
  assert.ok(!isStaleNaN(0));
  assert.ok(!isStaleNaN(STALE_NAN + 1));
});

test('values format as Prometheus API numbers', () => {
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(Infinity), '+Inf');
  assert.equal(formatValue(-Infinity), '-Inf');
  assert.equal(formatValue(1.5), '1.5');
  assert.equal(formatValue(1e21), '1000000000000000000000');
  assert.equal(formatValue(1.25e-7), '0.000000125');
  assert.equal(formatValue(-3e22), '-30000000000000000000000');
});

test('regex matchers are anchored and follow RE2 conventions', () => {
  const m = new Matcher(MatchType.Regexp, 'job', 'node|api');
  assert.ok(m.matches('node') && !m.matches('nodes') && !m.matches('xnode'));
  assert.ok(new Matcher(MatchType.Regexp, 'x', '(?i)FOO.*').matches('foobar'));
  assert.ok(new Matcher(MatchType.Regexp, 'x', '[[:digit:]]+').matches('123'));
  assert.ok(new Matcher(MatchType.Regexp, 'x', 'a.b').matches('a\nb'), '3.x: dot matches newline');
  assert.ok(!compileAnchoredRegex('a.b', { dotAll: false }).test('a\nb'), '2.x: dot does not match newline');
  assert.ok(new Matcher(MatchType.NotRegexp, 'x', 'a+').matches(''));
  assert.ok(new Matcher(MatchType.Regexp, 'x', '\\Qa.b\\E').matches('a.b'));
  assert.ok(!new Matcher(MatchType.Regexp, 'x', '\\Qa.b\\E').matches('axb'));
  assert.throws(() => new Matcher(MatchType.Regexp, 'x', '(a)\\1'));
  assert.throws(() => new Matcher(MatchType.Regexp, 'x', 'a(?=b)'));
  assert.throws(() => new Matcher(MatchType.Regexp, 'x', '('));
});
