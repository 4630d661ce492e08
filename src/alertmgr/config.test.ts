import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, RouteNode, parseConfig, parseMatchers, matchersString } from './index.js';
import { intervalContains } from './timeinterval.js';

const FULL = `global:
  resolve_timeout: 2m
  smtp_smarthost: 'mail:587'
  smtp_from: am@example.com
  slack_api_url: 'http://127.0.0.1:1/slack'
templates: ['/nonexistent/*.tmpl']
route:
  receiver: default
  group_by: ['alertname', 'cluster']
  routes:
    - match: {service: db}
      match_re: {env: 'prod|stage'}
      matchers: ['team!~"x|y"', 'severity="page"']
      receiver: pager
      group_wait: 5s
      continue: true
      mute_time_intervals: [offhours]
    - matchers: ['{owner=~"team-.*", tier!="3"}']
      receiver: team
      group_by: ['...']
      active_time_intervals: [workhours]
time_intervals:
  - name: offhours
    time_intervals:
      - times: [{start_time: '00:00', end_time: '09:00'}]
        weekdays: ['monday:friday']
  - name: workhours
    time_intervals:
      - times: [{start_time: '09:00', end_time: '17:00'}]
        days_of_month: ['1:10', '-1']
        months: ['january:march', '12']
        years: ['2020:2030']
        location: Europe/Berlin
inhibit_rules:
  - source_match: {severity: critical}
    target_match_re: {severity: 'warning|info'}
    equal: [alertname]
receivers:
  - name: default
  - name: pager
    slack_configs: [{channel: '#pager', send_resolved: true}]
  - name: team
    email_configs: [{to: team@example.com, headers: {subject: custom}}]
    webhook_configs: [{url: 'http://127.0.0.1:9/x', max_alerts: 5, send_resolved: false}]
`;

test('full config: defaults, inheritance, legacy and new matchers, route keys', () => {
  const c = parseConfig(FULL, '/etc/am/alertmanager.yml');
  assert.equal(c.global.resolveTimeout, 120_000);
  assert.equal(c.global.smtpHello, 'localhost');
  const root = RouteNode.build(c.route, null);
  assert.equal(root.opts.groupWait, 30_000);
  assert.equal(root.opts.groupInterval, 300_000);
  assert.equal(root.opts.repeatInterval, 4 * 3600_000);
  const [pager, team] = root.routes as [RouteNode, RouteNode];
  assert.equal(pager.opts.groupWait, 5000);
  assert.deepEqual([...pager.opts.groupBy], ['alertname', 'cluster']);
  assert.equal(pager.key, '{}/{env=~"prod|stage",service="db",severity="page",team!~"x|y"}');
  assert.equal(team.opts.groupByAll, true);
  assert.equal(team.key, '{}/{owner=~"team-.*",tier!="3"}');
  assert.deepEqual(root.match({ service: 'db', env: 'prod', severity: 'page', owner: 'team-a' }).map((r) => r.opts.receiver), ['pager', 'team']);
  assert.deepEqual(root.match({ service: 'db', env: 'dev' }).map((r) => r.opts.receiver), ['default']);
  // Alertmanager orders integrations by kind (webhook, email, ..., slack), not by YAML order.
  const email = c.receivers[2]!.integrations[1]!;
  assert.ok(email.kind === 'email');
  assert.equal(email.headers['Subject'], 'custom');
  assert.equal(email.headers['To'], 'team@example.com');
  assert.equal(email.smarthost.port, 587);
  assert.equal(email.requireTls, true);
  const wh = c.receivers[2]!.integrations[0]!;
  assert.ok(wh.kind === 'webhook' && wh.maxAlerts === 5 && !wh.sendResolved);
  assert.equal(c.inhibitRules[0]!.targetMatchers[0]!.matches('info'), true);
  // Europe/Berlin: 2024-01-31 08:30 UTC is 09:30 local, a Wednesday on the last day of January.
  const wh2 = c.timeIntervals.get('workhours')![0]!;
  assert.equal(intervalContains(wh2, Date.UTC(2024, 0, 31, 8, 30)), true);
  assert.equal(intervalContains(wh2, Date.UTC(2024, 0, 31, 16, 30)), false);
  assert.equal(intervalContains(wh2, Date.UTC(2024, 3, 5, 8, 30)), false);
});

test('matcher syntax: quoting, braces, regex anchoring, string form', () => {
  const ms = parseMatchers('{foo="bar", baz=~"a|b", qux!="x,y", "quoted"!~"^z"}');
  assert.equal(matchersString(ms), '{foo="bar",baz=~"a|b",qux!="x,y",quoted!~"^z"}');
  assert.equal(ms[1]!.matches('a'), true);
  assert.equal(ms[1]!.matches('ab'), false);
  assert.equal(parseMatchers('severity=page')[0]!.value, 'page');
  assert.equal(parseMatchers('a=~"x.y"')[0]!.matches('x\ny'), false, 'dot does not match newline (Go regexp)');
  assert.throws(() => parseMatchers('foo'), /bad matcher format/);
});

const BAD: Array<[string, string, RegExp]> = [
  ['unknown field', 'route:\n  receiver: x\n  foo: 1\nreceivers:\n- name: x\n', /:3: field foo not found in type config\.plain/],
  ['undefined receiver', 'route:\n  receiver: y\nreceivers:\n- name: x\n', /undefined receiver "y" used in route/],
  ['duplicate receiver', 'route:\n  receiver: x\nreceivers:\n- name: x\n- name: x\n', /:5: notification config name "x" is not unique/],
  ['bad duration', 'route:\n  receiver: x\n  group_wait: 5 minutes\nreceivers:\n- name: x\n', /:3: field group_wait: not a valid duration string/],
  ['root matchers', 'route:\n  receiver: x\n  matchers: [a="b"]\nreceivers:\n- name: x\n', /root route must not have any matchers/],
  ['no smarthost', 'route:\n  receiver: x\nreceivers:\n- name: x\n  email_configs: [{to: a@b}]\n', /no global SMTP smarthost set/],
  ['seeds subject/body', "global: {smtp_smarthost: 'h:25', smtp_from: a@b}\nroute:\n  receiver: x\nreceivers:\n- name: x\n  email_configs:\n  - to: a@b\n    subject: hi\n", /:8: field subject not found .*headers: \{Subject/],
  ['bad regex', 'route:\n  receiver: x\n  routes:\n  - matchers: [a=~"("]\nreceivers:\n- name: x\n', /:4: matchers: /],
  ['undefined interval', 'route:\n  receiver: x\n  routes:\n  - receiver: x\n    mute_time_intervals: [nope]\nreceivers:\n- name: x\n', /undefined time interval "nope"/],
  ['group_by wildcard mix', 'route:\n  receiver: x\n  group_by: [a, "..."]\nreceivers:\n- name: x\n', /cannot have wildcard group_by/],
  ['no route', 'receivers:\n- name: x\n', /no routes provided/],
  ['yaml syntax', 'route:\n  receiver: [x\n', /alertmanager\.yml:\d+: yaml: /],
];

test('invalid configs fail with file:line and Alertmanager-like messages', () => {
  for (const [what, text, re] of BAD) {
    assert.throws(() => parseConfig(text, 'alertmanager.yml'), (e: unknown) => e instanceof ConfigError && re.test(e.message), what);
  }
});
