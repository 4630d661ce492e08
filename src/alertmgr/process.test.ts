/**
 * `vigil alertmanager` as a real process: a restart (kill -9) sends no duplicate
 * notification and keeps silences; amtool works against it the same way it works
 * against the real Alertmanager 0.25 (alert add/query, silence add/query/expire).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { eventually, findBinary, freePort, skipUnless, sleep, startProcess, startVigil, tempDir } from '../testutil/index.js';

const run = promisify(execFile);
const AMTOOL = findBinary('amtool');
const AM_BIN = findBinary('prometheus-alertmanager', 'alertmanager');

async function sink(): Promise<{ server: Server; port: number; got: Array<{ status: string; alerts: Array<{ labels: Record<string, string> }> }> }> {
  const got: Array<{ status: string; alerts: Array<{ labels: Record<string, string> }> }> = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      got.push(JSON.parse(data) as (typeof got)[number]);
      res.writeHead(200).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { server, port, got };
}

const CONFIG = (hook: number): string => `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 300ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{url: 'http://127.0.0.1:${hook}/'}]
`;

async function post(base: string, path: string, body: unknown): Promise<unknown> {
  const r = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const t = await r.text();
  assert.ok(r.ok, `${path}: HTTP ${r.status} ${t}`);
  return t ? (JSON.parse(t) as unknown) : null;
}

test('restart (kill -9) sends no duplicate notification and keeps silences', { timeout: 60_000 }, async () => {
  const hook = await sink();
  const dir = tempDir('am-restart-');
  const cfg = join(dir.path, 'am.yml');
  writeFileSync(cfg, CONFIG(hook.port));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = ['alertmanager', `--config.file=${cfg}`, `--storage.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`];
  let proc = await startVigil(args, { readyUrl: `${base}/-/ready` });
  try {
    const a = { labels: { alertname: 'Restart', instance: 'x' } };
    const b = { labels: { alertname: 'Muted', instance: 'y' } };
    const sil = (await post(base, '/api/v2/silences', {
      matchers: [{ name: 'alertname', value: 'Muted', isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      createdBy: 'test',
      comment: 'survives restart',
    })) as { silenceID: string };
    await post(base, '/api/v2/alerts', [a, b]);
    await eventually(async () => hook.got.length >= 1, 10_000, 50);
    assert.equal(hook.got.length, 1);
    assert.equal(hook.got[0]!.alerts[0]!.labels['alertname'], 'Restart');
    // The log is written once the receiver has answered (as in Alertmanager, a crash between
    // the send and the log write can repeat a notification): wait for it before killing.
    await eventually(async () => /vigil_alertmanager_nflog_entries 1/.test(await (await fetch(`${base}/metrics`)).text()), 5000, 20);

    await proc.kill9();
    proc = await startVigil(args, { readyUrl: `${base}/-/ready` });
    // Prometheus re-sends its firing alerts after a restart.
    await post(base, '/api/v2/alerts', [a, b]);
    await sleep(2500);
    assert.equal(hook.got.length, 1, `no duplicate after restart, got ${JSON.stringify(hook.got)}`);

    const silences = (await (await fetch(`${base}/api/v2/silences`)).json()) as Array<{ id: string; status: { state: string } }>;
    assert.deepEqual(silences.map((s) => [s.id, s.status.state]), [[sil.silenceID, 'active']]);
    const alerts = (await (await fetch(`${base}/api/v2/alerts?silenced=false`)).json()) as Array<{ labels: Record<string, string> }>;
    assert.deepEqual(alerts.map((x) => x.labels['alertname']), ['Restart']);
    const page = await (await fetch(`${base}/`)).text();
    assert.match(page, /alertname="Restart"/);
    assert.match(page, /survives restart/);
    // A change after the restart is still notified (the log deduplicates, it does not swallow).
    await post(base, '/api/v2/alerts', [{ labels: { alertname: 'Restart', instance: 'z' } }]);
    await eventually(async () => hook.got.length >= 2, 10_000, 50);
    assert.equal(hook.got[1]!.alerts.length, 2);

    // Reload: POST /-/reload applies a new file; a broken file is refused and the old one kept; SIGHUP reloads too.
    const receivers = async (): Promise<string[]> => ((await (await fetch(`${base}/api/v2/receivers`)).json()) as Array<{ name: string }>).map((r) => r.name);
    writeFileSync(cfg, CONFIG(hook.port) + '  - name: extra\n');
    assert.equal((await fetch(`${base}/-/reload`, { method: 'POST' })).status, 200);
    assert.deepEqual(await receivers(), ['hook', 'extra']);
    writeFileSync(cfg, 'route: [oops\n');
    const bad = await fetch(`${base}/-/reload`, { method: 'POST' });
    assert.equal(bad.status, 500);
    assert.match(await bad.text(), /am\.yml:\d+: yaml/);
    assert.deepEqual(await receivers(), ['hook', 'extra']);
    writeFileSync(cfg, CONFIG(hook.port) + '  - name: viasighup\n');
    proc.proc.kill('SIGHUP');
    await eventually(async () => (await receivers()).includes('viasighup'), 5000, 50);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /vigil_alertmanager_notifications_total\{integration="webhook"\} 1/);
  } finally {
    await proc.stop();
    hook.server.close();
    dir.cleanup();
  }
});

interface AmtoolTarget {
  base: string;
  stop: () => Promise<void>;
}

async function amtool(base: string, ...args: string[]): Promise<string> {
  const r = await run(AMTOOL!, [`--alertmanager.url=${base}`, ...args], { timeout: 15_000 });
  return r.stdout;
}

/** Runs the same amtool session against a target and returns normalised results. */
async function amtoolSession(base: string): Promise<unknown> {
  await amtool(base, 'alert', 'add', 'alertname=AmtoolTest', 'severity=warning', 'instance=i1', '--annotation=summary=from amtool');
  const alerts = JSON.parse(await amtool(base, 'alert', 'query', '-o', 'json')) as Array<Record<string, unknown>>;
  const id = (await amtool(base, 'silence', 'add', 'alertname=AmtoolTest', 'instance=~"i.*"', '--comment=amtool compat', '--author=tester', '--duration=1h')).trim();
  assert.match(id, /^[0-9a-f-]{36}$/);
  const silenced = JSON.parse(await amtool(base, 'alert', 'query', '-s', '-o', 'json')) as Array<{ status: { state: string; silencedBy: string[] } }>;
  const sils = JSON.parse(await amtool(base, 'silence', 'query', '-o', 'json')) as Array<Record<string, unknown>>;
  const simple = await amtool(base, 'silence', 'query', '-q');
  // amtool prints the updated silence as a table: its ID is the first column of the second line.
  const updated = ((await amtool(base, 'silence', 'update', id, '--duration=2h', '--comment=extended')).split('\n')[1] ?? '').split(/\s+/)[0];
  const filtered = JSON.parse(await amtool(base, 'alert', 'query', '-s', '-o', 'json', 'instance=~"i1|i9"', 'severity!=critical')) as unknown[];
  const byReceiver = JSON.parse(await amtool(base, 'alert', 'query', '-s', '-o', 'json', '--receiver=ho.k')) as unknown[];
  await amtool(base, 'silence', 'expire', id);
  const expired = JSON.parse(await amtool(base, 'silence', 'query', '--expired', '-o', 'json')) as Array<{ id: string; status: { state: string } }>;
  const active = (await amtool(base, 'silence', 'query', '-q')).trim();
  return {
    alertKeys: Object.keys(alerts[0] ?? {}).sort(),
    alerts: alerts.map((a) => ({ labels: a['labels'], annotations: a['annotations'], state: (a['status'] as { state: string }).state, receivers: a['receivers'] })),
    silencedState: silenced.map((a) => [a.status.state, a.status.silencedBy.length]),
    silenceKeys: Object.keys(sils[0] ?? {}).sort(),
    silenceMatchers: sils.map((s) => s['matchers']),
    silenceState: sils.map((s) => (s['status'] as { state: string }).state),
    simpleListHasId: simple.includes(id),
    updateKeptId: updated === id,
    filtered: filtered.length,
    byReceiver: byReceiver.length,
    expired: expired.map((s) => [s.id === id, s.status.state]),
    activeAfterExpire: active,
  };
}

