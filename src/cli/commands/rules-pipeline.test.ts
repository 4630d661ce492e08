import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { labelsFromObject } from '../../model/index.js';
import { Notifier } from '../../notifier/index.js';
import { MemoryStorage } from '../../storage/index.js';
import { eventually, findBinary, freePort, skipUnless, startProcess, tempDir } from '../../testutil/index.js';
import { promqlQueryFunc, promqlValidator } from '../../rules/index.js';
import { RuleManager } from '../../rules/index.js';
import { ruleTemplater } from '../../rules/index.js';

const alertmanagerBin = findBinary('prometheus-alertmanager', 'alertmanager');

/** Storage → PromQL → RuleManager → Notifier → the real Alertmanager, then resolution. */
test('an alert from a rule file reaches the real Alertmanager and resolves', { skip: skipUnless(alertmanagerBin, 'prometheus-alertmanager') }, async () => {
  const dir = tempDir();
  const port = await freePort();
  const amCfg = join(dir.path, 'am.yml');
  writeFileSync(amCfg, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  const am = await startProcess(
    alertmanagerBin!,
    [`--config.file=${amCfg}`, `--storage.path=${dir.path}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { readyUrl: `http://127.0.0.1:${port}/-/ready` },
  );
  const rules = join(dir.path, 'mysql.yml');
  writeFileSync(
    rules,
    `groups:
  - name: mysql
    interval: 200ms
    rules:
      - alert: MySQLDown
        expr: up{job="mysql-exporter"} == 0
        labels: {severity: critical}
        annotations:
          summary: "MySQL instance {{ $labels.instance }} is down"
`,
  );
  const storage = new MemoryStorage();
  let down = true;
  const feeder = setInterval(() => {
    const app = storage.appender();
    app.append(0, labelsFromObject({ __name__: 'up', job: 'mysql-exporter', instance: 'db-1:9104' }), Date.now(), down ? 0 : 1);
    void app.commit();
  }, 100);
  const registry = new Registry();
  const notifier = new Notifier({ alertmanagers: [{ targets: [`127.0.0.1:${port}`] }], externalLabels: { cluster: 'kr-1' } }, { registry });
  const m = new RuleManager({
    appendable: storage,
    queryable: storage,
    query: promqlQueryFunc(storage),
    validator: promqlValidator,
    templater: ruleTemplater({ externalURL: 'http://vigil.example:9090' }),
    externalURL: 'http://vigil.example:9090',
    notify: (a) => notifier.send(a),
    resendDelayMs: 60_000,
    registry,
  });
  try {
    await m.update([rules], 60_000, { cluster: 'kr-1' });
    type AmAlert = { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string }; generatorURL: string };
    const got = await eventually(async () => {
      const r = (await (await fetch(`http://127.0.0.1:${port}/api/v2/alerts`)).json()) as AmAlert[];
      return r.length > 0 ? r : null;
    }, 20_000, 200);
    assert.deepEqual(got[0]!.labels, { alertname: 'MySQLDown', cluster: 'kr-1', instance: 'db-1:9104', job: 'mysql-exporter', severity: 'critical' });
    assert.equal(got[0]!.annotations['summary'], 'MySQL instance db-1:9104 is down');
    assert.equal(got[0]!.generatorURL, 'http://vigil.example:9090/graph?g0.expr=up%7Bjob%3D%22mysql-exporter%22%7D+%3D%3D+0&g0.tab=1');
    // Recovery: the resolved alert is sent at once and Alertmanager stops listing it as active.
    down = false;
    await eventually(async () => {
      const r = (await (await fetch(`http://127.0.0.1:${port}/api/v2/alerts?active=true&silenced=false&inhibited=false`)).json()) as AmAlert[];
      return r.length === 0;
    }, 20_000, 200);
    const evals = (await registry.getSingleMetric('vigil_rule_evaluations_total')!.get()).values[0]!;
    assert.equal(evals.labels['rule_group'], `${rules};mysql`);
    assert.ok(evals.value >= 2);
  } finally {
    clearInterval(feeder);
    await m.stop();
    await notifier.stop();
    await am.stop();
    dir.cleanup();
  }
});

/** The single-process path: rules → notifier sink → the built-in Alertmanager, read back through its API v2. */
test('alerts reach the built-in Alertmanager through an in-process sink', async () => {
  const { Alertmanager, parseConfig } = await import('../../alertmgr/index.js');
  const { toPostableAlerts } = await import('../../notifier/index.js');
  const { Router, RequestContext } = await import('../../util/index.js');
  const { createServer } = await import('node:http');
  const dir = tempDir();
  const am = new Alertmanager({ config: parseConfig('route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n') });
  am.start();
  const router = new Router().mount(am.routes(), '/alertmanager/api/v2');
  const server = createServer((req, res) => {
    const ctx = new RequestContext(req, res);
    const m = router.match(ctx.method, ctx.url.pathname);
    if (!m || m === 'method') return void res.writeHead(404).end();
    ctx.params = m.params;
    void Promise.resolve(m.handler(ctx));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const rules = join(dir.path, 'r.yml');
  writeFileSync(rules, 'groups:\n  - name: g\n    interval: 200ms\n    rules:\n      - alert: Always\n        expr: vector(1)\n        labels: {severity: info}\n');
  const storage = new MemoryStorage();
  const notifier = new Notifier({ sinks: [(a) => am.postAlerts(toPostableAlerts(a))], externalLabels: { cluster: 'one' } });
  const m = new RuleManager({ appendable: storage, queryable: storage, query: promqlQueryFunc(storage), validator: promqlValidator, notify: (a) => notifier.send(a) });
  try {
    await m.update([rules], 60_000, {});
    const got = await eventually(async () => {
      const r = (await (await fetch(`http://127.0.0.1:${port}/alertmanager/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>;
      return r.length > 0 ? r : null;
    }, 10_000, 100);
    assert.deepEqual(got[0]!.labels, { alertname: 'Always', cluster: 'one', severity: 'info' });
  } finally {
    await m.stop();
    await notifier.stop();
    await am.stop();
    server.close();
    dir.cleanup();
  }
});
