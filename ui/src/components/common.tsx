import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Labels } from '../lib/api.js';

export function ErrorBox({ error, title }: { error: unknown; title?: string }): preact.JSX.Element {
  const msg = error instanceof Error ? error.message : String(error);
  return (
    <div class="error-box" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {msg}
    </div>
  );
}

export function Loading({ text = 'Loading…' }: { text?: string }): preact.JSX.Element {
  return <div class="loading">{text}</div>;
}

export function LabelBadges({ labels, skipName = false }: { labels: Labels; skipName?: boolean }): preact.JSX.Element {
  return (
    <span class="labels">
      {Object.keys(labels)
        .filter((k) => !(skipName && k === '__name__'))
        .sort()
        .map((k) => (
          <span class="label" key={k} title={`${k}="${labels[k] ?? ''}"`}>
            <span class="label-name">{k}</span>=<span class="label-value">{labels[k]}</span>
          </span>
        ))}
    </span>
  );
}

export function StateBadge({ state }: { state: string }): preact.JSX.Element {
  return <span class={`badge state-${state.toLowerCase()}`}>{state}</span>;
}

export function Section(p: { title: ComponentChildren; children: ComponentChildren; right?: ComponentChildren; open?: boolean }): preact.JSX.Element {
  const [open, setOpen] = useState(p.open ?? true);
  return (
    <section class="section">
      <header class="section-head">
        <button class="link-btn section-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span class="chev">{open ? '▾' : '▸'}</span> {p.title}
        </button>
        <span class="spacer" />
        {p.right}
      </header>
      {open ? <div class="section-body">{p.children}</div> : null}
    </section>
  );
}

/** Loads data with `fn` on mount and whenever `deps` change; `reload()` refreshes. */
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { data?: T; error?: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    fn(ac.signal).then(
      (data) => {
        if (!ac.signal.aborted) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (!ac.signal.aborted) setState({ error, loading: false });
      },
    );
    return () => ac.abort();
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

/**
 * Re-renders every `ms` (for "ago" columns) and returns the time of the current render: a
 * render for freshly loaded data must not compare it with the last tick (a silence expired a
 * moment ago showed as "ended in 600ms").
 */
export function useTick(ms: number): number {
  const [, setN] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setN((n) => n + 1), ms);
    return () => clearInterval(id);
  }, [ms]);
  return Date.now();
}
