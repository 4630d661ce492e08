import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALERTMANAGER_FUNCS, KV, TemplateError, execute, parseTemplate, prometheusFuncs, sprintf } from './index.js';

const run = (text: string, data: unknown = null, funcs = ALERTMANAGER_FUNCS): string => execute(parseTemplate(text, 't', funcs), data);

test('text, actions and trim markers', () => {
  assert.equal(run('a {{ "b" }} c'), 'a b c');
  assert.equal(run('a  {{- "b" -}}  \n c'), 'abc');
  assert.equal(run('x\n{{- /* comment */ -}}\ny'), 'xy');
  assert.equal(run('{{/* c */}}z'), 'z');
  assert.equal(run('{{-3}}'), '-3');
  assert.equal(run('{{ 3 -}} 4'), '34');
});

test('pipelines, variables, assignment', () => {
  assert.equal(run('{{ "abc" | toUpper | printf "%s!" }}'), 'ABC!');
  assert.equal(run('{{ $x := 1 }}{{ $x = 2 }}{{ $x }}'), '2');
  assert.equal(run('{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }}'), 'b');
  assert.equal(run('{{ .A.B }}-{{ $.A.B }}', { A: { B: 'v' } }), 'v-v');
  assert.equal(run('{{ (printf "%d" 5) }}{{ len (print "ab") }}'), '52');
});

test('if / else if / else, with, and/or/not, comparisons', () => {
  const t = '{{ if eq .x 1 }}one{{ else if eq .x 2 3 }}two-or-three{{ else }}other{{ end }}';
  assert.equal(run(t, { x: 1n }), 'one');
  assert.equal(run(t, { x: 3n }), 'two-or-three');
  assert.equal(run(t, { x: 9n }), 'other');
  assert.equal(run('{{ with .a }}[{{ . }}]{{ else }}none{{ end }}', { a: '' }), 'none');
  assert.equal(run('{{ with .a }}[{{ . }}]{{ end }}', { a: 'x' }), '[x]');
  assert.equal(run('{{ and 1 0 2 }} {{ or 0 "" "z" }} {{ not 0 }}'), '0 z true');
  assert.equal(run('{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }} {{ ne "a" "b" }}'), 'true true true false true');
  assert.throws(() => run('{{ eq 1 1.0 }}'), /incompatible types for comparison/);
});

test('range over slices and maps (sorted keys), else, break/continue', () => {
  assert.equal(run('{{ range $i, $e := . }}{{ $i }}={{ $e }};{{ end }}', ['a', 'b']), '0=a;1=b;');
  assert.equal(run('{{ range $k, $v := . }}{{ $k }}:{{ $v }} {{ end }}', new Map([['z', '1'], ['a', '2'], ['m', '3']])), 'a:2 m:3 z:1 ');
  assert.equal(run('{{ range . }}{{ . }}{{ end }}', { b: 2n, a: 1n }), '12');
  assert.equal(run('{{ range . }}x{{ else }}empty{{ end }}', []), 'empty');
  assert.equal(run('{{ range . }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}', [1n, 2n, 3n, 4n, 5n]), '13');
  assert.equal(run('{{ range $e := . }}{{ $e }}{{ end }}', ['p', 'q']), 'pq');
});

test('define, template, block', () => {
  const t = parseTemplate('{{ define "x" }}<{{ . }}>{{ end }}{{ template "x" "a" }}{{ block "y" . }}B{{ . }}{{ end }}', 'main');
  assert.equal(execute(t, 'd'), '<a>Bd');
  t.parse('{{ define "y" }}Y{{ end }}', 'over');
  assert.equal(execute(t, 'd'), '<a>Y');
  assert.equal(execute(t, 'q', { name: 'x' }), '<q>');
  assert.throws(() => run('{{ template "nope" }}'), /template "nope" not defined/);
});

test('printf verbs follow Go fmt', () => {
  assert.equal(sprintf('%s %d %v %q', ['a', 42n, 1.5, 'x"y']), 'a 42 1.5 "x\\"y"');
  assert.equal(sprintf('%f %.2f %5.1f %-5s| %05d', [3.14159, 2.345, 9.96, 'ab', 42n]), '3.141590 2.35  10.0 ab   | 00042');
  assert.equal(sprintf('%x %X %x', [255n, 255n, 'hi']), 'ff FF 6869');
  assert.equal(sprintf('%v %v %v %v', [1e6, 123456, 0.00001, 1e21]), '1e+06 123456 1e-05 1e+21');
  assert.equal(sprintf('%.4g %.4g %.4g %g', [1234.5, 12345, 0.0001234, 100]), '1234 1.234e+04 0.0001234 100');
  assert.equal(sprintf('%d %s', [1.5, 2n]), '%!d(float64=1.5) %!s(int=2)');
  assert.equal(sprintf('%d%%', []), '%!d(MISSING)%');
  assert.equal(sprintf('%e', [123456.789]), '1.234568e+05');
});

