import { labelsToObject } from '../model/index.js';
import { execute, parseTemplate, prometheusFuncs, TemplateError, type QuerySample } from '../template/index.js';
import type { AlertTemplateData, QueryFunc, RuleTemplater } from './types.js';

/** Prometheus prepends these definitions to every rule template (rules/alerting.go). */
const DEFS = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

/** Upper bound on query rounds for templates whose `query` arguments depend on earlier query results. */
const MAX_QUERY_ROUNDS = 8;

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
  return {
    check(text: string, name: string): string | null {
      try {
        parseTemplate(DEFS + text, name, prometheusFuncs({ query: () => [] }));
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
    async expand(text: string, name: string, data: AlertTemplateData, t: number, query: QueryFunc): Promise<string> {
      const cache = new Map<string, QuerySample[]>();
      const input = { Labels: data.labels, ExternalLabels: data.externalLabels, ExternalURL: data.externalURL, Value: data.value };
      for (let round = 0; ; round++) {
        const missing: string[] = [];
        const funcs = prometheusFuncs({
          externalURL: opts.externalURL ?? data.externalURL,
          pathPrefix,
          query: (q) => {
            const hit = cache.get(q);
            if (hit) return hit;
            if (!missing.includes(q)) missing.push(q);
            return [];
          },
        });
        let tmpl;
        try {
          tmpl = parseTemplate(DEFS + text, name, funcs);
        } catch (err) {
          throw new Error(`error parsing template ${name}: ${(err as Error).message}`);
        }
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
          cache.set(
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
