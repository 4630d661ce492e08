/**
 * HTTP access to the public APIs the UI uses. Every URL is relative to the folder the page
 * was served from, so the UI works at / and under --web.route-prefix alike.
 */

/** Base path of the app, with a trailing slash (e.g. "/" or "/vigil/"). */
export const basePath: string = (() => {
  if (typeof window === 'undefined') return '/';
  const p = window.location.pathname;
  return p.slice(0, p.lastIndexOf('/') + 1);
})();

export function apiUrl(path: string): string {
  return basePath + path.replace(/^\//, '');
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorType?: string,
  ) {
    super(message);
  }
}

interface PromEnvelope<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

async function readJson(r: Response): Promise<unknown> {
  const text = await r.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(`${r.status} ${r.statusText}: ${text.slice(0, 200) || 'empty response'}`, r.status);
  }
}

export interface Result<T> {
  data: T;
  warnings: string[];
}

/** Calls a Prometheus-envelope API (/api/v1/..., /api/vigil/...). */
export async function promApi<T>(path: string, params?: Record<string, string | string[] | undefined>, init?: RequestInit): Promise<Result<T>> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
    else qs.set(k, v);
  }
  let url = apiUrl(path);
  let req: RequestInit = { ...init };
  // Long queries go in a form body, like Prometheus' own UI.
  const q = qs.toString();
  if (q.length > 1500 && (init?.method === undefined || init.method === 'POST')) {
    req = { ...req, method: 'POST', body: q, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
  } else if (q) url += '?' + q;
  const r = await fetch(url, req);
  const body = (await readJson(r)) as PromEnvelope<T>;
  if (body.status !== 'success') throw new ApiError(body.error ?? `HTTP ${r.status}`, r.status, body.errorType);
  return { data: body.data, warnings: body.warnings ?? [] };
}

/** Calls the Alertmanager API v2 (plain JSON, errors as text). */
export async function amApi<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await fetch(apiUrl('alertmanager/api/v2/' + path.replace(/^\//, '')), init);
  if (!r.ok) {
    const text = await r.text();
    let msg = text;
    try {
      const j = JSON.parse(text) as unknown;
      msg = typeof j === 'string' ? j : typeof j === 'object' && j !== null && 'message' in j ? String((j as { message: unknown }).message) : text;
    } catch {
      /* plain text error */
    }
    throw new ApiError(`Alertmanager: ${r.status} ${msg}`.trim(), r.status);
  }
  if (r.status === 200 && r.headers.get('content-length') === '0') return undefined as T;
  const text = await r.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

// ---- Prometheus API types ----

export type Labels = Record<string, string>;
export type SamplePair = [number, string];

export interface VectorSample {
  metric: Labels;
  value: SamplePair;
}
export interface MatrixSeries {
  metric: Labels;
  values: SamplePair[];
}
export type QueryData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar'; result: SamplePair }
  | { resultType: 'string'; result: SamplePair };

export function queryRange(query: string, start: number, end: number, step: number, signal?: AbortSignal): Promise<Result<QueryData>> {
  return promApi<QueryData>('api/v1/query_range', { query, start: String(start), end: String(end), step: String(step) }, { signal });
}

export function queryInstant(query: string, time: number, signal?: AbortSignal): Promise<Result<QueryData>> {
  return promApi<QueryData>('api/v1/query', { query, time: String(time) }, { signal });
}

export function formatLabels(m: Labels, skipName = false): string {
  const name = m['__name__'] ?? '';
  const parts = Object.keys(m)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(m[k])}`);
  const inner = parts.length > 0 ? `{${parts.join(', ')}}` : name ? '' : '{}';
  return (skipName ? '' : name) + inner;
}
