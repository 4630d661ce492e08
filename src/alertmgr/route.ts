/**
 * The routing tree (dispatch.Route): options inherited from the parent, matching
 * with `continue`, and route keys ("{}/{severity=\"page\"}") that prefix group keys.
 */
import type { Matcher } from '../model/index.js';
import { DEFAULT_GROUP_INTERVAL, DEFAULT_GROUP_WAIT, DEFAULT_REPEAT_INTERVAL, type RouteConfig } from './config.js';
import { matchersString, matchesLabels } from './matchers.js';
import type { LabelSet } from './types.js';

export interface RouteOpts {
  receiver: string;
  groupBy: Set<string>;
  groupByAll: boolean;
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
}

export class RouteNode {
  readonly routes: RouteNode[];
  readonly key: string;
  /** Position in the tree, e.g. "0.1.0" (used only for display). */
  constructor(
    readonly cfg: RouteConfig,
    readonly parent: RouteNode | null,
    readonly opts: RouteOpts,
    readonly matchers: Matcher[],
    readonly cont: boolean,
  ) {
    this.key = (parent ? parent.key + '/' : '') + matchersString(matchers);
    this.routes = cfg.routes.map((c) => RouteNode.build(c, this));
  }

  static build(cfg: RouteConfig, parent: RouteNode | null): RouteNode {
    const p = parent?.opts;
    const opts: RouteOpts = {
      receiver: cfg.receiver || p?.receiver || '',
      groupBy: cfg.groupBy !== null ? new Set(cfg.groupBy) : new Set(p?.groupBy ?? []),
      groupByAll: cfg.groupBy !== null ? cfg.groupByAll : (p?.groupByAll ?? false),
      groupWait: cfg.groupWait ?? p?.groupWait ?? DEFAULT_GROUP_WAIT,
      groupInterval: cfg.groupInterval ?? p?.groupInterval ?? DEFAULT_GROUP_INTERVAL,
      repeatInterval: cfg.repeatInterval ?? p?.repeatInterval ?? DEFAULT_REPEAT_INTERVAL,
      // Time intervals are not inherited (Alertmanager 0.25).
      muteTimeIntervals: cfg.muteTimeIntervals,
      activeTimeIntervals: cfg.activeTimeIntervals,
    };
    return new RouteNode(cfg, parent, opts, cfg.matchers, cfg.continue);
  }

  /** Route.Match: the deepest matching routes, continuing past a match only with `continue`. */
  match(ls: LabelSet): RouteNode[] {
    if (!matchesLabels(this.matchers, ls)) return [];
    const all: RouteNode[] = [];
    for (const c of this.routes) {
      const m = c.match(ls);
      all.push(...m);
      if (m.length > 0 && !c.cont) break;
    }
    if (all.length === 0) all.push(this);
    return all;
  }

  /** Every node, depth first. */
  walk(fn: (r: RouteNode, depth: number) => void, depth = 0): void {
    fn(this, depth);
    for (const c of this.routes) c.walk(fn, depth + 1);
  }

  /** Group labels of an alert for this route. */
  groupLabels(ls: LabelSet): LabelSet {
    const out: LabelSet = {};
    for (const k of Object.keys(ls).sort()) {
      if (this.opts.groupByAll || this.opts.groupBy.has(k)) out[k] = ls[k]!;
    }
    return out;
  }
}
