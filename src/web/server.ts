import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import { DEFAULT_BODY_LIMIT, HttpError, Router, apiError, errorMessage, type Logger, type Route } from '../util/index.js';
import { BasicAuthenticator } from './basic-auth.js';
import { WebContext } from './context.js';
import { Cors } from './cors.js';
import { createHttpMetrics, type HttpMetrics } from './http-metrics.js';
import { ParamError } from './params.js';
import { EMPTY_WEB_CONFIG, loadWebConfig, type TlsServerConfig, type WebConfig } from './web-config.js';

export interface WebServerOptions {
  /** host:port, ":port" for all interfaces, "[::1]:port" for IPv6. */
  listenAddress: string;
  /** --web.config.file; TLS, basic auth and headers. */
  webConfigFile?: string;
  /** Path prefix every route is served under ("/" or e.g. "/vigil"). */
  routePrefix?: string;
  /** --web.cors.origin, fully anchored regex. */
  corsOrigin?: string;
  logger: Logger;
  /** Registry receiving vigil_http_* metrics. */
  registry?: Registry;
  maxBodyBytes?: number;
  /** --web.max-connections (0 = unlimited). */
  maxConnections?: number;
  /** --web.read-timeout in ms: whole-request timeout (0 = none). */
  readTimeoutMs?: number;
}

/** A listen failure with an operator-readable message (busy port, bad address, no permission). */
export class ListenError extends Error {
  override name = 'ListenError';
}

/** Handles requests no route matched (e.g. the static UI); returns false to fall through to 404. */
export type FallbackHandler = (ctx: WebContext, path: string) => Promise<boolean> | boolean;

/**
 * Vigil's HTTP server on node:http(s). Subsystems hand it `Route[]` under a prefix;
 * it adds the route prefix, basic auth, TLS, CORS on the API, gzip, request metrics
 * and debug logging, body limits, and JSON 404/405/500 answers. A handler error never
 * takes the process down.
 */
