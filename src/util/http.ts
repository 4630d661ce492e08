import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

/**
 * A tiny router shared by every subsystem that serves HTTP. Subsystems export
 * `Route[]`; the web server mounts them under a prefix. Kept dependency-free so
 * that promql, rules and alertmgr can describe their endpoints without importing web.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

export interface Route {
  method: HttpMethod | HttpMethod[];
  /** Path with `:name` segments and an optional trailing `*rest`. */
  path: string;
  handler: (ctx: RequestContext) => Promise<void> | void;
}

/** Default limit for request bodies read through the context (remote write overrides). */
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export class RequestContext {
  readonly url: URL;
  params: Record<string, string> = {};
  private bodyCache: Buffer | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.url = new URL(req.url ?? '/', 'http://localhost');
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get query(): URLSearchParams {
    return this.url.searchParams;
  }

  /** Reads the whole body, refusing more than `limit` bytes (413). Gzip bodies are inflated. */
  async body(limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
    if (this.bodyCache) return this.bodyCache;
    const declared = Number(this.req.headers['content-length'] ?? '0');
    if (declared > limit) throw new HttpError(413, `request body too large: ${declared} bytes > limit ${limit}`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new HttpError(413, `request body too large: more than ${limit} bytes`);
      chunks.push(chunk);
    }
    let buf = Buffer.concat(chunks, size);
    if (this.req.headers['content-encoding'] === 'gzip') buf = gunzipSync(buf, { maxOutputLength: limit });
    this.bodyCache = buf;
    return buf;
  }

  /**
   * Form parameters the way Prometheus' API reads them: URL query merged with an
   * application/x-www-form-urlencoded POST body (body values come after query values).
   */
  async form(): Promise<URLSearchParams> {
    const out = new URLSearchParams(this.url.searchParams);
    const ct = this.req.headers['content-type'] ?? '';
    if ((this.method === 'POST' || this.method === 'PUT') && ct.startsWith('application/x-www-form-urlencoded')) {
      const body = await this.body();
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) out.append(k, v);
    }
    return out;
  }

  send(status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
    this.res.writeHead(status, { 'Content-Type': contentType, ...headers });
    this.res.end(body);
  }

  /** Sends an already-serialised JSON string (or its UTF-8 bytes). */
  sendJsonText(status: number, json: string | Buffer): void {
    this.send(status, 'application/json', json);
  }

  sendJson(status: number, value: unknown): void {
    this.sendJsonText(status, JSON.stringify(value));
  }

  sendApi(result: ApiResult): void {
    if (typeof result.body === 'string' || Buffer.isBuffer(result.body)) this.sendJsonText(result.status, result.body);
    else this.sendJson(result.status, result.body);
  }
}

/** Prometheus API error types (web/api/v1 errorType values). */
export type ApiErrorType =
  | 'timeout'
  | 'canceled'
  | 'execution'
  | 'bad_data'
  | 'internal'
  | 'unavailable'
  | 'not_found'
  | 'not_acceptable';

export interface ApiResult {
  status: number;
  /** An object to serialise, or JSON already serialised as a string or UTF-8 bytes (fast path for big results). */
  body: unknown;
}

/** Prometheus' success envelope. */
export function apiSuccess(data: unknown, warnings?: string[]): ApiResult {
  const body: Record<string, unknown> = { status: 'success', data };
  if (warnings && warnings.length > 0) body['warnings'] = warnings;
  return { status: 200, body };
}

const ERROR_STATUS: Record<ApiErrorType, number> = {
  timeout: 503,
  canceled: 503,
  execution: 422,
  bad_data: 400,
  internal: 500,
  unavailable: 503,
  not_found: 404,
  not_acceptable: 406,
};

/** Prometheus' error envelope with the HTTP status Prometheus uses for that error type. */
export function apiError(errorType: ApiErrorType, error: string, status = ERROR_STATUS[errorType]): ApiResult {
  return { status, body: { status: 'error', errorType, error } };
}

interface CompiledRoute {
  methods: Set<string>;
  segments: string[];
  rest: string | null;
  handler: Route['handler'];
}

export class Router {
  private routes: CompiledRoute[] = [];

  add(route: Route, prefix = ''): this {
    const full = (prefix + route.path).replace(/\/+/g, '/');
    const parts = full.split('/').filter((p) => p !== '');
    let rest: string | null = null;
    if (parts.length > 0 && parts[parts.length - 1]!.startsWith('*')) rest = parts.pop()!.slice(1);
    const methods = new Set(Array.isArray(route.method) ? route.method : [route.method]);
    if (methods.has('GET')) methods.add('HEAD');
    this.routes.push({ methods, segments: parts, rest, handler: route.handler });
    return this;
  }

  mount(routes: Route[], prefix = ''): this {
    for (const r of routes) this.add(r, prefix);
    return this;
  }

  /**
   * Finds the handler for a request. Returns null when no path matches, or
   * 'method' when the path matches but the method does not (405).
   */
  match(method: string, pathname: string): { handler: Route['handler']; params: Record<string, string> } | 'method' | null {
    const parts = pathname.split('/').filter((p) => p !== '');
    let pathMatched = false;
    for (const r of this.routes) {
      const params = matchSegments(r, parts);
      if (!params) continue;
      pathMatched = true;
      if (r.methods.has(method)) return { handler: r.handler, params };
    }
    return pathMatched ? 'method' : null;
  }
}

function matchSegments(r: CompiledRoute, parts: string[]): Record<string, string> | null {
  if (r.rest === null ? parts.length !== r.segments.length : parts.length < r.segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < r.segments.length; i++) {
    const seg = r.segments[i]!;
    const part = parts[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = safeDecode(part);
    else if (seg !== part) return null;
  }
  if (r.rest !== null) params[r.rest] = parts.slice(r.segments.length).map(safeDecode).join('/');
  return params;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
