import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { labelsFromObject, labelsGet } from '../model/index.js';
import { eventually, findBinary, freePort, skipUnless, startProcess, tempDir } from '../testutil/index.js';
import { Notifier, type NotifierAlert } from './index.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Array<{ labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL: string }>;
}

async function receiver(status = 200, gate?: Promise<void>): Promise<{ url: string; port: number; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createHttpServer(async (req, res) => {
    let data = '';
    for await (const c of req) data += String(c);
    got.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(data) as Received['body'] });
    if (gate) await gate;
    res.writeHead(status).end(status === 200 ? '' : 'nope');
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `127.0.0.1:${port}`, port, got, server };
}

function alert(i: number, over: Partial<NotifierAlert> = {}): NotifierAlert {
  return {
    labels: labelsFromObject({ alertname: 'A', i: String(i) }),
    annotations: labelsFromObject({ summary: `s${i}` }),
    startsAt: Date.UTC(2024, 0, 1, 0, 0, 0, 5),
    endsAt: Date.UTC(2024, 0, 1, 0, 4, 0),
    generatorURL: 'http://vigil/graph?g0.expr=up&g0.tab=1',
    ...over,
  };
}

async function metric(reg: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await reg.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

test('posts Alertmanager v2 JSON to {prefix}/api/v2/alerts in batches of 64, with auth and external labels', async () => {
  const r = await receiver();
  const reg = new Registry();
  const n = new Notifier(
    {
      alertmanagers: [{ targets: [r.url], pathPrefix: '/am/', basicAuth: { username: 'u', password: 'p w' }, headers: { 'X-Scope-OrgID': 't1' } }],
      externalLabels: { cluster: 'prod', i: 'not-overriding' },
    },
    { registry: reg },
  );
  try {
    n.send(Array.from({ length: 150 }, (_, i) => alert(i)));
    await eventually(async () => r.got.reduce((s, g) => s + g.body.length, 0) === 150);
    assert.deepEqual(r.got.map((g) => g.body.length), [64, 64, 22]);
    const first = r.got[0]!;
    assert.equal(first.path, '/am/api/v2/alerts');
    assert.equal(first.headers['content-type'], 'application/json');
    assert.equal(first.headers['authorization'], 'Basic ' + Buffer.from('u:p w').toString('base64'));
    assert.equal(first.headers['x-scope-orgid'], 't1');
    assert.deepEqual(first.body[0], {
      labels: { alertname: 'A', cluster: 'prod', i: '0' },
      annotations: { summary: 's0' },
      startsAt: '2024-01-01T00:00:00.005Z',
      endsAt: '2024-01-01T00:04:00.000Z',
      generatorURL: 'http://vigil/graph?g0.expr=up&g0.tab=1',
    });
    await eventually(async () => (await metric(reg, 'vigil_notifications_sent_total', { alertmanager: `http://${r.url}/am/api/v2/alerts` })) === 150);
    assert.equal(await metric(reg, 'vigil_notifications_alertmanagers_discovered'), 1);
    assert.equal(await metric(reg, 'vigil_notifications_dropped_total'), 0);
  } finally {
    await n.stop();
    r.server.close();
  }
});

test('a failing Alertmanager counts errors; alerts no receiver accepted count as dropped; one success is enough', async () => {
  const bad = await receiver(500);
  const good = await receiver(200);
  const reg = new Registry();
  const dir = tempDir();
  const tokenFile = join(dir.path, 'token');
  writeFileSync(tokenFile, 'tok\n');
  const n = new Notifier({ alertmanagers: [{ targets: [bad.url], bearerTokenFile: tokenFile }] }, { registry: reg });
  try {
    n.send([alert(1), alert(2)]);
    await eventually(async () => (await metric(reg, 'vigil_notifications_dropped_total')) === 2);
    assert.equal(await metric(reg, 'vigil_notifications_errors_total'), 2);
    assert.equal(bad.got[0]!.headers['authorization'], 'Bearer tok');
    n.applyConfig({ alertmanagers: [{ targets: [bad.url, good.url] }] });
    n.send([alert(3)]);
    await eventually(async () => good.got.length === 1);
    await eventually(async () => (await metric(reg, 'vigil_notifications_errors_total')) === 3);
    assert.equal(await metric(reg, 'vigil_notifications_dropped_total'), 2, 'not dropped: one Alertmanager took it');
  } finally {
    await n.stop();
    bad.server.close();
    good.server.close();
    dir.cleanup();
  }
});

test('a full queue drops the oldest alerts and counts them', async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const r = await receiver(200, gate);
  const reg = new Registry();
  const n = new Notifier({ alertmanagers: [{ targets: [r.url] }], queueCapacity: 5, maxBatchSize: 2 }, { registry: reg });
  try {
    n.send([alert(0), alert(1)]); // taken by the loop, request held by the gate
    await eventually(async () => r.got.length === 1);
    n.send([alert(2), alert(3), alert(4), alert(5)]);
    n.send([alert(6), alert(7), alert(8)]); // 7 queued > capacity 5: drops 2, 3
    assert.equal(n.queueLength(), 5);
    assert.equal(await metric(reg, 'vigil_notifications_dropped_total'), 2);
    n.send(Array.from({ length: 7 }, (_, i) => alert(100 + i))); // larger than capacity: keeps the newest 5
    assert.equal(await metric(reg, 'vigil_notifications_dropped_total'), 2 + 2 + 5);
    open();
    await eventually(async () => r.got.reduce((s, g) => s + g.body.length, 0) === 7);
    const ids = r.got.flatMap((g) => g.body.map((a) => a.labels['i']));
    assert.deepEqual(ids, ['0', '1', '102', '103', '104', '105', '106']);
  } finally {
    open();
    await n.stop();
    r.server.close();
  }
});

