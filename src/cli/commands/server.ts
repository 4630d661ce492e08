import { createLogger, formatFlagHelp, parseFlags, type FlagSpec } from '../../util/index.js';
import { WebConfigError } from '../../web/index.js';
import { collectorFlagSpecs } from '../../agent/index.js';
import type { Command } from '../main.js';
import { AlertmanagerComponent } from '../server/alertmanager-component.js';
import { DashboardsComponent } from '../server/dashboards-component.js';
import { HostCollectorsComponent } from '../server/host-collectors-component.js';
import { engineFromSettings, QueryComponent } from '../server/query-component.js';
import { RemoteWriteComponent } from '../server/remote-write-component.js';
import { RulesComponent } from '../server/rules-component.js';
import type { Component } from '../server/component.js';
import { settingsFromFlags, type ServerSettings } from '../server/settings.js';
import { EXIT_CONFIG, VigilServer } from '../server/vigil-server.js';

/** `vigil server` flags, named as Prometheus names them so unit files and Helm values carry over. */
export const SERVER_FLAGS: FlagSpec[] = [
  { name: 'config.file', kind: 'string', help: 'Vigil/Prometheus configuration file path; without it the built-in default configuration runs.', placeholder: 'PATH' },
  { name: 'web.listen-address', kind: 'string', help: 'Address to listen on for UI, API and telemetry.', default: ':9090', placeholder: 'HOST:PORT' },
  { name: 'web.config.file', kind: 'string', help: 'Web configuration file (TLS, basic auth, headers) in the Prometheus exporter-toolkit format.', placeholder: 'PATH' },
  { name: 'web.enable-lifecycle', kind: 'bool', help: 'Enable shutdown and reload via HTTP request (POST /-/quit, /-/reload).' },
  { name: 'web.enable-admin-api', kind: 'bool', help: 'Enable API endpoints for admin control actions (/api/v1/admin/*).' },
  { name: 'web.enable-remote-write-receiver', kind: 'bool', help: 'Enable the remote write receiver at /api/v1/write.' },
  { name: 'web.external-url', kind: 'string', help: 'The URL under which Vigil is externally reachable (e.g. behind a reverse proxy); its path is the default route prefix.', placeholder: 'URL' },
  { name: 'web.route-prefix', kind: 'string', help: 'Prefix for the internal routes of web endpoints. Defaults to the path of --web.external-url.', placeholder: 'PATH' },
  { name: 'web.cors.origin', kind: 'string', help: 'Regex for CORS origin. It is fully anchored.', default: '.*', placeholder: 'REGEX' },
  { name: 'web.max-connections', kind: 'int', help: 'Maximum number of simultaneous connections (0 = unlimited).', default: 512 },
  { name: 'web.read-timeout', kind: 'duration', help: 'Maximum duration before timing out a request.', default: '5m' },
  { name: 'web.ui-path', kind: 'string', help: 'Directory of the built web UI, relative to the Vigil installation.', default: 'ui/dist', placeholder: 'PATH' },
  { name: 'storage.tsdb.path', kind: 'string', help: 'Base path for metrics storage.', default: './data', placeholder: 'PATH' },
  { name: 'storage.tsdb.retention.time', kind: 'duration', help: 'How long to retain samples in storage (15d when neither retention flag is set).', default: '15d' },
  { name: 'storage.tsdb.retention.size', kind: 'string', help: 'Maximum number of bytes that can be stored for blocks, e.g. 512MB (0 or empty = no limit).', placeholder: 'SIZE' },
  { name: 'storage.tsdb.use-lockfile', kind: 'bool', help: 'Create a lock file in the data directory so that a second process cannot write it (on by default, unlike Prometheus; --no-storage.tsdb.use-lockfile turns it off).', default: true },
  { name: 'storage.tsdb.no-lockfile', kind: 'bool', help: 'Do not create a lock file in the data directory (the older Prometheus spelling of --no-storage.tsdb.use-lockfile).' },
  { name: 'query.lookback-delta', kind: 'duration', help: 'The maximum lookback duration for retrieving metrics during expression evaluations and federation.', default: '5m' },
  { name: 'query.timeout', kind: 'duration', help: 'Maximum time a query may take before being aborted.', default: '2m' },
  { name: 'query.max-samples', kind: 'int', help: 'Maximum number of samples a single query can load into memory.', default: 50_000_000 },
  { name: 'query.max-concurrency', kind: 'int', help: 'Maximum number of queries executed concurrently.', default: 20 },
  { name: 'rules.alert.for-outage-tolerance', kind: 'duration', help: "Max time to tolerate Vigil outage for restoring 'for' state of alert.", default: '1h' },
  { name: 'rules.alert.for-grace-period', kind: 'duration', help: "Minimum duration between alert and restored 'for' state.", default: '10m' },
  { name: 'rules.alert.resend-delay', kind: 'duration', help: 'Minimum amount of time to wait before resending an alert to Alertmanager.', default: '1m' },
  { name: 'alertmanager.notification-queue-capacity', kind: 'int', help: 'The capacity of the queue for pending Alertmanager notifications.', default: 10_000 },
  { name: 'log.level', kind: 'string', help: 'Only log messages with the given severity or above: debug, info, warn, error.', default: 'info', placeholder: 'LEVEL' },
  { name: 'log.format', kind: 'string', help: 'Output format of log messages: logfmt or json.', default: 'logfmt', placeholder: 'FORMAT' },
  { name: 'enable-feature', kind: 'strings', help: 'Comma separated feature names to enable (repeatable): promql-compat-2, promql-experimental-syntax, remote-write-receiver.', placeholder: 'NAME' },
  { name: 'alertmanager.enable', kind: 'bool', help: 'Run the built-in Alertmanager (API at /alertmanager/api/v2).', default: true },
  { name: 'alertmanager.config.file', kind: 'string', help: 'alertmanager.yml for the built-in Alertmanager; without it alerts are kept and shown but not sent anywhere.', placeholder: 'PATH' },
  { name: 'host-collectors', kind: 'bool', help: 'Run the built-in node_exporter-compatible host collectors at /metrics/node (the --collector.* flags of `vigil agent` apply).', default: true },
  { name: 'dashboards.dir', kind: 'strings', help: 'Extra folder of Grafana dashboard JSON files to provision (repeatable).', placeholder: 'PATH' },
  // node_exporter's --collector.* and --path.* flags for the built-in host collectors.
  ...collectorFlagSpecs().filter((f) => f.name.startsWith('collector.') || f.name.startsWith('path.')),
  // Prometheus flags accepted so existing unit files start unchanged; they have no effect
  // (a warning is logged when one is given). storage.tsdb.retention is the deprecated alias of .time.
  ...compatFlags(),
];

