import { useMemo, useState } from 'preact/hooks';
import { ErrorBox, LabelBadges, Loading, Section, StateBadge, useAsync, useTick } from '../components/common.js';
import { promApi, type Labels } from '../lib/api.js';
import { ago, humanDuration } from '../lib/time.js';

interface Target {
  discoveredLabels: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl?: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval?: string;
  scrapeTimeout?: string;
}

interface TargetsData {
  activeTargets: Target[];
  droppedTargets: Array<{ discoveredLabels: Labels }>;
}

export function TargetsPage(): preact.JSX.Element {
  const { data, error, loading, reload } = useAsync((signal) => promApi<TargetsData>('api/v1/targets', { state: 'any' }, { signal }), []);
  const [filter, setFilter] = useState('');
  const [unhealthyOnly, setUnhealthyOnly] = useState(false);
  const now = useTick(5000);

  const pools = useMemo(() => {
    const m = new Map<string, Target[]>();
    for (const t of data?.data.activeTargets ?? []) {
      const hay = `${t.scrapeUrl} ${t.scrapePool} ${Object.entries(t.labels).map(([k, v]) => `${k}="${v}"`).join(' ')}`.toLowerCase();
      if (filter && !hay.includes(filter.toLowerCase())) continue;
      if (unhealthyOnly && t.health === 'up') continue;
      if (!m.has(t.scrapePool)) m.set(t.scrapePool, []);
      m.get(t.scrapePool)!.push(t);
    }
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [data, filter, unhealthyOnly]);

  return (
    <div class="page">
      <div class="page-head">
        <h1>Targets</h1>
        <span class="spacer" />
        <input class="input" type="search" placeholder="Filter by endpoint or labels" aria-label="Filter targets" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <label class="check">
          <input type="checkbox" checked={unhealthyOnly} onChange={(e) => setUnhealthyOnly((e.target as HTMLInputElement).checked)} /> Unhealthy only
        </label>
        <button class="btn" onClick={reload}>
          Refresh
        </button>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {loading && !data ? <Loading /> : null}
      {data && pools.length === 0 ? <div class="muted empty">No targets{filter || unhealthyOnly ? ' match the filter' : ''}.</div> : null}
      {pools.map(([pool, targets]) => {
        const up = targets.filter((t) => t.health === 'up').length;
        return (
          <Section
            key={pool}
            title={
              <span>
                {pool} <span class={up === targets.length ? 'count ok' : 'count bad'}>({up}/{targets.length} up)</span>
              </span>
            }
          >
            <div class="table-wrap">
              <table class="table targets-table">
                <thead>
                  <tr>
                    <th>Endpoint</th>
                    <th>State</th>
                    <th>Labels</th>
                    <th>Last scrape</th>
                    <th>Scrape duration</th>
                    <th>Error</th>
                  </tr>
                </thead>
                <tbody>
                  {targets.map((t) => (
                    <TargetRow key={t.scrapeUrl + JSON.stringify(t.labels)} t={t} now={now} />
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
        );
      })}
      {data && data.data.droppedTargets.length > 0 ? <p class="muted small">{data.data.droppedTargets.length} discovered targets were dropped by relabelling.</p> : null}
    </div>
  );
}

function TargetRow({ t, now }: { t: Target; now: number }): preact.JSX.Element {
  const [showDiscovered, setShowDiscovered] = useState(false);
  return (
    <tr data-health={t.health}>
      <td class="endpoint">
        <a href={t.scrapeUrl} target="_blank" rel="noopener noreferrer">
          {t.scrapeUrl}
        </a>
      </td>
      <td>
        <StateBadge state={t.health} />
      </td>
      <td>
        <LabelBadges labels={t.labels} />
        <button class="link-btn small" onClick={() => setShowDiscovered(!showDiscovered)}>
          {showDiscovered ? 'hide discovered labels' : 'discovered labels'}
        </button>
        {showDiscovered ? (
          <div class="discovered">
            <div class="muted small">Before relabelling:</div>
            <LabelBadges labels={t.discoveredLabels} />
          </div>
        ) : null}
      </td>
      <td title={t.lastScrape}>{ago(t.lastScrape, now)}</td>
      <td>{t.lastScrapeDuration > 0 ? humanDuration(t.lastScrapeDuration * 1000) : '—'}</td>
      <td class="error-text">{t.lastError}</td>
    </tr>
  );
}
