import type { Registry } from 'prom-client';
import type { Config } from '../../config/index.js';
import { EMPTY_LABELS } from '../../model/index.js';
import type { Storage } from '../../storage/index.js';
import { buildInfo, errorMessage, type Logger } from '../../util/index.js';
import {
  createVigilRegistry,
  mountCoreApi,
  mountServiceRoutes,
  parseListenAddress,
  staticUiHandler,
  uiBuilt,
  WebServer,
  type AdminStorage,
  type TargetsSource,
} from '../../web/index.js';
import { ComponentGroup, type Component, type ServerContext } from './component.js';
import { ConfigState } from './config-state.js';
import { ScrapeComponent } from './scrape-component.js';
import { retentionString, type ServerSettings } from './settings.js';
import { openStorage } from './storage.js';

/** Exit codes of `vigil server`. */
export const EXIT_OK = 0;
/** Runtime failure: port busy, storage cannot open, component crashed. */
export const EXIT_RUNTIME = 1;
/** Unusable input: flags, config file, web config file. */
export const EXIT_CONFIG = 2;

export interface VigilServerOptions {
  /** Install SIGINT/SIGTERM/SIGHUP handlers (default true; false for in-process tests). */
  handleSignals?: boolean;
}

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * The `vigil server` process: loads the config, starts the web server (so /-/healthy
 * answers during startup), opens storage, starts the components, applies the config,
 * opens the API, then serves until SIGINT/SIGTERM or POST /-/quit and shuts down
 * gracefully. SIGHUP and POST /-/reload reload the config; a bad one is refused and
 * the running one stays.
 */
export class VigilServer {
  readonly registry: Registry;
  readonly web: WebServer;
  private readonly configState: ConfigState;
  private readonly scrape = new ScrapeComponent();
  private readonly components: Component[];
  private readonly group: ComponentGroup;
  private storage: Storage | null = null;
  private admin: AdminStorage = {};
  private readonly startTime = Date.now();
  private reloading: Promise<void> = Promise.resolve();
  private stopping: Promise<number> | null = null;
  /** Startup work after the listener opened; shutdown waits for it so nothing starts after stop. */
  private starting: Promise<void> = Promise.resolve();
  private resolveExit!: (code: number) => void;
  private readonly exited = new Promise<number>((r) => (this.resolveExit = r));

  private readonly handleSignals: boolean;

  /**
   * `components` run after scraping, in order (stopped in reverse). Throws
   * (WebConfigError, bad CORS regex) before anything starts.
   */
  constructor(
    readonly settings: ServerSettings,
    private readonly logger: Logger,
    components: Component[] = [],
    opts: VigilServerOptions = {},
  ) {
    this.handleSignals = opts.handleSignals ?? true;
    this.registry = createVigilRegistry();
    this.configState = new ConfigState(settings.configFile, parseListenAddress(settings.listenAddress).port, this.registry, logger);
    this.web = new WebServer({
      listenAddress: settings.listenAddress,
      webConfigFile: settings.webConfigFile ?? undefined,
      routePrefix: settings.routePrefix,
      corsOrigin: settings.corsOrigin,
      logger: logger.child({ component: 'web' }),
      registry: this.registry,
      maxConnections: settings.maxConnections,
      readTimeoutMs: settings.readTimeoutMs,
    });
    mountServiceRoutes(this.web, {
      registry: this.registry,
      lifecycle: {
        enabled: settings.enableLifecycle,
        ready: () => this.web.isReady,
        reload: () => this.reload(),
        quit: () => void this.shutdown('quit requested over HTTP'),
      },
    });
    this.components = [this.scrape, ...components];
    this.group = new ComponentGroup(this.components, logger);
  }

  /** Runs until shutdown; resolves to the process exit code. */
  async run(): Promise<number> {
    const log = this.logger;
    log.info({ version: buildInfo().version, runtime: buildInfo().goVersion, config: this.configState.source }, 'Starting Vigil server');

    let initial;
    try {
      initial = await this.configState.load();
    } catch (err) {
      log.error({ err: errorMessage(err) }, `Error loading config (--config.file=${this.settings.configFile ?? ''})`);
      return EXIT_CONFIG;
    }

    try {
      await this.web.start();
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'Error starting web server');
      return EXIT_RUNTIME;
    }
    if (this.handleSignals) this.installSignals();
    if (this.configState.usesDefaultConfig && parseListenAddress(this.settings.listenAddress).port === 0) {
      // The default config scrapes this server; with port 0 only now do we know where.
      this.configState.setListenPort(this.web.address().port);
      initial = await this.configState.load();
    }

    let startupError: unknown = null;
    this.starting = (async (): Promise<void> => {
      const opened = await openStorage(this.settings, log.child({ component: 'storage' }), this.registry);
      this.storage = opened.storage;
      this.admin = opened.admin;
      await this.group.start(this.context(initial.config));
      this.mountRoutes();
      const failures = await this.group.applyConfig(initial.config);
      this.configState.record(failures.length === 0, initial);
      if (failures.length > 0) throw new Error(`applying the configuration failed: ${failures.join('; ')}`);
    })().catch((err: unknown) => {
      startupError = err;
    });
    await this.starting;
    if (startupError !== null) {
      log.error({ err: errorMessage(startupError) }, 'Startup failed');
      await this.shutdown('startup failure');
      return EXIT_RUNTIME;
    }
    // A signal during startup: shutdown() waited for startup to finish and is now running.
    if (this.stopping) return this.stopping;

