import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promqlQueryFunc, promqlValidator } from './engine.js';
import { loadRuleFile } from './rulefile.js';
import { ruleTemplater } from './templater.js';
import { runRuleUnitTests } from './unittest/runner.js';

/** The shipped default rules (rules/*.rules.yml) are valid and pass their unit tests (rules/tests). */
const rulesDir = join(import.meta.dirname, '..', '..', 'rules');

test('default rule files are valid', async () => {
  const files = readdirSync(rulesDir).filter((f) => f.endsWith('.rules.yml'));
  assert.deepEqual(files.sort(), ['node.rules.yml', 'targets.rules.yml', 'vigil.rules.yml']);
  const templater = ruleTemplater();
  let alerts = 0;
  for (const f of files) {
    const r = await loadRuleFile(join(rulesDir, f), { validator: promqlValidator, checkTemplate: (t, n) => templater.check(t, n) });
    assert.deepEqual(r.errors, [], f);
    for (const g of r.groups) for (const rule of g.rules) if (rule.kind === 'alert') {
      alerts++;
      assert.ok(rule.labels['severity'], `${rule.name} has a severity`);
      assert.ok(rule.annotations['summary'] && rule.annotations['description'], `${rule.name} has summary and description`);
    }
  }
  assert.ok(alerts >= 18, `${alerts} alerts`);
});

test('every default alert is covered by the unit tests in rules/tests, and they pass', async () => {
  const tests = readdirSync(join(rulesDir, 'tests')).filter((f) => f.endsWith('.test.yml')).map((f) => join(rulesDir, 'tests', f));
  let out = '';
  let err = '';
  const code = await runRuleUnitTests(tests, { makeQuery: (s) => promqlQueryFunc(s), validator: promqlValidator, templater: ruleTemplater(), stdout: (s) => (out += s), stderr: (s) => (err += s) });
  assert.equal(code, 0, err);
  assert.equal(out.match(/SUCCESS/g)?.length, tests.length);
  const names: string[] = [];
  for (const f of readdirSync(rulesDir).filter((x) => x.endsWith('.rules.yml'))) {
    const r = await loadRuleFile(join(rulesDir, f));
    for (const g of r.groups) for (const rule of g.rules) if (rule.kind === 'alert') names.push(rule.name);
  }
  const { readFileSync } = await import('node:fs');
  const testText = tests.map((t) => readFileSync(t, 'utf8')).join('\n');
  for (const n of names) assert.match(testText, new RegExp(`alertname: ${n}\\n`), `${n} has a unit test`);
});
