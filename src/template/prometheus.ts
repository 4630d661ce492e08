/**
 * Prometheus' alert/record rule template expansion (template.NewTemplateExpander):
 * the text gets the preamble that defines $labels, $externalLabels, $externalURL
 * and $value, then runs with Prometheus' functions.
 */
import { prometheusFuncs, type PrometheusFuncOptions, type QuerySample } from './funcs.js';
import { Template, TemplateError } from './template.js';

export interface AlertTemplateData {
  labels: Record<string, string> | ReadonlyMap<string, string>;
  externalLabels?: Record<string, string> | ReadonlyMap<string, string>;
  externalURL?: string;
  /** The alert's sample value (float64). */
  value: number;
}

const PREAMBLE = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

function toMap(m: Record<string, string> | ReadonlyMap<string, string> | undefined): Map<string, string> {
  if (!m) return new Map();
  return m instanceof Map ? new Map(m) : new Map(Object.entries(m));
}

/**
 * Expands one annotation or label template as Prometheus does. `name` appears in
 * errors (Prometheus uses "__alert_<alertname>"). Throws TemplateError; Prometheus
 * then stores `<error expanding template: MESSAGE>` as the value.
 */
export function expandAlertTemplate(name: string, text: string, data: AlertTemplateData, opts: PrometheusFuncOptions = {}): string {
  if (!text.includes('{{')) return text;
  const t = new Template(name, prometheusFuncs(opts));
  t.parse(PREAMBLE + text, name);
  return t.execute(new tmplData(toMap(data.labels), toMap(data.externalLabels), data.externalURL ?? '', data.value));
}

/** Prometheus' template data struct: unknown fields are errors, not empty strings. */
class tmplData {
  constructor(
    readonly Labels: Map<string, string>,
    readonly ExternalLabels: Map<string, string>,
    readonly ExternalURL: string,
    readonly Value: number,
  ) {}
}

/** Options for expandAlertTemplateAsync: `query` may be asynchronous (storage reads are). */
export interface AsyncPrometheusFuncOptions extends Omit<PrometheusFuncOptions, 'query'> {
  query: (q: string) => QuerySample[] | Promise<QuerySample[]>;
}

const MAX_QUERY_PASSES = 8;

/**
 * expandAlertTemplate with an asynchronous `query` function. Templates run
 * synchronously (as in Go), so the text is executed in passes: a pass records the
 * queries it could not answer yet, they are run, and the next pass uses the results.
 * Templates whose queries depend on earlier results converge in a few passes.
 */
export async function expandAlertTemplateAsync(name: string, text: string, data: AlertTemplateData, opts: AsyncPrometheusFuncOptions): Promise<string> {
  if (!text.includes('{{')) return text;
  const results = new Map<string, QuerySample[]>();
  for (let pass = 0; pass < MAX_QUERY_PASSES; pass++) {
    const missing = new Set<string>();
    const query = (q: string): QuerySample[] => {
      const r = results.get(q);
      if (r) return r;
      missing.add(q);
      return [];
    };
    let out = '';
    let err: unknown = null;
    try {
      out = expandAlertTemplate(name, text, data, { ...opts, query });
    } catch (e) {
      err = e;
    }
    if (missing.size === 0) {
      if (err) throw err;
      return out;
    }
    for (const q of missing) {
      try {
        results.set(q, await opts.query(q));
      } catch (e) {
        throw new TemplateError(`template: ${name}: error calling query: ${(e as Error).message}`);
      }
    }
  }
  throw new TemplateError(`template: ${name}: more than ${MAX_QUERY_PASSES} rounds of dependent queries`);
}
