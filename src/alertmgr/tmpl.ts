/**
 * Notification templates: the data passed to them (template.Data with Alerts,
 * GroupLabels, CommonLabels, ... as Alertmanager builds it), Vigil's default
 * template set (same template names and text outputs as Alertmanager's
 * default.tmpl), and loading of the `templates:` files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ALERTMANAGER_FUNCS, GoTime, KV, Template } from '../template/index.js';
import { ZERO_TIME, fingerprintHex, resolvedAt, type Alert } from './types.js';

export class TmplAlert {
  constructor(
    readonly Status: string,
    readonly Labels: KV,
    readonly Annotations: KV,
    readonly StartsAt: GoTime,
    readonly EndsAt: GoTime,
    readonly GeneratorURL: string,
    readonly Fingerprint: string,
  ) {}
}

export class TmplAlerts extends Array<TmplAlert> {
  Firing(): TmplAlert[] {
    return this.filter((a) => a.Status === 'firing');
  }
  Resolved(): TmplAlert[] {
    return this.filter((a) => a.Status === 'resolved');
  }
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

export class TmplData {
  constructor(
    readonly Receiver: string,
    readonly Status: string,
    readonly Alerts: TmplAlerts,
    readonly GroupLabels: KV,
    readonly CommonLabels: KV,
    readonly CommonAnnotations: KV,
    readonly ExternalURL: string,
  ) {}
}

/** regexp.QuoteMeta: Alertmanager stores the receiver name quoted in template data. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function common(maps: Array<Record<string, string>>): KV {
  const kv = new KV();
  if (maps.length === 0) return kv;
  for (const [k, v] of Object.entries(maps[0]!)) {
    if (maps.every((m) => m[k] === v)) kv.set(k, v);
  }
  return kv;
}

/** template.Data for a group of alerts at time `now`. */
export function templateData(receiver: string, groupLabels: Record<string, string>, alerts: Alert[], externalURL: string, now: number): TmplData {
  const list = new TmplAlerts();
  let firing = false;
  for (const a of alerts) {
    const status = resolvedAt(a, now) ? 'resolved' : 'firing';
    if (status === 'firing') firing = true;
    list.push(
      new TmplAlert(status, KV.from(a.labels), KV.from(a.annotations), new GoTime(a.startsAt), new GoTime(a.endsAt === ZERO_TIME ? ZERO_TIME : a.endsAt), a.generatorURL, fingerprintHex(a.labels)),
    );
  }
  return new TmplData(
    quoteMeta(receiver),
    firing ? 'firing' : 'resolved',
    list,
    KV.from(groupLabels),
    common(alerts.map((a) => a.labels)),
    common(alerts.map((a) => a.annotations)),
    externalURL,
  );
}

/**
 * Vigil's default templates. Names and plain-text results match Alertmanager's
 * default.tmpl (subjects, Slack titles); the HTML email body is Vigil's own layout.
 */