test('print, println, len, index, escapers', () => {
  assert.equal(run('{{ print 1 2 "a" 3 }}'), '1 2a3');
  assert.equal(run('{{ println "a" 1 }}'), 'a 1\n');
  assert.equal(run('{{ len "héllo" }} {{ len . }}', [1, 2, 3]), '6 3');
  assert.equal(run('{{ index . "b" }}|{{ index . "nope" }}', new Map([['b', 'B']])), 'B|');
  assert.equal(run('{{ index . 1 }}', ['x', 'y']), 'y');
  assert.equal(run('{{ html "<a href=\'x\'>&" }}'), '&lt;a href=&#39;x&#39;&gt;&amp;');
  assert.equal(run('{{ js "a\'b<" }}'), "a\\'b\\u003C");
  assert.equal(run('{{ urlquery "a b&c" }}'), 'a+b%26c');
});

test('KV methods, map field access and Alertmanager funcs', () => {
  const labels = KV.from({ severity: 'page', alertname: 'Down', instance: 'h:9100' });
  const group = KV.from({ alertname: 'Down' });
  const data = { Labels: labels, GroupLabels: group };
  assert.equal(run('{{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}', data), 'alertname=Down instance=h:9100 severity=page ');
  assert.equal(run('{{ .Labels.Remove .GroupLabels.Names | len }} {{ .Labels.missing }}|{{ .Labels.severity }}', data), '2 |page');
  assert.equal(run('{{ .Labels.Values | join ", " }}', data), 'Down, h:9100, page');
  assert.equal(run('{{ title "hello wide-world" }} {{ toLower "AB" }}', data), 'Hello Wide-World ab');
  assert.equal(run('{{ match "^h" .Labels.instance }} {{ reReplaceAll "(.*):(\\\\d+)" "$2@$1" .Labels.instance }}', data), 'true 9100@h');
  assert.equal(run('{{ stringSlice "a" "b" | join "+" }}'), 'a+b');
  assert.equal(execute(parseTemplate('<b>{{ . }}</b>{{ "<i>" | safeHtml }}', 'h', ALERTMANAGER_FUNCS), '<&>', { html: true }), '<b>&lt;&amp;&gt;</b><i>');
});

test('Prometheus funcs: humanize family and query helpers', () => {
  const funcs = prometheusFuncs({
    query: () => [
      { Labels: { instance: 'b' }, Value: 2 },
      { Labels: { instance: 'a' }, Value: 1 },
    ],
  });
  const r = (t: string, d: unknown = null): string => execute(parseTemplate(t, 'p', funcs), d);
  assert.equal(r('{{ humanize 1234567.0 }} {{ humanize 0.0012 }} {{ humanize 0 }}'), '1.235M 1.2m 0');
  assert.equal(r('{{ humanize1024 1048576.0 }} {{ humanize1024 512.0 }}'), '1Mi 512');
  assert.equal(r('{{ humanizeDuration 899.99 }} {{ humanizeDuration 90061.0 }} {{ humanizeDuration 0.25 }} {{ humanizeDuration 1.5 }}'), '14m 59s 1d 1h 1m 1s 250ms 1.5s');
  assert.equal(r('{{ humanizePercentage 0.1234567 }}'), '12.35%');
  assert.equal(r('{{ humanizeTimestamp 1435065584.128 }}'), '2015-06-23 13:19:44.128 +0000 UTC');
  assert.equal(r('{{ with query "up" }}{{ . | first | label "instance" }} {{ range sortByLabel "instance" . }}{{ .Value }}{{ end }}{{ end }}'), 'b 12');
  assert.equal(r('{{ $value | printf "%.2f" }} {{ $labels.job }}'.replace('$value', '.v').replace('$labels', '.l'), { v: 0.5, l: { job: 'node' } }), '0.50 node');
});

test('errors name the template and line', () => {
  assert.throws(() => parseTemplate('ok\n{{ if }}', 'rule.yml', {}), (e: unknown) => e instanceof TemplateError && /rule\.yml:2/.test(e.message));
  assert.throws(() => parseTemplate('{{ nosuch 1 }}', 'n', {}), /function "nosuch" not defined/);
  assert.throws(() => parseTemplate('{{ if true }}x', 'u', {}), /u:1: unexpected EOF/);
  assert.throws(
    () => run('line1\n{{ .Missing.Field }}', { A: 1 }),
    (e: unknown) => e instanceof TemplateError && /t:2: executing "t" at <\.Missing\.Field>/.test(e.message),
  );
  assert.throws(() => run('{{ .X }}', new Date()), /can't evaluate field X/);
});

test('Prometheus alert templates: $labels, $value, $externalLabels preamble', async () => {
  const { expandAlertTemplate } = await import('./index.js');
  const out = expandAlertTemplate(
    '__alert_HighCPU',
    'CPU usage is above 80% for {{ $labels.instance }} ({{ $value | humanizePercentage }}, {{ printf "%.2f" $value }}) in {{ $externalLabels.cluster }}{{ $labels.nope }}',
    { labels: { instance: 'web-1:9100' }, value: 0.8312, externalLabels: { cluster: 'production' } },
  );
  assert.equal(out, 'CPU usage is above 80% for web-1:9100 (83.12%, 0.83) in production');
  assert.equal(expandAlertTemplate('x', '{{ $value }}', { labels: {}, value: 1e6 }), '1e+06');
  assert.throws(() => expandAlertTemplate('__alert_X', '{{ $labels.a | nosuch }}', { labels: {}, value: 0 }), /__alert_X:1: function "nosuch" not defined/);
});
