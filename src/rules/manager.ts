import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { labelsFromObject, labelsToString, type Labels } from '../model/index.js';
import type { Appendable, Queryable } from '../storage/index.js';
import { nopLogger, UserError, type Logger, type Route } from '../util/index.js';
import { AlertingRule } from './alerting.js';
import { rulesRoutes } from './api.js';
import { Group, type NotifyFunc } from './group.js';
import { RuleMetrics } from './metrics.js';
import { RecordingRule } from './recording.js';
import type { Rule } from './rule.js';
import { loadRuleFile, type RuleGroupSpec } from './rulefile.js';
import { acceptAllExprs, type ExprValidator, type QueryFunc, type RuleTemplater } from './types.js';

export interface RuleManagerOptions {
  /** Where recording rule results and ALERTS/ALERTS_FOR_STATE are written. */
  appendable: Appendable;
  /** Read for the for-state restore (ALERTS_FOR_STATE). */
  queryable: Queryable;
  /** Evaluates rule expressions (PromQL engine over the same storage). */
  query: QueryFunc;
  validator?: ExprValidator;
  templater?: RuleTemplater | null;
  /** Receives alerts to send to Alertmanager (wire to Notifier.send). */
  notify?: NotifyFunc;
  /** --web.external-url, used in generator URLs and $externalURL. */
  externalURL?: string;
  /** --rules.alert.resend-delay (default 1m). */
  resendDelayMs?: number;
  /** --rules.alert.for-outage-tolerance (default 1h). */
  outageToleranceMs?: number;
  /** --rules.alert.for-grace-period (default 10m). */
  forGracePeriodMs?: number;
  /** Global rule_query_offset (default 0). */
  queryOffsetMs?: number;
  registry?: Registry;
  logger?: Logger;
  /** Wall clock in ms (tests may shift it). */
  now?: () => number;
}

/**
 * Loads rule files into groups and runs them (Prometheus rules.Manager). Groups run
 * concurrently, each evaluating its rules in order. `update` is the reload path: a
 * group whose definition is unchanged keeps running, changed groups take over the
 * alert state of their rules, removed groups get their series marked stale.
 */
