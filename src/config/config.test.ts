import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { labelsToObject } from '../model/index.js';
import { ConfigError, configEqual, DEFAULT_SERVER_CONFIG_YAML, loadConfigFile, parseByteSize, parseConfig, scrapeConfigHash } from './index.js';

function errorOf(yaml: string): string {
  try {
    parseConfig(yaml, 'prometheus.yml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  return 'no error';
}

test('defaults follow Prometheus: 1m interval, 10s timeout, /metrics, http, honor_timestamps', () => {
  const c = parseConfig('scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["h:1"]}]\n', '/etc/vigil/prometheus.yml');
  assert.equal(c.global.scrapeInterval, 60_000);
  assert.equal(c.global.scrapeTimeout, 10_000);
  assert.equal(c.global.evaluationInterval, 60_000);
  const sc = c.scrapeConfigs[0]!;
  assert.equal(sc.scrapeInterval, 60_000);
  assert.equal(sc.scrapeTimeout, 10_000);
  assert.equal(sc.metricsPath, '/metrics');
  assert.equal(sc.scheme, 'http');
  assert.equal(sc.honorTimestamps, true);
  assert.equal(sc.honorLabels, false);
  assert.deepEqual(sc.staticConfigs[0]!.targets, ['h:1']);
  // A job interval below the global timeout lowers the timeout to the interval.
  const c2 = parseConfig('global: {scrape_timeout: 10s}\nscrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n', 'p.yml');
  assert.equal(c2.scrapeConfigs[0]!.scrapeTimeout, 5000);
  const c3 = parseConfig('global: {scrape_interval: 5s}\n', 'p.yml');
  assert.equal(c3.global.scrapeTimeout, 5000);
});

test('errors carry file:line:col and Prometheus-style messages', () => {
  assert.equal(errorOf('global:\n  scrape_interval: 15s\n  foo: 1\n'), 'prometheus.yml:3:3: field foo not found in type config.GlobalConfig');
  assert.equal(errorOf('scrape_configs:\n  - job_name: a\n    bogus: true\n'), 'prometheus.yml:3:5: field bogus not found in type config.ScrapeConfig');
  assert.equal(errorOf('scrape_configs:\n  - job_name: a\n  - job_name: a\n'), 'prometheus.yml:3:5: found multiple scrape configs with job name "a"');
  assert.equal(errorOf('scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n'), 'prometheus.yml:2:5: scrape timeout greater than scrape interval for scrape config with job name "a"');
  assert.equal(errorOf('global:\n  scrape_interval: 5x\n'), 'prometheus.yml:2:20: not a valid duration string: "5x"');
  assert.equal(errorOf('scrape_configs:\n  - scrape_interval: 5s\n'), 'prometheus.yml:2:5: job_name is empty');
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: foo\n'), /^prometheus\.yml:4:9: unknown relabel action "foo"$/);
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ["http://x:1/metrics"]\n'), /^prometheus\.yml:4:19: "http:\/\/x:1\/metrics" is not a valid hostname$/);
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    sample_limit: -1\n'), /:3:19: cannot unmarshal !!int `-1` into uint/);
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: []\n'), /:3:5: kubernetes_sd_configs is not supported by Vigil/);
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    scheme: ftp\n'), /:3:13: unknown scheme "ftp"/);
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    bearer_token: x\n    bearer_token_file: y\n'), /at most one of bearer_token & bearer_token_file/);
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    authorization: {credentials: x}\n'), /at most one of basic_auth, oauth2 & authorization/);
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    authorization: {type: Basic}\n'), /authorization type cannot be set to "basic"/);
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    tls_config: {cert_file: c}\n'), /client cert file ".*c" specified without client key file/);
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [targets.txt]}]\n'), /path name ".*targets.txt" is not valid for file discovery/);
  assert.match(errorOf('rule_files: ["a/*/b.yml"]\n'), /:1:14: invalid rule file path "a\/\*\/b.yml"/);
  assert.match(errorOf('global:\n  external_labels: {__name__: x}\n'), /"__name__" is a reserved label name/);
  assert.match(errorOf('remote_write:\n  - url: http://x/api\n    headers: {Content-Type: x}\n'), /Content-Type is a reserved header/);
  assert.match(errorOf('remote_write:\n  - remote_timeout: 1s\n'), /url for remote_write is empty/);
  assert.match(errorOf('global:\n  a: [\n'), /^prometheus\.yml:\d+:\d+: yaml: /);
  assert.match(errorOf('global:\n  scrape_interval: 1s\n  scrape_interval: 2s\n'), /:3:3: mapping key "scrape_interval" already defined/);
  assert.match(errorOf('alerting:\n  alertmanagers:\n    - api_version: v3\n'), /api version to be one of \[v1 v2\] but got v3/);
  assert.match(errorOf('scrape_configs:\n  - job_name: a\n    body_size_limit: 10XB\n'), /unknown unit/);
});

