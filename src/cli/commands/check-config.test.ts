import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../testutil/index.js';
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
