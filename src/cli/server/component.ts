import type { Registry } from 'prom-client';
import type { Config } from '../../config/index.js';
import type { Storage } from '../../storage/index.js';
import type { Logger } from '../../util/index.js';
import type { WebServer } from '../../web/index.js';
import type { ServerSettings } from './settings.js';

/**
 * What every part of `vigil server` gets at start: settings from the flags, the shared
 * logger and metrics registry, the open storage and the web server to mount routes on.
 */
export interface ServerContext {
  settings: ServerSettings;
  logger: Logger;
  registry: Registry;
  storage: Storage;
  web: WebServer;
  /** The configuration currently applied. */
  config(): Config;
}

/**
 * A part of the server with a lifecycle, like one actor in Prometheus' run group.
 * Components start in order, receive every successfully loaded configuration
 * (the first one before the API opens, later ones on reload), and stop in reverse
 * order on shutdown — so scraping stops before the storage is flushed and closed.
 */
export interface Component {
  readonly name: string;
  /** Creates resources and mounts routes; must not yet do work that needs the config. */
  start(ctx: ServerContext): Promise<void>;
  /** Applies a configuration. Throwing marks the reload failed; the component keeps its previous state. */
  applyConfig?(cfg: Config): Promise<void>;
  /** Stops work and releases resources; must be safe to call after a failed start. */
  stop(): Promise<void>;
}

/** Runs components' lifecycles in order, collecting failures instead of stopping at the first. */
export class ComponentGroup {
  private readonly started: Component[] = [];

  constructor(
    private readonly components: Component[],
    private readonly logger: Logger,
  ) {}

  async start(ctx: ServerContext): Promise<void> {
    for (const c of this.components) {
      try {
        await c.start(ctx);
      } catch (err) {
        throw new Error(`starting ${c.name}: ${(err as Error).message}`);
      }
      this.started.push(c);
    }
  }

  /** Applies `cfg` to every component; resolves to the list of failures (empty = success). */
  async applyConfig(cfg: Config): Promise<string[]> {
    const failures: string[] = [];
    for (const c of this.started) {
      if (!c.applyConfig) continue;
      try {
        await c.applyConfig(cfg);
      } catch (err) {
        this.logger.error({ component: c.name, err: (err as Error).message }, 'applying configuration failed');
        failures.push(`${c.name}: ${(err as Error).message}`);
      }
    }
    return failures;
  }

  /** Stops started components in reverse order; errors are logged, never thrown. */
  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const c = this.started.pop()!;
      try {
        await c.stop();
        this.logger.debug({ component: c.name }, 'stopped');
      } catch (err) {
        this.logger.error({ component: c.name, err: (err as Error).message }, 'stopping failed');
      }
    }
  }
}
