/**
 * The alerting must-show, end to end in one `vigil server` process: Vigil scrapes an
 * exporter, a rule fires on the scraped value, the built-in Alertmanager renders a
 * seeds-style custom template and delivers it to a real SMTP server over STARTTLS with
 * AUTH (password from auth_password_file); when the value recovers a resolved mail follows.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  apiData,
  eventually,
  OPENSSL_BIN,
  ownMetric,
  queryVector,
  selfSignedCert,
  skipUnless,
  startMutableExporter,
  startSmtpServer,
  startVigilServer,
  tempDir,
  type MutableExporter,
  type TestSmtpServer,
  type VigilServerHandle,
} from '../../testutil/index.js';

const gauge = (v: number): string => `# HELP app_queue_length Jobs waiting.\n# TYPE app_queue_length gauge\napp_queue_length{queue="orders"} ${v}\n`;

interface Stack {
  dir: ReturnType<typeof tempDir>;
  exporter: MutableExporter;
  smtp: TestSmtpServer;
  vigil: VigilServerHandle;
  passwordFile: string;
  close(): Promise<void>;
}

/**
 * Exporter → `vigil server` (1s scrape and evaluation, rule QueueTooLong with for: 2s)
 * → built-in Alertmanager (alertmanager.yml with one email receiver) → SMTP server.
 */
async function startStack(passwordInFile: string): Promise<Stack> {
  const dir = tempDir('vigil-e2e-email-');
  const exporter = await startMutableExporter(gauge(250));
  const { cert, key } = selfSignedCert(dir.path);
  const smtp = await startSmtpServer({ certFile: cert, keyFile: key, username: 'vigil@example.com', password: 'app-password' });
  const passwordFile = join(dir.path, 'smtp-password');
  writeFileSync(passwordFile, passwordInFile);
  writeFileSync(
    join(dir.path, 'rules.yml'),
    `groups:
  - name: app
    rules:
      - alert: QueueTooLong
        expr: app_queue_length > 100
        for: 2s
        labels:
          severity: critical
        annotations:
          summary: 'Queue {{ $labels.queue }} on {{ $labels.instance }} has {{ $value }} jobs'
`,
  );
  const amFile = join(dir.path, 'alertmanager.yml');
  writeFileSync(
    amFile,
    `route:
  receiver: ops-mail
  group_by: [alertname]
  group_wait: 500ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: ops-mail
    email_configs:
      - to: 'oncall@example.com'
        from: 'vigil@example.com'
        smarthost: '${smtp.smarthost}'
        hello: vigil.test
        auth_username: 'vigil@example.com'
        auth_password_file: '${passwordFile}'
        require_tls: true
        tls_config:
          ca_file: '${cert}'
        send_resolved: true
        headers:
          Subject: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}'
        html: ''
        text: |
          {{ range .Alerts }}Instance: {{ .Labels.instance }}
          Severity: {{ .Labels.severity }}
          Summary: {{ .Annotations.summary }}
          {{ end }}
`,
  );
  const vigil = await startVigilServer({
    dir: dir.path,
    config: `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
  - job_name: app
    static_configs:
      - targets: ['${exporter.target}']
`,
    args: [`--alertmanager.config.file=${amFile}`, '--no-host-collectors'],
  }).catch(async (err: unknown) => {
    await smtp.close();
    await exporter.close();
    dir.cleanup();
    throw err;
  });
  return {
    dir,
    exporter,
    smtp,
    vigil,
    passwordFile,
    async close() {
      await vigil.stop();
      await smtp.close();
      await exporter.close();
      dir.cleanup();
    },
  };
}

