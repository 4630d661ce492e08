import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { findBinary, skipUnless, startVigil } from '../../testutil/index.js';
import { promqlQueryFunc, promqlValidatorFor, rulesEngine } from '../engine.js';
import { ruleTemplater } from '../templater.js';
import { runRuleUnitTests } from './runner.js';

/**
 * Differential test: every test file of the corpus (src/rules/testdata/unittest and the
 * default rules' tests in rules/tests) goes through /usr/bin/promtool `test rules` and
 * through Vigil's runner; exit codes and the failing tests they name must agree.
 */

const repo = join(import.meta.dirname, '..', '..', '..');
const corpusDirs = [join(repo, 'src', 'rules', 'testdata', 'unittest'), join(repo, 'rules', 'tests')];
const corpus = corpusDirs.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.test.yml') || f.endsWith('_test.yml')).sort().map((f) => join(d, f)) : []));

const promtool = findBinary('promtool');

/** The failing tests named in an error report: test-group names, alert/expr/rule headers. */
function failures(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^ {4}(name: .*,|alertname: [^,]*, time: [^,]*,|expr: ".*", time: [^,]*,|rule: [^,]*, time: [^,]*,)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

function runPromtool(file: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(promtool!, ['test', 'rules', basename(file)], { cwd: dirname(file), timeout: 60_000 }, (err, _stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stderr });
    });
  });
}

async function runVigil(file: string): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  // Prometheus 2.x semantics to match promtool 2.42 (range windows, regex dot).
  const engine = rulesEngine({ compat: '2' });
  const prev = process.cwd();
  process.chdir(dirname(file));
  try {
    const code = await runRuleUnitTests([basename(file)], {
      makeQuery: (s) => promqlQueryFunc(s, engine),
      validator: promqlValidatorFor('2'),
      templater: ruleTemplater(),
      stdout: () => undefined,
      stderr: (s) => (stderr += s),
    });
    return { code, stderr };
  } finally {
    process.chdir(prev);
  }
}

test('the differential corpus has at least 15 passing and failing test files', () => {
  assert.ok(corpus.length >= 15, `only ${corpus.length} files`);
  assert.ok(corpus.some((f) => f.includes('-pass')) && corpus.some((f) => f.includes('-fail')));
});

test('vigil test rules gives the same verdicts and names the same failing tests as promtool', { skip: skipUnless(promtool, 'prometheus') }, async () => {
  // promtool runs four at a time; Vigil's runner runs in-process.
  const ref = new Map<string, { code: number; stderr: string }>();
  const queue = [...corpus];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) ref.set(f, await runPromtool(f));
    }),
  );
  const problems: string[] = [];
  for (const f of corpus) {
    const p = ref.get(f)!;
    const v = await runVigil(f);
    const name = basename(f);
    if (name.includes('-pass') && p.code !== 0) problems.push(`${name}: corpus says pass but promtool exits ${p.code}:\n${p.stderr}`);
    if (name.includes('-fail') && p.code === 0) problems.push(`${name}: corpus says fail but promtool passes`);
    if (p.code !== v.code) problems.push(`${name}: promtool exit ${p.code}, vigil exit ${v.code}\n--- promtool\n${p.stderr}\n--- vigil\n${v.stderr}`);
    const pf = failures(p.stderr);
    const vf = failures(v.stderr);
    if (JSON.stringify(pf) !== JSON.stringify(vf)) problems.push(`${name}: failing tests differ\n  promtool: ${JSON.stringify(pf)}\n  vigil:    ${JSON.stringify(vf)}`);
  }
  assert.deepEqual(problems, []);
});

test('the vigil CLI runs `test rules` with promtool exit codes', async () => {
  const dir = join(repo, 'src', 'rules', 'testdata', 'unittest');
  const pass = await startVigil(['test', 'rules', join(dir, '03-mysql-pass.test.yml')]);
  assert.equal(await pass.exited, 0, pass.output());
  assert.match(pass.output(), /Unit Testing: {2}.*03-mysql-pass\.test\.yml\n {2}SUCCESS/);
  const fail = await startVigil(['test', 'rules', join(dir, '04-mysql-fail-labels.test.yml'), join(dir, '03-mysql-pass.test.yml')]);
  assert.equal(await fail.exited, 1);
  assert.match(fail.output(), /name: wrong severity,\n {4}alertname: MySQLDown, time: 3m, /);
  const missing = await startVigil(['test', 'rules', join(dir, 'no-such-file.yml')]);
  assert.equal(await missing.exited, 1);
  // A sample 5m old is inside the lookback window in 2.x ([t-5m, t]) but not in 3.x ((t-5m, t]).
  const gaps = join(dir, '25-gaps-resolve-pass.test.yml');
  const v2 = await startVigil(['test', 'rules', '--promql.compat=2', gaps]);
  assert.equal(await v2.exited, 0, v2.output());
  const v3 = await startVigil(['test', 'rules', gaps]);
  assert.equal(await v3.exited, 1);
  assert.match(v3.output(), /alertname: MySQLDown, time: 7m, /);
});

test('--diff marks what was expected but missing (-) and what was got but not expected (+)', async () => {
  const dir = join(repo, 'src', 'rules', 'testdata', 'unittest');
  let err = '';
  const prev = process.cwd();
  process.chdir(dir);
  try {
    const code = await runRuleUnitTests(['04-mysql-fail-labels.test.yml', '10-expr-fail.test.yml'], {
      makeQuery: (s) => promqlQueryFunc(s),
      templater: ruleTemplater(),
      diff: true,
      stdout: () => undefined,
      stderr: (s) => (err += s),
    });
    assert.equal(code, 1);
  } finally {
    process.chdir(prev);
  }
  assert.match(err, /diff:\n {8}- Labels:\{alertname="MySQLDown", [^\n]*severity="warning"\}/);
  assert.match(err, /\n {8}\+ Labels:\{alertname="MySQLDown", [^\n]*severity="critical"\}/);
  assert.match(err, /diff:\n {8}- \{\} 4E\+00\n {8}\+ \{\} 3E\+00/);
});
