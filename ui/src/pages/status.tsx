import { useState } from 'preact/hooks';
import { ErrorBox, Loading, Section, useAsync } from '../components/common.js';
import { fmt } from '../dash/units.js';
import { promApi } from '../lib/api.js';
import { formatTimestamp } from '../lib/time.js';

interface TsdbStats {
  headStats?: { numSeries: number; numLabelPairs?: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName?: Array<{ name: string; value: number }>;
  labelValueCountByLabelName?: Array<{ name: string; value: number }>;
  memoryInBytesByLabelName?: Array<{ name: string; value: number }>;
  seriesCountByLabelValuePair?: Array<{ name: string; value: number }>;
}

function KeyValues({ data }: { data: Record<string, unknown> }): preact.JSX.Element {
  return (
    <table class="table kv">
      <tbody>
        {Object.entries(data).map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Block<T>(p: { title: string; path: string; render: (d: T) => preact.JSX.Element; open?: boolean }): preact.JSX.Element {
  const { data, error, loading } = useAsync((signal) => promApi<T>(p.path, {}, { signal }), [p.path]);
  return (
    <Section title={p.title} open={p.open ?? true}>
      {error ? <ErrorBox error={error} /> : null}
      {loading && !data ? <Loading /> : null}
      {data ? p.render(data.data) : null}
    </Section>
  );
}

function TopTable({ title, rows, unit }: { title: string; rows?: Array<{ name: string; value: number }>; unit?: string }): preact.JSX.Element | null {
  if (!rows || rows.length === 0) return null;
  const max = Math.max(...rows.map((r) => r.value), 1);
  return (
    <div class="top-table">
      <h3>{title}</h3>
      <table class="table">
        <tbody>
          {rows.map((r) => (
            <tr key={r.name}>
              <td class="mono">{r.name}</td>
              <td class="num">{unit ? fmt(r.value, unit) : r.value}</td>
              <td class="bar-cell">
                <div class="bar" style={{ width: `${(r.value / max) * 100}%` }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function StatusPage(): preact.JSX.Element {
  const [flagFilter, setFlagFilter] = useState('');
  return (
    <div class="page">
      <div class="page-head">
        <h1>Status</h1>
      </div>
      <Block<Record<string, unknown>> title="Build information" path="api/v1/status/buildinfo" render={(d) => <KeyValues data={d} />} />
      <Block<Record<string, unknown>> title="Runtime information" path="api/v1/status/runtimeinfo" render={(d) => <KeyValues data={d} />} />
      <Block<TsdbStats>
        title="TSDB status"
        path="api/v1/status/tsdb"
        render={(d) => (
          <div>
            {d.headStats ? (
              <table class="table kv">
                <tbody>
                  <tr>
                    <th>Head series</th>
                    <td>{d.headStats.numSeries}</td>
                  </tr>
                  <tr>
                    <th>Head chunks</th>
                    <td>{d.headStats.chunkCount}</td>
                  </tr>
                  {d.headStats.numLabelPairs !== undefined ? (
                    <tr>
                      <th>Label pairs</th>
                      <td>{d.headStats.numLabelPairs}</td>
                    </tr>
                  ) : null}
                  <tr>
                    <th>Head time range</th>
                    <td>{d.headStats.minTime > 0 ? `${formatTimestamp(d.headStats.minTime)} – ${formatTimestamp(d.headStats.maxTime)}` : 'empty'}</td>
                  </tr>
                </tbody>
              </table>
            ) : null}
            <div class="top-grid">
              <TopTable title="Top series count by metric name" rows={d.seriesCountByMetricName} />
              <TopTable title="Top label value count by label name" rows={d.labelValueCountByLabelName} />
              <TopTable title="Top memory usage by label name" rows={d.memoryInBytesByLabelName} unit="bytes" />
              <TopTable title="Top series count by label value pair" rows={d.seriesCountByLabelValuePair} />
            </div>
          </div>
        )}
      />
      <Block<Record<string, string>>
        title="Command-line flags"
        path="api/v1/status/flags"
        open={false}
        render={(d) => (
          <div>
            <input class="input" type="search" placeholder="Filter flags" aria-label="Filter flags" value={flagFilter} onInput={(e) => setFlagFilter((e.target as HTMLInputElement).value)} />
            <KeyValues data={Object.fromEntries(Object.entries(d).filter(([k, v]) => !flagFilter || (k + ' ' + v).toLowerCase().includes(flagFilter.toLowerCase())))} />
          </div>
        )}
      />
      <Block<{ yaml: string }> title="Configuration" path="api/v1/status/config" open={false} render={(d) => <pre class="config-yaml">{d.yaml}</pre>} />
    </div>
  );
}
