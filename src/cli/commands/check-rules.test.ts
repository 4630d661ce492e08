import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findBinary, skipUnless } from '../../testutil/index.js';
import { checkRules } from './check-rules.js';

/** `vigil check rules` against `promtool check rules` on a corpus of valid and invalid rule files. */
const dir = join(import.meta.dirname, '..', '..', '..', 'src', 'rules', 'testdata', 'rulefiles');
const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();
const promtool = findBinary('promtool');

/** Files whose error text Vigil reproduces byte for byte (others differ only in added positions). */
const SAME_TEXT = ['bad-expr.yml', 'bad-record-name.yml', 'bad-record-for.yml', 'bad-label-name.yml', 'bad-template.yml', 'bad-template-func.yml', 'bad-dup-group.yml', 'bad-empty-name.yml', 'lint-duplicates.yml'];

async function vigil(f: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const prev = process.cwd();
  process.chdir(dir);
  try {
    const code = await checkRules([f], (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  } finally {
    process.chdir(prev);
  }
}

test('check rules: exit codes and messages agree with promtool', { skip: skipUnless(promtool, 'prometheus') }, async () => {
  assert.ok(files.length >= 15);
  const problems: string[] = [];
  for (const f of files) {
    const p = await new Promise<{ code: number; out: string; err: string }>((resolve) =>
      execFile(promtool!, ['check', 'rules', f], { cwd: dir }, (e, out, err) => resolve({ code: e ? Number(e.code ?? 1) : 0, out, err })),
    );
    const v = await vigil(f);
    if (p.code !== v.code) problems.push(`${f}: promtool ${p.code}, vigil ${v.code}\n${p.err}\n${v.err}`);
    if ((f.startsWith('ok-') || f.startsWith('lint-')) && v.out !== p.out) problems.push(`${f}: stdout differs\n${p.out}\n${v.out}`);
    if (SAME_TEXT.includes(f) && v.err !== p.err) problems.push(`${f}: stderr differs\n--- promtool\n${p.err}--- vigil\n${v.err}`);
  }
  assert.deepEqual(problems, []);
  const fatal = await new Promise<number>((resolve) => execFile(promtool!, ['check', 'rules', '--lint-fatal', 'lint-duplicates.yml'], { cwd: dir }, (e) => resolve(e ? Number(e.code) : 0)));
  const prev = process.cwd();
  process.chdir(dir);
  try {
    assert.equal(await checkRules(['--lint-fatal', 'lint-duplicates.yml'], () => undefined, () => undefined), fatal);
    assert.equal(fatal, 3);
  } finally {
    process.chdir(prev);
  }
});

test('check rules: positions and reasons for structural errors', async () => {
  const unknown = await vigil('bad-unknown-field.yml');
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /bad-unknown-field\.yml: 6:9: field severity not found in rule/);
  const dur = await vigil('bad-duration.yml');
  assert.match(dur.err, /bad-duration\.yml: 6:14: field "for": not a valid duration string: "5 minutes"/);
  const yaml = await vigil('bad-yaml.yml');
  assert.equal(yaml.code, 1);
  assert.match(yaml.err, /bad-yaml\.yml: \d+:\d+: yaml: /);
  const seeds = await vigil('ok-seeds.yml');
  assert.equal(seeds.out, 'Checking ok-seeds.yml\n  SUCCESS: 2 rules found\n\n');
});
