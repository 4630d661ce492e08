/**
 * Alertmanager targets of `alerting.alertmanagers`, resolved as Prometheus' notifier
 * does (notifier.AlertmanagerFromGroup): static_configs and file_sd_configs give
 * target groups; each target gets `__scheme__` and `__alerts_path__` (the path prefix
 * joined with /api/v2/alerts) and the group's labels, then the set's relabel_configs
 * run; a dropped target is listed as dropped, a kept one is posted to
 * `<__scheme__>://<__address__><__alerts_path__>`.
 */
import type { AlertmanagerConfig } from '../config/index.js';
import { FileDiscoverer, StaticDiscoverer, type Discoverer, type TargetGroup } from '../discovery/index.js';
import { LabelsBuilder, labelsGet, type Labels } from '../model/index.js';
import { relabel } from '../relabel/index.js';
import type { Logger } from '../util/index.js';

export interface ResolvedAlertmanagers {
  /** Alerts URLs per configured set, in config order. */
  urls: string[][];
  /** URLs of targets the relabel_configs dropped, from their discovered labels (for /api/v1/alertmanagers). */
  dropped: string[];
}

/** The alerts path Prometheus uses: path.Join("/", path_prefix, "/api/v2/alerts"). */
export function alertsPath(pathPrefix: string): string {
  return ('/' + pathPrefix + '/api/v2/alerts').replace(/\/+/g, '/');
}

/** URLs (and dropped targets) of one set from its current target groups. */
export function resolveAlertmanagerSet(cfg: AlertmanagerConfig, groups: Iterable<TargetGroup>): { urls: string[]; dropped: string[] } {
  const urls: string[] = [];
  const dropped: string[] = [];
  const urlOf = (ls: Labels): string => `${labelsGet(ls, '__scheme__') || cfg.scheme}://${labelsGet(ls, '__address__')}${labelsGet(ls, '__alerts_path__')}`;
  for (const g of groups) {
    for (const target of g.targets) {
      const lb = new LabelsBuilder(target);
      lb.set('__scheme__', cfg.scheme);
      lb.set('__alerts_path__', alertsPath(cfg.pathPrefix));
      // Group labels fill in what the target does not set itself.
      for (const l of g.labels) if (labelsGet(target, l.name) === '') lb.set(l.name, l.value);
      const discovered = lb.labels();
      const ls = relabel(discovered, cfg.relabelConfigs);
      if (ls === null) {
        dropped.push(urlOf(discovered));
        continue;
      }
      const addr = labelsGet(ls, '__address__');
      if (addr === '' || addr.includes('/')) {
        dropped.push(urlOf(discovered));
        continue;
      }
      urls.push(urlOf(ls));
    }
  }
  return { urls, dropped };
}

/**
 * Runs the discoverers of every Alertmanager set and calls `onChange` with the resolved
 * URLs whenever a file_sd file changes (and once at the start). `apply` replaces the
 * sets on a config reload; `stop` ends every watcher.
 */
export class AlertmanagerDiscovery {
  private abort: AbortController | null = null;
  private groups: Array<Map<string, TargetGroup>> = [];
  private cfgs: AlertmanagerConfig[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly onChange: (r: ResolvedAlertmanagers) => void,
  ) {}

  apply(cfgs: AlertmanagerConfig[]): ResolvedAlertmanagers {
    this.stop();
    const ac = new AbortController();
    this.abort = ac;
    this.cfgs = cfgs;
    this.groups = cfgs.map(() => new Map<string, TargetGroup>());
    cfgs.forEach((cfg, i) => {
      const stat = new StaticDiscoverer(cfg.staticConfigs);
      for (const g of stat.groups()) this.groups[i]!.set(`static/${g.source}`, g);
      cfg.fileSDConfigs.forEach((fc, k) => {
        const d: Discoverer = new FileDiscoverer(fc, this.logger);
        d.run(ac.signal, (gs) => {
          if (ac.signal.aborted) return;
          for (const g of gs) {
            const key = `file/${k}/${g.source}`;
            if (g.targets.length === 0) this.groups[i]!.delete(key);
            else this.groups[i]!.set(key, g);
          }
          this.onChange(this.resolved());
        }).catch((err: unknown) => this.logger.error({ err: String(err) }, 'Alertmanager file_sd failed'));
      });
    });
    return this.resolved();
  }

  resolved(): ResolvedAlertmanagers {
    const out: ResolvedAlertmanagers = { urls: [], dropped: [] };
    this.cfgs.forEach((cfg, i) => {
      const r = resolveAlertmanagerSet(cfg, this.groups[i]!.values());
      out.urls.push(r.urls);
      out.dropped.push(...r.dropped);
    });
    return out;
  }

  stop(): void {
    this.abort?.abort();
    this.abort = null;
  }
}