export class WebServer {
  private readonly router = new Router();
  private readonly prefix: string;
  private readonly cors: Cors;
  private readonly auth: BasicAuthenticator;
  private readonly metrics: HttpMetrics | null;
  private readonly log: Logger;
  private webConfig: WebConfig;
  private server: Server | null = null;
  private fallback: FallbackHandler | null = null;
  private ready = false;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: WebServerOptions) {
    this.log = opts.logger;
    this.prefix = normalizePrefix(opts.routePrefix ?? '/');
    this.cors = new Cors(opts.corsOrigin ?? '.*');
    this.webConfig = opts.webConfigFile ? loadWebConfig(opts.webConfigFile) : EMPTY_WEB_CONFIG;
    this.auth = new BasicAuthenticator(this.webConfig.basicAuthUsers);
    this.metrics = opts.registry ? createHttpMetrics(opts.registry) : null;
  }

  /** The route prefix without trailing slash ("" for "/"). */
  get routePrefix(): string {
    return this.prefix;
  }

  get tlsEnabled(): boolean {
    return this.webConfig.tls !== null;
  }

  /**
   * Mounts routes under `prefix` (relative to the route prefix). Earlier mounts win
   * over later ones for the same path and method. Unless `ungated`, the routes answer
   * 503 until setReady(true), as Prometheus' API does while the TSDB is opening.
   */
  mount(routes: readonly Route[], prefix = '', opts: { ungated?: boolean } = {}): void {
    for (const r of routes) {
      const pattern = (prefix + r.path).replace(/\/+/g, '/') || '/';
      const handler = r.handler;
      const gated = !opts.ungated;
      this.router.add({ method: r.method, path: pattern, handler: (ctx) => this.instrumented(pattern, ctx as WebContext, handler, gated) }, this.prefix);
    }
  }

  /** Opens (or closes) the gated routes. */
  setReady(ready: boolean): void {
    this.ready = ready;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Called for GET/HEAD requests outside /api/ that no route matched. */
  setFallback(handler: FallbackHandler): void {
    this.fallback = handler;
  }

  private async instrumented(pattern: string, ctx: WebContext, handler: Route['handler'], gated: boolean): Promise<void> {
    (ctx as WebContextWithPattern).pattern = pattern;
    if (gated && !this.ready) {
      ctx.send(503, 'text/plain; charset=utf-8', 'Service Unavailable');
      return;
    }
    await handler(ctx);
  }

  async start(): Promise<void> {
    const { host, port } = parseListenAddress(this.opts.listenAddress);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        this.log.error({ err: errorMessage(err) }, 'unhandled HTTP error');
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal Server Error\n');
        else res.destroy();
      });
    };
    const server = this.webConfig.tls ? createHttpsServer(this.tlsOptions(this.webConfig.tls), handler) : createHttpServer(handler);
    if (this.webConfig.tls) this.enforceClientCert(server, this.webConfig.tls);
    if (this.opts.maxConnections && this.opts.maxConnections > 0) server.maxConnections = this.opts.maxConnections;
    server.requestTimeout = this.opts.readTimeoutMs ?? 300_000;
    server.headersTimeout = Math.min(60_000, server.requestTimeout || 60_000);
    // Node closes idle keep-alive sockets after 5 s; a remote-write client or Grafana that
    // reuses a socket just as it is closed gets ECONNRESET. Keep them open longer than
    // the usual client idle timeouts instead (Go's server, Prometheus' peer, keeps them).
    server.keepAliveTimeout = 65_000;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      this.log.debug({ err: err.message }, 'bad HTTP request');
      if (socket.writable && err.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    server.on('tlsClientError', (err: Error) => this.log.debug({ err: err.message }, 'TLS handshake failed'));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        reject(new ListenError(listenErrorMessage(this.opts.listenAddress, err)));
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host, port });
    });
    server.on('error', (err) => this.log.error({ err: err.message }, 'web server error'));
    this.server = server;
  }

  /** The bound address (useful with port 0). */
  address(): { host: string; port: number } {
    const a = this.server?.address() as AddressInfo | null;
    if (!a) throw new Error('web server is not listening');
    return { host: a.address, port: a.port };
  }

  /**
   * Re-reads --web.config.file: new users, headers and certificates apply to new
   * requests/connections. Switching between HTTP and HTTPS needs a restart.
   */
  reloadWebConfig(): void {
    if (!this.opts.webConfigFile) return;
    const next = loadWebConfig(this.opts.webConfigFile);
    if ((next.tls === null) !== (this.webConfig.tls === null)) {
      throw new Error('enabling or disabling TLS in the web config file needs a restart');
    }
    if (next.tls && this.server && 'setSecureContext' in this.server) {
      (this.server as unknown as { setSecureContext(o: HttpsOptions): void }).setSecureContext(this.tlsOptions(next.tls));
    }
    this.webConfig = next;
    this.auth.setUsers(next.basicAuthUsers);
  }

  /** Stops accepting connections; in-flight requests get `graceMs` to finish. */
  async stop(graceMs = 5000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
  }

  private tlsOptions(t: TlsServerConfig): HttpsOptions {
    const read = (p: string, what: string): Buffer => {
      try {
        return readFileSync(p);
      } catch (err) {
        throw new Error(`cannot read TLS ${what} ${p}: ${(err as NodeJS.ErrnoException).message}`);
      }
    };
    const versions: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };
    const o: HttpsOptions = {
      cert: read(t.certFile, 'cert_file'),
      key: read(t.keyFile, 'key_file'),
      minVersion: versions[t.minVersion],
    };
    if (t.maxVersion) o.maxVersion = versions[t.maxVersion];
    if (t.clientCaFile) o.ca = read(t.clientCaFile, 'client_ca_file');
    if (t.clientAuthType !== 'NoClientCert') {
      o.requestCert = true;
      o.rejectUnauthorized = t.clientAuthType === 'RequireAndVerifyClientCert';
    }
    return o;
  }

  /** Client certificate policies Node has no single switch for (Go's tls.ClientAuthType). */
  private enforceClientCert(server: Server, t: TlsServerConfig): void {
    if (t.clientAuthType !== 'RequireAnyClientCert' && t.clientAuthType !== 'VerifyClientCertIfGiven') return;
    server.on('secureConnection', (s: TLSSocket) => {
      const cert = s.getPeerCertificate();
      const given = cert !== null && Object.keys(cert).length > 0;
      if (t.clientAuthType === 'RequireAnyClientCert' && !given) s.destroy();
      if (t.clientAuthType === 'VerifyClientCertIfGiven' && given && !s.authorized) s.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    // A path starting with "//" would be read as a host by the URL parser.
    if (req.url && req.url.startsWith('//')) req.url = req.url.replace(/^\/+/, '/');
    let ctx: WebContext;
    try {
      ctx = new WebContext(req, res, this.opts.maxBodyBytes ?? DEFAULT_BODY_LIMIT, this.webConfig.headers);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Bad Request\n');
      return;
    }
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const pattern = (ctx as WebContextWithPattern).pattern ?? 'other';
      const bytes = Number(res.getHeader('Content-Length') ?? 0);
      this.metrics?.observe(pattern, res.statusCode, seconds, bytes);
      if (this.log.isLevelEnabled('debug')) {
        this.log.debug({ method: req.method, path: ctx.url.pathname, status: res.statusCode, duration_ms: Math.round(seconds * 1e4) / 10 }, 'http request');
      }
    });

    if (this.auth.enabled) {
      const user = await this.auth.check(req.headers.authorization);
      if (user === null) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Unauthorized\n');
        return;
      }
    }

    const path = ctx.url.pathname;
    // "/" and the bare prefix go to "<prefix>/", so the UI's relative URLs resolve under the prefix.
    if (this.prefix !== '' && (path === '/' || path === '' || path === this.prefix)) {
      res.writeHead(302, { Location: this.prefix + '/' + ctx.url.search }).end();
      return;
    }
    // API paths: /api/... and a mounted subsystem's /<name>/api/... (Alertmanager, Loki). They get
    // CORS, and never the UI's index.html for an unknown path.
    const rel = this.prefix === '' ? path : path.startsWith(this.prefix + '/') ? path.slice(this.prefix.length) : null;
    const isApi = rel !== null && /^\/(?:[^/]+\/)?api\//.test(rel);
    if (isApi) {
      this.cors.apply(req, res);
      // Preflight requests are answered for every API path (Prometheus' api.options).
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
    }

    const m = this.router.match(ctx.method, path);
    try {
      if (m === 'method') {
        sendError(ctx, 405, 'bad_data', `method ${ctx.method} not allowed for ${path}`);
        return;
      }
      if (m === null && isApi && !this.ready) {
        // Routes of components still starting are not mounted yet: "not ready", not "not found".
        ctx.send(503, 'text/plain; charset=utf-8', 'Service Unavailable');
        return;
      }
      if (m === null) {
        if (!isApi && rel !== null && this.fallback && (ctx.method === 'GET' || ctx.method === 'HEAD') && (await this.fallback(ctx, rel))) return;
        // API paths get the JSON error envelope; any other unknown path Go's plain-text 404, as Prometheus answers.
        if (isApi) sendError(ctx, 404, 'not_found', `no handler for ${ctx.method} ${path}`);
        else ctx.send(404, 'text/plain; charset=utf-8', '404 page not found\n');
        return;
      }
      ctx.params = m.params;
      await m.handler(ctx);
    } catch (err) {
      this.handlerError(ctx, err);
    }
  }

  private handlerError(ctx: WebContext, err: unknown): void {
    if (ctx.res.headersSent) {
      this.log.warn({ path: ctx.url.pathname, err: errorMessage(err) }, 'error after response started');
      ctx.res.destroy();
      return;
    }
    if (err instanceof ParamError) {
      sendError(ctx, 400, 'bad_data', err.message);
    } else if (err instanceof HttpError) {
      sendError(ctx, err.statusCode, err.statusCode === 413 || err.statusCode < 500 ? 'bad_data' : 'internal', err.message);
    } else {
      this.log.error({ path: ctx.url.pathname, err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined }, 'HTTP handler failed');
      sendError(ctx, 500, 'internal', errorMessage(err));
    }
  }
}

interface WebContextWithPattern extends WebContext {
  pattern?: string;
}

function sendError(ctx: WebContext, status: number, type: Parameters<typeof apiError>[0], msg: string): void {
  ctx.sendApi(apiError(type, msg, status));
}

function normalizePrefix(p: string): string {
  let s = p.trim();
  if (!s.startsWith('/')) s = '/' + s;
  return s.replace(/\/+$/, '');
}

/** Splits "host:port" the way Go's net.SplitHostPort does (":9090" = all interfaces). */
export function parseListenAddress(addr: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr.trim());
  if (!m) throw new ListenError(`invalid listen address "${addr}": expected host:port, e.g. ":9090" or "127.0.0.1:9090"`);
  const port = Number(m[3]);
  if (port > 65535) throw new ListenError(`invalid listen address "${addr}": port ${port} out of range`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

function listenErrorMessage(addr: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${addr}: address already in use (another process holds the port; pick another with --web.listen-address)`;
    case 'EACCES':
      return `cannot listen on ${addr}: permission denied (ports below 1024 need privileges)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${addr}: address not available on this host`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${addr}: unknown host`;
    default:
      return `cannot listen on ${addr}: ${err.message}`;
  }
}
