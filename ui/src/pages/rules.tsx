import { ErrorBox, Loading, Section, StateBadge, useAsync, useTick } from '../components/common.js';
import { promApi } from '../lib/api.js';
import { ago, formatDuration, humanDuration } from '../lib/time.js';
import type { RuleGroup } from './alerts.js';

export function RulesPage(): preact.JSX.Element {
  const { data, error, loading, reload } = useAsync((signal) => promApi<{ groups: RuleGroup[] }>('api/v1/rules', {}, { signal }), []);
  const now = useTick(10_000);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Rules</h1>
        <span class="spacer" />
        <button class="btn" onClick={reload}>
          Refresh
        </button>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {loading && !data ? <Loading /> : null}
      {data && data.data.groups.length === 0 ? <div class="muted empty">No rule groups are loaded.</div> : null}
      {(data?.data.groups ?? []).map((g) => (
        <Section
          key={g.file + g.name}
          title={
            <span>
              {g.name} <span class="muted small">{g.file}</span>
            </span>
          }
          right={
            <span class="muted small">
              every {formatDuration(g.interval * 1000)}
              {g.lastEvaluation ? ` · last evaluated ${ago(g.lastEvaluation, now)}` : ''}
              {g.evaluationTime !== undefined ? ` · took ${humanDuration(g.evaluationTime * 1000)}` : ''}
            </span>
          }
        >
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>Rule</th>
                  <th>State</th>
                  <th>Error</th>
                  <th>Last evaluation</th>
                  <th>Evaluation time</th>
                </tr>
              </thead>
              <tbody>
                {g.rules.map((r, i) => (
                  <tr key={i}>
                    <td>
                      <pre class="rule-def">
                        {r.type === 'alerting' ? `alert: ${r.name}` : `record: ${r.name}`}
                        {`\nexpr: ${r.query}`}
                        {r.duration ? `\nfor: ${formatDuration(r.duration * 1000)}` : ''}
                        {r.labels && Object.keys(r.labels).length ? `\nlabels:\n${Object.entries(r.labels).map(([k, v]) => `  ${k}: ${v}`).join('\n')}` : ''}
                        {r.annotations && Object.keys(r.annotations).length ? `\nannotations:\n${Object.entries(r.annotations).map(([k, v]) => `  ${k}: ${v}`).join('\n')}` : ''}
                      </pre>
                    </td>
                    <td>
                      <StateBadge state={r.health} />
                    </td>
                    <td class="error-text">{r.lastError}</td>
                    <td>{r.lastEvaluation ? ago(r.lastEvaluation, now) : '—'}</td>
                    <td>{r.evaluationTime !== undefined ? humanDuration(r.evaluationTime * 1000) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      ))}
    </div>
  );
}
