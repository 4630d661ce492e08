import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHelp, escapeLabelValue, formatGoFloat } from './format.js';
import { parseTextFormat, TextParseError } from './textformat.js';

test('formatGoFloat prints like Go strconv.FormatFloat(v, g, -1, 64)', () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [1, '1'],
    [-1, '-1'],
    [731262, '731262'],
    [999999, '999999'],
    [1e6, '1e+06'],
    [2466170, '2.46617e+06'],
    [16777216, '1.6777216e+07'],
    [270553174016, '2.70553174016e+11'],
    [1795320538, '1.795320538e+09'],
    [0.036000000000000004, '0.036000000000000004'],
    [3.3240250000000002, '3.3240250000000002'],
    [0.000140579, '0.000140579'],
    [2.2703e-5, '2.2703e-05'],
    [5.5e-7, '5.5e-07'],
    [1.7953237122472837e9, '1.7953237122472837e+09'],
    [-125000, '-125000'],
    [123456.5, '123456.5'],
    [1234567.5, '1.2345675e+06'],
    [1e21, '1e+21'],
    [1.5e300, '1.5e+300'],
    [5e-324, '5e-324'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [-0.5, '-0.5'],
  ];
  for (const [v, want] of cases) assert.equal(formatGoFloat(v), want, `formatGoFloat(${v})`);
});

test('label values and HELP are escaped as the text format requires', () => {
  assert.equal(escapeLabelValue('plain'), 'plain');
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  assert.equal(escapeHelp('x\\y\nz "q"'), 'x\\\\y\\nz "q"');
});

test('parseTextFormat reads families, labels, escapes and histogram suffixes', () => {
  const fams = parseTextFormat(
    [
      '# HELP a_total A counter\\nwith newline',
      '# TYPE a_total counter',
      'a_total{path="/x",q="a\\"b\\\\"} 3',
      'a_total 4.5e+06',
      '# TYPE h histogram',
      'h_bucket{le="1"} 1',
      'h_bucket{le="+Inf"} 2',
      'h_sum 3',
      'h_count 2',
      '# a free comment',
      '',
      'bare NaN',
      'inf_val +Inf 1700000000000',
    ].join('\n'),
    't.prom',
  );
  assert.deepEqual(
    fams.map((f) => [f.name, f.type, f.samples.length]),
    [
      ['a_total', 'counter', 2],
      ['h', 'histogram', 4],
      ['bare', 'untyped', 1],
      ['inf_val', 'untyped', 1],
    ],
  );
  assert.equal(fams[0]!.help, 'A counter\nwith newline');
  assert.deepEqual(fams[0]!.samples[0]!.labels, [
    ['path', '/x'],
    ['q', 'a"b\\'],
  ]);
  assert.equal(fams[0]!.samples[1]!.value, 4.5e6);
  assert.ok(Number.isNaN(fams[2]!.samples[0]!.value));
  assert.equal(fams[3]!.samples[0]!.timestampMs, 1700000000000);
});

test('parseTextFormat rejects malformed input with file:line', () => {
  const bad: Array<[string, RegExp]> = [
    ['bad{ 1', /t\.prom:1: .*label name/],
    ['ok 1\nx{a="1"} nope', /t\.prom:2: invalid value "nope"/],
    ['x{a="1",a="2"} 1', /duplicate label name "a"/],
    ['x 1\nx 2', /t\.prom:2: duplicate sample/],
    ['# TYPE x foo\n', /unknown metric type "foo"/],
    ['x 1\n# TYPE x gauge', /TYPE line for "x" after its samples/],
    ['# HELP x a\n# HELP x b', /second HELP line/],
    ['x{a="1} 1', /unterminated value/],
    ['x{a="\\q"} 1', /invalid escape sequence/],
    ['x 1 2 3', /unexpected text after value/],
    ['x 1 1.5', /invalid timestamp/],
    ['0x 1', /invalid metric name/],
  ];
  for (const [text, re] of bad) {
    assert.throws(
      () => parseTextFormat(text, 't.prom'),
      (err: unknown) => err instanceof TextParseError && re.test(err.message),
      `expected ${re} for ${JSON.stringify(text)}`,
    );
  }
});
