/**
 * Differential test against the real Alertmanager 0.25: one config and one timeline
 * of alerts and silences posted over API v2 to both; the webhook notifications
 * (receiver, groupKey, status, alerts with labels and status, truncatedAlerts) must be
 * the same, in the same order per group, at the same times within TOLERANCE_MS.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findBinary, freePort, skipUnless, startProcess, startVigil, tempDir, type RunningProcess } from '../testutil/index.js';

const AM_BIN = findBinary('prometheus-alertmanager', 'alertmanager');
const TOLERANCE_MS = 700;

interface Received {
  t: number;
  path: string;
  body: {
    receiver: string;
    status: string;
    groupKey: string;
    truncatedAlerts: number;
    alerts: Array<{ status: string; labels: Record<string, string>; fingerprint: string; startsAt: string; endsAt: string }>;
    groupLabels: Record<string, string>;
    commonLabels: Record<string, string>;
    version: string;
  };
}

async function sink(): Promise<{ server: Server; port: number; got: Received[]; t0: { v: number } }> {
  const got: Received[] = [];
  const t0 = { v: Date.now() };
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      got.push({ t: Date.now() - t0.v, path: req.url ?? '', body: JSON.parse(data) as Received['body'] });
      res.writeHead(200).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { server, port, got, t0 };
}

function config(hookPort: number): string {
  const url = (p: string): string => `http://127.0.0.1:${hookPort}/${p}`;
  return `global:
  resolve_timeout: 1m
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 5s
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
    - match: {team: db}
      receiver: db
      group_by: [alertname, instance]
      routes:
        - matchers: [env="prod"]
          receiver: dbprod
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname]
receivers:
  - name: default
    webhook_configs: [{url: '${url('default')}'}]
  - name: pager
    webhook_configs: [{url: '${url('pager')}', max_alerts: 1}]
  - name: db
    webhook_configs: [{url: '${url('db')}'}]
  - name: dbprod
    webhook_configs: [{url: '${url('dbprod')}'}]
`;
}

interface Instance {
  base: string;
  proc: RunningProcess;
  hook: Awaited<ReturnType<typeof sink>>;
  cleanup: () => void;
}

async function post(base: string, path: string, body: unknown): Promise<unknown> {
  const r = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${base}${path}: HTTP ${r.status}: ${text}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

async function startInstance(kind: 'real' | 'vigil'): Promise<Instance> {
  const hook = await sink();
  const dir = tempDir(`am-diff-${kind}-`);
  const cfgFile = join(dir.path, 'alertmanager.yml');
  writeFileSync(cfgFile, config(hook.port));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = [`--config.file=${cfgFile}`, `--storage.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, `--web.external-url=${base}`, '--cluster.listen-address='];
  const proc = kind === 'real' ? await startProcess(AM_BIN!, args, { readyUrl: `${base}/-/ready` }) : await startVigil(['alertmanager', ...args], { readyUrl: `${base}/-/ready` });
  return { base, proc, hook, cleanup: dir.cleanup };
}

const alert = (labels: Record<string, string>, endsAt?: string): Record<string, unknown> => ({ labels, annotations: { summary: `${labels['alertname']} on ${labels['instance']}` }, ...(endsAt ? { endsAt } : {}) });

function summarize(got: Received[]): Map<string, Array<{ t: number; key: string }>> {
  const by = new Map<string, Array<{ t: number; key: string }>>();
  for (const g of got) {
    const b = g.body;
    const id = `${g.path} ${b.receiver} ${b.groupKey}`;
    const key = JSON.stringify({
      status: b.status,
      truncatedAlerts: b.truncatedAlerts,
      groupLabels: b.groupLabels,
      commonLabels: b.commonLabels,
      version: b.version,
      alerts: b.alerts.map((a) => ({ status: a.status, labels: a.labels, fingerprint: a.fingerprint, resolved: a.endsAt !== '0001-01-01T00:00:00Z' })),
    });
    if (!by.has(id)) by.set(id, []);
    by.get(id)!.push({ t: g.t, key });
  }
  return by;
}

test('webhook notifications match Alertmanager 0.25: grouping, continue, inhibition, silences, resolution, repeats', { skip: skipUnless(AM_BIN, 'prometheus-alertmanager'), timeout: 60_000 }, async () => {
  const started = await Promise.allSettled([startInstance('real'), startInstance('vigil')]);
  const ok = started.filter((s): s is PromiseFulfilledResult<Instance> => s.status === 'fulfilled').map((s) => s.value);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const i of ok) {
      await i.proc.stop();
      i.hook.server.close();
      i.cleanup();
    }
    throw failed.reason;
  }
  const [real, vigil] = ok as [Instance, Instance];
  const both = [real, vigil];
  try {
    const now = (): string => new Date().toISOString();
    const at = async (ms: number, fn: (i: Instance) => Promise<unknown>): Promise<void> => {
      const wait = real.hook.t0.v + ms - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await Promise.all(both.map(fn));
    };
    // A silence for alertname=Silenced exists before anything fires.
    const silence = (matchers: unknown[]): Record<string, unknown> => ({ matchers, startsAt: now(), endsAt: new Date(Date.now() + 3600_000).toISOString(), createdBy: 'diff-test', comment: 'differential' });
    await Promise.all(both.map((i) => post(i.base, '/api/v2/silences', silence([{ name: 'alertname', value: 'Silenced', isRegex: false }]))));
    const t0 = Date.now();
    for (const i of both) i.hook.t0.v = t0;
    await at(0, (i) =>
      post(i.base, '/api/v2/alerts', [
        alert({ alertname: 'HighCPU', instance: 'a', severity: 'critical' }),
        alert({ alertname: 'HighCPU', instance: 'b', severity: 'warning' }),
        alert({ alertname: 'DBDown', team: 'db', env: 'prod', instance: 'db1' }),
        alert({ alertname: 'DBDown', team: 'db', instance: 'db2' }),
        alert({ alertname: 'Disk', instance: 'n' }),
        alert({ alertname: 'Silenced', instance: 'x' }),
        // Started long ago: its new group flushes at once instead of after group_wait.
        { ...alert({ alertname: 'Old', instance: 'o' }), startsAt: new Date(Date.now() - 60_000).toISOString() },
      ]),
    );
    // Silence db2 after its first notification: its repeat at 7s must not happen.
    await at(2000, (i) => post(i.base, '/api/v2/silences', silence([{ name: 'instance', value: 'db2', isRegex: false }, { name: 'team', value: 'd.', isRegex: true }])));
    // A new critical alert joins the pager group: re-notified at the 5s tick, truncated to max_alerts 1.
    await at(4000, (i) => post(i.base, '/api/v2/alerts', [alert({ alertname: 'HighCPU', instance: 'c', severity: 'critical' })]));
    // DB1 resolves: a resolved notification at the 7s tick.
    await at(6000, (i) => post(i.base, '/api/v2/alerts', [alert({ alertname: 'DBDown', team: 'db', env: 'prod', instance: 'db1' }, now())]));
    await at(9000, async () => undefined);

    const r = summarize(real.hook.got);
    const v = summarize(vigil.hook.got);
    const fmt = (m: Map<string, Array<{ t: number; key: string }>>): string =>
      [...m.entries()].map(([k, l]) => `${k}\n${l.map((x) => `   @${x.t}ms ${x.key}`).join('\n')}`).join('\n');
    const detail = `\n--- alertmanager ---\n${fmt(r)}\n--- vigil ---\n${fmt(v)}`;
    assert.deepEqual([...v.keys()].sort(), [...r.keys()].sort(), 'same receivers and group keys' + detail);
    for (const [id, rl] of r) {
      const vl = v.get(id)!;
      assert.deepEqual(vl.map((x) => x.key), rl.map((x) => x.key), `same notifications in the same order for ${id}` + detail);
      for (let k = 0; k < rl.length; k++) {
        assert.ok(Math.abs(vl[k]!.t - rl[k]!.t) <= TOLERANCE_MS, `notification ${k} of ${id}: vigil at ${vl[k]!.t}ms, alertmanager at ${rl[k]!.t}ms (tolerance ${TOLERANCE_MS}ms)` + detail);
      }
    }
    // The scenario exercised what it claims to: a repeat, a resolution, truncation, nested routing.
    const all = real.hook.got.map((g) => g.body);
    assert.ok(all.some((b) => b.status === 'resolved' && b.receiver === 'dbprod'), 'resolved notification' + detail);
    assert.ok(all.some((b) => b.receiver === 'pager' && b.truncatedAlerts === 1), 'truncated notification' + detail);
    assert.equal(all.filter((b) => b.receiver === 'default' && b.groupLabels['alertname'] === 'Disk').length, 2, 'one repeat of Disk' + detail);
    assert.ok(!all.some((b) => b.groupLabels['alertname'] === 'Silenced'), 'silenced alert never notified' + detail);
    const old = real.hook.got.filter((g) => g.body.groupLabels['alertname'] === 'Old');
    assert.ok(old.length === 2 && old[0]!.t < 500, 'old alert flushed immediately, then repeated' + detail);
    assert.ok(!all.some((b) => b.alerts.some((a) => a.labels['severity'] === 'warning')), 'inhibited alert never notified' + detail);
    assert.equal(all.filter((b) => b.receiver === 'db').length, 1, 'silenced after first notification: no repeat' + detail);
  } finally {
    await Promise.all(both.map((i) => i.proc.stop()));
    for (const i of both) {
      i.hook.server.close();
      i.hook.server.closeAllConnections();
      i.cleanup();
    }
  }
});

/** Replaces values that legitimately differ (times, IDs, versions) and keeps the shape. */
function normalize(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(x));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = normalize((v as Record<string, unknown>)[k], k);
    return out;
  }
  if (['startsAt', 'endsAt', 'updatedAt', 'uptime'].includes(key)) return typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v) ? '<time>' : v;
  if (typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(v)) return '<uuid>';
  return v;
}

