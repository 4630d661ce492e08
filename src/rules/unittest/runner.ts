import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { labelsCompare, labelsFromObject, labelsFromPairs, labelsToString, type Labels } from '../../model/index.js';
import { MemoryStorage, type Queryable } from '../../storage/index.js';
import { formatDuration, nopLogger } from '../../util/index.js';
import { AlertingRule } from '../alerting.js';
import { Group } from '../group.js';
import { expandGlobs } from '../manager.js';
import { RuleMetrics } from '../metrics.js';
import { RecordingRule } from '../recording.js';
import { loadRuleFile } from '../rulefile.js';
import type { ExprValidator, QueryFunc, RuleTemplater } from '../types.js';
import { parseMetric, parseValues } from './series.js';
import { parseTestFile, type TestGroup } from './testfile.js';

/** Builds the query function for one test group's storage (the PromQL engine). */
export type QueryFuncFactory = (storage: Queryable) => QueryFunc;

export interface UnitTestOptions {
  makeQuery: QueryFuncFactory;
  validator?: ExprValidator;
  templater?: RuleTemplater | null;
  /** Output sinks (default process.stdout / process.stderr). */
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  /** Run only test groups whose name matches (promtool --run). */
  run?: RegExp[];
  /** Append a line diff (`-` expected only, `+` got only) to each failure. */
  diff?: boolean;
}

const DEFAULT_EVAL_INTERVAL = 60_000;

/**
 * `vigil test rules`: runs promtool-format rule unit tests, printing what promtool
 * prints (SUCCESS / FAILED with per-test diffs). Returns the exit code (0 or 1).
 */
export async function runRuleUnitTests(files: string[], opts: UnitTestOptions): Promise<number> {
  const out = opts.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = opts.stderr ?? ((s: string) => void process.stderr.write(s));
  let failed = false;
  for (const f of files) {
    out(`Unit Testing:  ${f}\n`);
    const errs = await runFile(f, opts);
    if (errs.length > 0) {
      failed = true;
      err('  FAILED:\n');
      for (const e of errs) {
        err(e + '\n');
        out('\n');
      }
    } else {
      out('  SUCCESS\n');
    }
    out('\n');
  }
  return failed ? 1 : 0;
}

/** Runs one test file; returns promtool-style error texts (empty on success). */
export async function runFile(file: string, opts: UnitTestOptions): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return [`open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`];
  }
  let tf;
  try {
    tf = parseTestFile(text);
  } catch (e) {
    return [(e as Error).message];
  }
  const evalInterval = tf.evaluationIntervalMs || DEFAULT_EVAL_INTERVAL;
  const order = new Map<string, number>();
  for (const [i, g] of tf.groupEvalOrder.entries()) {
    if (order.has(g)) return [`group name repeated in evaluation order: ${g}`];
    order.set(g, i);
  }
  const base = dirname(file);
  const ruleFiles = await expandGlobs(tf.ruleFiles.map((r) => (isAbsolute(r) ? r : join(base, r))));
  const errs: string[] = [];
  for (const tg of tf.tests) {
    if (opts.run && opts.run.length > 0 && !opts.run.some((re) => re.test(tg.name))) continue;
    if (tg.intervalMs === 0) tg.intervalMs = evalInterval;
    errs.push(...(await runGroup(tg, evalInterval, order, ruleFiles, opts)));
  }
  return errs;
}

interface LabelsAndAnnotations {
  labels: Labels;
  annotations: Labels;
}

function laString(la: LabelsAndAnnotations[]): string {
  if (la.length === 0) return '[]';
  const one = (x: LabelsAndAnnotations): string => `Labels:${labelsToString(x.labels)}\nAnnotations:${labelsToString(x.annotations)}`;
  let s = '[\n0:' + indentLines('\n' + one(la[0]!), '  ');
  for (let i = 1; i < la.length; i++) s += ',\n' + i + ':' + indentLines('\n' + one(la[i]!), '  ');
  return s + '\n]';
}

function indentLines(s: string, indent: string): string {
  return s.split('\n').join('\n' + indent);
}

function laCompare(a: LabelsAndAnnotations, b: LabelsAndAnnotations): number {
  return labelsCompare(a.labels, b.labels) || labelsCompare(a.annotations, b.annotations);
}

function laEqual(a: LabelsAndAnnotations[], b: LabelsAndAnnotations[]): boolean {
  return a.length === b.length && a.every((x, i) => laCompare(x, b[i]!) === 0 && x.labels.length === b[i]!.labels.length);
}