function compatFlags(): FlagSpec[] {
  const ignored = (name: string, kind: FlagSpec['kind']): FlagSpec => ({ name, kind, help: 'Accepted for Prometheus compatibility; no effect.', hidden: true });
  return [
    { name: 'storage.tsdb.retention', kind: 'duration', help: 'Deprecated: use --storage.tsdb.retention.time.', hidden: true },
    ignored('web.console.templates', 'string'),
    ignored('web.console.libraries', 'string'),
    ignored('web.local-assets', 'string'),
    ignored('web.user-assets', 'string'),
    ignored('web.page-title', 'string'),
    ignored('storage.tsdb.wal-compression', 'bool'),
    ignored('storage.tsdb.head-chunks-write-queue-size', 'int'),
    ignored('storage.tsdb.min-block-duration', 'duration'),
    ignored('storage.tsdb.max-block-duration', 'duration'),
    ignored('storage.remote.flush-deadline', 'duration'),
    ignored('storage.remote.read-sample-limit', 'int'),
    ignored('storage.remote.read-concurrent-limit', 'int'),
    ignored('storage.remote.read-max-bytes-in-frame', 'int'),
    ignored('scrape.adjust-timestamps', 'bool'),
    ignored('scrape.discovery-reload-interval', 'duration'),
    ignored('alertmanager.timeout', 'duration'),
  ];
}

/**
 * The components `vigil server` runs after scraping, in start order (stopped in
 * reverse). Each gets the shared context (storage, registry, web server to mount its
 * routes on) in start() and every accepted configuration in applyConfig().
 */
export function serverComponents(settings: ServerSettings): Component[] {
  const engine = engineFromSettings(settings);
  const alertmanager = new AlertmanagerComponent();
  return [
    new QueryComponent(engine),
    new RemoteWriteComponent(),
    new HostCollectorsComponent(),
    new DashboardsComponent(),
    alertmanager,
    // After the Alertmanager so alerts have somewhere to go; stopped before it.
    new RulesComponent(engine, alertmanager),
  ];
}

function help(): string {
  return ['usage: vigil server [flags]', '', 'Runs the monitoring server: scraping, storage, queries, rules, alerting and the UI in one process.', '', 'Flags:', formatFlagHelp(SERVER_FLAGS)].join('\n');
}

export const command: Command = {
  summary: 'run the monitoring server (scrape, store, query, alert, UI)',
  async run(argv: string[]): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(help() + '\n');
      return 0;
    }
    // Flag errors throw UserError: main prints them and exits 2.
    const settings = settingsFromFlags(parseFlags(SERVER_FLAGS, argv), SERVER_FLAGS);
    const logger = createLogger({ level: settings.logLevel, format: settings.logFormat });
    for (const name of settings.ignoredFlags) logger.warn({ flag: `--${name}` }, 'flag accepted for Prometheus compatibility, it has no effect in Vigil');
    let server: VigilServer;
    try {
      server = new VigilServer(settings, logger, serverComponents(settings));
    } catch (err) {
      if (err instanceof WebConfigError) {
        logger.error({ err: err.message }, 'Error loading web config file (--web.config.file)');
        return EXIT_CONFIG;
      }
      throw err;
    }
    return server.run();
  },
};
