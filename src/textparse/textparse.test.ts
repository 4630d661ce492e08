import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelsToObject, seriesToString } from '../model/index.js';
import { formatForContentType, newParser, ParseError, SCRAPE_ACCEPT_HEADER, type Parser } from './index.js';

interface Row {
  kind: string;
  series?: string;
  v?: number;
  t?: number | null;
  meta?: string;
}

function all(p: Parser): Row[] {
  const out: Row[] = [];
  for (;;) {
    const e = p.next();
    if (e === 'eof') return out;
    if (e === 'series') out.push({ kind: e, series: seriesToString(p.labels()), v: p.value(), t: p.timestamp() });
    else if (e === 'help') out.push({ kind: e, meta: `${p.metaName()}:${p.helpText()}` });
    else if (e === 'type') out.push({ kind: e, meta: `${p.metaName()}:${p.metricType()}` });
    else if (e === 'unit') out.push({ kind: e, meta: `${p.metaName()}:${p.unitText()}` });
    else out.push({ kind: e, meta: p.commentText() });
  }
}

test('text 0.0.4: metadata, labels, escapes, timestamps, special values', () => {
  const body = [
    '# HELP http_requests_total The total \\\\ number\\n of requests.',
    '# TYPE http_requests_total counter',
    'http_requests_total{method="post",code="200"} 1027 1395066363000',
    'http_requests_total{method="post",code="400",} 3',
    '# a comment',
    '',
    'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
    'metric_without_timestamp_and_labels 12.47',
    'something_weird{problem="division by zero"} +Inf 3982045',
    'nan_value NaN',
    'esc{a="\\q"} 1',
  ].join('\n');
  const rows = all(newParser(Buffer.from(body), 'text/plain; version=0.0.4'));
  assert.deepEqual(rows[0], { kind: 'help', meta: 'http_requests_total:The total \\ number\n of requests.' });
  assert.deepEqual(rows[1], { kind: 'type', meta: 'http_requests_total:counter' });
  assert.deepEqual(rows[2], { kind: 'series', series: 'http_requests_total{code="200", method="post"}', v: 1027, t: 1395066363000 });
  assert.deepEqual(rows[3], { kind: 'series', series: 'http_requests_total{code="400", method="post"}', v: 3, t: null });
  assert.deepEqual(rows[4], { kind: 'comment', meta: '# a comment' });
  assert.equal(rows[5]!.series, 'msdos_file_access_time_seconds{error="Cannot find file:\\n\\"FILE.TXT\\"", path="C:\\\\DIR\\\\FILE.TXT"}');
  assert.equal(rows[5]!.v, 1.458255915e9);
  assert.deepEqual(rows[7], { kind: 'series', series: 'something_weird{problem="division by zero"}', v: Infinity, t: 3982045 });
  // Prometheus 2.42 rejects negative timestamps in the text format (its lexer only takes digits).
  assert.equal(errorOf('a 1 -5\n'), "line 1: expected timestamp or new record, got '-'");
  assert.ok(Number.isNaN(rows[8]!.v));
  // Unknown escapes are kept verbatim, as Prometheus does.
  assert.equal(rows[9]!.series, 'esc{a="\\\\q"}');
});

test('series text is a stable cache key and labels are only built on demand', () => {
  const p = newParser('a{x="1"} 1\na{x="1"} 2\n', '');
  assert.equal(p.next(), 'series');
  const k1 = p.seriesText();
  assert.equal(p.next(), 'series');
  assert.equal(p.seriesText(), k1);
  assert.equal(k1, 'a{x="1"}');
  assert.deepEqual(labelsToObject(p.labels()), { __name__: 'a', x: '1' });
  assert.equal(p.next(), 'eof');
});

function errorOf(body: string | Buffer, ct = ''): string {
  const p = newParser(typeof body === 'string' ? Buffer.from(body) : body, ct);
  try {
    while (p.next() !== 'eof');
  } catch (err) {
    assert.ok(err instanceof ParseError);
    return err.message;
  }
  return 'no error';
}

test('errors name the line and what was found', () => {
  assert.equal(errorOf('ok 1\nok 2\nfoo{=} 1\n'), "line 3: expected label name, got '='");
  assert.equal(errorOf('foo{a="1"} 1 2 3\n'), "line 1: expected next entry after timestamp, got '3'");
  assert.equal(errorOf('\n\nfoo\n'), 'line 3: expected value after metric, got newline');
  assert.equal(errorOf('# TYPE foo counterx\n'), 'line 1: invalid metric type "counterx"');
  assert.equal(errorOf('foo 1_0\n'), 'line 1: invalid value "1_0" while parsing "foo 1_0"');
  assert.equal(errorOf(Buffer.concat([Buffer.from('a 1\nb{x="'), Buffer.from([0xff]), Buffer.from('"} 1\n')])), 'line 2: invalid UTF-8 label value');
  assert.equal(errorOf('foo{a="1" 1\n'), "line 1: expected label name, got '1'");
});

