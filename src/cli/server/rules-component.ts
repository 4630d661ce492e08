import type { Config } from '../../config/index.js';
import { labelsToObject } from '../../model/index.js';
import { AlertmanagerDiscovery, Notifier, toPostableAlerts, type AlertmanagerSetOptions, type NotifierOptions, type ResolvedAlertmanagers } from '../../notifier/index.js';
import type { Engine } from '../../promql/index.js';
import { relabel } from '../../relabel/index.js';
import { promqlQueryFunc, promqlValidatorFor, RuleManager, ruleTemplater } from '../../rules/index.js';
import type { AlertmanagerComponent } from './alertmanager-component.js';
import type { Component, ServerContext } from './component.js';
import { packagePath } from './paths.js';

/** Rule files the embedded default configuration evaluates (shipped in rules/). */
export const DEFAULT_RULE_FILES = [packagePath('rules', '*.rules.yml')];

/**
 * Rule evaluation and alert delivery: the rule manager evaluates rule_files with the
 * shared PromQL engine and hands alerts to the notifier, which posts them to the
 * Alertmanagers in the config's alerting section and to the built-in one.
 */
export class RulesComponent implements Component {
  readonly name = 'rules';
  private rules: RuleManager | null = null;
  private notifier: Notifier | null = null;
  private ctx: ServerContext | null = null;
  private amDiscovery: AlertmanagerDiscovery | null = null;
  private lastConfig: Config | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly builtin: AlertmanagerComponent,
  ) {}

  async start(ctx: ServerContext): Promise<void> {
    this.ctx = ctx;
    const s = ctx.settings;
    this.notifier = new Notifier({ queueCapacity: s.notificationQueueCapacity }, { registry: ctx.registry, logger: ctx.logger.child({ component: 'notifier' }) });
    this.rules = new RuleManager({
      appendable: ctx.storage,
      queryable: ctx.storage,
      query: promqlQueryFunc(ctx.storage, this.engine),
      validator: promqlValidatorFor(this.engine.compat),
      templater: ruleTemplater({ externalURL: s.externalUrl.href }),
      notify: (alerts) => this.notifier?.send(alerts),
      externalURL: s.externalUrl.href,
      resendDelayMs: s.alertResendDelayMs,
      outageToleranceMs: s.alertForOutageToleranceMs,
      forGracePeriodMs: s.alertForGracePeriodMs,
      registry: ctx.registry,
      logger: ctx.logger.child({ component: 'rules' }),
    });
    ctx.web.mount([...this.rules.routes(), ...this.notifier.routes()], '/api/v1');
  }

  async applyConfig(cfg: Config): Promise<void> {
    if (!this.rules || !this.notifier || !this.ctx) return;
    // static_configs and file_sd_configs, relabelled; file changes re-apply the notifier.
    this.amDiscovery ??= new AlertmanagerDiscovery(this.ctx.logger.child({ component: 'notifier' }), (r) => {
      if (this.lastConfig) this.notifier?.applyConfig(this.notifierOptions(this.lastConfig, r));
    });
    this.lastConfig = cfg;
    this.notifier.applyConfig(this.notifierOptions(cfg, this.amDiscovery.apply(cfg.alerting.alertmanagers)));
    const files = this.ctx.settings.configFile === null ? DEFAULT_RULE_FILES : cfg.ruleFiles;
    await this.rules.update(files, cfg.global.evaluationInterval, cfg.global.externalLabels);
  }

  async stop(): Promise<void> {
    this.amDiscovery?.stop();
    await this.rules?.stop();
    await this.notifier?.stop();
  }

  private notifierOptions(cfg: Config, resolved: ResolvedAlertmanagers): NotifierOptions {
    const sets: AlertmanagerSetOptions[] = cfg.alerting.alertmanagers.map((am, i) => {
      const http = am.httpClientConfig;
      const set: AlertmanagerSetOptions = {
        targets: [],
        urls: resolved.urls[i] ?? [],
        scheme: am.scheme,
        pathPrefix: am.pathPrefix,
        timeoutMs: am.timeout,
      };
      if (http.basicAuth) set.basicAuth = { username: http.basicAuth.username, password: http.basicAuth.password, passwordFile: http.basicAuth.passwordFile || undefined };
      if (http.authorization) {
        set.authorizationType = http.authorization.type;
        if (http.authorization.credentials) set.bearerToken = http.authorization.credentials;
        if (http.authorization.credentialsFile) set.bearerTokenFile = http.authorization.credentialsFile;
      }
      const tls = http.tlsConfig;
      set.tls = { caFile: tls.caFile || undefined, certFile: tls.certFile || undefined, keyFile: tls.keyFile || undefined, serverName: tls.serverName || undefined, insecureSkipVerify: tls.insecureSkipVerify };
      return set;
    });
    const relabelCfgs = cfg.alerting.alertRelabelConfigs;
    return {
      alertmanagers: sets,
      sinks: this.ctx!.settings.alertmanagerEnabled ? [(alerts) => this.builtin.sink(toPostableAlerts(alerts))] : [],
      queueCapacity: this.ctx!.settings.notificationQueueCapacity,
      externalLabels: labelsToObject(cfg.global.externalLabels),
      relabel: relabelCfgs.length > 0 ? (ls) => relabel(ls, relabelCfgs) : undefined,
      droppedAlertmanagerURLs: resolved.dropped,
    };
  }
}
