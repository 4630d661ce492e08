import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findBinary, skipUnless, tempDir } from '../testutil/index.js';
import { parseConfig } from './index.js';

/** The same configs through `promtool check config --syntax-only` (2.42) and Vigil: same accept/reject verdict. */
const PROMTOOL = findBinary('promtool');

/**
 * Deliberate differences (docs/configuration.md): Vigil rejects these at load time,
 * where 2.42 accepts the file and fails later (every target "invalid scheme") or
 * lets an external __name__ label rename every series sent out.
 */
const VIGIL_STRICTER = new Set(['bad scheme', 'external label __name__']);

const CASES: Array<[string, string]> = [
  ['empty file', ''],
  ['minimal job', 'scrape_configs:\n  - job_name: a\n'],
  ['unknown top-level field', 'foo: 1\n'],
  ['unknown global field', 'global:\n  bar: 1\n'],
  ['unknown scrape field', 'scrape_configs:\n  - job_name: a\n    bogus: 1\n'],
  ['duplicate job', 'scrape_configs:\n  - job_name: a\n  - job_name: a\n'],
  ['empty job name', 'scrape_configs:\n  - scrape_interval: 5s\n'],
  ['timeout > interval', 'scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 6s\n'],
  ['global timeout > interval', 'global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n'],
  ['bad duration', 'global:\n  scrape_interval: 5 seconds\n'],
  ['duration with units', 'global:\n  scrape_interval: 1m30s\n'],
  ['bad scheme', 'scrape_configs:\n  - job_name: a\n    scheme: ftp\n'],
  ['negative sample_limit', 'scrape_configs:\n  - job_name: a\n    sample_limit: -1\n'],
  ['body size units', 'scrape_configs:\n  - job_name: a\n    body_size_limit: 10MB\n'],
  ['bad body size', 'scrape_configs:\n  - job_name: a\n    body_size_limit: lots\n'],
  ['target with path', 'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["h:1/x"]}]\n'],
  ['bad static label name', 'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["h:1"], labels: {"a-b": x}}]\n'],
  ['relabel unknown action', 'scrape_configs:\n  - job_name: a\n    relabel_configs: [{action: explode}]\n'],
  ['relabel bad regex', 'scrape_configs:\n  - job_name: a\n    relabel_configs: [{source_labels: [a], regex: "(", target_label: b}]\n'],
  ['relabel replace without target', 'scrape_configs:\n  - job_name: a\n    relabel_configs: [{source_labels: [a]}]\n'],
  ['relabel hashmod without modulus', 'scrape_configs:\n  - job_name: a\n    relabel_configs: [{source_labels: [a], target_label: b, action: hashmod}]\n'],
  ['relabel labeldrop with source', 'scrape_configs:\n  - job_name: a\n    relabel_configs: [{source_labels: [a], regex: x, action: labeldrop}]\n'],
  ['relabel keepequal with regex', 'scrape_configs:\n  - job_name: a\n    relabel_configs: [{source_labels: [a], target_label: b, regex: x, action: keepequal}]\n'],
  ['relabel uppercase', 'scrape_configs:\n  - job_name: a\n    relabel_configs: [{source_labels: [a], target_label: b, action: uppercase}]\n'],
  ['relabel bad source label', 'scrape_configs:\n  - job_name: a\n    relabel_configs: [{source_labels: ["a-b"], target_label: b}]\n'],
  ['bearer token and file', 'scrape_configs:\n  - job_name: a\n    bearer_token: x\n    bearer_token_file: y\n'],
  ['basic auth and authorization', 'scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    authorization: {credentials: c}\n'],
  ['authorization type basic', 'scrape_configs:\n  - job_name: a\n    authorization: {type: basic, credentials: c}\n'],
  ['password and password_file', 'scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password: p, password_file: f}\n'],
  ['file_sd bad extension', 'scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [x.txt]}]\n'],
  ['file_sd glob in dir', 'scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: ["*/x.json"]}]\n'],
  ['bad rule file glob', 'rule_files: ["a/*/b.yml"]\n'],
  ['external label __name__', 'global:\n  external_labels: {__name__: x}\n'],
  ['remote_write without url', 'remote_write:\n  - remote_timeout: 5s\n'],
  ['remote_write reserved header', 'remote_write:\n  - url: http://x:1/push\n    headers: {User-Agent: me}\n'],
  ['remote_write authorization header', 'remote_write:\n  - url: http://x:1/push\n    headers: {authorization: me}\n'],
  ['alertmanager bad api version', 'alerting:\n  alertmanagers:\n    - api_version: v9\n'],
  ['alertmanager full', 'alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["am:9093"]}]\n      path_prefix: /x\n      timeout: 3s\n'],
  ['scrape config is a list item string', 'scrape_configs:\n  - just-a-string\n'],
  ['duplicate mapping key', 'global:\n  scrape_interval: 1s\n  scrape_interval: 2s\n'],
  ['tls cert without key', 'scrape_configs:\n  - job_name: a\n    tls_config: {cert_file: c.pem}\n'],
  ['yaml syntax error', 'global: [\n'],
  ['honor_labels not a bool', 'scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n'],
];

test('config accept/reject verdicts match promtool check config --syntax-only', { skip: skipUnless(PROMTOOL, 'prometheus'), timeout: 60_000 }, () => {
  const dir = tempDir('vigil-promtool-');
  try {
    const mismatches: string[] = [];
    CASES.forEach(([name, yaml], i) => {
      const file = join(dir.path, `c${i}.yml`);
      writeFileSync(file, yaml);
      const r = spawnSync(PROMTOOL!, ['check', 'config', '--syntax-only', file], { encoding: 'utf8' });
      const promOk = r.status === 0;
      let ourErr = '';
      try {
        parseConfig(yaml, file);
      } catch (err) {
        ourErr = (err as Error).message;
      }
      const expectOk = VIGIL_STRICTER.has(name) ? false : promOk;
      if (VIGIL_STRICTER.has(name)) assert.ok(promOk, `${name}: promtool 2.42 was expected to accept this`);
      if (expectOk !== (ourErr === '')) mismatches.push(`${name}: promtool ${promOk ? 'ok' : 'rejects: ' + r.stdout + r.stderr} / vigil ${ourErr || 'ok'}`);
      if (ourErr !== '') assert.match(ourErr, /^.*c\d+\.yml(:\d+:\d+)?: /, `${name}: error should start with file:line:col`);
    });
    assert.deepEqual(mismatches, []);
  } finally {
    dir.cleanup();
  }
});
