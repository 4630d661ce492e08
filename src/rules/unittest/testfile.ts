import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { parseDuration } from '../../util/index.js';

/** promtool's unit test file format (cmd/promtool/unittest.go), parsed strictly. */
export interface UnitTestFile {
  ruleFiles: string[];
  evaluationIntervalMs: number;
  groupEvalOrder: string[];
  tests: TestGroup[];
}

export interface TestGroup {
  /** Interval of input series samples in ms (0 = evaluation_interval). */
  intervalMs: number;
  inputSeries: Array<{ series: string; values: string }>;
  alertRuleTests: AlertTestCase[];
  promqlExprTests: PromqlTestCase[];
  externalLabels: Record<string, string>;
  externalURL: string;
  name: string;
}

export interface AlertTestCase {
  evalTimeMs: number;
  alertname: string;
  expAlerts: Array<{ expLabels: Record<string, string>; expAnnotations: Record<string, string> }>;
}

export interface PromqlTestCase {
  expr: string;
  evalTimeMs: number;
  expSamples: Array<{ labels: string; value: number }>;
}

type Schema = 'string' | 'duration' | 'float' | 'stringmap' | { list: Schema } | { fields: Record<string, Schema> };

const SAMPLE: Schema = { fields: { labels: 'string', value: 'float', histogram: 'string' } };
const ALERT: Schema = { fields: { exp_labels: 'stringmap', exp_annotations: 'stringmap' } };
const TEST_GROUP: Schema = {
  fields: {
    interval: 'duration',
    input_series: { list: { fields: { series: 'string', values: 'string' } } },
    alert_rule_test: { list: { fields: { eval_time: 'duration', alertname: 'string', exp_alerts: { list: ALERT } } } },
    promql_expr_test: { list: { fields: { expr: 'string', eval_time: 'duration', exp_samples: { list: SAMPLE } } } },
    external_labels: 'stringmap',
    external_url: 'string',
    name: 'string',
  },
};
const FILE: Schema = {
  fields: { rule_files: { list: 'string' }, evaluation_interval: 'duration', group_eval_order: { list: 'string' }, tests: { list: TEST_GROUP } },
};

export class TestFileError extends Error {
  override name = 'TestFileError';
}

/** Parses a test file; throws TestFileError with line:col for YAML and schema errors. */
export function parseTestFile(text: string): UnitTestFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const p = e.linePos?.[0];
    throw new TestFileError(`yaml: ${p ? `line ${p.line}: ` : ''}${e.message.split('\n')[0]}`);
  }
  const at = (n: Node | null | undefined): string => (n?.range ? `line ${lc.linePos(n.range[0]).line}: ` : '');
  const conv = (n: Node | null | undefined, s: Schema, path: string): unknown => {
    if (n === null || n === undefined || (isScalar(n) && n.value === null)) return undefined;
    if (s === 'string' || s === 'duration' || s === 'float') {
      if (!isScalar(n)) throw new TestFileError(`yaml: ${at(n)}field ${path} must be a scalar`);
      const raw = typeof n.value === 'string' ? n.value : n.source ?? String(n.value);
      if (s === 'string') return raw;
      if (s === 'duration') {
        try {
          return parseDuration(raw);
        } catch (err) {
          throw new TestFileError(`yaml: ${at(n)}field ${path}: ${(err as Error).message}`);
        }
      }
      const v = typeof n.value === 'number' ? n.value : Number(raw);
      if (Number.isNaN(v) && !/^[+-]?\.?nan$/i.test(raw)) throw new TestFileError(`yaml: ${at(n)}field ${path}: cannot parse ${JSON.stringify(raw)} as a float`);
      return v;
    }
    if (s === 'stringmap') {
      if (!isMap(n)) throw new TestFileError(`yaml: ${at(n)}field ${path} must be a mapping`);
      const out: Record<string, string> = {};
      for (const p of n.items) {
        const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
        const v = p.value as Node | null;
        out[k] = v && isScalar(v) ? (v.value === null ? '' : typeof v.value === 'string' ? v.value : v.source ?? String(v.value)) : '';
        if (v && !isScalar(v)) throw new TestFileError(`yaml: ${at(v)}field ${path}.${k} must be a string`);
      }
      return out;
    }
    if ('list' in s) {
      if (!isSeq(n)) throw new TestFileError(`yaml: ${at(n)}field ${path} must be a list`);
      return n.items.map((x, i) => conv(x as Node, s.list, `${path}[${i}]`));
    }
    if (!isMap(n)) throw new TestFileError(`yaml: ${at(n)}${path || 'the test file'} must be a mapping`);
    const out: Record<string, unknown> = {};
    for (const p of n.items) {
      const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
      const sub = s.fields[k];
      if (sub === undefined) throw new TestFileError(`yaml: ${at(p.key as Node)}field ${k} not found in ${path || 'the test file'} (allowed: ${Object.keys(s.fields).join(', ')})`);
      out[k] = conv(p.value as Node | null, sub, path ? `${path}.${k}` : k);
    }
    return out;
  };
  const raw = (conv(doc.contents as Node | null, FILE, '') ?? {}) as Record<string, unknown>;
  type Obj = Record<string, unknown>;
  const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]).map((x) => x ?? {}) : []);
  return {
    ruleFiles: (raw['rule_files'] as string[] | undefined) ?? [],
    evaluationIntervalMs: (raw['evaluation_interval'] as number | undefined) ?? 0,
    groupEvalOrder: (raw['group_eval_order'] as string[] | undefined) ?? [],
    tests: list(raw['tests']).map((t) => ({
      intervalMs: (t['interval'] as number | undefined) ?? 0,
      inputSeries: list(t['input_series']).map((s) => ({ series: (s['series'] as string) ?? '', values: (s['values'] as string) ?? '' })),
      alertRuleTests: list(t['alert_rule_test']).map((a) => ({
        evalTimeMs: (a['eval_time'] as number) ?? 0,
        alertname: (a['alertname'] as string) ?? '',
        expAlerts: list(a['exp_alerts']).map((e) => ({
          expLabels: (e['exp_labels'] as Record<string, string>) ?? {},
          expAnnotations: (e['exp_annotations'] as Record<string, string>) ?? {},
        })),
      })),
      promqlExprTests: list(t['promql_expr_test']).map((p) => ({
        expr: (p['expr'] as string) ?? '',
        evalTimeMs: (p['eval_time'] as number) ?? 0,
        expSamples: list(p['exp_samples']).map((s) => ({ labels: (s['labels'] as string) ?? '', value: (s['value'] as number) ?? 0 })),
      })),
      externalLabels: (t['external_labels'] as Record<string, string>) ?? {},
      externalURL: (t['external_url'] as string) ?? '',
      name: (t['name'] as string) ?? '',
    })),
  };
}
