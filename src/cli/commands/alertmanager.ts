/**
 * `vigil alertmanager` — the Alertmanager alone on :9093 with Alertmanager's flag
 * names; reloads on SIGHUP and POST /-/reload. `vigil alertmanager routes test`
 * prints the receivers an alert would reach, like `amtool config routes test`.
 */
import { mkdirSync } from 'node:fs';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Alertmanager, RouteNode, loadConfigFile, matchersString, type AlertmanagerConfig } from '../../alertmgr/index.js';
import { UserError, createLogger, formatFlagHelp, parseFlags, type FlagSpec, type LogLevel, type LogFormat } from '../../util/index.js';
import { WebServer } from '../../web/index.js';
import type { Command } from '../main.js';

const FLAGS: FlagSpec[] = [
  { name: 'config.file', kind: 'string', default: 'alertmanager.yml', help: 'Alertmanager configuration file name.' },
  { name: 'storage.path', kind: 'string', default: 'data/', help: 'Base path for data storage (notification log, silences).' },
  { name: 'data.retention', kind: 'duration', default: '120h', help: 'How long to keep data for.' },
  { name: 'web.listen-address', kind: 'string', default: ':9093', help: 'Address to listen on for the web interface and API.' },
  { name: 'web.external-url', kind: 'string', default: '', help: 'The URL under which Alertmanager is externally reachable.' },
  { name: 'web.route-prefix', kind: 'string', default: '', help: 'Prefix for the internal routes of web endpoints.' },
  { name: 'web.config.file', kind: 'string', default: '', help: 'Web configuration file (TLS, basic auth, headers) in the Prometheus exporter-toolkit format.' },
  { name: 'log.level', kind: 'string', default: 'info', help: 'Only log messages with the given severity or above: debug, info, warn, error.' },
  { name: 'log.format', kind: 'string', default: 'logfmt', help: 'Output format of log messages: logfmt or json.' },
  { name: 'cluster.listen-address', kind: 'string', default: '', help: 'Accepted for compatibility; Vigil runs without gossip clustering.' },
  { name: 'cluster.peer', kind: 'strings', help: 'Accepted for compatibility; ignored.', hidden: true },
  { name: 'cluster.advertise-address', kind: 'string', default: '', help: 'Accepted for compatibility; ignored.', hidden: true },
  { name: 'help', kind: 'bool', help: 'Show this help.' },
];

function hostPort(addr: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(addr);
  if (!m) throw new UserError(`--web.listen-address: expected host:port, got "${addr}"`);
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port: Number(m[2]) };
}

