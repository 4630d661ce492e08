/**
 * Email notifications through a real SMTP server (smtp-server) that offers
 * STARTTLS with a self-signed certificate and requires AUTH: one receiver with
 * the seeds' style of custom subject/body, one with the default templates.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { eventually, findBinary, freePort, parseMail, skipUnless, startProcess, tempDir } from '../testutil/index.js';
import { Alertmanager, parseConfig, type PostableAlert } from './index.js';

const OPENSSL = findBinary('openssl');

interface Mail {
  raw: string;
  secure: boolean;
  user: string;
  rcpt: string[];
  from: string;
}

test('email via STARTTLS + AUTH: seeds-style custom template and default template', { skip: skipUnless(OPENSSL, 'openssl'), timeout: 60_000 }, async () => {
  const dir = tempDir('am-email-');
  const key = join(dir.path, 'key.pem');
  const cert = join(dir.path, 'cert.pem');
  execFileSync(OPENSSL!, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  const mails: Mail[] = [];
  const auths: Array<{ user: string; pass: string; method: string }> = [];
  const server = new SMTPServer({
    key: readFileSync(key),
    cert: readFileSync(cert),
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      auths.push({ user: auth.username ?? '', pass: auth.password ?? '', method: auth.method });
      if (auth.username === 'monitoring@company.com' && auth.password === 'app-password') cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ raw, secure: session.secure, user: String(session.user ?? ''), rcpt: session.envelope.rcptTo.map((r) => r.address), from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '' });
        cb();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  writeFileSync(
    join(dir.path, 'company.tmpl'),
    `{{ define "company.subject" }}[ALERT] {{ .GroupLabels.alertname }}{{ end }}
{{ define "company.footer" }}-- {{ len .Alerts }} alert(s) for {{ .Receiver }}{{ end }}
`,
  );
  const yml = `global:
  smtp_smarthost: '127.0.0.1:${port}'
  smtp_from: 'monitoring@company.com'
  smtp_auth_username: 'monitoring@company.com'
  smtp_auth_password_file: secret.txt
  smtp_hello: vigil.test
templates: ['*.tmpl']
route:
  receiver: web.hook
  group_by: ['alertname']
  group_wait: 100ms
  group_interval: 10s
  repeat_interval: 1h
  routes:
    - matchers: [alertname="DiskFull"]
      receiver: defaults
receivers:
- name: 'web.hook'
  email_configs:
  - to: 'admin@company.com'
    tls_config: {ca_file: '${cert}'}
    headers:
      Subject: '{{ template "company.subject" . }}'
      X-Team: 'ops-{{ .CommonLabels.severity }}'
    html: ''
    text: |
      {{ range .Alerts }}
      Alert: {{ .Annotations.summary }}
      Description: {{ .Annotations.description }}
      Instance: {{ .Labels.instance }}
      {{ end }}
      {{ template "company.footer" . }}
- name: defaults
  email_configs:
  - to: 'oncall@company.com, lead@company.com'
    tls_config: {ca_file: '${cert}'}
`;
  writeFileSync(join(dir.path, 'secret.txt'), 'app-password\n');
  const file = join(dir.path, 'alertmanager.yml');
  writeFileSync(file, yml);
  const am = new Alertmanager({ config: parseConfig(yml, file), externalURL: 'http://am.example:9093' });
  am.start();
  try {
    am.postAlerts([
      { labels: { alertname: 'HighCPU', instance: 'web-1', severity: 'critical' }, annotations: { summary: 'High CPU usage on web-1', description: 'CPU usage is above 80% for web-1' } },
      { labels: { alertname: 'HighCPU', instance: 'web-2', severity: 'critical' }, annotations: { summary: 'High CPU usage on web-2', description: 'CPU usage is above 80% for web-2' } },
      { labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'warning' }, annotations: { summary: 'Disk <full> & "almost" gone' } },
    ]);
    await eventually(async () => mails.length >= 2, 20_000, 50);
    assert.ok(auths.length >= 2 && auths.every((a) => a.user === 'monitoring@company.com' && a.pass === 'app-password'), JSON.stringify(auths));
    assert.ok(mails.every((m) => m.secure), 'STARTTLS upgraded the connection before DATA');

    const custom = mails.find((m) => m.rcpt.includes('admin@company.com'))!;
    const c = parseMail(custom.raw);
    assert.equal(c.headers['subject'], '[ALERT] HighCPU');
    assert.equal(c.headers['to'], 'admin@company.com');
    assert.equal(c.headers['from'], 'monitoring@company.com');
    assert.equal(c.headers['x-team'], 'ops-critical');
    assert.equal(custom.from, 'monitoring@company.com');
    assert.equal(c.html, '');
    assert.equal(
      c.text.replace(/\r\n/g, '\n'),
      '\nAlert: High CPU usage on web-1\nDescription: CPU usage is above 80% for web-1\nInstance: web-1\n\nAlert: High CPU usage on web-2\nDescription: CPU usage is above 80% for web-2\nInstance: web-2\n\n-- 2 alert(s) for web\\.hook\n',
    );

    const def = mails.find((m) => m.rcpt.includes('oncall@company.com'))!;
    assert.deepEqual(def.rcpt.sort(), ['lead@company.com', 'oncall@company.com']);
    const d = parseMail(def.raw);
    assert.equal(d.headers['subject'], '[FIRING:1] DiskFull (db-1 warning)');
    assert.equal(d.headers['to'], 'oncall@company.com, lead@company.com');
    assert.ok(d.headers['content-type']?.startsWith('text/html'), d.headers['content-type']);
    assert.match(d.html, /<title>\[FIRING:1\] DiskFull \(db-1 warning\)<\/title>/);
    assert.match(d.html, /instance = db-1<br>/);
    // html/template-style escaping of values in the HTML body.
    assert.match(d.html, /summary = Disk &lt;full&gt; &amp; &#34;almost&#34; gone/);
    assert.match(d.html, /href="http:\/\/am\.example:9093\/#\/alerts\?receiver=defaults"/);
  } finally {
    await am.stop();
    await new Promise<void>((r) => server.close(() => r()));
    dir.cleanup();
  }
});

const AM_BIN = findBinary('prometheus-alertmanager', 'alertmanager');

/** Custom templates that exercise Go text/template semantics; Alertmanager 0.25 renders them too. */
const DIFF_TMPL = `{{ define "diff.html" }}<h1>{{ .CommonAnnotations.summary }}</h1><p title="{{ .GroupLabels.alertname }}">{{ range .Alerts }}<b>{{ .Labels.instance }}</b> {{ .Annotations.summary }} {{ .Annotations.summary | safeHtml }}<br>{{ end }}{{ printf "%d<%s>" 3 "x" }} {{ html "<i>" }}</p>{{ range .Alerts }}<a href="{{ .GeneratorURL }}">src</a><a href='{{ .GeneratorURL }}&amp;y=1'>x</a><a href="/q?x={{ .Labels.instance }}&amp;s={{ .Annotations.summary }}">q</a><img src="{{ "javascript:alert(1)" }}">{{ end }}{{ end }}
{{ define "diff.subject" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ len .Alerts.Firing }}{{ end }}] {{ .GroupLabels.alertname }} {{ printf "%q %5.2f %-4d| %x %v %s %t %03d %+d %e %g" .CommonLabels.severity 3.14159 42 "hi" 1e6 "s" true 7 5 123456.789 0.000012 }}{{ end }}
{{ define "diff.text" }}
{{- range $i, $a := .Alerts }}
{{ $i }}: {{ $a.Labels.instance | toUpper }} {{ title "wide world-x" }} {{ $a.StartsAt.Format "2006-01-02 15:04:05" }} {{ $a.StartsAt }} {{ $a.StartsAt.Unix }} {{ $a.StartsAt.Sub $a.StartsAt }} {{ $a.StartsAt.Format "Mon Jan _2 03:04:05.000PM MST" }}
{{- range $k, $v := $a.Labels }} {{ $k }}={{ $v }}{{ end }}
{{ with $a.Annotations.summary }}summary={{ . }}{{ else }}no summary{{ end }}
{{ if and (eq $a.Labels.severity "critical" "page") (ne $a.Labels.instance "") }}urgent{{ else if lt (len $a.Labels) 4 }}small{{ else }}normal{{ end }}
{{ end -}}
{{ template "__subject" . }}
{{ template "__text_alert_list" .Alerts.Firing }}
{{ .CommonLabels.Remove .GroupLabels.Names | len }} {{ join "," (.CommonLabels.Remove .GroupLabels.Names).Values }} {{ .CommonLabels.SortedPairs.Names | join "+" }}
{{ reReplaceAll "(\\\\w+)-(\\\\d+)" "$2/$1" "web-12 db-3" }} {{ match "^web" "web-1" }} {{ html "<b>&'\\"" }} {{ js "a'b<" }} {{ urlquery "a b&c" }} {{ toLower "ÀB" }}
{{ print 1 2 "x" 3.5 }} {{ println "end" 1 }}
{{- /* comment */ -}}
{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }} {{ index .GroupLabels "alertname" }} {{ slice "abcdef" 1 3 }} {{ len "héllo" }} {{ not 0 }} {{ or "" "y" }} {{ and 1 0 }}
{{ range $k, $v := .CommonAnnotations }}{{ $k }}:{{ $v }};{{ else }}no common annotations{{ end }}
{{ .ExternalURL }} {{ .Receiver }} {{ .Alerts.Resolved | len }} {{ 1.5 }} {{ 100000000.0 }} {{ 0.0001 }} {{ -7 }} {{ 'a' }}
{{ end }}
`;

