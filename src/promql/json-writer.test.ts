import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatValue, labelsFromObject } from '../model/index.js';
import { formatTimestamp, resultJson } from './api.js';
import { JsonBytesWriter } from './json-writer.js';
import type { MatrixSeries } from './values.js';

test('the byte writer pages large output and writes integers digit by digit', () => {
  const w = new JsonBytesWriter();
  let expected = '';
  for (let i = 0; i < 100_000; i++) {
    const n = i * 7919 + (i % 3 === 0 ? 9_007_199_254_740 : 0);
    w.uint(n);
    w.byte(0x2c);
    w.utf8('é"');
    expected += `${n},é"`;
  }
  assert.equal(w.finish().toString('utf8'), expected);
});

test('range results written as bytes equal the string formatting of every timestamp and value', () => {
  const values = [0, -0, 1, -1, 42, 1e15, -1e15 + 1, 1e21, 1.5, -0.000001234, 1 / 3, NaN, Infinity, -Infinity, 2 ** 53, 123456789012345, 0.1 + 0.2];
  const ts = [-1500, -1, 0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1672531200123, 1672531200000];
  const series: MatrixSeries[] = [
    { labels: labelsFromObject({ __name__: 'm', a: 'x<y>&"ü\u2028' }), ts: Float64Array.from(ts), vs: Float64Array.from(ts.map((_, i) => values[i % values.length]!)) },
    { labels: labelsFromObject({ b: '2' }), ts: Float64Array.from(values.map((_, i) => i * 15000)), vs: Float64Array.from(values) },
    { labels: labelsFromObject({}), ts: new Float64Array(0), vs: new Float64Array(0) },
  ];
  const text = resultJson({ resultType: 'matrix', result: series });
  // Prometheus' shape: Go escapes <, > and & in strings.
  assert.match(text, /"a":"x\\u003cy\\u003e\\u0026\\"ü\\u2028"/);
  const parsed = JSON.parse(text) as { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
  assert.equal(parsed.resultType, 'matrix');
  assert.equal(parsed.result.length, 3);
  for (let k = 0; k < series.length; k++) {
    const s = series[k]!;
    const got = parsed.result[k]!.values;
    assert.equal(got.length, s.ts.length);
    for (let i = 0; i < s.ts.length; i++) {
      assert.equal(got[i]![0], Number(formatTimestamp(s.ts[i]!)), `timestamp ${s.ts[i]}`);
      assert.equal(got[i]![1], formatValue(s.vs[i]!), `value ${s.vs[i]}`);
      // Byte for byte too (JSON.parse hides "1.500" vs "1.5").
      assert.ok(text.includes(`[${formatTimestamp(s.ts[i]!)},"${formatValue(s.vs[i]!)}"]`), `point ${s.ts[i]} ${s.vs[i]}`);
    }
  }
});
