import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { eventually, freePort, sleep } from '../testutil/index.js';
import { Alertmanager, AlertValidationError, parseConfig } from './index.js';

test('in-process: slack payload from default and custom templates, metrics, invalid alerts, reload with a mute interval', { timeout: 30_000 }, async () => {
  const got: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let d = '';
    req.on('data', (c: Buffer) => (d += c.toString()));
    req.on('end', () => {
      got.push(JSON.parse(d) as Record<string, unknown>);
      res.writeHead(200).end('ok');
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const yml = (extra: string): string => `global:
  slack_api_url: 'http://127.0.0.1:${port}/hooks/x'
route:
  receiver: slack
  group_by: [alertname]
  group_wait: 50ms
  group_interval: 200ms
  repeat_interval: 1h
${extra}
receivers:
  - name: slack
    slack_configs:
      - channel: '#ops'
        text: '{{ range .Alerts }}*{{ .Labels.instance }}*: {{ .Annotations.summary }}{{ "\\n" }}{{ end }}'
`;
  const registry = new Registry();
  const am = new Alertmanager({ config: parseConfig(yml(''), 'am.yml'), registry, externalURL: 'http://am:9093/' });
  am.start();
  try {
    assert.throws(
      () =>
        am.postAlerts([
          { labels: { alertname: 'HighCPU', instance: 'a', severity: 'critical' }, annotations: { summary: 'hot' } },
          { labels: { alertname: 'HighCPU', instance: 'b', severity: 'critical' }, annotations: { summary: 'hotter' }, generatorURL: 'http://prom/g' },
          { labels: {} },
          { labels: { 'bad-name': 'x' } },
        ]),
      (e: unknown) => e instanceof AlertValidationError && /at least one label pair/.test(e.message) && /invalid name "bad-name"/.test(e.message),
    );
    await eventually(async () => got.length >= 1, 10_000, 20);
    const p = got[0]!;
    assert.equal(p['channel'], '#ops');
    assert.equal(p['username'], 'Alertmanager');
    const att = (p['attachments'] as Array<Record<string, unknown>>)[0]!;
    assert.equal(att['title'], '[FIRING:2] HighCPU (critical)');
    assert.equal(att['title_link'], 'http://am:9093/#/alerts?receiver=slack');
    assert.equal(att['color'], 'danger');
    assert.equal(att['text'], '*a*: hot\n*b*: hotter\n');
    assert.equal(att['fallback'], '[FIRING:2] HighCPU (critical) | http://am:9093/#/alerts?receiver=slack');
    assert.deepEqual(att['mrkdwn_in'], ['fallback', 'pretext', 'text']);
    const metrics = await registry.metrics();
    assert.match(metrics, /vigil_alertmanager_notifications_total\{integration="slack"\} 1/);
    assert.match(metrics, /vigil_alertmanager_alerts_received_total\{status="firing"\} 2/);
    assert.match(metrics, /vigil_alertmanager_alerts_invalid_total 2/);
    assert.match(metrics, /vigil_alertmanager_alerts\{state="active"\} 2/);

    // Reload: a route muted all week long; a new group is never notified.
    am.reload(
      parseConfig(
        yml(`  routes:
    - matchers: [alertname="Muted"]
      mute_time_intervals: [always]
time_intervals:
  - name: always
    time_intervals: [{weekdays: ['sunday:saturday']}]`),
        'am.yml',
      ),
    );
    am.postAlerts([{ labels: { alertname: 'Muted', instance: 'm' } }]);
    await sleep(600);
    assert.equal(got.filter((g) => JSON.stringify(g).includes('Muted')).length, 0);
    assert.equal(am.matchReceivers({ alertname: 'Muted' }).join(), 'slack');
  } finally {
    await am.stop();
    server.close();
  }
});