test('custom templates render identically to Alertmanager 0.25 (email subject, text and html)', { skip: skipUnless(AM_BIN, 'prometheus-alertmanager'), timeout: 60_000 }, async () => {
  const dir = tempDir('am-tmpl-diff-');
  const mails: Array<{ to: string; raw: string }> = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(), raw });
        cb();
      });
    },
  });
  const smtpPort = await freePort();
  await new Promise<void>((r) => server.listen(smtpPort, '127.0.0.1', () => r()));
  writeFileSync(join(dir.path, 'diff.tmpl'), DIFF_TMPL);
  const yml = (to: string): string => `global:
  smtp_smarthost: '127.0.0.1:${smtpPort}'
  smtp_from: 'am@example.com'
  smtp_require_tls: false
templates: ['${dir.path}/*.tmpl']
route:
  receiver: 'team.mail'
  group_by: [alertname]
  group_wait: 200ms
  group_interval: 10s
receivers:
- name: 'team.mail'
  email_configs:
  - to: '${to}'
    html: '{{ template "diff.html" . }}'
    headers: {Subject: '{{ template "diff.subject" . }}'}
    text: '{{ template "diff.text" . }}'
`;
  const realCfg = join(dir.path, 'real.yml');
  writeFileSync(realCfg, yml('real@example.com'));
  const vigilCfg = join(dir.path, 'vigil.yml');
  writeFileSync(vigilCfg, yml('vigil@example.com'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const real = await startProcess(AM_BIN!, [`--config.file=${realCfg}`, `--storage.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, `--web.external-url=http://am.example:9093`, '--cluster.listen-address='], { readyUrl: `${base}/-/ready` });
  const am = new Alertmanager({ config: parseConfig(readFileSync(vigilCfg, 'utf8'), vigilCfg), externalURL: 'http://am.example:9093' });
  am.start();
  try {
    // A recent start: an alert older than group_wait would flush its group at once, and Alertmanager
    // would then race the second alert of the same request into or out of the first notification.
    const startsAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 123).toISOString();
    const unix = Math.floor(Date.parse(startsAt) / 1000);
    const alerts: PostableAlert[] = [
      { labels: { alertname: 'HighCPU', instance: 'web-1', severity: 'critical', job: 'node' }, annotations: { summary: 'CPU > 80% & <rising> +1', runbook: 'http://wiki/cpu' }, startsAt, generatorURL: 'http://prom:9090/graph?g0.expr=rate(x{a="b c"}[5m]) > 0.5&g0.tab=1#é' },
      { labels: { alertname: 'HighCPU', instance: 'web-2', severity: 'critical', job: 'node' }, annotations: { runbook: 'http://wiki/cpu' }, startsAt },
    ];
    const r = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(alerts) });
    assert.equal(r.status, 200);
    am.postAlerts(alerts);
    // One mail from each Alertmanager (not just any two: one of them may retry first).
    await eventually(async () => mails.some((x) => x.to === 'real@example.com') && mails.some((x) => x.to === 'vigil@example.com'), 20_000, 50);
    const get = (to: string): { subject: string; text: string; html: string } => {
      const m = parseMail(mails.find((x) => x.to === to)!.raw);
      return { subject: m.headers['subject'] ?? '', text: m.text.replace(/\r\n/g, '\n'), html: m.html.replace(/\r\n/g, '\n') };
    };
    const want = get("real@example.com");
    const got = get('vigil@example.com');
    assert.equal(got.subject, want.subject);
    assert.equal(got.text, want.text);
    assert.equal(got.html, want.html);
    // Sanity: the render really exercised the features (not two empty bodies).
    assert.match(want.text, new RegExp(`0: WEB-1 Wide World-X \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+ \\S+\\.123 \\+0000 UTC ${unix} 0s \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d\\.123[AP]M UTC`));
    assert.match(want.subject, /^\[FIRING:2\] HighCPU "critical"/);
  } finally {
    await am.stop();
    await real.stop();
    await new Promise<void>((r) => server.close(() => r()));
    dir.cleanup();
  }
});
