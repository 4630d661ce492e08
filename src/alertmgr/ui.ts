/**
 * A minimal read-only status page for `vigil alertmanager` at `/` (notification links
 * point at `/#/alerts?...`): alert groups with their alerts, and silences. Rendered
 * server-side with the template engine in HTML mode, so every value is escaped.
 */
import type { Route } from '../util/index.js';
import { ALERTMANAGER_FUNCS, Template } from '../template/index.js';
import { alertGroupsJson, silencesJson, type ApiBackend } from './api.js';

const PAGE = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Vigil Alertmanager</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}h2{border-bottom:1px solid #ccc}
.g{margin:1em 0;padding:.5em 1em;border-left:4px solid #e6522c;background:#fafafa}
.s{color:#888}code{background:#eee;padding:0 .3em}</style></head>
<body><h1>Vigil Alertmanager</h1>
<p>API: <code>/api/v2</code> · <a href="api/v2/status">status</a> · <a href="metrics">metrics</a></p>
<h2>Alerts</h2>
{{ range .groups }}<div class="g"><b>{{ range $k, $v := .labels }}{{ $k }}="{{ $v }}" {{ end }}</b> → {{ .receiver.name }}
<ul>{{ range .alerts }}<li>{{ range $k, $v := .labels }}{{ $k }}="{{ $v }}" {{ end }}<span class="s">since {{ .startsAt }} · {{ .status.state }}</span>{{ with .annotations.summary }}<br>{{ . }}{{ end }}</li>{{ end }}</ul></div>
{{ else }}<p>No alerts.</p>{{ end }}
<h2>Silences</h2>
<ul>{{ range .silences }}<li><b>{{ .status.state }}</b> {{ range .matchers }}{{ .name }}{{ if .isEqual }}{{ if .isRegex }}=~{{ else }}={{ end }}{{ else }}{{ if .isRegex }}!~{{ else }}!={{ end }}{{ end }}"{{ .value }}" {{ end }}
<span class="s">until {{ .endsAt }} by {{ .createdBy }}: {{ .comment }}</span></li>{{ else }}<li>No silences.</li>{{ end }}</ul>
</body></html>
`;

const page = new Template('ui', ALERTMANAGER_FUNCS).parse(PAGE, 'ui');

/** Routes serving the page at `/` from the same JSON the API returns. */
export function uiRoutes(b: ApiBackend): Route[] {
  return [
    {
      method: 'GET',
      path: '/',
      handler: (ctx) => {
        const data = { groups: alertGroupsJson(b, new URLSearchParams()), silences: silencesJson(b, new URLSearchParams()) };
        ctx.send(200, 'text/html; charset=utf-8', page.execute(data, { html: true }));
      },
    },
  ];
}