export class RuleManager {
  private groupsByKey = new Map<string, Group>();
  private readonly metrics: RuleMetrics;
  private readonly logger: Logger;
  private readonly now: () => number;
  private restoredOnce = false;
  private stopped = false;
  private staleTimers = new Set<NodeJS.Timeout>();
  private updating: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RuleManagerOptions) {
    this.metrics = new RuleMetrics(opts.registry);
    this.logger = opts.logger ?? nopLogger();
    this.now = opts.now ?? Date.now;
  }

  /** Rule groups in file order, then group order. */
  groups(): Group[] {
    return [...this.groupsByKey.values()];
  }

  /**
   * Loads `files` (globs allowed in the last path element) and swaps the running groups.
   * Throws a UserError listing every problem when a file is invalid; the old groups keep running then.
   */
  update(files: string[], defaultIntervalMs: number, externalLabels: Labels | Record<string, string> = {}): Promise<void> {
    const next = this.updating.then(() => this.doUpdate(files, defaultIntervalMs, externalLabels));
    this.updating = next.catch(() => undefined);
    return next;
  }

  private async doUpdate(files: string[], defaultIntervalMs: number, externalLabels: Labels | Record<string, string>): Promise<void> {
    if (this.stopped) throw new Error('rule manager is stopped');
    const ext = Array.isArray(externalLabels) ? (externalLabels as Labels) : labelsFromObject(externalLabels as Record<string, string>);
    const specs = await this.loadGroups(await expandGlobs(files));
    const shouldRestore = !this.restoredOnce;
    this.restoredOnce = true;
    const fresh = specs.map((s) => this.buildGroup(s, defaultIntervalMs, ext, shouldRestore));
    const old = this.groupsByKey;
    const next = new Map<string, Group>();
    const starts: Group[] = [];
    await Promise.all(
      fresh.map(async (g) => {
        const prev = old.get(g.key);
        old.delete(g.key);
        if (prev && prev.equals(g)) {
          next.set(g.key, prev);
          return;
        }
        if (prev) {
          await prev.stop();
          g.copyState(prev);
        }
        next.set(g.key, g);
        starts.push(g);
      }),
    );
    // Keep file/group order stable for the API.
    this.groupsByKey = new Map(fresh.map((g) => [g.key, next.get(g.key)!]));
    for (const g of starts) {
      this.metrics.initGroup(g.key, g.intervalMs, g.rules.length);
      g.start();
    }
    await Promise.all(
      [...old.values()].map(async (g) => {
        await g.stop();
        this.metrics.removeGroup(g.key);
        // Give renamed rules two intervals to write their new series before marking the old ones stale.
        const timer = setTimeout(() => {
          this.staleTimers.delete(timer);
          void g.markAllStale(this.now());
        }, 2 * g.intervalMs);
        timer.unref();
        this.staleTimers.add(timer);
      }),
    );
  }

  /** Loads and validates rule files into group specs; throws a UserError with every problem. */
  async loadGroups(files: string[]): Promise<RuleGroupSpec[]> {
    const errors: string[] = [];
    const out: RuleGroupSpec[] = [];
    for (const f of files) {
      const r = await loadRuleFile(f, {
        validator: this.opts.validator ?? acceptAllExprs,
        checkTemplate: this.opts.templater ? (t, n) => this.opts.templater!.check(t, n) : undefined,
      });
      errors.push(...r.errors);
      out.push(...r.groups);
    }
    if (errors.length > 0) throw new UserError(`error loading rules:\n${errors.join('\n')}`);
    return out;
  }

  private buildGroup(spec: RuleGroupSpec, defaultIntervalMs: number, ext: Labels, shouldRestore: boolean): Group {
    const externalURL = this.opts.externalURL ?? '';
    const rules: Rule[] = spec.rules.map((r) =>
      r.kind === 'record'
        ? new RecordingRule(r)
        : new AlertingRule(r, {
            externalLabels: ext,
            externalURL,
            templater: this.opts.templater ?? null,
            restored: !shouldRestore,
            onTemplateError: (rule, err) => this.logger.warn({ rule, err: err.message }, 'Expanding alert template failed'),
          }),
    );
    const g = new Group(
      spec.name,
      spec.file,
      spec.intervalMs > 0 ? spec.intervalMs : defaultIntervalMs,
      spec.limit,
      spec.queryOffsetMs ?? this.opts.queryOffsetMs ?? 0,
      rules,
      {
        query: this.opts.query,
        appendable: this.opts.appendable,
        queryable: this.opts.queryable,
        notify: this.opts.notify ?? (() => undefined),
        externalURL,
        resendDelayMs: this.opts.resendDelayMs ?? 60_000,
        outageToleranceMs: this.opts.outageToleranceMs ?? 3_600_000,
        forGracePeriodMs: this.opts.forGracePeriodMs ?? 600_000,
        metrics: this.metrics,
        logger: this.logger.child({ component: 'rules', group: spec.name, file: spec.file }),
        now: this.now,
        formatExpr: this.opts.validator?.format?.bind(this.opts.validator),
      },
      labelsToString(ext) + externalURL,
    );
    g.shouldRestore = shouldRestore;
    return g;
  }

  /** Stops every group (waiting for running evaluations) and pending stale-marking timers. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.updating;
    for (const t of this.staleTimers) clearTimeout(t);
    this.staleTimers.clear();
    await Promise.all(this.groups().map((g) => g.stop()));
  }

  /** /api/v1/rules and /api/v1/alerts (mount under /api/v1). */
  routes(): Route[] {
    return rulesRoutes(() => this.groups(), this.opts.validator);
  }
}

/** Expands `*`, `?` and `[...]` in any path element, like Go's filepath.Glob that Prometheus uses. */
export async function expandGlobs(patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of patterns) {
    if (!/[*?[]/.test(p)) {
      out.push(p);
      continue;
    }
    // A glob matching nothing is not an error, as in Prometheus.
    out.push(...(await globOne(p)));
  }
  return out;
}

const isGlob = (s: string): boolean => /[*?[]/.test(s);

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let cls = seg.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1);
      re += '[' + cls.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

async function globOne(pattern: string): Promise<string[]> {
  const absolute = pattern.startsWith('/');
  const segs = pattern.split('/').filter((x, i) => x !== '' || i === 0);
  let bases = [absolute ? '/' : '.'];
  const first = absolute ? 1 : 0;
  for (let i = first; i < segs.length; i++) {
    const seg = segs[i]!;
    const next: string[] = [];
    for (const b of bases) {
      if (!isGlob(seg)) {
        next.push(b === '.' && !absolute ? seg : join(b, seg));
        continue;
      }
      let names: string[] = [];
      try {
        names = await readdir(b);
      } catch {
        continue;
      }
      const re = segmentRegex(seg);
      for (const n of names.sort()) if (re.test(n)) next.push(b === '.' && !absolute ? n : join(b, n));
    }
    bases = next;
  }
  return bases;
}
