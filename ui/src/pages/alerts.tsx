import { useState } from 'preact/hooks';
import { ErrorBox, LabelBadges, Loading, Section, StateBadge, useAsync, useTick } from '../components/common.js';
import { promApi, type Labels } from '../lib/api.js';
import { href, linkClick } from '../lib/router.js';
import { ago, formatDuration } from '../lib/time.js';

export interface RuleAlert {
  labels: Labels;
  annotations: Labels;
  state: string;
  activeAt?: string;
  value: string;
}

export interface Rule {
  type: 'alerting' | 'recording';
  name: string;
  query: string;
  duration?: number;
  labels?: Labels;
  annotations?: Labels;
  alerts?: RuleAlert[];
  state?: string;
  health: string;
  lastError?: string;
  evaluationTime?: number;
  lastEvaluation?: string;
}

export interface RuleGroup {
  name: string;
  file: string;
  interval: number;
  rules: Rule[];
  evaluationTime?: number;
  lastEvaluation?: string;
}

/** Link to the Alertmanager page with a new silence prefilled with equality matchers for `labels`. */
export function silenceHref(labels: Labels): string {
  const p = new URLSearchParams();
  p.set('silence', 'new');
  for (const [k, v] of Object.entries(labels)) if (k !== '__name__') p.append('m', `${k}=${JSON.stringify(v)}`);
  return href('alertmanager', p);
}

const STATES = ['firing', 'pending', 'inactive'] as const;

export function AlertsPage(): preact.JSX.Element {
  const { data, error, loading, reload } = useAsync((signal) => promApi<{ groups: RuleGroup[] }>('api/v1/rules', { type: 'alert' }, { signal }), []);
  const [show, setShow] = useState<Record<string, boolean>>({ firing: true, pending: true, inactive: true });
  const now = useTick(10_000);
  const rules = (data?.data.groups ?? []).flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => ({ g, r })));
  const counts = { firing: 0, pending: 0, inactive: 0 } as Record<string, number>;
  for (const { r } of rules) counts[r.state ?? 'inactive'] = (counts[r.state ?? 'inactive'] ?? 0) + 1;

  return (
    <div class="page">
      <div class="page-head">
        <h1>Alerts</h1>
        <span class="spacer" />
        {STATES.map((s) => (
          <label class="check" key={s}>
            <input type="checkbox" checked={show[s]} onChange={(e) => setShow({ ...show, [s]: (e.target as HTMLInputElement).checked })} /> <StateBadge state={s} /> ({counts[s] ?? 0})
          </label>
        ))}
        <button class="btn" onClick={reload}>
          Refresh
        </button>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {loading && !data ? <Loading /> : null}
      {data && rules.length === 0 ? <div class="muted empty">No alerting rules are configured.</div> : null}
      {(data?.data.groups ?? []).map((g) => {
        const visible = g.rules.filter((r) => r.type === 'alerting' && show[r.state ?? 'inactive']);
        if (visible.length === 0) return null;
        return (
          <Section key={g.file + g.name} title={<span>{g.name} <span class="muted small">{g.file}</span></span>}>
            {visible.map((r) => (
              <AlertRule key={r.name + JSON.stringify(r.labels)} rule={r} now={now} />
            ))}
          </Section>
        );
      })}
    </div>
  );
}

function AlertRule({ rule, now }: { rule: Rule; now: number }): preact.JSX.Element {
  const [open, setOpen] = useState(rule.state !== 'inactive');
  const alerts = rule.alerts ?? [];
  return (
    <div class={`alert-rule state-border-${rule.state ?? 'inactive'}`} data-rule={rule.name}>
      <button class="link-btn alert-rule-head" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="chev">{open ? '▾' : '▸'}</span> <strong>{rule.name}</strong> <StateBadge state={rule.state ?? 'inactive'} />
        <span class="muted small"> ({alerts.length} active)</span>
      </button>
      {open ? (
        <div class="alert-rule-body">
          <pre class="rule-def">
            {`alert: ${rule.name}\nexpr: ${rule.query}`}
            {rule.duration ? `\nfor: ${formatDuration(rule.duration * 1000)}` : ''}
            {rule.labels && Object.keys(rule.labels).length ? `\nlabels:\n${Object.entries(rule.labels).map(([k, v]) => `  ${k}: ${v}`).join('\n')}` : ''}
            {rule.annotations && Object.keys(rule.annotations).length ? `\nannotations:\n${Object.entries(rule.annotations).map(([k, v]) => `  ${k}: ${v}`).join('\n')}` : ''}
          </pre>
          {rule.lastError ? <ErrorBox error={rule.lastError} title="Last evaluation error" /> : null}
          {alerts.length > 0 ? (
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th>Labels</th>
                    <th>State</th>
                    <th>Active since</th>
                    <th>Value</th>
                    <th>Annotations</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {alerts.map((a, i) => (
                    <tr key={i}>
                      <td>
                        <LabelBadges labels={a.labels} />
                      </td>
                      <td>
                        <StateBadge state={a.state} />
                      </td>
                      <td title={a.activeAt}>{a.activeAt ? ago(a.activeAt, now) : '—'}</td>
                      <td class="num">{a.value}</td>
                      <td class="annotations">
                        {Object.entries(a.annotations).map(([k, v]) => (
                          <div key={k}>
                            <span class="muted">{k}:</span> {v}
                          </div>
                        ))}
                      </td>
                      <td>
                        <a class="btn small" href={silenceHref(a.labels)} onClick={linkClick}>
                          Silence
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
