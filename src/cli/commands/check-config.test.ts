import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findBinary, skipUnless, tempDir, VIGIL_BIN } from '../../testutil/index.js';
import { checkConfigFile, command } from './check-config.js';

test('check config: SUCCESS with the rule files found, FAILED with file:line, exit codes', async () => {
  const d = tempDir('vigil-check-');
  try {
    mkdirSync(join(d.path, 'rules'));
    writeFileSync(join(d.path, 'rules', 'a.yml'), 'groups: []\n');
    writeFileSync(join(d.path, 'rules', 'b.yml'), 'groups: []\n');
    const good = join(d.path, 'good.yml');
    writeFileSync(good, 'rule_files: ["rules/*.yml"]\nscrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["h:1"]}]\n');
    const r = await checkConfigFile(good, false);
    assert.equal(r.ok, true);
    assert.deepEqual(r.lines, [`Checking ${good}`, '  SUCCESS: 2 rule files found', ` SUCCESS: ${good} is valid prometheus config file syntax`]);
    assert.deepEqual(r.ruleFiles, [join(d.path, 'rules', 'a.yml'), join(d.path, 'rules', 'b.yml')]);

    const bad = join(d.path, 'bad.yml');
    writeFileSync(bad, 'scrape_configs:\n  - job_name: a\n    foo: 1\n');
    const rb = await checkConfigFile(bad, false);
    assert.equal(rb.ok, false);
    assert.equal(rb.lines[1], `  FAILED: ${bad}:3:5: field foo not found in type config.ScrapeConfig`);

    const missingRule = join(d.path, 'missing-rule.yml');
    writeFileSync(missingRule, 'rule_files: [nope.yml]\n');
    const rm = await checkConfigFile(missingRule, false);
    assert.equal(rm.ok, false);
    assert.match(rm.lines[1]!, /FAILED: ".*nope\.yml" does not point to an existing file/);
    assert.equal((await checkConfigFile(missingRule, true)).ok, true, '--syntax-only skips file checks');

    const missingSecret = join(d.path, 'missing-secret.yml');
    writeFileSync(missingSecret, 'scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password_file: pw}\n');
    assert.match((await checkConfigFile(missingSecret, false)).lines[1]!, /FAILED: error checking scrape config "a" password file/);

    // The command: exit 0 when all pass, 1 when any fails, 2 on usage errors.
    const out: string[] = [];
    const origOut = process.stdout.write.bind(process.stdout);
    const origErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => (out.push(s), true)) as typeof process.stderr.write;
    let codes: number[];
    try {
      codes = [await command.run([good]), await command.run([good, bad]), await command.run([])];
    } finally {
      process.stdout.write = origOut;
      process.stderr.write = origErr;
    }
    assert.deepEqual(codes, [0, 1, 2]);
    assert.ok(out.join('').includes('FAILED'));
  } finally {
    d.cleanup();
  }
});

/** Rule files and configs referencing them, for the command tests below (absolute paths, so promtool prints the same ones). */
function ruleFixtures(dir: string): Record<string, string> {
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules', 'ok.yml'), 'groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: up\n  - alert: Down\n    expr: up == 0\n');
  writeFileSync(join(dir, 'rules', 'bad.yml'), 'groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: up{\n');
  mkdirSync(join(dir, 'lint'));
  writeFileSync(join(dir, 'lint', 'dup.yml'), 'groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: up\n  - record: a:b\n    expr: up\n');
  const configs: Record<string, string> = {
    good: 'rule_files: ["rules/ok.yml"]\n',
    'bad-rule': 'rule_files: ["rules/*.yml"]\n',
    dup: 'rule_files: ["lint/dup.yml", "rules/ok.yml"]\n',
    'no-rules': 'global: {}\n',
    'no-match': 'rule_files: ["nomatch/*.yml"]\n',
  };
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(configs)) writeFileSync((paths[name] = join(dir, `${name}.yml`)), text);
  return paths;
}