test('amtool works against vigil alertmanager as against Alertmanager 0.25', { skip: skipUnless(AMTOOL, 'prometheus-alertmanager') || skipUnless(AM_BIN, 'prometheus-alertmanager'), timeout: 90_000 }, async () => {
  const dir = tempDir('am-amtool-');
  const targets: AmtoolTarget[] = [];
  try {
    for (const kind of ['real', 'vigil'] as const) {
      const cfg = join(dir.path, `${kind}.yml`);
      writeFileSync(cfg, CONFIG(1));
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const args = [`--config.file=${cfg}`, `--storage.path=${join(dir.path, kind)}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='];
      const p = kind === 'real' ? await startProcess(AM_BIN!, args, { readyUrl: `${base}/-/ready` }) : await startVigil(['alertmanager', ...args], { readyUrl: `${base}/-/ready` });
      targets.push({ base, stop: () => p.stop() });
    }
    const [real, vigil] = await Promise.all(targets.map((t) => amtoolSession(t.base)));
    assert.deepEqual(vigil, real);
    const r = real as { alerts: unknown[]; expired: unknown[]; updateKeptId: boolean; filtered: number; byReceiver: number };
    // Extending an active silence keeps its ID.
    assert.deepEqual([r.updateKeptId, r.filtered, r.byReceiver], [true, 1, 1]);
    assert.equal(r.alerts.length, 1);
    assert.deepEqual(r.expired, [[true, 'expired']]);
  } finally {
    for (const t of targets) await t.stop();
    dir.cleanup();
  }
});