test('a rule on scraped data sends a templated email over STARTTLS + AUTH, then a resolved one', { skip: skipUnless(OPENSSL_BIN, 'openssl'), timeout: 80_000 }, async () => {
  const { exporter, smtp, vigil, close } = await startStack('app-password\n');
  try {
    const firing = await eventually(async () => smtp.mails[0], 30_000, 100);
    assert.equal(firing.headers['subject'], '[FIRING] QueueTooLong');
    assert.equal(firing.headers['to'], 'oncall@example.com');
    assert.equal(firing.headers['from'], 'vigil@example.com');
    assert.deepEqual(firing.rcptTo, ['oncall@example.com']);
    assert.equal(firing.mailFrom, 'vigil@example.com');
    assert.equal(firing.html, '', 'html: "" turns the HTML part off');
    assert.equal(firing.text.replace(/\r\n/g, '\n'), `Instance: ${exporter.target}\nSeverity: critical\nSummary: Queue orders on ${exporter.target} has 250 jobs\n\n`); // the newline after {{ end }} is kept, as in Go
    // Delivered over STARTTLS, authenticated (after STARTTLS) with the password from the file.
    assert.equal(firing.secure, true, 'STARTTLS before DATA');
    assert.equal(firing.user, 'vigil@example.com');
    assert.ok(smtp.auths.length >= 1);
    for (const a of smtp.auths) {
      assert.deepEqual([a.username, a.password, a.secure], ['vigil@example.com', 'app-password', true]);
      assert.ok(['PLAIN', 'LOGIN'].includes(a.method), a.method);
    }

    // The alert came from scraped data: the same labels are in ALERTS and the API.
    const alerts = await queryVector(vigil.base, 'ALERTS{alertname="QueueTooLong"}');
    assert.deepEqual(alerts.map((a) => a.metric), [{ __name__: 'ALERTS', alertname: 'QueueTooLong', alertstate: 'firing', instance: exporter.target, job: 'app', queue: 'orders', severity: 'critical' }]);
    const am = (await (await fetch(`${vigil.base}/alertmanager/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string>; receivers: Array<{ name: string }> }>;
    assert.deepEqual(am.map((a) => [a.labels['alertname'], a.receivers.map((r) => r.name)]), [['QueueTooLong', ['ops-mail']]]);

    // Recovery: the exporter value drops, the rule resolves, send_resolved mails it.
    exporter.set(gauge(5));
    const resolved = await eventually(async () => smtp.mails.find((m) => m.headers['subject'] !== '[FIRING] QueueTooLong'), 30_000, 100);
    assert.equal(resolved.headers['subject'], '[RESOLVED] QueueTooLong');
    assert.match(resolved.text, new RegExp(`Instance: ${exporter.target.replace(/\./g, '\\.')}\\r?\\n`));
    assert.equal(resolved.secure, true);
    const notifications = await eventually(async () => {
      const text = await (await fetch(`${vigil.base}/metrics`)).text();
      const m = /vigil_alertmanager_notifications_total\{integration="email"\} (\d+)/.exec(text);
      return m && Number(m[1]) >= 2 ? Number(m[1]) : null;
    }, 5000, 200);
    assert.equal(notifications, 2);
    assert.equal(smtp.mails.length, 2, 'one firing and one resolved mail, no repeats');
    const rules = await apiData<{ groups: Array<{ rules: Array<{ state: string; health: string }> }> }>(vigil.base, '/api/v1/rules');
    assert.deepEqual(rules.groups[0]!.rules.map((r) => [r.state, r.health]), [['inactive', 'ok']]);
  } finally {
    await close();
  }
});

test('a wrong SMTP password fails the notification (counted, logged); fixed file + SIGHUP delivers the mail', { skip: skipUnless(OPENSSL_BIN, 'openssl'), timeout: 80_000 }, async () => {
  const { smtp, vigil, passwordFile, close } = await startStack('wrong-password\n');
  try {
    const failed = async (): Promise<number> => (await ownMetric(vigil.base, 'vigil_alertmanager_notifications_failed_total', 'integration="email"')) ?? 0;
    await eventually(async () => (await failed()) >= 1, 30_000, 200);
    assert.equal(smtp.mails.length, 0);
    assert.ok(smtp.auths.length >= 1 && smtp.auths.every((a) => a.password === 'wrong-password' && a.secure), JSON.stringify(smtp.auths));
    // The operator fixes the secret and reloads (alertmanager.yml is re-read with the main config).
    writeFileSync(passwordFile, 'app-password\n');
    vigil.proc.proc.kill('SIGHUP');
    const mail = await eventually(async () => smtp.mails[0], 30_000, 100);
    assert.equal(mail.headers['subject'], '[FIRING] QueueTooLong');
    assert.equal(mail.user, 'vigil@example.com');
    assert.ok(smtp.auths.some((a) => a.password === 'app-password'));
    // 535 is a permanent SMTP error: not retried within the group interval, logged as such.
    assert.match(vigil.proc.output(), /level=error .*receiver=ops-mail integration=email\[0\] .*535.*msg="notify retry canceled due to unrecoverable error"/);
  } finally {
    await close();
  }
});
