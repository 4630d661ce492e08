/** Name validity checks with Prometheus' legacy (pre-UTF-8) rules, as promtool 2.x applies them. */

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isValidMetricName(s: string): boolean {
  return METRIC_NAME_RE.test(s);
}

export function isValidLabelName(s: string): boolean {
  return LABEL_NAME_RE.test(s);
}

/** Label values must be valid UTF-8; JS strings from YAML can only break that with lone surrogates. */
export function isValidLabelValue(s: string): boolean {
  return !LONE_SURROGATE_RE.test(s);
}