/** Line diff of two lists: ` ` in both, `-` expected only, `+` got only (multiset, order kept). */
function sortedDiff(exp: string[], got: string[]): string {
  const left = [...got];
  const out: string[] = [];
  for (const e of exp) {
    const i = left.indexOf(e);
    if (i >= 0) {
      left.splice(i, 1);
      out.push('          ' + e);
    } else out.push('        - ' + e);
  }
  for (const g of left) out.push('        + ' + g);
  return '\n        diff:\n' + out.join('\n');
}

/** Go's strconv.FormatFloat(v, 'E', -1, 64). */
function formatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return v
    .toExponential()
    .toUpperCase()
    .replace(/E([+-])(\d)$/, 'E$10$2');
}

/** Labels from a map without dropping empty values (labels.FromMap). */
function labelsFromMapKeepEmpty(m: Record<string, string>): Labels {
  return labelsFromPairs(Object.entries(m).map(([name, value]) => ({ name, value })));
}

function sameFloat(a: number, b: number): boolean {
  return a === b || (Object.is(a, b) && !Number.isNaN(a));
}

async function runGroup(tg: TestGroup, evalInterval: number, order: Map<string, number>, ruleFiles: string[], opts: UnitTestOptions): Promise<string[]> {
  // Input series, loaded lazily up to each evaluation time (promql.LazyLoader).
  const storage = new MemoryStorage();
  interface Pending {
    labels: Labels;
    t: number;
    v: number;
  }
  const samples: Pending[] = [];
  for (const s of tg.inputSeries) {
    let labels: Labels;
    let values;
    try {
      labels = parseMetric(s.series);
      values = parseValues(s.values);
    } catch (e) {
      return [`    error in input series ${JSON.stringify(s.series)}: ${(e as Error).message}`];
    }
    values.forEach((sv, i) => {
      if (!sv.omitted) samples.push({ labels, t: i * tg.intervalMs, v: sv.value });
    });
  }
  samples.sort((a, b) => a.t - b.t);
  let cursor = 0;
  const loadTill = async (t: number): Promise<void> => {
    const app = storage.appender();
    while (cursor < samples.length && samples[cursor]!.t <= t) {
      const s = samples[cursor++]!;
      app.append(0, s.labels, s.t, s.v);
    }
    await app.commit();
  };

  const query = opts.makeQuery(storage);
  const externalLabels = labelsFromObject(tg.externalLabels);
  const groups: Group[] = [];
  const loadErrs: string[] = [];
  const metrics = new RuleMetrics(undefined);
  for (const f of ruleFiles) {
    const r = await loadRuleFile(f, {
      validator: opts.validator,
      checkTemplate: opts.templater ? (t, n) => opts.templater!.check(t, n) : undefined,
    });
    loadErrs.push(...r.errors);
    for (const spec of r.groups) {
      const rules = spec.rules.map((rs) =>
        rs.kind === 'record'
          ? new RecordingRule(rs)
          : new AlertingRule(rs, { externalLabels, externalURL: tg.externalURL, templater: opts.templater ?? null, restored: true }),
      );
      groups.push(
        new Group(spec.name, spec.file, spec.intervalMs || tg.intervalMs, spec.limit, spec.queryOffsetMs ?? 0, rules, {
          query,
          appendable: storage,
          queryable: storage,
          notify: () => undefined,
          externalURL: tg.externalURL,
          resendDelayMs: 60_000,
          outageToleranceMs: 3_600_000,
          forGracePeriodMs: 600_000,
          metrics,
          logger: nopLogger(),
          now: Date.now,
        }),
      );
    }
  }
  if (loadErrs.length > 0) return loadErrs;
  // Groups run in group_eval_order, others first in file order (a stable version of promtool's sort).
  groups.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));

  const errs: string[] = [];
  const alertEvalTimes = [...new Set(tg.alertRuleTests.map((a) => a.evalTimeMs))].sort((a, b) => a - b);
  const maxt = Math.max(0, ...tg.alertRuleTests.map((a) => a.evalTimeMs), ...tg.promqlExprTests.map((p) => p.evalTimeMs));
  let curr = 0;
  for (const a of tg.alertRuleTests) if (a.alertname === '') errs.push('    alertname: , time: ' + formatDuration(a.evalTimeMs) + ', err: alertname is empty');
  for (let ts = 0; ts <= maxt; ts += evalInterval) {
    await loadTill(ts);
    const evalErrs: string[] = [];
    for (const g of groups) {
      await g.eval(ts);
      for (const r of g.rules) if (r.lastError !== null) evalErrs.push(`    rule: ${r.name}, time: ${formatDuration(ts)}, err: ${r.lastError}`);
    }
    errs.push(...evalErrs);
    if (evalErrs.length > 0) return errs;

    // Alerts are checked against the evaluation at ts when ts <= eval_time < ts + interval.
    while (curr < alertEvalTimes.length && ts <= alertEvalTimes[curr]! && alertEvalTimes[curr]! < ts + evalInterval) {
      const t = alertEvalTimes[curr]!;
      const tests = tg.alertRuleTests.filter((a) => a.evalTimeMs === t);
      const wanted = new Set(tests.map((a) => a.alertname));
      const got = new Map<string, LabelsAndAnnotations[]>();
      for (const g of groups)
        for (const r of g.alertingRules()) {
          if (!wanted.has(r.name)) continue;
          const l = got.get(r.name) ?? [];
          for (const a of r.activeAlerts()) if (a.state === 'firing') l.push({ labels: a.labels, annotations: a.annotations });
          got.set(r.name, l);
        }
      for (const tc of tests) {
        if (tc.alertname === '') continue;
        const gotAlerts = [...(got.get(tc.alertname) ?? [])].sort(laCompare);
        const expAlerts = tc.expAlerts
          .map((e) => ({ labels: labelsFromMapKeepEmpty({ ...e.expLabels, alertname: tc.alertname }), annotations: labelsFromMapKeepEmpty(e.expAnnotations) }))
          .sort(laCompare);
        if (!laEqual(expAlerts, gotAlerts)) {
          const name = tg.name !== '' ? `    name: ${tg.name},\n` : '';
          const one = (x: LabelsAndAnnotations): string => `Labels:${labelsToString(x.labels)} Annotations:${labelsToString(x.annotations)}`;
          errs.push(
            `${name}    alertname: ${tc.alertname}, time: ${formatDuration(tc.evalTimeMs)}, \n        exp:${indentLines(laString(expAlerts), '            ')}, \n        got:${indentLines(laString(gotAlerts), '            ')}` +
              (opts.diff ? sortedDiff(expAlerts.map(one), gotAlerts.map(one)) : ''),
          );
        }
      }
      curr++;
    }
  }

  for (const tc of tg.promqlExprTests) {
    let got;
    try {
      got = await query(tc.expr, tc.evalTimeMs);
    } catch (e) {
      errs.push(`    expr: ${JSON.stringify(tc.expr)}, time: ${formatDuration(tc.evalTimeMs)}, err: ${(e as Error).message}`);
      continue;
    }
    const exp: Array<{ labels: Labels; value: number }> = [];
    let bad = false;
    for (const s of tc.expSamples) {
      try {
        exp.push({ labels: parseMetric(s.labels), value: s.value });
      } catch (e) {
        errs.push(`    expr: ${JSON.stringify(tc.expr)}, time: ${formatDuration(tc.evalTimeMs)}, err: labels ${JSON.stringify(s.labels)}: ${(e as Error).message}`);
        bad = true;
        break;
      }
    }
    if (bad) continue;
    const gotSamples = got.map((s) => ({ labels: s.labels, value: s.v })).sort((a, b) => labelsCompare(a.labels, b.labels));
    exp.sort((a, b) => labelsCompare(a.labels, b.labels));
    const equal = exp.length === gotSamples.length && exp.every((e, i) => labelsCompare(e.labels, gotSamples[i]!.labels) === 0 && sameFloat(e.value, gotSamples[i]!.value));
    if (!equal) {
      const str = (xs: Array<{ labels: Labels; value: number }>): string => (xs.length === 0 ? 'nil' : xs.map((x) => `${labelsToString(x.labels)} ${formatE(x.value)}`).join(', '));
      const lines = (xs: Array<{ labels: Labels; value: number }>): string[] => xs.map((x) => `${labelsToString(x.labels)} ${formatE(x.value)}`);
      errs.push(
        `    expr: ${JSON.stringify(tc.expr)}, time: ${formatDuration(tc.evalTimeMs)},\n        exp: ${str(exp)}\n        got: ${str(gotSamples)}` +
          (opts.diff ? sortedDiff(lines(exp), lines(gotSamples)) : ''),
      );
    }
  }
  return errs;
}
