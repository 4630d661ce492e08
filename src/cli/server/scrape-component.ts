import type { Config } from '../../config/index.js';
import type { Appendable } from '../../storage/index.js';
import type { Logger } from '../../util/index.js';
import type { TargetsSource } from '../../web/index.js';
import type { Component, ServerContext } from './component.js';
import type { Registry } from 'prom-client';

/** The part of src/scrape's ScrapeManager the server uses. */
interface ScrapeManagerLike extends TargetsSource {
  applyConfig(cfg: Config): Promise<void>;
  stop(): Promise<void>;
}

interface ScrapeModule {
  ScrapeManager: new (opts: { appendable: Appendable; logger: Logger; registry?: Registry }) => ScrapeManagerLike;
}

/**
 * Scraping: targets from the config's scrape_configs, samples into the storage.
 * Stopping it first on shutdown means no appends race the storage flush.
 */
export class ScrapeComponent implements Component {
  readonly name = 'scrape';
  private manager: ScrapeManagerLike | null = null;

  /** The scrape manager as the targets API sees it (null until started or when unavailable). */
  targets(): TargetsSource | null {
    return this.manager;
  }

  async start(ctx: ServerContext): Promise<void> {
    const mod = await loadScrapeModule();
    if (!mod) {
      ctx.logger.warn('scraping is not available in this build (src/scrape missing)');
      return;
    }
    this.manager = new mod.ScrapeManager({ appendable: ctx.storage, logger: ctx.logger.child({ component: 'scrape' }), registry: ctx.registry });
  }

  async applyConfig(cfg: Config): Promise<void> {
    await this.manager?.applyConfig(cfg);
  }

  async stop(): Promise<void> {
    await this.manager?.stop();
  }
}

// Loaded through a variable specifier so this file builds before src/scrape is merged in.
async function loadScrapeModule(): Promise<ScrapeModule | null> {
  const spec = '../../scrape/index.js';
  try {
    const mod = (await import(spec)) as Partial<ScrapeModule>;
    return typeof mod.ScrapeManager === 'function' ? (mod as ScrapeModule) : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}
