import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { isStaleNaN, labelsFromObject, MatchType, newMatcher } from '../model/index.js';
import { MemoryStorage } from '../storage/index.js';
import { eventually, findBinary, freePort, skipUnless, startProcess, tempDir } from '../testutil/index.js';
import { RequestContext, Router, UserError, type Route } from '../util/index.js';
import { promqlQueryFunc, promqlValidator } from './engine.js';
import { RuleManager } from './manager.js';
import { ruleTemplater } from './templater.js';
import type { QueryFunc } from './types.js';

const constQuery: QueryFunc = async (expr, t) => {
  if (expr.startsWith('always')) return [{ labels: labelsFromObject({ __name__: 'always', instance: 'a' }), t, v: 1 }];
  return [];
};

async function serve(routes: Route[]): Promise<{ base: string; server: Server }> {
  const router = new Router().mount(routes, '/api/v1');
  const server = createServer((req, res) => {
    const ctx = new RequestContext(req, res);
    const m = router.match(ctx.method, ctx.url.pathname);
    if (!m || m === 'method') return void res.writeHead(404).end();
    ctx.params = m.params;
    void Promise.resolve(m.handler(ctx)).catch(() => res.writeHead(500).end());
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${port}/api/v1`, server };
}

const FILE_A = `groups:
  - name: g1
    interval: 200ms
    rules:
      - alert: Always
        expr: always
        for: 1h
        labels: {severity: page}
        annotations: {summary: "always {{ $labels.instance }}"}
      - record: rec:always
        expr: always
  - name: g2
    interval: 200ms
    rules:
      - record: g2:always
        expr: always
`;

test('reload keeps unchanged groups running, carries alert state into changed groups, stales removed groups', async () => {
  const dir = tempDir();
  const storage = new MemoryStorage();
  const file = join(dir.path, 'a.yml');
  writeFileSync(file, FILE_A);
  const m = new RuleManager({ appendable: storage, queryable: storage, query: constQuery, templater: ruleTemplater(), registry: new Registry() });
  try {
    await m.update([file], 60_000, {});
    const [g1, g2] = m.groups();
    assert.equal(g1!.intervalMs, 200);
    const alert = await eventually(async () => g1!.alertingRules()[0]!.activeAlerts()[0], 5000, 20);
    const activeAt = alert.activeAt;
    // g2 must have written its series before it is removed.
    await eventually(async () => g2!.seriesInPreviousEval[0]!.size > 0, 5000, 20);
    // Unchanged: the very same group objects keep running.
    await m.update([file], 60_000, {});
    assert.equal(m.groups()[0], g1);
    assert.equal(m.groups()[1], g2);
    // g1 changed (new rule), g2 removed: g1 is rebuilt with the alert state copied over.
    writeFileSync(file, FILE_A.replace('  - name: g2\n    interval: 200ms\n    rules:\n      - record: g2:always\n        expr: always\n', '').replace('      - record: rec:always', '      - record: rec:other\n        expr: always\n      - record: rec:always'));
    await m.update([file], 60_000, {});
    assert.equal(m.groups().length, 1);
    const ng1 = m.groups()[0]!;
    assert.notEqual(ng1, g1);
    assert.equal(ng1.alertingRules()[0]!.activeAlerts()[0]!.activeAt, activeAt, 'activeAt survives the reload');
    // g2's series get a staleness marker two intervals after removal.
    await eventually(async () => {
      const q = await storage.querier(0, Date.now() + 1000);
      const [s] = await q.select(null, [newMatcher(MatchType.Equal, '__name__', 'g2:always')]);
      const it = s!.iterator();
      let last = 0;
      while (it.next()) last = it.v;
      return isStaleNaN(last);
    }, 5000, 50);
    // An invalid file is rejected with file:line:col detail and the running groups stay.
    writeFileSync(file, 'groups:\n  - name: bad\n    rules:\n      - record: x\n        expr: sum(\n');
    const v = new RuleManager({ appendable: storage, queryable: storage, query: constQuery, validator: promqlValidator });
    await assert.rejects(v.update([file], 60_000, {}), (e: Error) => e instanceof UserError && /a\.yml: 5:15: group "bad", rule 1, "x": could not parse expression: 1:5: parse error/.test(e.message));
    await v.stop();
  } finally {
    await m.stop();
    dir.cleanup();
  }
});

test('/api/v1/rules and /api/v1/alerts: shapes, filters and errors', async () => {
  const dir = tempDir();
  const storage = new MemoryStorage();
  const file = join(dir.path, 'a.yml');
  writeFileSync(file, FILE_A);
  const m = new RuleManager({ appendable: storage, queryable: storage, query: constQuery, templater: ruleTemplater(), validator: promqlValidator });
  const { base, server } = await serve(m.routes());
  try {
    await m.update([file], 60_000, {});
    await eventually(async () => m.groups()[0]!.alertingRules()[0]!.activeAlerts().length === 1, 5000, 20);
    const body = (await (await fetch(`${base}/rules`)).json()) as { status: string; data: { groups: Array<Record<string, unknown> & { rules: Array<Record<string, unknown>> }> } };
    assert.equal(body.status, 'success');
    const g = body.data.groups[0]!;
    assert.deepEqual(Object.keys(g), ['name', 'file', 'rules', 'interval', 'limit', 'evaluationTime', 'lastEvaluation']);
    assert.equal(g['interval'], 0.2);
    const [alerting, recording] = g.rules;
    assert.deepEqual(Object.keys(alerting!), ['state', 'name', 'query', 'duration', 'keepFiringFor', 'labels', 'annotations', 'alerts', 'health', 'evaluationTime', 'lastEvaluation', 'type']);
    assert.equal(alerting!['state'], 'pending');
    assert.equal(alerting!['duration'], 3600);
    assert.equal(alerting!['health'], 'ok');
    const a = (alerting!['alerts'] as Array<Record<string, unknown>>)[0]!;
    assert.deepEqual(Object.keys(a), ['labels', 'annotations', 'state', 'activeAt', 'value']);
    assert.deepEqual(a['labels'], { alertname: 'Always', instance: 'a', severity: 'page' });
    assert.deepEqual(a['annotations'], { summary: 'always a' });
    assert.equal(a['value'], '1e+00');
    assert.match(a['activeAt'] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.deepEqual(Object.keys(recording!), ['name', 'query', 'health', 'evaluationTime', 'lastEvaluation', 'type']);
    assert.equal(recording!['type'], 'recording');

    const onlyRec = (await (await fetch(`${base}/rules?type=record`)).json()) as typeof body;
    assert.deepEqual(onlyRec.data.groups.flatMap((x) => x.rules.map((r) => r['type'])), ['recording', 'recording']);
    const byName = (await (await fetch(`${base}/rules?rule_name[]=g2:always`)).json()) as typeof body;
    assert.deepEqual(byName.data.groups.map((x) => x.name), ['g2']);
    const byGroup = (await (await fetch(`${base}/rules?rule_group[]=g1&file[]=${encodeURIComponent(file)}`)).json()) as typeof body;
    assert.deepEqual(byGroup.data.groups.map((x) => x.name), ['g1']);
    const bad = await fetch(`${base}/rules?type=nope`);
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { status: 'error', errorType: 'bad_data', error: 'not supported value "nope"' });

    const alerts = (await (await fetch(`${base}/alerts`)).json()) as { data: { alerts: Array<Record<string, unknown>> } };
    assert.equal(alerts.data.alerts.length, 1);
    assert.equal(alerts.data.alerts[0]!['state'], 'pending');
  } finally {
    server.close();
    await m.stop();
    dir.cleanup();
  }
});

const prometheus = findBinary('prometheus');

/** Keys and JSON types, recursively (values of times and durations differ between runs). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? [shape(v[0])] : [];
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'labels' || k === 'annotations' ? 'map' : shape(x)]));
  return typeof v;
}

test('/api/v1/rules and /api/v1/alerts have the same JSON shape as Prometheus', { skip: skipUnless(prometheus, 'prometheus') }, async () => {
  const dir = tempDir();
  const rules = join(dir.path, 'rules.yml');
  writeFileSync(
    rules,
    `groups:
  - name: shape
    rules:
      - alert: Firing
        expr: vector(1) > 0
        labels: {severity: page}
        annotations: {summary: "value {{ $value }}"}
      - alert: Pending
        expr: vector(2)
        for: 1h
      - record: job:rec
        expr: vector(3)
        labels: {team: ops}
      - record: job:rec_nolabels
        expr: vector(4)
  - name: alpha
    rules:
      - record: job:alpha
        expr: vector(5)
`,
  );
  const cfg = join(dir.path, 'prometheus.yml');
  writeFileSync(cfg, `global:\n  evaluation_interval: 1s\nrule_files: ['${rules}']\n`);
  const port = await freePort();
  const prom = await startProcess(prometheus!, [`--config.file=${cfg}`, `--storage.tsdb.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    readyUrl: `http://127.0.0.1:${port}/-/ready`,
  });
  const storage = new MemoryStorage();
  const m = new RuleManager({ appendable: storage, queryable: storage, query: promqlQueryFunc(storage), templater: ruleTemplater(), validator: promqlValidator });
  const { base, server } = await serve(m.routes());
  try {
    await m.update([rules], 1000, {});
    const get = async (url: string): Promise<{ data: { groups?: Array<{ rules: Array<{ alerts?: unknown[]; health: string }> }>; alerts?: unknown[] } }> =>
      (await (await fetch(url)).json()) as { data: { groups?: Array<{ rules: Array<{ alerts?: unknown[]; health: string }> }>; alerts?: unknown[] } };
    const ready = (r: Awaited<ReturnType<typeof get>>): boolean =>
      (r.data.groups?.length ?? 0) === 2 && r.data.groups!.every((g) => g.rules.every((x) => x.health === 'ok' && (x.alerts === undefined || x.alerts.length > 0)));
    const theirs = await eventually(async () => {
      const r = await get(`http://127.0.0.1:${port}/api/v1/rules`);
      return ready(r) ? r : null;
    }, 20_000, 200);
    const ours = await eventually(async () => {
      const r = await get(`${base}/rules`);
      return ready(r) ? r : null;
    }, 20_000, 100);
    assert.deepEqual(shape(ours), shape(theirs));
    // Groups by file, then name (Prometheus' RuleGroups order), not in file order.
    const names = (r: Awaited<ReturnType<typeof get>>): string[] => r.data.groups!.map((g) => (g as unknown as { name: string }).name);
    assert.deepEqual(names(theirs), ['alpha', 'shape']);
    assert.deepEqual(names(ours), names(theirs));
    const theirAlerts = await get(`http://127.0.0.1:${port}/api/v1/alerts`);
    const ourAlerts = await get(`${base}/alerts`);
    assert.deepEqual(shape(ourAlerts), shape(theirAlerts));
    assert.equal(ourAlerts.data.alerts!.length, theirAlerts.data.alerts!.length);
    // Same canonical query text and alert values.
    const q = (r: Awaited<ReturnType<typeof get>>): unknown => r.data.groups!.find((g) => (g as unknown as { name: string }).name === 'shape')!.rules.map((x) => [(x as unknown as { query: string }).query, JSON.stringify((x.alerts ?? []).map((a) => (a as { value: string; state: string }).value + (a as { state: string }).state))]);
    assert.deepEqual(q(ours), q(theirs));
  } finally {
    server.close();
    await m.stop();
    await prom.stop();
    dir.cleanup();
  }
});

