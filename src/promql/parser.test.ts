import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INVALID_QUERIES, buildCorpus } from './difftest/corpus.js';
import { ParseError, formatExpr, parseExpr, type BinaryExpr, type Expr } from './index.js';

function bin(e: Expr): BinaryExpr {
  assert.equal(e.type, 'BinaryExpr');
  return e as BinaryExpr;
}

test('precedence: * binds tighter than +, comparison looser, or loosest', () => {
  const e = bin(parseExpr('a + b * c'));
  assert.equal(e.op, '+');
  assert.equal(bin(e.rhs).op, '*');
  const o = bin(parseExpr('a or b and c == d + e'));
  assert.equal(o.op, 'or');
  const a = bin(o.rhs);
  assert.equal(a.op, 'and');
  assert.equal(bin(a.rhs).op, '==');
  assert.equal(bin(bin(a.rhs).rhs).op, '+');
  assert.equal(bin(parseExpr('a unless b or c')).op, 'or');
  assert.equal(bin(parseExpr('a atan2 b + c')).op, '+');
});

test('associativity: ^ is right-associative, others left', () => {
  const p = bin(parseExpr('a ^ b ^ c'));
  assert.equal(p.lhs.type, 'VectorSelector');
  assert.equal(bin(p.rhs).op, '^');
  const m = bin(parseExpr('a - b - c'));
  assert.equal(bin(m.lhs).op, '-');
  assert.equal(m.rhs.type, 'VectorSelector');
  const d = bin(parseExpr('a / b * c'));
  assert.equal(d.op, '*');
});

test('unary minus binds looser than ^ and tighter than *', () => {
  const e = parseExpr('-a ^ 2');
  assert.equal(e.type, 'UnaryExpr');
  const m = bin(parseExpr('-a * 2'));
  assert.equal(m.op, '*');
  assert.equal(m.lhs.type, 'UnaryExpr');
  const n = parseExpr('-2 ^ 2');
  assert.equal(n.type, 'UnaryExpr');
  const lit = parseExpr('-5');
  assert.equal(lit.type, 'NumberLiteral');
  assert.equal(lit.type === 'NumberLiteral' && lit.val, -5);
});

test('number, string and duration literals', () => {
  const num = (s: string): number => {
    const e = parseExpr(s);
    assert.equal(e.type, 'NumberLiteral', s);
    return e.type === 'NumberLiteral' ? e.val : NaN;
  };
  assert.equal(num('0x1F'), 31);
  assert.equal(num('1e3'), 1000);
  assert.equal(num('.5'), 0.5);
  assert.equal(num('Inf'), Infinity);
  assert.equal(num('-inf'), -Infinity);
  assert.ok(Number.isNaN(num('NaN')));
  const str = (s: string): string => {
    const e = parseExpr(s);
    assert.equal(e.type, 'StringLiteral');
    return e.type === 'StringLiteral' ? e.val : '';
  };
  assert.equal(str('"a\\tb\\n"'), 'a\tb\n');
  assert.equal(str("'it\\'s'"), "it's");
  assert.equal(str('`raw\\n`'), 'raw\\n');
  assert.equal(str('"\\x41\\u00e9\\U0001F600\\101"'), 'Aé😀A');
  const ms = parseExpr('rate(x[1h30m])');
  assert.equal(ms.type === 'Call' && ms.args[0]!.type === 'MatrixSelector' && ms.args[0].range, 5_400_000);
  // 3.x accepts plain numbers (seconds) as durations; 2.x does not.
  const n3 = parseExpr('x[300]');
  assert.equal(n3.type === 'MatrixSelector' && n3.range, 300_000);
  assert.throws(() => parseExpr('x[300]', { compat: '2' }), ParseError);
});

test('selectors, modifiers and subqueries', () => {
  const e = parseExpr('foo{a="b", c!="d", e=~"f.*", g!~"h"} offset -5m @ 100.5');
  assert.equal(e.type, 'VectorSelector');
  if (e.type !== 'VectorSelector') return;
  assert.equal(e.matchers.length, 5);
  assert.equal(e.offset, -300_000);
  assert.deepEqual(e.at, { kind: 'ts', ms: 100_500 });
  const s = parseExpr('max_over_time(rate(x[1m])[10m:30s] offset 1m @ end())');
  assert.equal(s.type === 'Call' && s.args[0]!.type, 'SubqueryExpr');
  const q = parseExpr('{"my.metric", a="b"}');
  assert.equal(q.type === 'VectorSelector' && q.name, 'my.metric');
  const r = parseExpr('{__name__=~"a|b"}');
  assert.equal(r.type, 'VectorSelector');
  // Comments are ignored.
  assert.equal(parseExpr('foo # comment\n + 1').type, 'BinaryExpr');
});

