import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { parseDuration } from '../util/index.js';
import { isValidLabelName, isValidLabelValue, isValidMetricName } from './names.js';
import { acceptAllExprs, type ExprValidator } from './types.js';

/**
 * Rule files in Prometheus' YAML format (rulefmt): parsed with positions, unknown
 * fields rejected, and validated the way `promtool check rules` validates them.
 * Error lines look like promtool's: `file: line:col: group "g", rule 2, "Name": message`.
 */

export interface RuleSpec {
  kind: 'record' | 'alert';
  /** Recorded metric name or alert name. */
  name: string;
  expr: string;
  /** `for` in ms (alerts only). */
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  line: number;
}

export interface RuleGroupSpec {
  name: string;
  file: string;
  /** Evaluation interval in ms; 0 means "use the global evaluation_interval". */
  intervalMs: number;
  /** Maximum alerts / series per rule; 0 = unlimited. */
  limit: number;
  /** query_offset in ms; undefined means "use the global rule_query_offset". */
  queryOffsetMs: number | undefined;
  rules: RuleSpec[];
}

export interface RuleFileResult {
  groups: RuleGroupSpec[];
  /** Validation errors, each a complete line prefixed with the file name. */
  errors: string[];
}

/** Checks a template's syntax; returns an error message or null. */
export type TemplateChecker = (text: string, name: string) => string | null;

export interface RuleFileOptions {
  validator?: ExprValidator;
  checkTemplate?: TemplateChecker;
}

const GROUP_FIELDS = new Set(['name', 'interval', 'limit', 'query_offset', 'labels', 'rules']);
const RULE_FIELDS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);

export async function loadRuleFile(path: string, opts: RuleFileOptions = {}): Promise<RuleFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { groups: [], errors: [`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`] };
  }
  return parseRuleFile(text, path, opts);
}