test('every section parses into typed objects; relative paths resolve against the config dir', () => {
  const yaml = `
global:
  scrape_interval: 15s
  external_labels: {cluster: c1, empty: ""}
rule_files: ['rules/*.yml', /abs/r.yml]
scrape_configs:
  - job_name: full
    scrape_interval: 30s
    scrape_timeout: 20s
    metrics_path: /probe
    scheme: https
    params: {module: [http_2xx]}
    honor_labels: true
    honor_timestamps: false
    basic_auth: {username: u, password_file: secrets/pw}
    tls_config: {ca_file: ca.pem, cert_file: c.pem, key_file: k.pem, server_name: s, insecure_skip_verify: true}
    file_sd_configs: [{files: ['sd/*.json'], refresh_interval: 30s}]
    sample_limit: 10
    label_limit: 20
    label_name_length_limit: 30
    label_value_length_limit: 40
    target_limit: 50
    body_size_limit: 10MB
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: go_.*
        action: drop
  - job_name: legacy
    bearer_token_file: token
alerting:
  alert_relabel_configs: [{regex: replica, action: labeldrop}]
  alertmanagers:
    - scheme: https
      path_prefix: /am
      timeout: 5s
      authorization: {credentials_file: am-token}
      static_configs: [{targets: ['am:9093']}]
remote_write:
  - url: http://mimir:9009/api/v1/push
    remote_timeout: 10s
    headers: {X-Scope-OrgID: tenant}
    write_relabel_configs: [{source_labels: [__name__], regex: 'up', action: keep}]
    queue_config: {max_shards: 10, capacity: 100}
`;
  const c = parseConfig(yaml, '/etc/vigil/prometheus.yml');
  assert.deepEqual(labelsToObject(c.global.externalLabels), { cluster: 'c1' });
  assert.deepEqual(c.ruleFiles, ['/etc/vigil/rules/*.yml', '/abs/r.yml']);
  const f = c.scrapeConfigs[0]!;
  assert.equal(f.scrapeInterval, 30_000);
  assert.equal(f.scrapeTimeout, 20_000);
  assert.equal(f.scheme, 'https');
  assert.deepEqual(f.params, { module: ['http_2xx'] });
  assert.equal(f.httpClientConfig.basicAuth!.passwordFile, '/etc/vigil/secrets/pw');
  assert.equal(f.httpClientConfig.tlsConfig.caFile, '/etc/vigil/ca.pem');
  assert.equal(f.httpClientConfig.tlsConfig.insecureSkipVerify, true);
  assert.deepEqual(f.fileSDConfigs, [{ files: ['/etc/vigil/sd/*.json'], refreshInterval: 30_000 }]);
  assert.deepEqual([f.sampleLimit, f.labelLimit, f.labelNameLengthLimit, f.labelValueLengthLimit, f.targetLimit, f.bodySizeLimit], [10, 20, 30, 40, 50, 10 * 1024 * 1024]);
  assert.equal(f.metricRelabelConfigs[0]!.action, 'drop');
  assert.deepEqual(c.scrapeConfigs[1]!.httpClientConfig.authorization, { type: 'Bearer', credentials: '', credentialsFile: '/etc/vigil/token' });
  const am = c.alerting.alertmanagers[0]!;
  assert.equal(am.pathPrefix, '/am');
  assert.equal(am.timeout, 5000);
  assert.equal(am.apiVersion, 'v2');
  assert.equal(am.httpClientConfig.authorization!.credentialsFile, '/etc/vigil/am-token');
  assert.equal(c.alerting.alertRelabelConfigs[0]!.action, 'labeldrop');
  const rw = c.remoteWrite[0]!;
  assert.equal(rw.remoteTimeout, 10_000);
  assert.deepEqual(rw.headers, { 'X-Scope-OrgID': 'tenant' });
  assert.equal(rw.queueConfig.maxShards, 10);
  assert.equal(rw.queueConfig.capacity, 100);
  assert.equal(rw.queueConfig.maxSamplesPerSend, 500);
});

test('byte sizes use base-2 units like Prometheus', () => {
  assert.equal(parseByteSize('0'), 0);
  assert.equal(parseByteSize('100B'), 100);
  assert.equal(parseByteSize('1KB'), 1024);
  assert.equal(parseByteSize('10MB'), 10 * 1024 * 1024);
  assert.equal(parseByteSize('1GiB'), 1024 ** 3);
  assert.equal(parseByteSize('1GB512MB'), 1024 ** 3 + 512 * 1024 ** 2);
  assert.throws(() => parseByteSize('10'));
  assert.throws(() => parseByteSize('10Mb'));
});

test('config hashing detects changed jobs only', () => {
  const a = parseConfig('scrape_configs:\n  - job_name: a\n  - job_name: b\n', 'x/p.yml');
  const b = parseConfig('scrape_configs:\n  - job_name: a\n  - job_name: b\n    scrape_interval: 5s\n', 'y/p.yml');
  assert.equal(scrapeConfigHash(a.scrapeConfigs[0]!), scrapeConfigHash(b.scrapeConfigs[0]!));
  assert.notEqual(scrapeConfigHash(a.scrapeConfigs[1]!), scrapeConfigHash(b.scrapeConfigs[1]!));
  assert.ok(configEqual(a, parseConfig('scrape_configs:\n  - job_name: a\n  - job_name: b\n', 'z/p.yml')));
  assert.ok(!configEqual(a, b));
});

test('the embedded server default config is valid and scrapes the server and its host collectors', () => {
  const c = parseConfig(DEFAULT_SERVER_CONFIG_YAML, '');
  assert.equal(c.global.scrapeInterval, 15_000);
  assert.deepEqual(
    c.scrapeConfigs.map((s) => [s.jobName, s.metricsPath, s.staticConfigs[0]!.targets[0]]),
    [
      ['vigil', '/metrics', 'localhost:9090'],
      ['node', '/metrics/node', 'localhost:9090'],
    ],
  );
});

test('loadConfigFile reads from disk and reports missing files as ConfigError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cfg-'));
  try {
    const p = join(dir, 'prometheus.yml');
    writeFileSync(p, 'rule_files: [r.yml]\n');
    const c = await loadConfigFile(p);
    assert.deepEqual(c.ruleFiles, [join(dir, 'r.yml')]);
    assert.equal(c.filename, p);
    await assert.rejects(loadConfigFile(join(dir, 'nope.yml')), (e: unknown) => e instanceof ConfigError && /no such file/.test((e as Error).message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