function runCli(bin: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const [cmd, pre] = bin === VIGIL_BIN ? [process.execPath, [VIGIL_BIN]] : [bin, []];
  return new Promise((resolve) => execFile(cmd, [...pre, ...args], (e, out, err) => resolve({ code: e ? Number(e.code ?? 1) : 0, out, err })));
}

test('check config: checks the rule files it references (errors, lint, exit codes)', async () => {
  const d = tempDir('vigil-check-');
  try {
    const c = ruleFixtures(d.path);
    const good = await runCli(VIGIL_BIN, ['check', 'config', c.good!]);
    assert.equal(good.code, 0, good.err);
    assert.equal(good.out, `Checking ${c.good}\n  SUCCESS: 1 rule files found\n SUCCESS: ${c.good} is valid prometheus config file syntax\n\nChecking ${join(d.path, 'rules', 'ok.yml')}\n  SUCCESS: 2 rules found\n\n`);

    const bad = await runCli(VIGIL_BIN, ['check', 'config', c['bad-rule']!]);
    assert.equal(bad.code, 1, 'an invalid rule file fails the command');
    assert.ok(bad.out.includes(`Checking ${join(d.path, 'rules', 'ok.yml')}\n  SUCCESS: 2 rules found\n`), bad.out);
    assert.match(bad.err, /^ {2}FAILED:\n {5}\/.*bad\.yml: 5:11: group "g", rule 1, "a:b": could not parse expression/m);

    // Lint findings: reported, exit 0; 3 with --lint-fatal; silent with --lint=none.
    assert.equal((await runCli(VIGIL_BIN, ['check', 'config', c.dup!])).code, 0);
    const fatal = await runCli(VIGIL_BIN, ['check', 'config', '--lint-fatal', c.dup!]);
    assert.equal(fatal.code, 3);
    assert.match(fatal.err, / {2}FAILED:\n {5}lint error 1 duplicate rule\(s\) found\./);
    const none = await runCli(VIGIL_BIN, ['check', 'config', '--lint=none', '--lint-fatal', c.dup!]);
    assert.equal(none.code, 0);
    assert.ok(none.out.includes('  SUCCESS: 2 rules found'));
    // A bad rule file wins over lint (exit 1, not 3), across several configs.
    assert.equal((await runCli(VIGIL_BIN, ['check', 'config', '--lint-fatal', c.dup!, c['bad-rule']!])).code, 1);

    // No rule files: no "rule files found" line (promtool prints it only when there are some).
    const noRules = await runCli(VIGIL_BIN, ['check', 'config', c['no-rules']!]);
    assert.equal(noRules.out, `Checking ${c['no-rules']}\n SUCCESS: ${c['no-rules']} is valid prometheus config file syntax\n\n`);
    // --syntax-only does not look at rule files.
    assert.equal((await runCli(VIGIL_BIN, ['check', 'config', '--syntax-only', c['bad-rule']!])).code, 0);
  } finally {
    d.cleanup();
  }
});

const promtool = findBinary('promtool');

test('check config: same exit codes, stdout and stderr as promtool check config', { skip: skipUnless(promtool, 'prometheus') }, async () => {
  const d = tempDir('vigil-check-');
  try {
    const c = ruleFixtures(d.path);
    const cases: string[][] = [
      [c.good!],
      [c['bad-rule']!],
      [c.dup!],
      ['--lint-fatal', c.dup!],
      ['--lint=none', '--lint-fatal', c.dup!],
      [c['no-rules']!],
      [c['no-match']!],
      ['--syntax-only', c['bad-rule']!],
      [c.good!, c['bad-rule']!, c['no-rules']!],
    ];
    const problems: string[] = [];
    for (const args of cases) {
      const p = await runCli(promtool!, ['check', 'config', ...args]);
      const v = await runCli(VIGIL_BIN, ['check', 'config', ...args]);
      for (const k of ['code', 'out', 'err'] as const) {
        if (p[k] !== v[k]) problems.push(`${args.join(' ')}: ${k} differs\n--- promtool\n${p[k]}\n--- vigil\n${v[k]}`);
      }
    }
    assert.deepEqual(problems, []);
  } finally {
    d.cleanup();
  }
});
