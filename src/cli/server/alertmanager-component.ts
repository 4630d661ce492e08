import { join } from 'node:path';
import { Alertmanager, loadConfigFile, parseConfig, type AlertmanagerConfig, type PostableAlert } from '../../alertmgr/index.js';
import type { Component, ServerContext } from './component.js';

/**
 * Used when no --alertmanager.config.file is given: every alert lands in one
 * receiver without integrations, so alerts are grouped, silenceable and visible
 * in the UI and API until a real alertmanager.yml is configured.
 */
export const DEFAULT_ALERTMANAGER_CONFIG_YAML = `# Vigil built-in Alertmanager default (no notifications are sent).
route:
  receiver: default
  group_by: [alertname, instance]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: default
`;

/**
 * The built-in Alertmanager, API v2 at /alertmanager/api/v2. Its notification log
 * and silences live under <storage.tsdb.path>/alertmanager so restarts neither
 * resend nor forget silences. Reloaded together with the main config.
 */
export class AlertmanagerComponent implements Component {
  readonly name = 'alertmanager';
  private am: Alertmanager | null = null;

  /** Delivers alerts from the rules engine in-process (no HTTP hop). */
  readonly sink = (alerts: PostableAlert[]): void => {
    this.am?.postAlerts(alerts);
  };

  async start(ctx: ServerContext): Promise<void> {
    if (!ctx.settings.alertmanagerEnabled) return;
    this.am = new Alertmanager({
      config: this.load(ctx),
      storagePath: join(ctx.settings.tsdbPath, 'alertmanager'),
      externalURL: ctx.settings.externalUrl.href.replace(/\/$/, '') + '/alertmanager',
      registry: ctx.registry,
      logger: ctx.logger.child({ component: 'alertmanager' }),
    });
    this.am.start();
    ctx.web.mount(this.am.routes(), '/alertmanager/api/v2');
  }

  async applyConfig(): Promise<void> {
    // alertmanager.yml is a separate file; re-read it on every reload (SIGHUP, /-/reload).
    if (this.am && this.file) this.am.reload(loadConfigFile(this.file));
  }

  async stop(): Promise<void> {
    await this.am?.stop();
  }

  private file: string | null = null;

  private load(ctx: ServerContext): AlertmanagerConfig {
    this.file = ctx.settings.alertmanagerConfigFile;
    return this.file ? loadConfigFile(this.file) : parseConfig(DEFAULT_ALERTMANAGER_CONFIG_YAML, '<built-in alertmanager config>');
  }
}
