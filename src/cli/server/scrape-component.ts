import type { Config } from '../../config/index.js';
import { ScrapeManager } from '../../scrape/index.js';
import type { TargetsSource } from '../../web/index.js';
import type { Component, ServerContext } from './component.js';

/**
 * Scraping: targets from the config's scrape_configs, samples into the storage.
 * Stopping it first on shutdown means no appends race the storage flush.
 */
export class ScrapeComponent implements Component {
  readonly name = 'scrape';
  private manager: ScrapeManager | null = null;

  /** The scrape manager as the targets API sees it (null until started). */
  targets(): TargetsSource | null {
    return this.manager;
  }

  async start(ctx: ServerContext): Promise<void> {
    this.manager = new ScrapeManager({ appendable: ctx.storage, logger: ctx.logger, registry: ctx.registry });
    // globalUrl in /api/v1/targets rewrites loopback targets to the external URL's host, as Prometheus does.
    const ext = ctx.settings.externalUrl;
    this.manager.setGlobalURLOptions({ listenAddress: ctx.settings.listenAddress, host: ext.host, scheme: ext.protocol.replace(/:$/, '') });
  }

  async applyConfig(cfg: Config): Promise<void> {
    await this.manager?.applyConfig(cfg);
  }

  async stop(): Promise<void> {
    await this.manager?.stop();
  }
}