test('in-process sinks receive the same alerts; relabelling can drop alerts', async () => {
  const got: NotifierAlert[] = [];
  const n = new Notifier({ sinks: [(a) => void got.push(...a)], relabel: (ls) => (labelsGet(ls, 'i') === '1' ? null : ls) });
  try {
    n.send([alert(0), alert(1), alert(2)]);
    await eventually(async () => got.length === 2);
    assert.deepEqual(got.map((a) => labelsGet(a.labels, 'i')), ['0', '2']);
  } finally {
    await n.stop();
  }
});

const openssl = findBinary('openssl');

test('https with a custom CA and TLS server name', { skip: skipUnless(openssl, 'openssl') }, async () => {
  const dir = tempDir();
  try {
    const key = join(dir.path, 'k.pem');
    const crt = join(dir.path, 'c.pem');
    execFileSync(openssl!, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=am.test', '-addext', 'subjectAltName=DNS:am.test'], { stdio: 'ignore' });
    const got: string[] = [];
    const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(crt) }, (req, res) => {
      got.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const reg = new Registry();
    const n = new Notifier({ alertmanagers: [{ targets: [`127.0.0.1:${port}`], scheme: 'https', tls: { caFile: crt, serverName: 'am.test', minVersion: 'TLS12' } }] }, { registry: reg });
    const untrusted = new Notifier({ alertmanagers: [{ targets: [`127.0.0.1:${port}`], scheme: 'https' }] }, { registry: new Registry() });
    try {
      n.send([alert(1)]);
      await eventually(async () => got.length === 1);
      assert.equal(got[0], '/api/v2/alerts');
      untrusted.send([alert(2)]);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(got.length, 1, 'certificate not trusted without the CA');
    } finally {
      await n.stop();
      await untrusted.stop(100);
      server.close();
    }
  } finally {
    dir.cleanup();
  }
});

const alertmanagerBin = findBinary('prometheus-alertmanager', 'alertmanager');

test('alerts posted by the notifier appear in the real Alertmanager /api/v2/alerts', { skip: skipUnless(alertmanagerBin, 'prometheus-alertmanager') }, async () => {
  const dir = tempDir();
  const port = await freePort();
  const cfg = join(dir.path, 'am.yml');
  writeFileSync(cfg, 'route:\n  receiver: blackhole\n  group_wait: 1s\nreceivers:\n  - name: blackhole\n');
  const am = await startProcess(
    alertmanagerBin!,
    [`--config.file=${cfg}`, `--storage.path=${dir.path}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { readyUrl: `http://127.0.0.1:${port}/-/ready` },
  );
  const n = new Notifier({ alertmanagers: [{ targets: [`127.0.0.1:${port}`], apiVersion: 'v2' }], externalLabels: { cluster: 'c1' } });
  try {
    const now = Date.now();
    n.send([
      alert(1, { startsAt: now - 60_000, endsAt: now + 3_600_000 }),
      alert(2, { startsAt: now - 60_000, endsAt: now + 3_600_000, annotations: labelsFromObject({ summary: '한국어 요약' }) }),
    ]);
    const alerts = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v2/alerts`);
      const body = (await res.json()) as Array<{ labels: Record<string, string>; annotations: Record<string, string>; status: { state: string }; generatorURL: string }>;
      return body.length === 2 ? body : null;
    });
    alerts.sort((a, b) => (a.labels['i']! < b.labels['i']! ? -1 : 1));
    assert.deepEqual(alerts[0]!.labels, { alertname: 'A', cluster: 'c1', i: '1' });
    assert.equal(alerts[1]!.annotations['summary'], '한국어 요약');
    assert.equal(alerts[0]!.status.state, 'active');
    assert.equal(alerts[0]!.generatorURL, 'http://vigil/graph?g0.expr=up&g0.tab=1');
    // Resolving: endsAt in the past makes Alertmanager mark it resolved (dropped from the active list).
    n.send([alert(1, { startsAt: now - 60_000, endsAt: Date.now() - 1000 })]);
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v2/alerts?active=true`);
      const body = (await res.json()) as unknown[];
      return body.length === 1;
    });
  } finally {
    await n.stop();
    await am.stop();
    dir.cleanup();
  }
});