export const DEFAULT_TEMPLATES = `
{{ define "__alertmanager" }}Alertmanager{{ end }}
{{ define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}
{{ define "__subject" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}{{ end }}
{{ define "__description" }}{{ end }}
{{ define "__text_values_list" }}{{ if len . }}{{ range $i, $v := . }}{{ if $i }}, {{ end }}{{ $v }}{{ end }}{{ end }}{{ end }}
{{ define "__text_alert_list" }}{{ range . }}Labels:
{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}
{{ end }}Annotations:
{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}
{{ end }}Source: {{ .GeneratorURL }}
{{ end }}{{ end }}
{{ define "__text_alert_list_markdown" }}{{ range . }}
Labels:
{{ range .Labels.SortedPairs }}  - {{ .Name }} = {{ .Value }}
{{ end }}
Annotations:
{{ range .Annotations.SortedPairs }}  - {{ .Name }} = {{ .Value }}
{{ end }}
Source: {{ .GeneratorURL }}
{{ end }}{{ end }}
{{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "slack.default.fallback" }}{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}{{ end }}
{{ define "slack.default.callbackid" }}{{ end }}
{{ define "slack.default.pretext" }}{{ end }}
{{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "slack.default.iconemoji" }}{{ end }}
{{ define "slack.default.iconurl" }}{{ end }}
{{ define "slack.default.text" }}{{ end }}
{{ define "slack.default.footer" }}{{ end }}
{{ define "email.default.subject" }}{{ template "__subject" . }}{{ end }}
{{ define "email.default.html" }}<!DOCTYPE html>
<html>
<head>
<meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>{{ template "__subject" . }}</title>
</head>
<body style="font-family: Helvetica, Arial, sans-serif; font-size: 14px; margin: 0; padding: 16px; background: #f6f6f6;">
<table width="100%" cellpadding="0" cellspacing="0" style="max-width: 600px; margin: 0 auto; background: #fff; border: 1px solid #e9e9e9;">
<tr><td style="padding: 16px; color: #fff; background: {{ if eq .Status "firing" }}#e6522c{{ else }}#68b90f{{ end }};">
{{ .Alerts | len }} alert{{ if gt (len .Alerts) 1 }}s{{ end }} for {{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}
</td></tr>
<tr><td style="padding: 16px;">
<a href="{{ template "__alertmanagerURL" . }}">View in {{ template "__alertmanager" . }}</a>
{{ if gt (len .Alerts.Firing) 0 }}<h3>[{{ .Alerts.Firing | len }}] Firing</h3>
{{ range .Alerts.Firing }}<p><strong>Labels</strong><br>
{{ range .Labels.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end }}{{ if gt (len .Annotations) 0 }}<strong>Annotations</strong><br>
{{ end }}{{ range .Annotations.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end }}<a href="{{ .GeneratorURL }}">Source</a></p>
{{ end }}{{ end }}{{ if gt (len .Alerts.Resolved) 0 }}<h3>[{{ .Alerts.Resolved | len }}] Resolved</h3>
{{ range .Alerts.Resolved }}<p><strong>Labels</strong><br>
{{ range .Labels.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end }}{{ if gt (len .Annotations) 0 }}<strong>Annotations</strong><br>
{{ end }}{{ range .Annotations.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end }}<a href="{{ .GeneratorURL }}">Source</a></p>
{{ end }}{{ end }}</td></tr>
<tr><td style="padding: 8px 16px; color: #999; font-size: 12px;">Sent by {{ template "__alertmanager" . }}</td></tr>
</table>
</body>
</html>
{{ end }}
`;

/** Expands a file glob with `*` and `?` in the last path element (Go's filepath.Glob for the common case). */
export function globFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (!/[*?[]/.test(base)) {
    try {
      return statSync(pattern).isFile() ? [pattern] : [];
    } catch {
      return [];
    }
  }
  const re = new RegExp('^' + base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => re.test(n)).sort().map((n) => join(dir, n));
}

/** The default templates plus the config's template files, parsed into one set. */
export function loadTemplates(globs: string[]): Template {
  const t = new Template('__vigil_defaults', ALERTMANAGER_FUNCS);
  t.parse(DEFAULT_TEMPLATES, '__vigil_defaults');
  for (const g of globs) {
    for (const f of globFiles(g)) t.parse(readFileSync(f, 'utf8'), basename(f));
  }
  return t;
}

/** Executes a config string (e.g. `headers.Subject`) against the data, sharing the set's definitions. */
export function expandTemplate(set: Template, text: string, data: TmplData, html = false): string {
  if (!text.includes('{{')) return text;
  let perSet = parsedCache.get(set);
  if (!perSet) {
    perSet = new Map();
    parsedCache.set(set, perSet);
  }
  let t = perSet.get(text);
  if (!t) {
    t = set.clone('__text');
    t.parse(text, '__text');
    if (perSet.size > 1000) perSet.clear();
    perSet.set(text, t);
  }
  return t.execute(data, { html });
}

/** Config strings parsed once per template set (a reload builds a new set). */
const parsedCache = new WeakMap<Template, Map<string, Template>>();