test('OpenMetrics: EOF required, float timestamps, exemplars dropped, units, strict spacing', () => {
  const om = 'application/openmetrics-text; version=1.0.0';
  const rows = all(newParser('# TYPE a_seconds counter\n# UNIT a_seconds seconds\n# HELP a_seconds Help.\na_seconds_total{x="1"} 3 1.5 # {id="t"} 1 2\na_seconds_created{x="1"} 1e9\n# EOF\n', om));
  assert.deepEqual(
    rows.map((r) => r.meta ?? `${r.series} ${r.v} ${r.t}`),
    ['a_seconds:counter', 'a_seconds:seconds', 'a_seconds:Help.', 'a_seconds_total{x="1"} 3 1500', 'a_seconds_created{x="1"} 1000000000 null'],
  );
  assert.equal(errorOf('a 1\n', om), 'line 2: data does not end with # EOF');
  assert.equal(errorOf('a 1\n# EOF\nb 1\n', om), 'line 2: unexpected data after # EOF');
  assert.equal(errorOf('a  1\n# EOF\n', om), "line 1: expected value after metric, got ' '");
  assert.equal(errorOf('# TYPE a untyped\n# EOF\n', om), 'line 1: invalid metric type "untyped"');
  assert.equal(errorOf('# UNIT a seconds\n# EOF\n', om), 'line 1: unit not a suffix of metric "a"');
  assert.equal(errorOf('a 1\n\n# EOF\n', om), 'line 2: newline is not a valid start token');
});

test('content type negotiation follows Prometheus 2.42', () => {
  assert.equal(SCRAPE_ACCEPT_HEADER, 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1');
  assert.equal(formatForContentType('application/openmetrics-text; version=1.0.0; charset=utf-8'), 'openmetrics');
  assert.equal(formatForContentType('Application/OpenMetrics-Text'), 'openmetrics');
  assert.equal(formatForContentType('text/plain; version=0.0.4'), 'text');
  assert.equal(formatForContentType(''), 'text');
  assert.equal(formatForContentType(undefined), 'text');
  assert.equal(formatForContentType('application/json'), 'text');
});

test('values parse like Go strconv.ParseFloat with Prometheus’ restrictions', async () => {
  const { parseGoFloat } = await import('./index.js');
  const ok: Array<[string, number]> = [
    ['1', 1], ['-1', -1], ['+1', 1], ['1.', 1], ['.5', 0.5], ['-.5', -0.5], ['1e5', 1e5], ['1E+05', 1e5], ['1.e5', 1e5],
    ['1e-400', 0], ['Inf', Infinity], ['+inf', Infinity], ['-Infinity', -Infinity], ['infinity', Infinity], ['00', 0],
  ];
  for (const [s, v] of ok) assert.equal(parseGoFloat(s, 0, s.length), v, s);
  assert.ok(Number.isNaN(parseGoFloat('nan', 0, 3)));
  for (const s of ['0x10', '-0x10', '0b1', '0o7', '1_0', '1e400', '-1e400', '+NaN', '1\r', ' 1', '1 ', '', '.', '-', '1e', 'infin', '0x1p-2']) {
    assert.equal(parseGoFloat(s, 0, s.length), undefined, JSON.stringify(s));
  }
});

test('the allocation-free decimal fast path rounds exactly like Number()', async () => {
  const { parseGoFloat } = await import('./index.js');
  // Deterministic pseudo-random decimals covering the fast path's edges (15 digits, 22 decimals).
  let seed = 42;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let i = 0; i < 20_000; i++) {
    const intPart = String(rnd(1_000_000_000)).slice(0, 1 + rnd(9));
    const fracPart = Array.from({ length: rnd(24) }, () => String(rnd(10))).join('');
    const s = (rnd(3) === 0 ? '-' : '') + intPart + (fracPart || rnd(2) ? '.' + fracPart : '');
    assert.ok(Object.is(parseGoFloat(s, 0, s.length), Number(s)), s);
  }
  for (const s of ['0.1', '0.3', '-0', '-0.0', '123456789012345', '1234567890123456', '0.000000000000000000001', '9007199254740993']) {
    assert.ok(Object.is(parseGoFloat(s, 0, s.length), Number(s)), s);
  }
});
