import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promqlValidator } from './engine.js';
import { parseRuleFile } from './rulefile.js';
import { ruleTemplater } from './templater.js';

const opts = { validator: promqlValidator, checkTemplate: (t: string, n: string) => ruleTemplater().check(t, n) };

test('parses groups and rules with durations, limit and query_offset', () => {
  const r = parseRuleFile(
    `groups:
  - name: g
    interval: 30s
    limit: 5
    query_offset: 1m
    rules:
      - record: a:b
        expr: sum(up)
        labels: {team: ops, n: 1}
      - alert: A
        expr: up == 0
        for: 5m
        keep_firing_for: 90s
        annotations: {s: "{{ $labels.job }}"}
`,
    'f.yml',
    opts,
  );
  assert.deepEqual(r.errors, []);
  const g = r.groups[0]!;
  assert.deepEqual([g.name, g.intervalMs, g.limit, g.queryOffsetMs], ['g', 30_000, 5, 60_000]);
  assert.deepEqual(g.rules[0]!.labels, { team: 'ops', n: '1' }, 'scalars are taken as written');
  assert.deepEqual([g.rules[1]!.forMs, g.rules[1]!.keepFiringForMs, g.rules[1]!.line], [300_000, 90_000, 10]);
});

test('empty documents and empty group lists are valid', () => {
  assert.deepEqual(parseRuleFile('', 'f.yml', opts), { groups: [], errors: [] });
  assert.deepEqual(parseRuleFile('groups:\n', 'f.yml', opts), { groups: [], errors: [] });
  assert.deepEqual(parseRuleFile('# only a comment\n', 'f.yml', opts), { groups: [], errors: [] });
});

test('reports every semantic problem with positions', () => {
  const r = parseRuleFile(
    `groups:
  - name: g
    limit: -1
    rules:
      - record: "bad name"
        expr: up
        for: 1m
      - alert: A
        expr: up +
        labels: {__name__: x}
        annotations: {"9": y}
`,
    'f.yml',
    opts,
  );
  assert.deepEqual(r.groups, []);
  assert.deepEqual(r.errors, [
    'f.yml: 3:12: limit must be a non-negative integer, got "-1"',
    'f.yml: 5:17: group "g", rule 1, "bad name": invalid field \'for\' in recording rule',
    'f.yml: 5:17: group "g", rule 1, "bad name": invalid recording rule name: bad name',
    'f.yml: 9:15: group "g", rule 2, "A": could not parse expression: 1:5: parse error: unexpected end of input',
    'f.yml: group "g", rule 2, "A": invalid label name: __name__',
    'f.yml: group "g", rule 2, "A": invalid annotation name: 9',
  ]);
});

test('unknown fields and wrong types stop at the structure check', () => {
  assert.match(parseRuleFile('groups:\n  - name: g\n    rules: {}\n', 'f.yml', opts).errors[0]!, /f\.yml: 3:12: "rules" must be a list/);
  assert.match(parseRuleFile('group:\n  - name: g\n', 'f.yml', opts).errors[0]!, /f\.yml: 1:1: field group not found in rule file/);
  assert.match(parseRuleFile('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: [up]\n', 'f.yml', opts).errors[0]!, /f\.yml: 5:15: field "expr" must be a string/);
  assert.match(parseRuleFile('groups:\n  - name: g\n    name: h\n', 'f.yml', opts).errors[0]!, /f\.yml: 3:5: yaml: Map keys must be unique/);
});

test('group labels (Prometheus 3.x) apply to every rule; rule labels win', () => {
  const r = parseRuleFile(
    'groups:\n  - name: g\n    labels: {team: db, tier: "1"}\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: {tier: "2"}\n      - record: r:x\n        expr: up\n',
    'f.yml',
    opts,
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.groups[0]!.rules.map((x) => x.labels), [{ team: 'db', tier: '2' }, { team: 'db', tier: '1' }]);
  assert.match(parseRuleFile('groups:\n  - name: g\n    labels: {"a-b": x}\n    rules: []\n', 'f.yml', opts).errors[0]!, /f\.yml: 3:13: group "g": invalid label name: a-b/);
});
