import { useEffect, useState } from 'preact/hooks';
import { basePath } from './api.js';

/**
 * A tiny History-API router. Pages are one path segment deep (e.g. "graph", "targets") so
 * relative asset URLs keep working under any route prefix; page state lives in the query string.
 */
export interface Route {
  page: string;
  params: URLSearchParams;
}

function current(): Route {
  const rest = window.location.pathname.slice(basePath.length);
  return { page: rest.split('/')[0] ?? '', params: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function href(page: string, params?: URLSearchParams | Record<string, string>): string {
  const qs = params instanceof URLSearchParams ? params.toString() : new URLSearchParams(params ?? {}).toString();
  return basePath + page + (qs ? '?' + qs : '');
}

/** Navigates; `replace` updates the URL without a history entry (for state sync while typing). */
export function navigate(url: string, replace = false): void {
  const u = new URL(url, window.location.href);
  url = u.pathname + u.search + u.hash;
  if (url === window.location.pathname + window.location.search + window.location.hash) return;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const l = (): void => setRoute(current());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return route;
}

/** Click handler for in-app links: keeps modifier-clicks (new tab) working. */
export function linkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.currentTarget as HTMLElement).closest('a');
  if (!a || a.target === '_blank') return;
  e.preventDefault();
  navigate(a.getAttribute('href') ?? basePath);
}
