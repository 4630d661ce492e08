import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promqlValidator } from './engine.js';
import { parseRuleFile } from './rulefile.js';
import { ruleTemplater } from './templater.js';

/** Every rule-file example in docs/rules.md (```yaml blocks starting with `groups:`) is valid. */
test('rule examples in docs/rules.md are valid rule files', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'rules.md'), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n(groups:[\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 2);
  const t = ruleTemplater();
  let alerts = 0;
  for (const b of blocks) {
    const r = parseRuleFile(b, 'docs/rules.md', { validator: promqlValidator, checkTemplate: (x, n) => t.check(x, n) });
    assert.deepEqual(r.errors, []);
    alerts += r.groups.reduce((s, g) => s + g.rules.filter((x) => x.kind === 'alert').length, 0);
  }
  assert.ok(doc.includes('irate(node_cpu_seconds_total{mode="idle"}[5m])) * 100) > 45'), 'the seeds\' 45% CPU rule is in the docs');
  assert.ok(alerts >= 7);
  // The copy under test (testdata/unittest/rules-seeds.yml, with 30-seeds-45-pass.test.yml) is the docs block verbatim.
  const copy = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'rules', 'testdata', 'unittest', 'rules-seeds.yml'), 'utf8');
  assert.equal(copy, blocks[1]);
});
