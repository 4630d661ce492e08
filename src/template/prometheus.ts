/**
 * Prometheus' alert/record rule template expansion (template.NewTemplateExpander):
 * the text gets the preamble that defines $labels, $externalLabels, $externalURL
 * and $value, then runs with Prometheus' functions.
 */
import { prometheusFuncs, type PrometheusFuncOptions } from './funcs.js';
import { Template } from './template.js';

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
  return t.execute({
    Labels: toMap(data.labels),
    ExternalLabels: toMap(data.externalLabels),
    ExternalURL: data.externalURL ?? '',
    Value: data.value,
  });
}
