import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import bcrypt from 'bcryptjs';
import { nodeCollectorOptionsFromFlags } from '../../agent/index.js';
import { findBinary, freePort, startVigil, tempDir } from '../../testutil/index.js';
import { parseFlags } from '../../util/index.js';
import { agentFlagSpecs } from './agent.js';

interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const getter = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = getter(url, { headers, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

test('vigil agent serves /metrics (plain and gzip), a landing page and ?collect[] filtering', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const agent = await startVigil(['agent', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { readyUrl: `${base}/metrics` });
  try {
    const plain = await rawGet(`${base}/metrics`);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(plain.headers['content-encoding'], undefined);
    const text = plain.body.toString('utf8');
    assert.match(text, /^# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode\.\n# TYPE node_cpu_seconds_total counter\n/m);
    assert.match(text, /^node_memory_MemTotal_bytes \d/m);
    assert.match(text, /^node_scrape_collector_success\{collector="meminfo"\} 1$/m);
    // The exporter's own metrics, as node_exporter serves them.
    assert.match(text, /^process_resident_memory_bytes \d/m);
    assert.match(text, /^# TYPE process_cpu_seconds_total counter$/m);
    const served = Number(/^promhttp_metric_handler_requests_total\{code="200"\} (\d+)$/m.exec(text)?.[1]);
    assert.ok(served >= 1);

    const zipped = await rawGet(`${base}/metrics`, { 'Accept-Encoding': 'gzip, deflate' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    const unzipped = gunzipSync(zipped.body).toString('utf8');
    assert.ok(zipped.body.length < unzipped.length / 3, `gzip should shrink the page (${zipped.body.length} vs ${unzipped.length})`);
    assert.match(unzipped, /^node_memory_MemTotal_bytes \d/m);
    assert.equal(Number(/^promhttp_metric_handler_requests_total\{code="200"\} (\d+)$/m.exec(unzipped)?.[1]), served + 1);

    const landing = await rawGet(`${base}/`);
    assert.equal(landing.status, 200);
    assert.match(landing.body.toString(), /<a href="\/metrics">Metrics<\/a>/);
    assert.equal((await rawGet(`${base}/nope`)).status, 404);

    const only = (await rawGet(`${base}/metrics?collect[]=loadavg`)).body.toString();
    assert.match(only, /^node_load1 /m);
    assert.doesNotMatch(only, /node_cpu_seconds_total/);
    const bad = await rawGet(`${base}/metrics?collect[]=bogus`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.toString(), /missing collector: bogus/);
  } finally {
    await agent.stop();
  }
});

test('vigil agent enforces basic auth from a Prometheus web config (bcrypt)', { timeout: 60_000 }, async () => {
  const dir = tempDir('vigil-agent-web-');
  const port = await freePort();
  const cfg = join(dir.path, 'web.yml');
  writeFileSync(cfg, `basic_auth_users:\n  alice: ${bcrypt.hashSync('s3cret', 10)}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`);
  const base = `http://127.0.0.1:${port}`;
  const agent = await startVigil(['agent', `--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${cfg}`, '--collector.disable-defaults', '--collector.loadavg', '--web.disable-exporter-metrics']);
  try {
    const auth = (u: string, p: string): Record<string, string> => ({ Authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64') });
    let ok: RawResponse | undefined;
    for (let i = 0; i < 100 && !ok; i++) {
      try {
        ok = await rawGet(`${base}/metrics`, auth('alice', 's3cret'));
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(ok, agent.output());
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-frame-options'], 'deny');
    assert.match(ok.body.toString(), /^node_load1 /m);
    assert.doesNotMatch(ok.body.toString(), /process_|promhttp_|node_exporter_build_info/);
    const none = await rawGet(`${base}/metrics`);
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Basic');
    assert.equal((await rawGet(`${base}/metrics`, auth('alice', 'wrong'))).status, 401);
    assert.equal((await rawGet(`${base}/metrics`, auth('mallory', 's3cret'))).status, 401);
    assert.equal((await rawGet(`${base}/`)).status, 401);
  } finally {
    await agent.stop();
    dir.cleanup();
  }
});

const OPENSSL = findBinary('openssl');

test('vigil agent serves TLS from tls_server_config', { skip: OPENSSL ? false : 'openssl is not installed', timeout: 60_000 }, async () => {
  const dir = tempDir('vigil-agent-tls-');
  const gen = spawnSync(OPENSSL!, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir.path, 'key.pem'), '-out', join(dir.path, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  // Relative paths are resolved against the config file's directory.
  writeFileSync(join(dir.path, 'web.yml'), 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n');
  const port = await freePort();
  const agent = await startVigil(['agent', `--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${join(dir.path, 'web.yml')}`, '--collector.disable-defaults', '--collector.uname']);
  try {
    let res: RawResponse | undefined;
    for (let i = 0; i < 100 && !res; i++) {
      try {
        res = await rawGet(`https://127.0.0.1:${port}/metrics`);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(res, agent.output());
    assert.equal(res.status, 200);
    assert.match(res.body.toString(), /^node_uname_info\{/m);
    await assert.rejects(rawGet(`http://127.0.0.1:${port}/metrics`));
  } finally {
    await agent.stop();
  }
  // Mutual TLS: the self-signed certificate doubles as the client CA and the client certificate.
  writeFileSync(join(dir.path, 'mtls.yml'), 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: cert.pem\n');
  const port2 = await freePort();
  const mtls = await startVigil(['agent', `--web.listen-address=127.0.0.1:${port2}`, `--web.config.file=${join(dir.path, 'mtls.yml')}`, '--collector.disable-defaults', '--collector.uname']);
  try {
    const withCert = (): Promise<RawResponse> =>
      new Promise((resolve, reject) => {
        const req = httpsGet(
          `https://127.0.0.1:${port2}/metrics`,
          { rejectUnauthorized: false, cert: readFileSync(join(dir.path, 'cert.pem')), key: readFileSync(join(dir.path, 'key.pem')) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          },
        );
        req.on('error', reject);
      });
    let res: RawResponse | undefined;
    for (let i = 0; i < 100 && !res; i++) {
      try {
        res = await withCert();
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(res, mtls.output());
    assert.equal(res.status, 200);
    await assert.rejects(rawGet(`https://127.0.0.1:${port2}/metrics`), 'no client certificate: the handshake is refused');
  } finally {
    await mtls.stop();
    dir.cleanup();
  }
});

test('vigil agent rejects bad flags and bad web configs with a clear message', { timeout: 60_000 }, async () => {
  const dir = tempDir('vigil-agent-bad-');
  try {
    const run = async (args: string[]): Promise<[number | null, string]> => {
      const p = await startVigil(['agent', ...args]);
      const code = await p.exited;
      return [code, p.output()];
    };
    let [code, out] = await run(['--collector.nosuch']);
    assert.equal(code, 2);
    assert.match(out, /unknown flag --collector\.nosuch/);
    [code, out] = await run(['--collector.vmstat.fields=(']);
    assert.equal(code, 2);
    assert.match(out, /--collector\.vmstat\.fields: invalid regular expression/);
    // The second address is taken (by the first): the agent must exit, not hang on the first.
    const busy = await freePort();
    [code, out] = await run([`--web.listen-address=127.0.0.1:${busy}`, `--web.listen-address=127.0.0.1:${busy}`, '--collector.disable-defaults']);
    assert.equal(code, 2);
    assert.match(out, /cannot listen on 127\.0\.0\.1:\d+: listen EADDRINUSE/);
    writeFileSync(join(dir.path, 'web.yml'), 'basic_auth_users:\n  bob: plaintext\n');
    [code, out] = await run([`--web.config.file=${join(dir.path, 'web.yml')}`, '--web.listen-address=127.0.0.1:0']);
    assert.equal(code, 2);
    assert.match(out, /basic_auth_users\.bob is not a bcrypt hash/);
    writeFileSync(join(dir.path, 'web2.yml'), 'tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n  nonsense: 1\n');
    [code, out] = await run([`--web.config.file=${join(dir.path, 'web2.yml')}`]);
    assert.equal(code, 2);
    assert.match(out, /field nonsense not found in tls_server_config/);
  } finally {
    dir.cleanup();
  }
});

const UNIT = new URL('../../../deploy/systemd/vigil-agent.service', import.meta.url).pathname;

/** ExecStart= lines of a unit (continuations joined, comments dropped), split into words. */
function execStarts(unit: string): string[][] {
  const joined = unit.replace(/\\\n/g, ' ');
  return [...joined.matchAll(/^ExecStart=(.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/));
}

test('deploy/systemd/vigil-agent.service: its flags parse, and it is hardened', () => {
  const unit = readFileSync(UNIT, 'utf8');
  const starts = execStarts(unit);
  assert.equal(starts.length, 1);
  const words = starts[0]!;
  assert.equal(words[0], '/usr/bin/node');
  const i = words.indexOf('agent');
  assert.ok(i > 0 && words[i - 1]!.endsWith('/bin/vigil.js'), words.join(' '));
  const flags = parseFlags(agentFlagSpecs(), words.slice(i + 1).filter((w) => w !== '$ARGS'));
  assert.deepEqual(flags.strings('web.listen-address'), [':9100']);
  assert.equal(flags.string('collector.textfile.directory'), '/var/lib/vigil-agent/textfile');
  // The commented seeds-style variant must parse too.
  const alt = unit.split('\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2)).join('\n');
  const altStart = execStarts(alt)[0]!;
  const altOpts = nodeCollectorOptionsFromFlags(parseFlags(agentFlagSpecs(), altStart.slice(altStart.indexOf('agent') + 1)));
  assert.deepEqual(altOpts.collectors, ['cpu', 'diskstats', 'filesystem', 'loadavg', 'meminfo', 'netdev', 'systemd']);
  for (const line of ['User=vigil-agent', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=read-only', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'Environment=UV_THREADPOOL_SIZE=2']) {
    assert.ok(unit.split('\n').includes(line), `missing ${line}`);
  }
  // The timex collector's read-only adjtimex (glibc: clock_adjtime) must pass the syscall filter; ProtectClock would deny it.
  assert.ok(!/^ProtectClock=yes/m.test(unit), 'ProtectClock=yes blocks the timex collector');
  assert.match(unit, /^SystemCallFilter=.*\bclock_adjtime\b/m);
});

const SYSTEMD_ANALYZE = findBinary('systemd-analyze');

test('systemd-analyze rates the unit as well hardened', { skip: SYSTEMD_ANALYZE ? false : 'systemd-analyze is not installed' }, (t) => {
  const r = spawnSync(SYSTEMD_ANALYZE!, ['security', '--offline=yes', UNIT], { encoding: 'utf8' });
  const m = /Overall exposure level for vigil-agent\.service: ([\d.]+)/.exec(r.stdout + r.stderr);
  if (!m) {
    t.skip('this systemd-analyze has no offline security analysis');
    return;
  }
  assert.ok(Number(m[1]) <= 2.5, `exposure ${m[1]}`);
});
