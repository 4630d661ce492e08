import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { gzip } from 'node:zlib';
import {
  BasicAuth,
  clientCertAllowed,
  HandlerMetrics,
  renderProcessMetrics,
  collectorFlagSpecs,
  createNodeCollector,
  loadWebConfig,
  nodeCollectorOptionsFromFlags,
  UnknownCollectorError,
  type ClientAuthType,
  type NodeCollector,
  type WebConfig,
} from '../../agent/index.js';
import { buildInfo, createLogger, formatFlagHelp, parseFlags, UserError, type FlagSpec, type Logger, type LogLevel } from '../../util/index.js';
import type { Command } from '../main.js';

const AGENT_FLAGS: FlagSpec[] = [
  { name: 'web.listen-address', kind: 'strings', default: [':9100'], help: 'Addresses on which to expose metrics and web interface. Repeatable for multiple addresses.' },
  { name: 'web.telemetry-path', kind: 'string', default: '/metrics', help: 'Path under which to expose metrics.' },
  { name: 'web.config.file', kind: 'string', default: '', help: 'Path to configuration file that can enable TLS or authentication.' },
  { name: 'web.max-requests', kind: 'int', default: 40, help: 'Maximum number of parallel scrape requests. Use 0 to disable.' },
  { name: 'web.disable-exporter-metrics', kind: 'bool', help: 'Exclude metrics about the exporter itself (process_*, promhttp_*, node_exporter_build_info).' },
  { name: 'log.level', kind: 'string', default: 'info', help: 'Only log messages with the given severity or above. One of: [debug, info, warn, error]' },
  { name: 'log.format', kind: 'string', default: 'logfmt', help: 'Output format of log messages. One of: [logfmt, json]' },
  { name: 'web.systemd-socket', kind: 'bool', hidden: true, help: 'systemd socket activation (not supported)' },
  { name: 'help', kind: 'bool', help: 'Show this help.' },
];

/** Every flag `vigil agent` accepts: its own web/log flags plus node_exporter's collector flags. */
export function agentFlagSpecs(): FlagSpec[] {
  return [...AGENT_FLAGS, ...collectorFlagSpecs()];
}

/** Splits "host:port", ":port" and "[v6]:port" the way Go's net.Listen reads them. */
export function parseListenAddress(addr: string): { host: string | undefined; port: number } {
  const i = addr.lastIndexOf(':');
  if (i < 0) throw new UserError(`--web.listen-address: missing port in address ${JSON.stringify(addr)}`);
  let host = addr.slice(0, i);
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--web.listen-address: invalid port in ${JSON.stringify(addr)}`);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host: host === '' ? undefined : host, port };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function landingPage(telemetryPath: string): string {
  const v = escapeHtml(buildInfo().version);
  const path = escapeHtml(telemetryPath);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil agent</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}code{background:#f3f3f3;padding:0 .3em}</style></head>
<body><h1>Vigil agent</h1><p>node_exporter-compatible host metrics, version ${v}.</p>
<ul><li><a href="${path}">Metrics</a> (<code>${path}</code>)</li></ul></body></html>
`;
}

interface HandlerDeps {
  collector: NodeCollector;
  clientAuth: ClientAuthType;
  /** The exporter's own process_* and promhttp_* families (off with --web.disable-exporter-metrics). */
  exporterMetrics: boolean;
  telemetryPath: string;
  auth: BasicAuth;
  headers: Record<string, string>;
  maxRequests: number;
  logger: Logger;
}