test('aggregations with grouping before or after, params', () => {
  for (const q of ['sum by (a) (x)', 'sum(x) by (a)', 'topk(3, x) by (a)', 'count_values without (b) ("v", x)', 'quantile(0.9, x)', 'limitk(2, x)', 'limit_ratio(0.5, x)']) {
    const e = parseExpr(q);
    assert.equal(e.type, 'AggregateExpr', q);
  }
  const e = parseExpr('sum(x) by (a, b)');
  assert.deepEqual(e.type === 'AggregateExpr' && e.grouping, ['a', 'b']);
});

test('vector matching modifiers', () => {
  const e = bin(parseExpr('a / on(x, y) group_left(z) b'));
  assert.deepEqual(e.matching, { card: 'many-to-one', matchingLabels: ['x', 'y'], on: true, include: ['z'], explicit: true });
  const f = bin(parseExpr('a > bool ignoring(x) group_right b'));
  assert.equal(f.returnBool, true);
  assert.equal(f.matching!.card, 'one-to-many');
  assert.equal(f.matching!.on, false);
});

test('formatExpr round trip: format(parse(q)) is a fixed point', () => {
  const queries = [...buildCorpus(), 'a + b * c', '(a + b) * c', '-(a ^ 2)', 'a ^ b ^ c', '(a ^ b) ^ c', 'a - (b - c)', 'x offset -5m', 'x @ start()'];
  for (const q of queries) {
    const ast = parseExpr(q, { compat: '2' });
    const f1 = formatExpr(ast);
    const f2 = formatExpr(parseExpr(f1, { compat: '2' }));
    assert.equal(f2, f1, q);
  }
  assert.equal(formatExpr(parseExpr('sum  by(b,a)(rate(x{z="1",a=~"b"}[5m] offset 1m))')), 'sum by (b, a) (rate(x{a=~"b",z="1"}[5m] offset 1m))');
  assert.equal(formatExpr(parseExpr('a/on(b)group_left(c)d')), 'a / on (b) group_left (c) d');
  assert.equal(formatExpr(parseExpr('1e6 + 0.00001 + 123456')), '1e+06 + 1e-05 + 123456');
  assert.equal(formatExpr(parseExpr('x @ 100')), 'x @ 100.000');
});

test('invalid queries fail with a positioned parse error', () => {
  for (const q of INVALID_QUERIES) {
    assert.throws(
      () => parseExpr(q, { compat: '2', experimentalFunctions: false }),
      (err: unknown) => err instanceof ParseError && /^\d+:\d+: parse error: .+/.test(err.message),
      q,
    );
  }
});

test('error positions and wording follow Prometheus', () => {
  const msg = (q: string): string => {
    try {
      parseExpr(q);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  assert.equal(msg('foo{'), '1:5: parse error: unexpected end of input inside braces');
  assert.equal(msg('a b'), '1:3: parse error: unexpected identifier "b"');
  assert.equal(msg('rate(foo)'), '1:6: parse error: expected type range vector in call to function "rate", got instant vector');
  assert.equal(msg('sum(\nfoo +)'), '2:6: parse error: unexpected ")"');
  assert.equal(msg('unknown_fn(x)'), '1:1: parse error: unknown function with name "unknown_fn"');
  assert.equal(msg('1 == 2'), '1:3: parse error: comparisons between scalars must use BOOL modifier');
  assert.equal(msg('foo offset 5m[5m]'), '1:14: parse error: no offset modifiers allowed before range');
  assert.equal(msg('topk(1)'), '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1');
  assert.equal(msg('holt_winters(x[5m], 0.5, 0.5)'), '1:1: parse error: unknown function with name "holt_winters"');
  assert.match(msg('double_exponential_smoothing(x[5m], 0.5, 0.5)'), /no error/);
});

test('absurdly nested input is a parse error, not a crash', () => {
  assert.throws(() => parseExpr('('.repeat(200_000) + '1' + ')'.repeat(200_000)), ParseError);
  assert.equal(parseExpr('('.repeat(500) + '1' + ')'.repeat(500)).type, 'ParenExpr');
});
