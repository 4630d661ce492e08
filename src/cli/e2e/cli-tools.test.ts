/**
 * The `vigil` command line as a user types it (bin/vigil.js): help, the check and test
 * tools with their exit codes and file:line messages, and the tsdb tools on a data dir
 * that a started server then serves.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { apiData, runVigil, startVigilServer, tempDir } from '../../testutil/index.js';

const dir = tempDir('vigil-e2e-cli-');
after(() => dir.cleanup());
const cwd = dir.path;
const write = (name: string, text: string): string => {
  writeFileSync(join(cwd, name), text);
  return name;
};
/** Status of GET /metrics/nonexistent from the served-import test (checked in its own test). */
let spaFallbackStatus = 0;
const SHIPPED_RULE_TESTS = fileURLToPath(new URL('../../../rules/tests/', import.meta.url));

test('vigil --help lists the subcommands; an unknown one exits 2', async () => {
  const h = await runVigil(['--help']);
  assert.equal(h.code, 0);
  for (const c of ['server', 'agent', 'alertmanager', 'check', 'test', 'tsdb']) assert.match(h.stdout, new RegExp(`^  ${c} +\\S`, 'm'), c);
  const bad = await runVigil(['bogus']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "bogus"/);
  const serverHelp = await runVigil(['server', '--help']);
  assert.equal(serverHelp.code, 0);
  assert.match(serverHelp.stdout, /--config\.file=PATH/);
});

describe('vigil check', () => {
  write('rules.yml', 'groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 1m\n      - record: job:up:sum\n        expr: sum by (job) (up)\n');
  write('broken-rules.yml', 'groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == (\n');

  test('config: valid file with its rule files, exit 0', async () => {
    write('good.yml', 'global:\n  scrape_interval: 15s\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: app\n    static_configs: [{targets: ["app:8080"]}]\n');
    const r = await runVigil(['check', 'config', 'good.yml'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /SUCCESS: 1 rule files found/);
    assert.match(r.stdout, /SUCCESS: good\.yml is valid prometheus config file syntax/);
    assert.match(r.stdout, /rules\.yml\n  SUCCESS: 2 rules found/);
  });

  test('config: a bad value fails with file:line:col, exit 1; a missing file exit 1', async () => {
    write('bad.yml', 'scrape_configs:\n  - job_name: app\n    scrape_interval: 5x\n');
    const r = await runVigil(['check', 'config', 'bad.yml'], { cwd });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /FAILED: bad\.yml:3:22: not a valid duration string: "5x"/);
    const missing = await runVigil(['check', 'config', 'nosuch.yml'], { cwd });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nosuch\.yml: .*no such file or directory/);
  });

  test('config: a referenced rule file that does not parse, or does not exist, fails the check', async () => {
    write('refs-broken.yml', 'rule_files: [broken-rules.yml]\n');
    const r = await runVigil(['check', 'config', 'refs-broken.yml'], { cwd });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /broken-rules\.yml: ?5:15: group "g", rule 1, "Down": could not parse expression/);
    write('refs-missing.yml', 'rule_files: [missing.yml]\n');
    const m = await runVigil(['check', 'config', 'refs-missing.yml'], { cwd });
    assert.equal(m.code, 1, m.stdout);
    assert.match(m.stderr, /FAILED: ".*missing\.yml" does not point to an existing file/);
  });

  test('rules: good and broken files in one call, exit 1 naming the broken one', async () => {
    const ok = await runVigil(['check', 'rules', 'rules.yml'], { cwd });
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /SUCCESS: 2 rules found/);
    const r = await runVigil(['check', 'rules', 'rules.yml', 'broken-rules.yml'], { cwd });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Checking rules\.yml\n  SUCCESS: 2 rules found/);
    assert.match(r.stderr, /broken-rules\.yml: ?5:15: .*unclosed left parenthesis/);
  });

  test('alertmanager: valid file exit 0; seeds-style subject: field rejected with a hint, exit 1', async () => {
    write('am.yml', 'route:\n  receiver: ops\nreceivers:\n  - name: ops\n    webhook_configs: [{url: "http://127.0.0.1:1/"}]\n');
    const ok = await runVigil(['check', 'alertmanager', 'am.yml'], { cwd });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Checking 'am\.yml'  SUCCESS/);
    assert.match(ok.stdout, / - 1 receivers/);
    write('am-bad.yml', "route:\n  receiver: ops\nreceivers:\n  - name: ops\n    email_configs:\n      - to: admin@example.com\n        subject: '[ALERT] {{ .GroupLabels.alertname }}'\n");
    const bad = await runVigil(['check', 'alertmanager', 'am-bad.yml'], { cwd });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout + bad.stderr, /am-bad\.yml:7: field subject not found .*use headers: \{Subject: \.\.\.\}/);
  });
});

