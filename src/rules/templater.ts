import { labelsToObject } from '../model/index.js';
import { execute, parseTemplate, prometheusFuncs, TemplateError, type QuerySample, type Template } from '../template/index.js';
import type { AlertTemplateData, QueryFunc, RuleTemplater } from './types.js';

/** Prometheus prepends these definitions to every rule template (rules/alerting.go). */
const DEFS = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

/** Upper bound on query rounds for templates whose `query` arguments depend on earlier query results. */
const MAX_QUERY_ROUNDS = 8;
const TEMPLATE_CACHE_MAX = 10_000;

export interface TemplaterOptions {
  externalURL?: string;
  /** Path prefix of the external URL (the `pathPrefix` template function). */
  pathPrefix?: string;
}

/**
 * Rule templates on src/template with Prometheus' function set. The engine runs
 * synchronously while PromQL queries are async, so `query` is resolved in rounds:
 * execute, collect the queries the template asked for, run them, execute again
 * with their results, until a round asks for nothing new.
 */
export function ruleTemplater(opts: TemplaterOptions = {}): RuleTemplater {
  const pathPrefix = opts.pathPrefix ?? (opts.externalURL ? safePath(opts.externalURL) : '');
  // Execution is synchronous, so one mutable context serves every cached template:
  // it is set right before execute() and read by the query/externalURL functions.
  const ctx: { query: (q: string) => QuerySample[]; externalURL: string } = { query: () => [], externalURL: opts.externalURL ?? '' };
  const funcs = prometheusFuncs({ pathPrefix, query: (q) => ctx.query(q), externalURL: opts.externalURL });
  if (opts.externalURL === undefined) funcs['externalURL'] = (() => ctx.externalURL) as (typeof funcs)[string];
  const cache = new Map<string, Template>();
  const compile = (text: string, name: string): Template => {
    const key = name + '\x00' + text;
    let t = cache.get(key);
    if (!t) {
      t = parseTemplate(DEFS + text, name, funcs);
      if (cache.size >= TEMPLATE_CACHE_MAX) cache.clear();
      cache.set(key, t);
    }
    return t;
  };
  return {
    check(text: string, name: string): string | null {
      try {
        compile(text, name);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
    async expand(text: string, name: string, data: AlertTemplateData, t: number, query: QueryFunc): Promise<string> {
      let tmpl: Template;
      try {
        tmpl = compile(text, name);
      } catch (err) {
        throw new Error(`error parsing template ${name}: ${(err as Error).message}`);
      }
      const results = new Map<string, QuerySample[]>();
      const input = { Labels: data.labels, ExternalLabels: data.externalLabels, ExternalURL: data.externalURL, Value: data.value };
      for (let round = 0; ; round++) {
        const missing: string[] = [];
        ctx.externalURL = opts.externalURL ?? data.externalURL;
        ctx.query = (q) => {
          const hit = results.get(q);
          if (hit) return hit;
          if (!missing.includes(q)) missing.push(q);
          return [];
        };
        let out: string | undefined;
        let failure: unknown;
        try {
          out = execute(tmpl, input);
        } catch (err) {
          failure = err;
        }
        if (missing.length === 0 || round >= MAX_QUERY_ROUNDS) {
          if (failure !== undefined) {
            const msg = failure instanceof TemplateError || failure instanceof Error ? failure.message : String(failure);
            throw new Error(`error executing template ${name}: ${msg}`);
          }
          return out!;
        }
        for (const q of missing) {
          const res = await query(q, t);
          results.set(
            q,
            res.map((s) => ({ Labels: labelsToObject(s.labels), Value: s.v })),
          );
        }
      }
    },
  };
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/$/, '');
  } catch {
    return '';
  }
}
