import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelsFromObject } from '../model/index.js';
import { ruleTemplater } from './templater.js';
import type { QueryFunc } from './types.js';

const data = { labels: { instance: 'db-1:9100', job: 'node' }, externalLabels: { cluster: 'prod' }, externalURL: 'http://vigil.example:9090/prom', value: 0.8765 };
const noQuery: QueryFunc = async () => [];

test('rule templates expand $labels, $value, $externalLabels, $externalURL and Prometheus funcs', async () => {
  const t = ruleTemplater({ externalURL: data.externalURL });
  const x = (s: string): Promise<string> => t.expand(s, '__alert_X', data, 0, noQuery);
  assert.equal(await x('{{ $labels.instance }} on {{ $externalLabels.cluster }}'), 'db-1:9100 on prod');
  assert.equal(await x('{{ $value }}'), '0.8765');
  assert.equal(await x('{{ $value | humanizePercentage }}'), '87.65%');
  assert.equal(await x('{{ humanize 1234567 }}'), '1.235M');
  assert.equal(await x('{{ humanize1024 1048576 }}'), '1Mi');
  assert.equal(await x('{{ humanizeDuration 3725 }}'), '1h 2m 5s');
  assert.equal(await x('{{ printf "%.1f" $value }}'), '0.9');
  assert.equal(await x('{{ $labels.job | toUpper }} {{ "a b" | title }}'), 'NODE A B');
  assert.equal(await x('{{ reReplaceAll ":.*" "" $labels.instance }}'), 'db-1');
  assert.equal(await x('{{ $externalURL }}'), 'http://vigil.example:9090/prom');
  assert.equal(await x('{{ $labels.missing }}|'), '|', 'missing labels are empty');
});

test('query with first/value/label resolves asynchronously, including dependent queries', async () => {
  const asked: string[] = [];
  const query: QueryFunc = async (q, t) => {
    asked.push(`${q}@${t}`);
    if (q === 'up') return [{ labels: labelsFromObject({ __name__: 'up', instance: 'a' }), t, v: 1 }];
    if (q === 'node_load1{instance="a"}') return [{ labels: labelsFromObject({ instance: 'a' }), t, v: 2.5 }];
    return [];
  };
  const t = ruleTemplater();
  const out = await t.expand(
    '{{ with query "up" }}{{ . | first | label "instance" }}={{ . | first | value }}{{ end }} {{ with printf "node_load1{instance=%q}" "a" | query }}{{ . | first | value | humanize }}{{ end }}',
    '__alert_X',
    data,
    42_000,
    query,
  );
  assert.equal(out, 'a=1 2.5');
  assert.ok(asked.every((a) => a.endsWith('@42000')), 'queries run at the evaluation time');
  await assert.rejects(t.expand('{{ query "nothing" | first }}', '__alert_X', data, 0, query), /first\(\) called on vector with no elements/);
});

test('template syntax errors are reported by check()', () => {
  const t = ruleTemplater();
  assert.equal(t.check('{{ $labels.instance }}', '__alert_X'), null);
  assert.match(t.check('{{ .Foo ', '__alert_X') ?? '', /__alert_X:1: unclosed action/);
  assert.match(t.check('{{ nosuchfunc 1 }}', '__alert_X') ?? '', /function "nosuchfunc" not defined/);
});