test('vigil test rules: the shipped rule tests pass; a wrong expectation fails with exit 1', async () => {
  const shipped = readdirSync(SHIPPED_RULE_TESTS).filter((f) => f.endsWith('.test.yml'));
  assert.ok(shipped.length >= 3);
  const r = await runVigil(['test', 'rules', ...shipped.map((f) => join(SHIPPED_RULE_TESTS, f))]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout.match(/^  SUCCESS$/gm)?.length, shipped.length);

  write(
    'rules.test.yml',
    `rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="app", instance="a"}'
        values: '0x5'
    alert_rule_test:
      - eval_time: 3m
        alertname: Down
        exp_alerts:
          - exp_labels: {job: app, instance: a, severity: page}
`,
  );
  const f = await runVigil(['test', 'rules', 'rules.test.yml'], { cwd });
  assert.equal(f.code, 1);
  assert.match(f.stdout + f.stderr, /FAILED/);
  assert.match(f.stdout + f.stderr, /alertname: Down, time: 3m/);
  assert.match(f.stdout + f.stderr, /severity="page"/);
});

describe('vigil tsdb on imported data, served by vigil server', () => {
  // Two hours back: inside the default retention, older than anything the head holds.
  const t0 = Math.floor(Date.now() / 1000 / 3600) * 3600 - 2 * 3600;
  let om = '# HELP imported_temp Temperature.\n# TYPE imported_temp gauge\n';
  for (let i = 0; i < 5; i++) om += `imported_temp{room="a"} ${20 + i} ${t0 + i * 60}\nimported_temp{room="b"} ${10 + i} ${t0 + i * 60}\n`;
  om += '# EOF\n';

  test('import openmetrics → analyze → dump → vigil server serves the blocks', { timeout: 60_000 }, async () => {
    write('data.om', om);
    const imp = await runVigil(['tsdb', 'import', 'openmetrics', 'data.om', 'imported'], { cwd });
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /imported 10 samples of 2 series into 1 block\(s\) in imported/);

    const an = await runVigil(['tsdb', 'analyze', 'imported'], { cwd });
    assert.equal(an.code, 0, an.stderr);
    assert.match(an.stdout, /Series: 2 {2}Chunks: 2 {2}Samples: 10/);
    assert.match(an.stdout, /Highest cardinality labels:\n +2 room/);

    const dump = await runVigil(['tsdb', 'dump', 'imported'], { cwd });
    assert.equal(dump.code, 0, dump.stderr);
    const lines = dump.stdout.trim().split('\n');
    assert.equal(lines.length, 10);
    assert.equal(lines[0], `{__name__="imported_temp", room="a"} 20 ${t0 * 1000}`);
    assert.equal(lines[9], `{__name__="imported_temp", room="b"} 14 ${(t0 + 240) * 1000}`);

    const vigil = await startVigilServer({ dir: cwd, dataDir: join(cwd, 'imported'), config: 'scrape_configs: []\n', args: ['--no-host-collectors', '--no-alertmanager.enable'] });
    try {
      const d = await apiData<{ resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(vigil.base, '/api/v1/query_range', {
        query: 'imported_temp',
        start: String(t0),
        end: String(t0 + 240),
        step: '60',
      });
      assert.deepEqual(
        d.result.map((s) => [s.metric['room'], s.values.map((v) => Number(v[1]))]),
        [
          ['a', [20, 21, 22, 23, 24]],
          ['b', [10, 11, 12, 13, 14]],
        ],
      );
      assert.deepEqual(await apiData<string[]>(vigil.base, '/api/v1/label/room/values'), ['a', 'b']);
      // The UI answers on its routes; an unknown /metrics/... path must not.
      assert.equal((await fetch(`${vigil.base}/graph`)).status, 200);
      const unknown = await fetch(`${vigil.base}/metrics/nonexistent`);
      await unknown.text();
      spaFallbackStatus = unknown.status;
    } finally {
      await vigil.stop();
    }
  });

  test('unknown paths like /metrics/nonexistent answer 404', () => {
    assert.equal(spaFallbackStatus, 404);
  });

  test('vigil tsdb analyze and dump on a missing dir exit 1 with a clear error, as promtool does', async () => {
    const dump = await runVigil(['tsdb', 'dump', join(cwd, 'no', 'such', 'dir')]);
    assert.equal(dump.code, 1);
    assert.match(dump.stderr, /no such data directory/);
    const r = await runVigil(['tsdb', 'analyze', join(cwd, 'no', 'such', 'dir')]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /no such data directory/);
  });
});
