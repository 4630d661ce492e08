import { useEffect, useMemo, useState } from 'preact/hooks';
import { ErrorBox, LabelBadges, Loading, Section, StateBadge, useAsync, useTick } from '../components/common.js';
import { amApi, type Labels } from '../lib/api.js';
import { href, navigate, useRoute } from '../lib/router.js';
import { ago, formatDuration, formatTimestamp, parseDuration, toLocalInput } from '../lib/time.js';

interface AmAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
  generatorURL?: string;
}

interface AlertGroup {
  labels: Labels;
  receiver: { name: string };
  alerts: AmAlert[];
}

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

interface Silence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  updatedAt?: string;
}

function matcherText(m: Matcher): string {
  const op = m.isRegex ? (m.isEqual === false ? '!~' : '=~') : m.isEqual === false ? '!=' : '=';
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}

/** Parses `name=value`, `name!="v"`, `name=~"re"` into a matcher (the prefill format from the Alerts page). */
export function parseMatcher(s: string): Matcher | null {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(s);
  if (!m) return null;
  let value = m[3]!;
  if (value.startsWith('"')) {
    try {
      value = JSON.parse(value) as string;
    } catch {
      return null;
    }
  }
  const op = m[2]!;
  return { name: m[1]!, value, isRegex: op === '=~' || op === '!~', isEqual: op === '=' || op === '=~' };
}

export function AlertmanagerPage(): preact.JSX.Element {
  const route = useRoute();
  const silenceParam = route.params.get('silence');
  const prefill = useMemo(() => route.params.getAll('m').map(parseMatcher).filter((m): m is Matcher => m !== null), [route.params.toString()]);
  const groups = useAsync((signal) => amApi<AlertGroup[]>('alerts/groups', { signal }), []);
  const silences = useAsync((signal) => amApi<Silence[]>('silences', { signal }), []);
  const [filter, setFilter] = useState('');
  const [silencedToo, setSilencedToo] = useState(true);
  const now = useTick(10_000);
  const reload = (): void => {
    groups.reload();
    silences.reload();
  };

  const shownGroups = (groups.data ?? [])
    .map((g) => ({
      ...g,
      alerts: g.alerts.filter((a) => {
        if (!silencedToo && a.status.state === 'suppressed') return false;
        if (!filter) return true;
        return Object.entries(a.labels).some(([k, v]) => `${k}="${v}"`.toLowerCase().includes(filter.toLowerCase()));
      }),
    }))
    .filter((g) => g.alerts.length > 0);

  return (
    <div class="page">
      <div class="page-head">
        <h1>Alertmanager</h1>
        <span class="spacer" />
        <input class="input" type="search" placeholder="Filter alerts by label" aria-label="Filter alerts" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <label class="check">
          <input type="checkbox" checked={silencedToo} onChange={(e) => setSilencedToo((e.target as HTMLInputElement).checked)} /> Show silenced
        </label>
        <a
          class="btn primary"
          href={href('alertmanager', { silence: 'new' })}
          onClick={(e) => {
            e.preventDefault();
            navigate(href('alertmanager', { silence: 'new' }));
          }}
        >
          New silence
        </a>
        <button class="btn" onClick={reload}>
          Refresh
        </button>
      </div>
      {silenceParam ? (
        <SilenceForm
          // Remount when the edited silence arrives so every field starts from it.
          key={route.params.toString() + String((silences.data ?? []).some((s) => s.id === silenceParam))}
          initial={prefill}
          editing={(silences.data ?? []).find((s) => s.id === silenceParam)}
          onDone={(created) => {
            navigate(href('alertmanager'));
            reload();
            if (created) setTimeout(reload, 500);
          }}
        />
      ) : null}
      <Section title={<span>Alert groups <span class="muted small">({shownGroups.length})</span></span>}>
        {groups.error ? <ErrorBox error={groups.error} /> : null}
        {groups.loading && !groups.data ? <Loading /> : null}
        {groups.data && shownGroups.length === 0 ? <div class="muted empty">No alerts.</div> : null}
        {shownGroups.map((g, i) => (
          <div class="am-group" key={i}>
            <div class="am-group-head">
              <LabelBadges labels={g.labels} /> <span class="muted small">receiver: {g.receiver.name}</span>
            </div>
            {g.alerts.map((a) => (
              <div class="am-alert" key={a.fingerprint} data-state={a.status.state}>
                <div class="am-alert-row">
                  <StateBadge state={a.status.state} />
                  <span class="muted small" title={a.startsAt}>
                    since {ago(a.startsAt, now)}
                  </span>
                  <LabelBadges labels={a.labels} />
                  <span class="spacer" />
                  <a
                    class="btn small"
                    href={silenceLink(a.labels)}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(silenceLink(a.labels));
                      window.scrollTo(0, 0);
                    }}
                  >
                    Silence
                  </a>
                </div>
                {Object.keys(a.annotations).length > 0 ? (
                  <div class="annotations small">
                    {Object.entries(a.annotations).map(([k, v]) => (
                      <div key={k}>
                        <span class="muted">{k}:</span> {v}
                      </div>
                    ))}
                  </div>
                ) : null}
                {a.status.silencedBy.length > 0 ? <div class="muted small">silenced by {a.status.silencedBy.join(', ')}</div> : null}
                {a.status.inhibitedBy.length > 0 ? <div class="muted small">inhibited by {a.status.inhibitedBy.join(', ')}</div> : null}
              </div>
            ))}
          </div>
        ))}
      </Section>
      <Silences data={silences.data} error={silences.error} loading={silences.loading} onChange={reload} now={now} />
    </div>
  );
}