test('API v2 responses have the same shapes and values as Alertmanager 0.25', { skip: skipUnless(AM_BIN, 'prometheus-alertmanager'), timeout: 60_000 }, async () => {
  const started = await Promise.allSettled([startInstance('real'), startInstance('vigil')]);
  const ok = started.filter((s): s is PromiseFulfilledResult<Instance> => s.status === 'fulfilled').map((s) => s.value);
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [real, vigil] = ok as [Instance, Instance];
    const results: unknown[] = [];
    for (const i of [real, vigil]) {
      const sil = (await post(i.base, '/api/v2/silences', {
        matchers: [{ name: 'instance', value: 'b', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
        createdBy: 'api-test',
        comment: 'shape',
      })) as { silenceID: string };
      await post(i.base, '/api/v2/alerts', [
        { labels: { alertname: 'HighCPU', instance: 'a', severity: 'critical' }, annotations: { summary: 's' }, generatorURL: 'http://prom/graph' },
        { labels: { alertname: 'HighCPU', instance: 'b', severity: 'warning' } },
        { labels: { alertname: 'HighCPU', instance: 'c', severity: 'warning' } },
        { labels: { alertname: 'DBDown', team: 'db', env: 'prod', instance: 'db1' } },
      ]);
      const get = async (p: string): Promise<unknown> => {
        const r = await fetch(i.base + p);
        return { status: r.status, body: r.status === 200 ? normalize(await r.json()) : null };
      };
      const bad = await fetch(i.base + '/api/v2/alerts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify([{ labels: {} }]) });
      results.push({
        alerts: await get('/api/v2/alerts'),
        activeOnly: await get('/api/v2/alerts?silenced=false&inhibited=false'),
        filtered: await get('/api/v2/alerts?filter=' + encodeURIComponent('severity=~"warn.*"') + '&receiver=default'),
        groups: await get('/api/v2/alerts/groups'),
        silences: await get('/api/v2/silences'),
        silence: await get('/api/v2/silence/' + sil.silenceID),
        missing: (await fetch(i.base + '/api/v2/silence/00000000-0000-0000-0000-000000000000')).status,
        receivers: await get('/api/v2/receivers'),
        statusKeys: Object.keys((await (await fetch(i.base + '/api/v2/status')).json()) as object).sort(),
        badAlertStatus: bad.status,
      });
    }
    if (process.env['AM_DIFF_DUMP']) {
      writeFileSync(process.env['AM_DIFF_DUMP'] + '.real.json', JSON.stringify(results[0], null, 1));
      writeFileSync(process.env['AM_DIFF_DUMP'] + '.vigil.json', JSON.stringify(results[1], null, 1));
    }
    for (const k of Object.keys(results[0] as object)) {
      assert.deepEqual((results[1] as Record<string, unknown>)[k], (results[0] as Record<string, unknown>)[k], `${k} differs`);
    }
    const r = results[0] as { alerts: { body: unknown[] }; groups: { body: unknown[] } };
    assert.equal(r.alerts.body.length, 4);
  } finally {
    for (const i of ok) {
      await i.proc.stop();
      i.hook.server.close();
      i.hook.server.closeAllConnections();
      i.cleanup();
    }
  }
});

test('Slack payloads (default and custom templates) match Alertmanager 0.25', { skip: skipUnless(AM_BIN, 'prometheus-alertmanager'), timeout: 60_000 }, async () => {
  const hooks = await Promise.all([sink(), sink()]);
  const dir = tempDir('am-slack-');
  const procs: RunningProcess[] = [];
  try {
    const bases: string[] = [];
    for (const [k, kind] of (['real', 'vigil'] as const).entries()) {
      const cfg = join(dir.path, `${kind}.yml`);
      writeFileSync(
        cfg,
        `global:
  slack_api_url: 'http://127.0.0.1:${hooks[k]!.port}/slack'
route:
  receiver: team.slack
  group_by: [alertname]
  group_wait: 300ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: team.slack
    slack_configs:
      - channel: '#alerts'
        send_resolved: true
      - channel: '#custom'
        username: 'bot-{{ .CommonLabels.severity }}'
        title: '{{ .Status | title }}: {{ .CommonAnnotations.summary }}'
        text: '{{ range .Alerts }}• {{ .Labels.instance }} since {{ .StartsAt.Format "15:04" }}{{ "\\n" }}{{ end }}'
        color: '{{ if eq .Status "firing" }}#ff0000{{ else }}good{{ end }}'
        footer: 'from {{ .ExternalURL }}'
        icon_emoji: ':fire:'
        link_names: true
`,
      );
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const args = [`--config.file=${cfg}`, `--storage.path=${join(dir.path, kind)}`, `--web.listen-address=127.0.0.1:${port}`, '--web.external-url=http://am.example:9093', '--cluster.listen-address='];
      procs.push(kind === 'real' ? await startProcess(AM_BIN!, args, { readyUrl: `${base}/-/ready` }) : await startVigil(['alertmanager', ...args], { readyUrl: `${base}/-/ready` }));
      bases.push(base);
    }
    const startsAt = '2024-05-06T10:11:12Z';
    const alerts = [
      { labels: { alertname: 'Latency', instance: 'api-1', severity: 'warning' }, annotations: { summary: 'p95 > 1s' }, startsAt },
      { labels: { alertname: 'Latency', instance: 'api-2', severity: 'warning' }, annotations: { summary: 'p95 > 1s' }, startsAt },
    ];
    await Promise.all(bases.map((b) => post(b, '/api/v2/alerts', alerts)));
    const wait = async (n: number): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (hooks.some((h) => h.got.length < n) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    await wait(2);
    // Resolve one: the send_resolved channel gets a new notification, the other does not.
    await Promise.all(bases.map((b) => post(b, '/api/v2/alerts', [{ ...alerts[0], endsAt: new Date().toISOString() }])));
    await wait(3);
    await new Promise((r) => setTimeout(r, 1500));
    const norm = (h: Received[]): string[] => h.map((g) => JSON.stringify(g.body)).sort();
    assert.deepEqual(norm(hooks[1]!.got), norm(hooks[0]!.got));
    assert.equal(hooks[0]!.got.length, 3);
  } finally {
    for (const p of procs) await p.stop();
    for (const h of hooks) {
      h.server.close();
      h.server.closeAllConnections();
    }
    dir.cleanup();
  }
});