/** The agent's request handler: telemetry path (gzip when accepted), landing page, auth, concurrency limit. */
export function agentHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  let inFlight = 0;
  const handlerMetrics = new HandlerMetrics();
  return (req, res) => {
    void (async () => {
      for (const [k, v] of Object.entries(deps.headers)) res.setHeader(k, v);
      if (!clientCertAllowed(deps.clientAuth, req.socket as TLSSocket)) {
        res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('a valid client certificate is required\n');
        return;
      }
      if (!(await deps.auth.check(req.headers.authorization))) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Unauthorized\n');
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Method Not Allowed\n');
        return;
      }
      if (url.pathname === deps.telemetryPath) {
        if (deps.maxRequests > 0 && inFlight >= deps.maxRequests) {
          handlerMetrics.count(503);
          res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`Limit of concurrent requests reached (${deps.maxRequests}), try again later.\n`);
          return;
        }
        inFlight++;
        handlerMetrics.inFlight = inFlight;
        // Counted before rendering so the page includes this scrape, as node_exporter's does.
        handlerMetrics.count(200);
        try {
          let body: string;
          try {
            body = await deps.collector.render(url.searchParams.getAll('collect[]'));
            if (deps.exporterMetrics) {
              // The agent's own process metrics never cost the host metrics their scrape.
              body += await renderProcessMetrics().catch((err: unknown) => {
                deps.logger.warn({ err: (err as Error).message }, 'cannot read the agent process metrics');
                return '';
              });
              body += handlerMetrics.render();
            }
          } catch (err) {
            if (err instanceof UnknownCollectorError) {
              handlerMetrics.uncount(200);
              res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
              res.end(`Couldn't create filtered metrics handler: ${err.message}\n`);
              return;
            }
            throw err;
          }
          const headers: Record<string, string> = { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' };
          if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
            const zipped = await new Promise<Buffer>((resolve, reject) => gzip(body, { level: 1 }, (e, b) => (e ? reject(e) : resolve(b))));
            headers['Content-Encoding'] = 'gzip';
            headers['Content-Length'] = String(zipped.length);
            res.writeHead(200, headers);
            res.end(req.method === 'HEAD' ? undefined : zipped);
          } else {
            headers['Content-Length'] = String(Buffer.byteLength(body));
            res.writeHead(200, headers);
            res.end(req.method === 'HEAD' ? undefined : body);
          }
        } finally {
          inFlight--;
          handlerMetrics.inFlight = inFlight;
        }
        return;
      }
      if (url.pathname === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(landingPage(deps.telemetryPath));
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    })().catch((err: unknown) => {
      handlerMetrics.uncount(200);
      handlerMetrics.count(500);
      handlerMetrics.errorsGathering++;
      deps.logger.error({ err: (err as Error).message, url: req.url }, 'error serving request');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    });
  };
}

export const command: Command = {
  summary: 'run the host collectors alone (node_exporter compatible, :9100)',
  async run(argv: string[]): Promise<number> {
    const specs = agentFlagSpecs();
    const flags = parseFlags(specs, argv);
    if (flags.bool('help')) {
      process.stdout.write(`usage: vigil agent [flags]\n\nFlags:\n${formatFlagHelp(specs)}\n`);
      return 0;
    }
    if (flags.bool('web.systemd-socket')) throw new UserError('--web.systemd-socket is not supported; use --web.listen-address');
    const level = flags.string('log.level');
    if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UserError(`--log.level: expected one of debug, info, warn, error, got "${level}"`);
    const format = flags.string('log.format');
    if (format !== 'logfmt' && format !== 'json') throw new UserError(`--log.format: expected logfmt or json, got "${format}"`);
    const logger = createLogger({ level: level as LogLevel, format });
    const opts = nodeCollectorOptionsFromFlags(flags, logger);
    opts.buildInfo = !flags.bool('web.disable-exporter-metrics');
    let collector: NodeCollector;
    try {
      collector = createNodeCollector(opts);
    } catch (err) {
      throw new UserError((err as Error).message);
    }
    const telemetryPath = flags.string('web.telemetry-path');
    if (!telemetryPath.startsWith('/')) throw new UserError('--web.telemetry-path must start with "/"');
    const cfgFile = flags.string('web.config.file');
    const web: WebConfig = cfgFile ? await loadWebConfig(cfgFile) : { headers: {}, users: new Map(), clientAuth: 'NoClientCert' };
    logger.info({ version: buildInfo().version }, 'Starting vigil agent');
    logger.info({ collectors: collector.enabled.join(',') }, 'Enabled collectors');
    const handler = agentHandler({
      collector,
      clientAuth: web.clientAuth,
      exporterMetrics: !flags.bool('web.disable-exporter-metrics'),
      telemetryPath,
      auth: new BasicAuth(web.users),
      headers: web.headers,
      maxRequests: flags.int('web.max-requests'),
      logger,
    });
    const servers: Server[] = [];
    for (const addr of flags.strings('web.listen-address')) {
      const { host, port } = parseListenAddress(addr);
      const srv = web.tls ? createHttpsServer(web.tls, handler) : createHttpServer(handler);
      srv.keepAliveTimeout = 65_000;
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', (e) => reject(new UserError(`cannot listen on ${addr}: ${e.message}`)));
          srv.listen(port, host, () => resolve());
        });
      } catch (err) {
        // Do not leave the addresses already bound holding the process open.
        for (const s of servers) s.close();
        throw err;
      }
      logger.info({ address: addr, tls: Boolean(web.tls) }, 'Listening on');
      servers.push(srv);
    }
    await new Promise<void>((resolve) => {
      const stop = (sig: string): void => {
        logger.info({ signal: sig }, 'shutting down');
        for (const s of servers) {
          s.close();
          s.closeAllConnections();
        }
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};
