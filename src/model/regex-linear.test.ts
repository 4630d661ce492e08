import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileAnchoredRegex, compileMatchRegex, hasNestedRepetition, MatchType, Matcher } from './index.js';

test('patterns with a repeated group that repeats or alternates are detected', () => {
  for (const p of ['(a+)+b', '(a|a)*b', '(?:x*y?)+', '((ab)*c)+', '(.*,)*z', '(a{2,})+'])
    assert.ok(hasNestedRepetition(p), p);
  for (const p of ['node|api', 'foo.*', '(foo|bar)', '(?i)abc+', '[(a+)+]x', '\\(a+\\)+', '(abc)+', '[[:digit:]]+', '(?P<x>ab)c*'])
    assert.ok(!hasNestedRepetition(p), p);
});

test('a catastrophic-backtracking matcher answers in linear time', () => {
  // In JavaScript's engine this takes longer than the age of the universe.
  const m = new Matcher(MatchType.Regexp, 'x', '(a+)+b');
  const t0 = performance.now();
  assert.equal(m.matches('a'.repeat(50_000) + 'c'), false);
  assert.equal(m.matches('a'.repeat(1000) + 'b'), true);
  assert.ok(performance.now() - t0 < 2000, 'matched within 2 s');
  assert.equal(new Matcher(MatchType.NotRegexp, 'x', '(x+x+)+y').matches('x'.repeat(40_000)), true);
});

test('the linear-time path agrees with the native one, dot-all and flags included', () => {
  const patterns = ['(a|b)*c', '(?i)(foo|bar)+', '(.+/)*x', '((ab)*c)+', '(a.)+'];
  const inputs = ['', 'c', 'abc', 'ababc', 'FOOBAR', 'foobarfoo', 'a/b/x', 'x', 'abcabc', 'a\nb\n', 'ax', 'a\n'];
  for (const dotAll of [true, false])
    for (const p of patterns)
      for (const s of inputs)
        assert.equal(compileMatchRegex(p, { dotAll }).test(s), compileAnchoredRegex(p, { dotAll }).test(s), `${p} on ${JSON.stringify(s)} dotAll=${dotAll}`);
});

test('syntax errors are reported the same way on both paths', () => {
  assert.throws(() => compileMatchRegex('(a+)+('), /error parsing regexp/);
  assert.throws(() => compileMatchRegex('(a+)+\\1'), /invalid escape sequence/);
});