function silenceLink(labels: Labels): string {
  const p = new URLSearchParams();
  p.set('silence', 'new');
  for (const [k, v] of Object.entries(labels)) p.append('m', `${k}=${JSON.stringify(v)}`);
  return href('alertmanager', p);
}

function Silences(p: { data?: Silence[]; error?: unknown; loading: boolean; onChange: () => void; now: number }): preact.JSX.Element {
  const [err, setErr] = useState<unknown>(null);
  const order = { active: 0, pending: 1, expired: 2 };
  const list = (p.data ?? []).slice().sort((a, b) => order[a.status.state] - order[b.status.state] || b.startsAt.localeCompare(a.startsAt));
  const expire = async (id: string): Promise<void> => {
    try {
      await amApi(`silence/${encodeURIComponent(id)}`, { method: 'DELETE' });
      setErr(null);
      p.onChange();
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <Section title={<span>Silences <span class="muted small">({list.filter((s) => s.status.state !== 'expired').length} active or pending)</span></span>}>
      {p.error ? <ErrorBox error={p.error} /> : null}
      {err ? <ErrorBox error={err} /> : null}
      {p.loading && !p.data ? <Loading /> : null}
      {p.data && list.length === 0 ? <div class="muted empty">No silences.</div> : null}
      {list.length > 0 ? (
        <div class="table-wrap">
          <table class="table silences-table">
            <thead>
              <tr>
                <th>State</th>
                <th>Matchers</th>
                <th>Starts / ends</th>
                <th>Created by</th>
                <th>Comment</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} data-silence-id={s.id} data-state={s.status.state}>
                  <td>
                    <StateBadge state={s.status.state} />
                  </td>
                  <td>
                    {s.matchers.map((m, i) => (
                      <code class="matcher" key={i}>
                        {matcherText(m)}
                      </code>
                    ))}
                  </td>
                  <td class="small">
                    {formatTimestamp(Date.parse(s.startsAt))}
                    <br />
                    {/* An expired silence ended in the past even if the Alertmanager's clock is ahead of the browser's. */}
                    {s.status.state === 'expired' ? `ended ${ago(Math.min(Date.parse(s.endsAt), p.now), p.now)}` : `ends ${ago(s.endsAt, p.now)}`}
                  </td>
                  <td>{s.createdBy}</td>
                  <td class="comment">{s.comment}</td>
                  <td class="actions">
                    {s.status.state !== 'expired' ? (
                      <>
                        <button class="btn small" onClick={() => navigate(href('alertmanager', { silence: s.id }))}>
                          Edit
                        </button>
                        <button class="btn small danger" onClick={() => void expire(s.id)}>
                          Expire
                        </button>
                      </>
                    ) : (
                      <button
                        class="btn small"
                        onClick={() => {
                          const q = new URLSearchParams({ silence: 'new' });
                          s.matchers.forEach((m) => q.append('m', matcherText(m)));
                          navigate(href('alertmanager', q));
                        }}
                      >
                        Recreate
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Section>
  );
}

const OPS = ['=', '!=', '=~', '!~'] as const;
function opOf(m: Matcher): (typeof OPS)[number] {
  return m.isRegex ? (m.isEqual === false ? '!~' : '=~') : m.isEqual === false ? '!=' : '=';
}

function SilenceForm(p: { initial: Matcher[]; editing?: Silence; onDone: (created: boolean) => void }): preact.JSX.Element {
  const startNow = Date.now();
  const [matchers, setMatchers] = useState<Matcher[]>(p.editing?.matchers ?? (p.initial.length > 0 ? p.initial : [{ name: '', value: '', isRegex: false, isEqual: true }]));
  const [starts, setStarts] = useState(p.editing ? Date.parse(p.editing.startsAt) : startNow);
  const [duration, setDuration] = useState(p.editing ? formatDuration(Date.parse(p.editing.endsAt) - Date.parse(p.editing.startsAt)) : '2h');
  const [createdBy, setCreatedBy] = useState(p.editing?.createdBy ?? (localStorage.getItem('vigil.silence.author') || ''));
  const [comment, setComment] = useState(p.editing?.comment ?? '');
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (p.editing) setMatchers(p.editing.matchers);
  }, [p.editing?.id]);

  const durMs = parseDuration(duration);
  const ends = durMs === null ? null : starts + durMs;
  const setM = (i: number, m: Partial<Matcher>): void => setMatchers(matchers.map((x, j) => (j === i ? { ...x, ...m } : x)));

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const ms = matchers.filter((m) => m.name.trim() !== '');
    if (ms.length === 0) return setErr('Add at least one matcher.');
    if (ms.every((m) => (m.isEqual !== false && !m.isRegex && m.value === '') || (m.isRegex && /^(\.\*)?$/.test(m.value)))) return setErr('At least one matcher must not match everything.');
    if (ends === null || durMs === null || durMs <= 0) return setErr('Duration must be a positive duration such as 2h or 30m.');
    if (!createdBy.trim()) return setErr('"Created by" is required.');
    if (!comment.trim()) return setErr('A comment is required.');
    setBusy(true);
    try {
      localStorage.setItem('vigil.silence.author', createdBy);
      const body: Record<string, unknown> = {
        matchers: ms.map((m) => ({ name: m.name.trim(), value: m.value, isRegex: m.isRegex, isEqual: m.isEqual !== false })),
        startsAt: new Date(starts).toISOString(),
        endsAt: new Date(ends).toISOString(),
        createdBy,
        comment,
      };
      if (p.editing) body['id'] = p.editing.id;
      await amApi<{ silenceID: string }>('silences', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      p.onDone(true);
    } catch (x) {
      setErr((x as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel silence-form" onSubmit={(e) => void submit(e)} aria-label="Silence editor">
      <h2>{p.editing ? 'Edit silence' : 'New silence'}</h2>
      <div class="form-grid">
        <label>
          Start
          <input class="input" type="datetime-local" value={toLocalInput(starts)} onChange={(e) => setStarts(new Date((e.target as HTMLInputElement).value).getTime() || startNow)} />
        </label>
        <label>
          Duration
          <input class="input" name="duration" value={duration} onInput={(e) => setDuration((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          End
          <input class="input" readOnly value={ends === null ? 'invalid duration' : formatTimestamp(ends)} />
        </label>
      </div>
      <div class="matchers">
        <div class="muted small">Matchers (alerts matching all of them are silenced)</div>
        {matchers.map((m, i) => (
          <div class="matcher-row" key={i}>
            <input class="input" placeholder="label" aria-label="Matcher name" value={m.name} onInput={(e) => setM(i, { name: (e.target as HTMLInputElement).value })} />
            <select
              class="input"
              aria-label="Matcher operator"
              value={opOf(m)}
              onChange={(e) => {
                const op = (e.target as HTMLSelectElement).value;
                setM(i, { isRegex: op.includes('~'), isEqual: !op.startsWith('!') });
              }}
            >
              {OPS.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
            <input class="input grow" placeholder="value" aria-label="Matcher value" value={m.value} onInput={(e) => setM(i, { value: (e.target as HTMLInputElement).value })} />
            <button type="button" class="btn icon" title="Remove matcher" onClick={() => setMatchers(matchers.filter((_, j) => j !== i))}>
              ✕
            </button>
          </div>
        ))}
        <button type="button" class="btn small" onClick={() => setMatchers([...matchers, { name: '', value: '', isRegex: false, isEqual: true }])}>
          Add matcher
        </button>
      </div>
      <div class="form-grid">
        <label>
          Created by
          <input class="input" name="createdBy" value={createdBy} onInput={(e) => setCreatedBy((e.target as HTMLInputElement).value)} />
        </label>
        <label class="wide">
          Comment
          <input class="input" name="comment" value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      {err ? <div class="error-box" role="alert">{err}</div> : null}
      <div class="form-actions">
        <button type="submit" class="btn primary" disabled={busy}>
          {p.editing ? 'Update silence' : 'Create silence'}
        </button>
        <button type="button" class="btn" onClick={() => p.onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
