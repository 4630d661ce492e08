import { readFile } from 'node:fs/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import { ConfigError, DEFAULT_SERVER_CONFIG_YAML, parseConfig, type Config } from '../../config/index.js';
import { errorMessage, type Logger } from '../../util/index.js';

export interface LoadedConfig {
  config: Config;
  /** The YAML text the config came from, for /api/v1/status/config. */
  yaml: string;
}

/**
 * Loads the configuration (the file given by --config.file, else the built-in default)
 * and keeps reload bookkeeping: the vigil_config_* metrics and the facts
 * /api/v1/status/runtimeinfo reports.
 */
export class ConfigState {
  current: LoadedConfig | null = null;
  lastReloadSuccessful = true;
  lastConfigTime = 0;
  private readonly successGauge: Gauge;
  private readonly successTime: Gauge;
  private readonly reloads: Counter<'result'>;

  constructor(
    private readonly file: string | null,
    /** The port the server listens on, substituted into the default config's self-scrape targets. */
    private listenPort: number,
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.successGauge = new Gauge({ name: 'vigil_config_last_reload_successful', help: 'Whether the last configuration reload attempt was successful.', registers: [registry] });
    this.successTime = new Gauge({ name: 'vigil_config_last_reload_success_timestamp_seconds', help: 'Timestamp of the last successful configuration reload.', registers: [registry] });
    this.reloads = new Counter({ name: 'vigil_config_reloads_total', help: 'Configuration loads and reloads by result (success or failure).', labelNames: ['result'] as const, registers: [registry] });
  }

  /** The port actually bound, when the flag said 0 (pick any). */
  setListenPort(port: number): void {
    this.listenPort = port;
  }

  get usesDefaultConfig(): boolean {
    return this.file === null;
  }

  get source(): string {
    return this.file ?? '(built-in default configuration)';
  }

  /** Reads and parses the configuration; throws ConfigError (with file:line:col) or an I/O error. */
  async load(): Promise<LoadedConfig> {
    if (this.file === null) {
      // The default config scrapes the server itself on :9090; follow the actual port.
      const yaml = DEFAULT_SERVER_CONFIG_YAML.replace(/localhost:9090/g, `localhost:${this.listenPort}`);
      return { config: parseConfig(yaml, ''), yaml };
    }
    let yaml: string;
    try {
      yaml = await readFile(this.file, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
      throw new ConfigError(this.file, 0, 0, `cannot read config file: ${why}`);
    }
    return { config: parseConfig(yaml, this.file), yaml };
  }

  /** Records the outcome of a load/reload attempt. */
  record(ok: boolean, loaded: LoadedConfig | null): void {
    this.lastReloadSuccessful = ok;
    this.successGauge.set(ok ? 1 : 0);
    this.reloads.inc({ result: ok ? 'success' : 'failure' });
    if (loaded) this.current = loaded;
    if (ok) {
      this.lastConfigTime = Date.now();
      this.successTime.set(Math.floor(this.lastConfigTime / 1000));
    }
  }

  logFailure(err: unknown): void {
    this.logger.error({ file: this.source, err: errorMessage(err) }, 'Error reloading config; the previous configuration stays active');
  }
}