    this.web.setReady(true);
    this.logListening();
    return this.exited;
  }

  private context(first: Config): ServerContext {
    return {
      settings: this.settings,
      logger: this.logger,
      registry: this.registry,
      storage: this.storage!,
      web: this.web,
      config: () => this.configState.current?.config ?? first,
    };
  }

  /** Mounts the web package's storage-backed endpoints and the UI; components mounted theirs in start(). */
  private mountRoutes(): void {
    const s = this.settings;
    mountCoreApi(this.web, {
      storage: this.storage!,
      targets: (): TargetsSource | null => this.scrape.targets(),
      status: {
        configYaml: () => this.configState.current?.yaml ?? '',
        flags: () => s.flagValues,
        runtime: () => ({
          startTime: this.startTime,
          reloadConfigSuccess: this.configState.lastReloadSuccessful,
          lastConfigTime: this.configState.lastConfigTime,
          storageRetention: retentionString(s),
          corruptionCount: 0,
        }),
      },
      externalLabels: () => this.configState.current?.config.global.externalLabels ?? EMPTY_LABELS,
      lookbackDeltaMs: s.lookbackDeltaMs,
      enableAdminApi: s.enableAdminApi,
      admin: this.admin,
      // RemoteWriteComponent already mounted the receiver when enabled; only the
      // disabled stand-in (404 with Prometheus' hint) is mounted here, never both.
      remoteWriteRoutes: s.enableRemoteWriteReceiver ? [] : null,
      logger: this.logger.child({ component: 'web' }),
    });
    this.web.setFallback(staticUiHandler(s.uiPath));
  }

  /**
   * Reloads config (and the web config file). Reloads are serialised; a config that
   * does not parse is refused without touching the running one.
   */
  reload(): Promise<void> {
    if (!this.web.isReady) return Promise.reject(new Error(this.stopping ? 'Vigil is shutting down' : 'Vigil is still starting up'));
    const next = this.reloading.then(() => this.doReload());
    this.reloading = next.catch(() => undefined);
    return next;
  }

  private async doReload(): Promise<void> {
    const log = this.logger;
    log.info({ file: this.configState.source }, 'Loading configuration file');
    let loaded;
    try {
      loaded = await this.configState.load();
      this.web.reloadWebConfig();
    } catch (err) {
      this.configState.record(false, null);
      this.configState.logFailure(err);
      throw err;
    }
    const failures = await this.group.applyConfig(loaded.config);
    // As in Prometheus, components that accepted the new config keep it even if another refused.
    this.configState.record(failures.length === 0, loaded);
    if (failures.length > 0) {
      const err = new Error(`one or more errors occurred while applying the new configuration (--config.file=${JSON.stringify(this.settings.configFile ?? '')}): ${failures.join('; ')}`);
      this.configState.logFailure(err);
      throw err;
    }
    log.info({ file: this.configState.source }, 'Completed loading of configuration file');
  }

  private installSignals(): void {
    const onTerm = (sig: NodeJS.Signals): void => {
      if (this.stopping) {
        this.logger.warn({ signal: sig }, 'Second signal received, exiting immediately');
        process.exit(EXIT_RUNTIME);
      }
      this.logger.warn({ signal: sig }, 'Received termination signal, exiting gracefully...');
      void this.shutdown(sig);
    };
    process.on('SIGINT', onTerm);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', () => {
      this.reload().catch(() => undefined); // already logged and counted
    });
    // A bug in one request or loop must not take monitoring down; it is logged loudly instead.
    process.on('unhandledRejection', (reason) => {
      this.logger.error({ err: errorMessage(reason), stack: reason instanceof Error ? reason.stack : undefined }, 'Unhandled promise rejection');
    });
  }

  /** Graceful shutdown: API closed for new work, components stopped in reverse, storage flushed, listener closed. */
  shutdown(reason: string): Promise<number> {
    if (this.stopping) return this.stopping;
    this.stopping = (async (): Promise<number> => {
      const log = this.logger;
      const timer = setTimeout(() => {
        log.error({ timeout_ms: SHUTDOWN_TIMEOUT_MS }, 'Shutdown took too long, exiting');
        process.exit(EXIT_RUNTIME);
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      log.info({ reason }, 'Stopping Vigil server');
      this.web.setReady(false);
      await this.starting;
      await this.group.stop();
      if (this.storage) {
        try {
          await this.storage.close();
          log.info('Storage closed');
        } catch (err) {
          log.error({ err: errorMessage(err) }, 'Closing storage failed');
        }
      }
      await this.web.stop();
      clearTimeout(timer);
      log.info('See you next time!');
      this.resolveExit(EXIT_OK);
      return EXIT_OK;
    })();
    return this.stopping;
  }

  private logListening(): void {
    const { host, port } = this.web.address();
    const scheme = this.web.tlsEnabled ? 'https' : 'http';
    const shown = host === '::' || host === '0.0.0.0' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    const base = `${scheme}://${shown}:${port}${this.settings.routePrefix}`;
    const ui = uiBuilt(this.settings.uiPath) ? `${base}/` : `${base}/ (UI not built: ${this.settings.uiPath})`;
    this.logger.info({ address: this.settings.listenAddress, api: `${base}/api/v1`, ui, external_url: this.settings.externalUrl.href }, 'Vigil server is ready to receive web requests');
  }
}