export function parseRuleFile(text: string, file: string, opts: RuleFileOptions = {}): RuleFileResult {
  const validator = opts.validator ?? acceptAllExprs;
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const pos = (n: Node | null | undefined): string => {
    if (!n?.range) return '';
    const p = lc.linePos(n.range[0]);
    return `${p.line}:${p.col}: `;
  };
  const lineOf = (n: Node | null | undefined): number => (n?.range ? lc.linePos(n.range[0]).line : 0);
  if (doc.errors.length > 0) {
    return {
      groups: [],
      errors: doc.errors.map((e) => {
        const p = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
        return `${file}: ${p.line}:${p.col}: yaml: ${e.message.split('\n')[0]}`;
      }),
    };
  }
  const errors: string[] = [];
  const structural = (n: Node | null | undefined, msg: string): void => {
    errors.push(`${file}: ${pos(n)}${msg}`);
  };
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { groups: [], errors: [] };
  if (!isMap(root)) {
    structural(root, 'rule file must be a mapping with a "groups" list');
    return { groups: [], errors };
  }
  const groups: RuleGroupSpec[] = [];
  let groupsNode: Node | null = null;
  for (const pair of root.items) {
    const key = keyOf(pair);
    if (key === 'groups') groupsNode = pair.value as Node | null;
    else structural(pair.key as Node, `field ${key} not found in rule file (allowed: groups)`);
  }
  if (errors.length > 0) return { groups: [], errors };
  if (groupsNode === null || (isScalar(groupsNode) && groupsNode.value === null)) return { groups: [], errors: [] };
  if (!isSeq(groupsNode)) {
    structural(groupsNode, '"groups" must be a list');
    return { groups: [], errors };
  }
  // First pass: structure and types (like yaml.UnmarshalStrict, which stops the file).
  interface RawRule {
    node: YAMLMap;
    fields: Map<string, Node | null>;
  }
  interface RawGroup {
    node: YAMLMap;
    fields: Map<string, Node | null>;
    rules: RawRule[];
  }
  const raw: RawGroup[] = [];
  for (const g of groupsNode.items) {
    if (!isMap(g)) {
      structural(g as Node, 'each group must be a mapping');
      continue;
    }
    const fields = fieldsOf(g, GROUP_FIELDS, 'group', structural);
    const rules: RawRule[] = [];
    const rulesNode = fields.get('rules');
    if (rulesNode && !(isScalar(rulesNode) && rulesNode.value === null)) {
      if (!isSeq(rulesNode)) structural(rulesNode, '"rules" must be a list');
      else
        for (const r of rulesNode.items) {
          if (!isMap(r)) {
            structural(r as Node, 'each rule must be a mapping');
            continue;
          }
          rules.push({ node: r, fields: fieldsOf(r, RULE_FIELDS, 'rule', structural) });
        }
    }
    raw.push({ node: g, fields, rules });
  }
  if (errors.length > 0) return { groups: [], errors };

  // Second pass: semantic validation (rulefmt.Validate), reporting every problem.
  const seen = new Set<string>();
  for (const g of raw) {
    const name = scalarString(g.fields.get('name'), 'name', structural) ?? '';
    if (name === '') {
      structural(g.node, 'Groupname must not be empty');
    } else if (seen.has(name)) {
      structural(g.node, `groupname: ${JSON.stringify(name)} is repeated in the same file`);
    }
    seen.add(name);
    const intervalMs = durationField(g.fields.get('interval'), 'interval', structural) ?? 0;
    const qo = g.fields.get('query_offset');
    const queryOffsetMs = qo ? durationField(qo, 'query_offset', structural) : undefined;
    let limit = 0;
    const limNode = g.fields.get('limit');
    if (limNode && isScalar(limNode) && limNode.value !== null) {
      const n = Number(limNode.value);
      if (!Number.isInteger(n) || n < 0) structural(limNode, `limit must be a non-negative integer, got ${JSON.stringify(String(limNode.value))}`);
      else limit = n;
    }
    // Group labels (Prometheus 3.x) apply to every rule of the group; a rule's own labels win.
    const groupLabels = stringMap(g.fields.get('labels'), 'labels', structural);
    for (const [k, v] of Object.entries(groupLabels)) {
      if (!isValidLabelName(k) || k === '__name__') structural(g.fields.get('labels'), `group ${JSON.stringify(name)}: invalid label name: ${k}`);
      if (!isValidLabelValue(v)) structural(g.fields.get('labels'), `group ${JSON.stringify(name)}: invalid label value: ${v}`);
    }
    const specs: RuleSpec[] = [];
    g.rules.forEach((r, idx) => {
      const recordNode = r.fields.get('record');
      const alertNode = r.fields.get('alert');
      const record = scalarString(recordNode, 'record', structural) ?? '';
      const alert = scalarString(alertNode, 'alert', structural) ?? '';
      // promtool names the rule by its alert name when both are (wrongly) set.
      const ruleName = alert !== '' ? alert : record;
      const ruleErr = (n: Node | null | undefined, msg: string): void => {
        errors.push(`${file}: ${pos(n)}group ${JSON.stringify(name)}, rule ${idx + 1}, ${JSON.stringify(ruleName)}: ${msg}`);
      };
      const exprNode = r.fields.get('expr');
      const expr = scalarString(exprNode, 'expr', structural) ?? '';
      if (record !== '' && alert !== '') ruleErr(recordNode, "only one of 'record' and 'alert' must be set");
      if (record === '' && alert === '') ruleErr(recordNode ?? alertNode ?? r.node, "one of 'record' or 'alert' must be set");
      if (expr === '') ruleErr(exprNode ?? r.node, "field 'expr' must be set in rule");
      else {
        const perr = validator.validate(expr);
        if (perr !== null) ruleErr(exprNode, `could not parse expression: ${perr}`);
      }
      const forMs = durationField(r.fields.get('for'), 'for', structural) ?? 0;
      const keepFiringForMs = durationField(r.fields.get('keep_firing_for'), 'keep_firing_for', structural) ?? 0;
      const labels = { ...groupLabels, ...stringMap(r.fields.get('labels'), 'labels', structural) };
      const annotations = stringMap(r.fields.get('annotations'), 'annotations', structural);
      if (record !== '') {
        if (Object.keys(annotations).length > 0) ruleErr(recordNode, "invalid field 'annotations' in recording rule");
        if (forMs !== 0) ruleErr(recordNode, "invalid field 'for' in recording rule");
        if (keepFiringForMs !== 0) ruleErr(recordNode, "invalid field 'keep_firing_for' in recording rule");
        if (!isValidMetricName(record)) ruleErr(recordNode, `invalid recording rule name: ${record}`);
      }
      for (const [k, v] of Object.entries(labels)) {
        if (!isValidLabelName(k) || k === '__name__') ruleErr(undefined, `invalid label name: ${k}`);
        if (!isValidLabelValue(v)) ruleErr(undefined, `invalid label value: ${v}`);
      }
      for (const k of Object.keys(annotations)) {
        if (!isValidLabelName(k)) ruleErr(undefined, `invalid annotation name: ${k}`);
      }
      if (alert !== '' && opts.checkTemplate) {
        for (const [k, v] of Object.entries(labels)) {
          const e = opts.checkTemplate(v, `__alert_${alert}`);
          if (e !== null) ruleErr(undefined, `label ${JSON.stringify(k)}: ${e}`);
        }
        for (const [k, v] of Object.entries(annotations)) {
          const e = opts.checkTemplate(v, `__alert_${alert}`);
          if (e !== null) ruleErr(undefined, `annotation ${JSON.stringify(k)}: ${e}`);
        }
      }
      specs.push({
        kind: record !== '' ? 'record' : 'alert',
        name: ruleName,
        expr,
        forMs,
        keepFiringForMs,
        labels,
        annotations,
        line: lineOf(r.node),
      });
    });
    groups.push({ name, file, intervalMs, limit, queryOffsetMs, rules: specs });
  }
  return { groups: errors.length > 0 ? [] : groups, errors };
}