async function serve(argv: string[]): Promise<number> {
  const flags = parseFlags(FLAGS, argv);
  if (flags.bool('help')) {
    process.stdout.write(`usage: vigil alertmanager [flags]\n       vigil alertmanager routes test --config FILE [--tree] label=value...\n\n${formatFlagHelp(FLAGS)}\n`);
    return 0;
  }
  const logger = createLogger({ level: flags.string('log.level') as LogLevel, format: flags.string('log.format') as LogFormat });
  const configFile = flags.string('config.file');
  let config: AlertmanagerConfig;
  try {
    config = loadConfigFile(configFile);
  } catch (err) {
    logger.error({ file: configFile, err: (err as Error).message }, 'loading configuration file failed');
    return 1;
  }
  const { host, port } = hostPort(flags.string('web.listen-address'));
  const externalURL = flags.string('web.external-url') || `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  const storagePath = flags.string('storage.path');
  mkdirSync(storagePath, { recursive: true });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vigil_alertmanager_process_' });
  const am = new Alertmanager({ config, storagePath, retention: flags.duration('data.retention'), externalURL, registry, logger });
  am.start();
  logger.info({ addr: `${host}:${port}`, config: configFile }, 'Vigil Alertmanager listening');

  const reload = (): void => {
    try {
      am.reload(loadConfigFile(configFile));
      logger.info({ file: configFile }, 'Completed loading of configuration file');
    } catch (err) {
      logger.error({ file: configFile, err: (err as Error).message }, 'Loading configuration file failed');
      throw err;
    }
  };

  // The same HTTP server as `vigil server`: TLS and basic auth from --web.config.file,
  // body limits, gzip and request metrics.
  const web = new WebServer({
    listenAddress: flags.string('web.listen-address'),
    webConfigFile: flags.string('web.config.file') || undefined,
    routePrefix: flags.string('web.route-prefix') || '/',
    logger,
    registry,
  });
  web.mount(am.routes(), '/api/v2');
  web.mount(am.uiRoutes(), '/');
  web.mount([
    { method: 'GET', path: '/-/healthy', handler: (ctx) => ctx.send(200, 'text/plain', 'OK') },
    { method: 'GET', path: '/-/ready', handler: (ctx) => ctx.send(200, 'text/plain', 'OK') },
    {
      method: 'POST',
      path: '/-/reload',
      handler: (ctx) => {
        try {
          reload();
          ctx.send(200, 'text/plain', '');
        } catch (err) {
          ctx.send(500, 'text/plain', `failed to reload config: ${(err as Error).message}\n`);
        }
      },
    },
    { method: 'GET', path: '/metrics', handler: async (ctx) => ctx.send(200, registry.contentType, await registry.metrics()) },
  ]);
  web.setReady(true);
  try {
    await web.start();
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'could not start the web server');
    await am.stop();
    return 1;
  }

  return new Promise<number>((resolve) => {
    const onHup = (): void => {
      try {
        reload();
      } catch {
        // logged; keep running with the old config
      }
    };
    const shutdown = (): void => {
      process.off('SIGHUP', onHup);
      logger.info('Received SIGTERM, exiting gracefully...');
      void web
        .stop()
        .then(() => am.stop())
        .then(() => resolve(0));
    };
    process.on('SIGHUP', onHup);
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
}

/** Renders the route tree like amtool: matchers, `continue: true`, receivers. */
function printTree(root: RouteNode, show: (r: RouteNode) => { include: boolean; receiver: boolean }, showContinue = true): string {
  const lines: string[] = ['.'];
  const walk = (r: RouteNode, prefix: string, last: boolean, isRoot: boolean): void => {
    const s = show(r);
    if (!s.include) return;
    // amtool labels any route without matchers "default-route".
    let label = r.matchers.length === 0 ? 'default-route' : matchersString(r.matchers);
    if (!isRoot && r.cont && showContinue) label += '  continue: true';
    if (s.receiver) label += `  receiver: ${r.opts.receiver}`;
    lines.push(prefix + (last ? '└── ' : '├── ') + label);
    const kids = r.routes.filter((c) => show(c).include);
    // amtool's tree printer pads the vertical bar with two no-break spaces.
    kids.forEach((c, i) => walk(c, prefix + (last ? '    ' : '│\u00a0\u00a0 '), i === kids.length - 1, false));
  };
  walk(root, '', true, true);
  return lines.join('\n') + '\n';
}

async function routesCommand(argv: string[]): Promise<number> {
  const specs: FlagSpec[] = [
    { name: 'config', kind: 'string', default: 'alertmanager.yml', help: 'Config file to read.' },
    { name: 'config.file', kind: 'string', default: '', help: 'Alias of --config (amtool spelling).' },
    { name: 'tree', kind: 'bool', help: 'Print the matching routes as a tree.' },
    { name: 'verify.receivers', kind: 'string', default: '', help: 'Comma-separated receivers expected; exit 1 when different.' },
  ];
  const [sub, ...rest] = argv;
  const flags = parseFlags(specs, sub === 'test' || sub === 'show' ? rest : argv);
  let cfg: AlertmanagerConfig;
  try {
    cfg = loadConfigFile(flags.optString('config.file') ?? flags.string('config'));
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const root = RouteNode.build(cfg.route, null);
  if (sub !== 'test') {
    process.stdout.write('Routing tree:\n' + printTree(root, () => ({ include: true, receiver: true })) + '\n');
    return 0;
  }
  const labels: Record<string, string> = {};
  for (const p of flags.positional) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)=(.*)$/.exec(p);
    if (!m) throw new UserError(`bad label "${p}": expected name=value`);
    labels[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  const matched = root.match(labels);
  const receivers = matched.map((r) => r.opts.receiver);
  if (flags.bool('tree')) {
    const onPath = new Set<RouteNode>();
    for (const r of matched) for (let n: RouteNode | null = r; n; n = n.parent) onPath.add(n);
    const m = new Set(matched);
    process.stdout.write('Matching routes:\n' + printTree(root, (r) => ({ include: onPath.has(r), receiver: m.has(r) }), false) + '\n\n');
  }
  process.stdout.write(receivers.join(',') + '\n');
  const verify = flags.string('verify.receivers');
  if (verify !== '' && verify !== receivers.join(',')) {
    process.stdout.write('WARNING: Expected receivers did not match resolved receivers.\n');
    return 1;
  }
  return 0;
}

export const command: Command = {
  summary: 'run the Alertmanager alone (:9093), or test its routes',
  run: async (argv) => {
    if (argv[0] === 'routes') return routesCommand(argv.slice(1));
    return serve(argv);
  },
};
