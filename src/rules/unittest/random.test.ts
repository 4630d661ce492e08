import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findBinary, skipUnless, tempDir } from '../../testutil/index.js';
import { promqlQueryFunc, promqlValidatorFor, rulesEngine } from '../engine.js';
import { ruleTemplater } from '../templater.js';
import { runRuleUnitTests } from './runner.js';

/**
 * Randomised differential test of the alert state machine: generated rule files
 * (random `for` / `keep_firing_for`) and input series (random values, gaps, stale
 * markers) with empty expectations, so promtool and Vigil both print every firing
 * alert and every ALERTS sample they see; their complete reports must be identical.
 */

const promtool = findBinary('promtool');

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(seed: number): { rules: string; tests: string } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const rules = ['groups:', '  - name: random', '    rules:'];
  for (let i = 0; i < 3; i++) {
    rules.push(`      - alert: A${i}`, `        expr: x > ${pick([0, 1])}`, `        for: ${pick(['0s', '1m', '2m', '3m'])}`);
    const kf = pick(['0s', '0s', '1m', '2m']);
    if (kf !== '0s') rules.push(`        keep_firing_for: ${kf}`);
    rules.push('        labels:', `          rule: "${i}"`, '        annotations:', '          v: "{{ $value }} {{ $labels.i }}"');
  }
  const series: string[] = [];
  for (let s = 0; s < 2; s++) {
    const vals: string[] = [];
    for (let k = 0; k < 14; k++) vals.push(pick(['0', '1', '2', '2', '_', 'stale']));
    series.push(`      - series: 'x{i="${s}"}'`, `        values: '${vals.join(' ')}'`);
  }
  const tests = ['rule_files: [rules.yml]', 'tests:', '  - interval: 1m', '    input_series:', ...series, '    alert_rule_test:'];
  const times = new Set<number>();
  for (let k = 0; k < 5; k++) times.add(Math.floor(r() * 14));
  for (const t of [...times].sort((a, b) => a - b)) for (let i = 0; i < 3; i++) tests.push(`      - eval_time: ${t}m`, `        alertname: A${i}`);
  tests.push('    promql_expr_test:');
  for (const t of [...times].sort((a, b) => a - b)) tests.push(`      - expr: ALERTS`, `        eval_time: ${t}m`, `      - expr: ALERTS_FOR_STATE`, `        eval_time: ${t}m`);
  return { rules: rules.join('\n') + '\n', tests: tests.join('\n') + '\n' };
}

test('random alert state machines: promtool and Vigil print identical reports', { skip: skipUnless(promtool, 'prometheus') }, async () => {
  const dir = tempDir();
  const engine = rulesEngine({ compat: '2' });
  const problems: string[] = [];
  let firing = 0;
  try {
    for (let seed = 1; seed <= 20; seed++) {
      const caseDir = join(dir.path, String(seed));
      (await import('node:fs')).mkdirSync(caseDir);
      const g = generate(seed);
      writeFileSync(join(caseDir, 'rules.yml'), g.rules);
      writeFileSync(join(caseDir, 'test.yml'), g.tests);
      const ref = await new Promise<{ code: number; err: string }>((resolve) =>
        execFile(promtool!, ['test', 'rules', 'test.yml'], { cwd: caseDir }, (e, _o, err) => resolve({ code: e ? Number(e.code ?? 1) : 0, err })),
      );
      let err = '';
      const prev = process.cwd();
      process.chdir(caseDir);
      let code: number;
      try {
        code = await runRuleUnitTests(['test.yml'], {
          makeQuery: (s) => promqlQueryFunc(s, engine),
          validator: promqlValidatorFor('2'),
          templater: ruleTemplater(),
          stdout: () => undefined,
          stderr: (s) => (err += s),
        });
      } finally {
        process.chdir(prev);
      }
      firing += (err.match(/alertstate="firing"/g) ?? []).length;
      if (code !== ref.code || err !== ref.err) problems.push(`seed ${seed}:\n--- rules\n${g.rules}--- tests\n${g.tests}--- promtool (${ref.code})\n${ref.err}--- vigil (${code})\n${err}`);
    }
  } finally {
    dir.cleanup();
  }
  assert.deepEqual(problems, []);
  assert.ok(firing > 20, `the generated cases exercise firing alerts (${firing} firing ALERTS samples reported)`);
});