type Report = (n: Node | null | undefined, msg: string) => void;

function keyOf(pair: Pair): string {
  const k = pair.key;
  return isScalar(k) ? String(k.value) : String(k);
}

function fieldsOf(m: YAMLMap, allowed: Set<string>, what: string, report: Report): Map<string, Node | null> {
  const out = new Map<string, Node | null>();
  for (const pair of m.items) {
    const key = keyOf(pair);
    if (!allowed.has(key)) {
      report(pair.key as Node, `field ${key} not found in ${what} (allowed: ${[...allowed].join(', ')})`);
      continue;
    }
    out.set(key, (pair.value as Node | null) ?? null);
  }
  return out;
}

/** A scalar field as a string (numbers and booleans are taken as written, as Go's yaml does). */
function scalarString(n: Node | null | undefined, field: string, report: Report): string | undefined {
  if (n === undefined || n === null) return undefined;
  if (!isScalar(n)) {
    report(n, `field "${field}" must be a string`);
    return undefined;
  }
  if (n.value === null) return '';
  if (typeof n.value === 'string') return n.value;
  return n.source ?? String(n.value);
}

function durationField(n: Node | null | undefined, field: string, report: Report): number | undefined {
  const s = scalarString(n, field, report);
  if (s === undefined || s === '') return undefined;
  try {
    return parseDuration(s);
  } catch (err) {
    report(n, `field "${field}": ${(err as Error).message}`);
    return undefined;
  }
}

function stringMap(n: Node | null | undefined, field: string, report: Report): Record<string, string> {
  const out: Record<string, string> = {};
  if (n === undefined || n === null || (isScalar(n) && n.value === null)) return out;
  if (!isMap(n)) {
    report(n, `field "${field}" must be a mapping of strings`);
    return out;
  }
  for (const pair of n.items) {
    const v = scalarString(pair.value as Node | null, `${field}.${keyOf(pair)}`, report);
    out[keyOf(pair)] = v ?? '';
  }
  return out;
}
