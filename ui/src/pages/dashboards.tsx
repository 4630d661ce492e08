import { useState } from 'preact/hooks';
import { ErrorBox, Loading, useAsync } from '../components/common.js';
import { DashboardView } from '../dash/dashboard.js';
import { promApi } from '../lib/api.js';
import { href, linkClick, navigate, useRoute } from '../lib/router.js';

interface DashboardListItem {
  uid: string;
  title: string;
  tags: string[];
  file: string;
}

export function DashboardPage(): preact.JSX.Element {
  const route = useRoute();
  const uid = route.params.get('uid');
  if (!uid) return <ErrorBox error="No dashboard uid in the URL." />;
  return <DashboardView uid={uid} />;
}

export function DashboardsPage(): preact.JSX.Element {
  const { data, error, loading, reload } = useAsync((signal) => promApi<DashboardListItem[]>('api/vigil/dashboards', {}, { signal }), []);
  const [q, setQ] = useState('');
  const [tag, setTag] = useState('');
  const [importing, setImporting] = useState(false);
  const list = (data?.data ?? []).filter((d) => (!q || d.title.toLowerCase().includes(q.toLowerCase())) && (!tag || d.tags.includes(tag)));
  const tags = [...new Set((data?.data ?? []).flatMap((d) => d.tags))].sort();
  return (
    <div class="page">
      <div class="page-head">
        <h1>Dashboards</h1>
        <span class="spacer" />
        <input class="input" type="search" placeholder="Search dashboards" aria-label="Search dashboards" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <select class="input" aria-label="Filter by tag" value={tag} onChange={(e) => setTag((e.target as HTMLSelectElement).value)}>
          <option value="">All tags</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <button class="btn" onClick={() => setImporting(!importing)}>
          Import
        </button>
      </div>
      {importing ? (
        <ImportForm
          onDone={(uid) => {
            setImporting(false);
            reload();
            if (uid) navigate(href('dashboard', { uid }));
          }}
        />
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      {data && data.warnings.length > 0 ? (
        <div class="warn-box">
          {data.warnings.map((w) => (
            <div key={w}>{w}</div>
          ))}
        </div>
      ) : null}
      {loading && !data ? <Loading /> : null}
      {data && list.length === 0 ? <div class="muted empty">No dashboards{q || tag ? ' match' : ' are provisioned'}.</div> : null}
      <ul class="dash-list">
        {list.map((d) => (
          <li key={d.uid}>
            <a href={href('dashboard', { uid: d.uid })} onClick={linkClick}>
              {d.title}
            </a>
            <span class="tags">
              {d.tags.map((t) => (
                <button key={t} class="tag" onClick={() => setTag(t)}>
                  {t}
                </button>
              ))}
            </span>
            <span class="muted small file">{d.file}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ImportForm({ onDone }: { onDone: (uid: string | null) => void }): preact.JSX.Element {
  const [text, setText] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [overwrite, setOverwrite] = useState(false);
  const submit = async (): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      setErr(new Error(`Invalid JSON: ${(e as Error).message}`));
      return;
    }
    try {
      const wrapped = typeof body === 'object' && body !== null && 'dashboard' in body ? { ...(body as object), overwrite } : { dashboard: body, overwrite };
      const r = await promApi<{ uid: string }>('api/vigil/dashboards', {}, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(wrapped) });
      onDone(r.data.uid);
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <div class="panel import-form">
      <h2>Import dashboard</h2>
      <p class="muted small">Paste Grafana dashboard JSON (the model or an API export with a "dashboard" key), or load a file.</p>
      <input
        type="file"
        accept=".json,application/json"
        onChange={(e) => {
          const f = (e.target as HTMLInputElement).files?.[0];
          if (f) void f.text().then(setText);
        }}
      />
      <textarea class="input code" rows={10} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} aria-label="Dashboard JSON" />
      <label class="check">
        <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite((e.target as HTMLInputElement).checked)} /> Overwrite a dashboard with the same uid
      </label>
      {err ? <ErrorBox error={err} /> : null}
      <div class="form-actions">
        <button class="btn primary" onClick={() => void submit()} disabled={!text.trim()}>
          Import
        </button>
        <button class="btn" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
