import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStaleNaN, labelsToString } from '../../model/index.js';
import { parseMetric, parseValues } from './series.js';

const vals = (s: string): Array<number | '_' | 'stale'> => parseValues(s).map((v) => (v.omitted ? '_' : isStaleNaN(v.value) ? 'stale' : v.value));

test('expanding notation', () => {
  assert.deepEqual(vals('1+2x3'), [1, 3, 5, 7]);
  assert.deepEqual(vals('1-1x3'), [1, 0, -1, -2]);
  assert.deepEqual(vals('-2+1x2'), [-2, -1, 0]);
  assert.deepEqual(vals('5x2'), [5, 5, 5]);
  assert.deepEqual(vals('0x10').length, 11, '0x10 is "0 repeated", never hex');
  assert.deepEqual(vals('1 _ 2 _x2 stale 3'), [1, '_', 2, '_', '_', 'stale', 3]);
  assert.deepEqual(vals('stalex2'), ['stale', 'stale', 'stale']);
  assert.deepEqual(vals('Inf -Inf 1e3 .5'), [Infinity, -Infinity, 1000, 0.5]);
  assert.ok(Number.isNaN(vals('NaN')[0]));
  assert.deepEqual(vals(''), []);
  assert.throws(() => parseValues('1+2'), /missing "x<count>"/);
  assert.throws(() => parseValues('abc'), /unexpected "abc"/);
});

test('series descriptions', () => {
  assert.equal(labelsToString(parseMetric('up{job="a", instance="x:1"}')), '{__name__="up", instance="x:1", job="a"}');
  assert.equal(labelsToString(parseMetric('{__name__="up",a=\'b\'}')), '{__name__="up", a="b"}');
  assert.equal(labelsToString(parseMetric('job:up:sum')), '{__name__="job:up:sum"}');
  assert.equal(labelsToString(parseMetric('{}')), '{}');
  assert.equal(labelsToString(parseMetric('x{a="q\\"\\n\\u00e9"}')), '{__name__="x", a="q\\"\\né"}');
  assert.equal(labelsToString(parseMetric('x{a=`raw\\n`,}')), '{__name__="x", a="raw\\\\n"}');
  assert.throws(() => parseMetric('x{a="1", a="2"}'), /duplicate label name a/);
  assert.throws(() => parseMetric('x{a=1}'), /expected quoted label value/);
  assert.throws(() => parseMetric('x{a="1"'), /expected "," or "}"/);
  assert.throws(() => parseMetric(''), /empty series description/);
});