test('rule file globs expand in any path element, sorted; no match is not an error', async () => {
  const dir = tempDir();
  try {
    const { mkdirSync } = await import('node:fs');
    for (const d of ['a', 'b', 'c']) mkdirSync(join(dir.path, d));
    for (const f of ['a/x.yml', 'b/y.yml', 'b/z.yaml', 'c/w.yml', 'c/.hidden.yml']) writeFileSync(join(dir.path, f), '');
    const { expandGlobs } = await import('./manager.js');
    assert.deepEqual(await expandGlobs([join(dir.path, '*/*.yml')]), ['a/x.yml', 'b/y.yml', 'c/.hidden.yml', 'c/w.yml'].map((f) => join(dir.path, f)));
    assert.deepEqual(await expandGlobs([join(dir.path, '[ab]/?.y*ml')]), ['a/x.yml', 'b/y.yml', 'b/z.yaml'].map((f) => join(dir.path, f)));
    assert.deepEqual(await expandGlobs([join(dir.path, 'none/*.yml'), join(dir.path, 'plain.yml')]), [join(dir.path, 'plain.yml')]);
  } finally {
    dir.cleanup();
  }
});

test('a loaded group has its evaluation counters at 0 before it first runs (Prometheus NewGroup), dropped when removed', async () => {
  const dir = tempDir();
  const storage = new MemoryStorage();
  const file = join(dir.path, 'slow.yml');
  // One evaluation an hour: the group is loaded but does not run during the test.
  writeFileSync(file, 'groups:\n  - name: hourly\n    interval: 1h\n    rules:\n      - record: r:always\n        expr: always\n      - alert: A\n        expr: always\n');
  const registry = new Registry();
  const m = new RuleManager({ appendable: storage, queryable: storage, query: constQuery, templater: ruleTemplater(), registry });
  try {
    await m.update([file], 60_000, {});
    const text = await registry.metrics();
    const key = `${file};hourly`;
    for (const name of ['vigil_rule_evaluation_failures_total', 'vigil_rule_group_iterations_missed_total']) {
      assert.ok(text.includes(`${name}{rule_group="${key}"} 0\n`), `${name} at 0 for the new group:\n${text}`);
    }
    for (const name of ['vigil_rule_evaluations_total', 'vigil_rule_group_iterations_total']) {
      assert.match(text, new RegExp(`^${name}\\{rule_group="[^"]*;hourly"\\} \\d+$`, 'm'), `${name} exists for the new group`);
    }
    assert.ok(text.includes(`vigil_rule_group_interval_seconds{rule_group="${key}"} 3600\n`));
    assert.ok(text.includes(`vigil_rule_group_rules{rule_group="${key}"} 2\n`));
    // Removing the group drops its series.
    writeFileSync(file, 'groups: []\n');
    await m.update([file], 60_000, {});
    assert.doesNotMatch(await registry.metrics(), /;hourly"/);
  } finally {
    await m.stop();
    dir.cleanup();
  }
});
