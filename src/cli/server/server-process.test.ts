import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import {
  eventually,
  findBinary,
  freePort,
  startTestExporter,
  startVigil,
  tempDir,
  type RunningProcess,
  type TestExporter,
} from '../../testutil/index.js';

/**
 * `vigil server` as a real process: startup errors and exit codes, guarded lifecycle
 * and admin endpoints, config reload (bad configs refused, the running one kept),
 * scraping into the API, and a TLS + basic auth listener.
 */

const scrapeAvailable = existsSync(new URL('../../scrape/index.js', import.meta.url));

function scrapeConfig(job: string, target: string, extra = ''): string {
  return `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n${extra}scrape_configs:\n  - job_name: ${job}\n    static_configs:\n      - targets: ['${target}']\n`;
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url);
  return (await r.json()) as Record<string, unknown>;
}

async function metricValue(base: string, name: string): Promise<number | null> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

describe('vigil server process', () => {
  const dir = tempDir('vigil-server-');
  let exporter: TestExporter;

  before(async () => {
    exporter = await startTestExporter();
  });
  after(async () => {
    await exporter.close();
    dir.cleanup();
  });

  it('exits with clear messages and codes on a busy port, a missing config and bad flags', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const busy = await startVigil(['server', `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir.path, 'busy')}`]);
      assert.equal(await busy.exited, 1);
      assert.match(busy.output(), /cannot listen on 127\.0\.0\.1:\d+: address already in use/);
    } finally {
      blocker.close();
    }
    const missing = await startVigil(['server', '--web.listen-address=127.0.0.1:0', `--config.file=${join(dir.path, 'nope.yml')}`]);
    assert.equal(await missing.exited, 2);
    assert.match(missing.output(), /level=error err=".*nope\.yml: cannot read config file: no such file or directory" msg="Error loading config/);
    const badYaml = join(dir.path, 'bad.yml');
    writeFileSync(badYaml, 'scrape_configs:\n  - job_name: x\n    scrape_interval: often\n');
    const bad = await startVigil(['server', '--web.listen-address=127.0.0.1:0', `--config.file=${badYaml}`]);
    assert.equal(await bad.exited, 2);
    assert.match(bad.output(), /bad\.yml:3:\d+/);
    const flag = await startVigil(['server', '--web.listen-adress=:1']);
    assert.equal(await flag.exited, 2);
    assert.match(flag.output(), /unknown flag --web\.listen-adress/);
    const webCfg = join(dir.path, 'web-bad.yml');
    writeFileSync(webCfg, 'basic_auth_users:\n  alice: secret\n');
    const web = await startVigil(['server', '--web.listen-address=127.0.0.1:0', `--web.config.file=${webCfg}`]);
    assert.equal(await web.exited, 2);
    assert.match(web.output(), /web-bad\.yml:2:3: .*not a bcrypt hash/);
  });

  describe('with default flags', () => {
    let vigil: RunningProcess;
    let base: string;

    before(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      const cfg = join(dir.path, 'default.yml');
      writeFileSync(cfg, scrapeConfig('exporter', exporter.target));
      vigil = await startVigil(['server', `--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir.path, 'd1')}`], { readyUrl: `${base}/-/ready` });
    });
    after(async () => {
      await vigil.stop();
    });

    it('forbids lifecycle, admin and remote-write endpoints unless enabled', async () => {
      for (const path of ['/-/reload', '/-/quit']) {
        const r = await fetch(base + path, { method: 'POST' });
        assert.equal(r.status, 403, path);
        assert.equal(await r.text(), 'Lifecycle API is not enabled.');
      }
      for (const path of ['/api/v1/admin/tsdb/snapshot', '/api/v1/admin/tsdb/delete_series?match[]=up', '/api/v1/admin/tsdb/clean_tombstones']) {
        const r = await fetch(base + path, { method: 'POST' });
        assert.equal(r.status, 500, path);
        assert.deepEqual(await r.json(), { status: 'error', errorType: 'unavailable', error: 'admin APIs disabled' });
      }
      assert.equal((await fetch(base + '/api/v1/write', { method: 'POST', body: 'x' })).status, 404);
      assert.equal(vigil.proc.exitCode, null, 'still running');
    });

    it('scrapes the configured target: up within two intervals, its series in the API', { skip: scrapeAvailable ? false : 'src/scrape is not merged into this build yet' }, async () => {
      const up = await eventually(async () => {
        const d = (await getJson(`${base}/api/v1/targets`))['data'] as { activeTargets: Array<Record<string, unknown>> };
        const t = d.activeTargets.find((x) => x['scrapePool'] === 'exporter');
        return t && t['health'] === 'up' ? t : null;
      }, 2500, 100);
      assert.equal(up['scrapeUrl'], `http://${exporter.target}/metrics`);
      assert.deepEqual(up['labels'], { instance: exporter.target, job: 'exporter' });
      const series = (await getJson(`${base}/api/v1/series?match[]=${encodeURIComponent('{job="exporter"}')}`))['data'] as Array<Record<string, string>>;
      const names = new Set(series.map((s) => s['__name__']));
      for (const n of ['up', 'test_requests_total', 'test_latency_seconds_bucket', 'test_rpc_seconds', 'test_untyped_thing', 'scrape_duration_seconds']) assert.ok(names.has(n), n);
    });

    it('stops gracefully on SIGTERM with exit code 0', async () => {
      vigil.proc.kill('SIGTERM');
      assert.equal(await vigil.exited, 0);
      assert.match(vigil.output(), /Received termination signal/);
      assert.match(vigil.output(), /See you next time!/);
    });
  });

  it('runs the built-in default config without --config.file, scraping itself on its own port', { skip: scrapeAvailable ? false : 'src/scrape is not merged into this build yet' }, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const vigil = await startVigil(['server', `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir.path, 'd0')}`], { readyUrl: `${base}/-/ready` });
    try {
      const yaml = ((await getJson(`${base}/api/v1/status/config`))['data'] as { yaml: string }).yaml;
      assert.match(yaml, new RegExp(`localhost:${port}`));
      assert.doesNotMatch(yaml, /localhost:9090/);
      // The default scrape interval is 15s and the first scrape is offset within it.
      const self = await eventually(async () => {
        const d = (await getJson(`${base}/api/v1/targets`))['data'] as { activeTargets: Array<Record<string, unknown>> };
        const t = d.activeTargets.find((x) => x['scrapePool'] === 'vigil');
        return t && t['health'] === 'up' ? t : null;
      }, 20_000, 250);
      assert.equal(self['scrapeUrl'], `http://localhost:${port}/metrics`);
      const own = (await getJson(`${base}/api/v1/series?match[]=vigil_build_info`))['data'] as Array<Record<string, string>>;
      assert.equal(own.length, 1);
      assert.equal(own[0]!['job'], 'vigil');
    } finally {
      await vigil.stop();
    }
  });

  it('refuses a bad config on reload and keeps the running one', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const cfg = join(dir.path, 'reload.yml');
    const good = scrapeConfig('first', exporter.target, '  external_labels:\n    site: one\n');
    writeFileSync(cfg, good);
    const vigil = await startVigil(['server', `--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', `--storage.tsdb.path=${join(dir.path, 'd2')}`], {
      readyUrl: `${base}/-/ready`,
    });
    try {
      assert.equal(await metricValue(base, 'vigil_config_last_reload_successful'), 1);
      writeFileSync(cfg, 'scrape_configs:\n  - job_name: second\n    static_configs:\n      - targets: [":::bad"]\n    bogus_field: 1\n');
      const r = await fetch(`${base}/-/reload`, { method: 'POST' });
      assert.equal(r.status, 500);
      assert.match(await r.text(), /^failed to reload config: .*reload\.yml:5:5: field bogus_field not found/);
      assert.equal(await metricValue(base, 'vigil_config_last_reload_successful'), 0);
      assert.equal(((await getJson(`${base}/api/v1/status/config`))['data'] as { yaml: string }).yaml, good);
      assert.equal(((await getJson(`${base}/api/v1/status/runtimeinfo`))['data'] as Record<string, unknown>)['reloadConfigSuccess'], false);
      assert.match(vigil.output(), /level=error .*Error reloading config/);

      // SIGHUP with the still-bad file: logged, process keeps serving.
      vigil.proc.kill('SIGHUP');
      await eventually(async () => (await metricValue(base, 'vigil_config_reloads_total')) !== null && /result="failure"\} 2/.test(await (await fetch(`${base}/metrics`)).text()), 5000, 100);
      assert.equal((await fetch(`${base}/-/healthy`)).status, 200);

      const next = scrapeConfig('second', exporter.target, '  external_labels:\n    site: two\n');
      writeFileSync(cfg, next);
      const ok = await fetch(`${base}/-/reload`, { method: 'PUT' });
      assert.equal(ok.status, 200);
      assert.equal(await metricValue(base, 'vigil_config_last_reload_successful'), 1);
      assert.equal(((await getJson(`${base}/api/v1/status/config`))['data'] as { yaml: string }).yaml, next);

      const quit = await fetch(`${base}/-/quit`, { method: 'POST' });
      assert.equal(quit.status, 200);
      assert.equal(await vigil.exited, 0);
    } finally {
      await vigil.stop();
    }
  });

  it('serves TLS with basic auth from a web config file', { skip: findBinary('openssl') ? false : 'openssl is not installed' }, async () => {
    const cert = join(dir.path, 'cert.pem');
    const key = join(dir.path, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const webCfg = join(dir.path, 'web.yml');
    // Relative paths resolve against the web config file's directory.
    writeFileSync(webCfg, `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  alice: ${bcrypt.hashSync('s3cret', 6)}\n`);
    const port = await freePort();
    const vigil = await startVigil(['server', `--web.config.file=${webCfg}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir.path, 'd3')}`]);
    try {
      const ca = execFileSync('cat', [cert]);
      const get = (path: string, auth?: string): Promise<{ status: number; body: string }> =>
        new Promise((resolve, reject) => {
          const req = httpsRequest({ host: '127.0.0.1', port, path, ca, headers: auth ? { Authorization: 'Basic ' + Buffer.from(auth).toString('base64') } : {} }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
      await eventually(async () => (await get('/-/ready', 'alice:s3cret')).status === 200, 20_000, 100);
      assert.equal((await get('/-/healthy')).status, 401);
      assert.equal((await get('/api/v1/status/buildinfo', 'alice:wrong')).status, 401);
      assert.equal((await get('/api/v1/status/buildinfo', 'mallory:s3cret')).status, 401);
      const ok = await get('/api/v1/status/buildinfo', 'alice:s3cret');
      assert.equal(ok.status, 200);
      assert.equal((JSON.parse(ok.body) as { status: string }).status, 'success');
      // Plain HTTP to the TLS port is not served.
      await assert.rejects(fetch(`http://127.0.0.1:${port}/-/healthy`));
      assert.match(vigil.output(), /https:\/\/127\.0\.0\.1:\d+\/api\/v1/);

      // SIGHUP re-reads the web config: a new user works without a restart.
      writeFileSync(webCfg, `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  alice: ${bcrypt.hashSync('s3cret', 6)}\n  bob: ${bcrypt.hashSync('b0b', 6)}\n`);
      vigil.proc.kill('SIGHUP');
      await eventually(async () => (await get('/api/v1/status/buildinfo', 'bob:b0b')).status === 200, 10_000, 100);
      assert.equal((await get('/api/v1/status/buildinfo', 'alice:s3cret')).status, 200);
    } finally {
      await vigil.stop();
    }
  });
});
