import { compileAnchoredRegex, LabelsBuilder, RegexError, type Labels } from '../model/index.js';
import { expandTemplate } from './expand.js';
import { hashmod } from './md5.js';
import { DEFAULT_RELABEL_CONFIG, RELABEL_ACTIONS, RelabelConfigError, type RelabelAction, type RelabelConfig } from './types.js';

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Prometheus' relabelTarget: a label name that may contain $1 / ${name} references.
const RELABEL_TARGET_RE = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

export function isValidLabelName(s: string): boolean {
  return LABEL_NAME_RE.test(s);
}

/** A validated relabel config with its regex compiled (2.x semantics: `.` does not match `\n`). */
export interface CompiledRelabelConfig extends RelabelConfig {
  readonly re: RegExp;
}

/**
 * Builds a RelabelConfig from partial YAML values with Prometheus' defaults and
 * validates it, throwing RelabelConfigError with Prometheus' messages.
 */
export type RawRelabelConfig = Omit<Partial<RelabelConfig>, 'action'> & { action?: string };

export function newRelabelConfig(raw: RawRelabelConfig): CompiledRelabelConfig {
  const action = (raw.action ?? DEFAULT_RELABEL_CONFIG.action).toLowerCase();
  if (action === '') throw new RelabelConfigError('relabel action cannot be empty');
  if (!RELABEL_ACTIONS.includes(action as RelabelAction)) throw new RelabelConfigError(`unknown relabel action "${raw.action}"`);
  const c: RelabelConfig = {
    sourceLabels: raw.sourceLabels ?? [],
    separator: raw.separator ?? DEFAULT_RELABEL_CONFIG.separator,
    regex: raw.regex ?? DEFAULT_RELABEL_CONFIG.regex,
    modulus: raw.modulus ?? 0,
    targetLabel: raw.targetLabel ?? '',
    replacement: raw.replacement ?? DEFAULT_RELABEL_CONFIG.replacement,
    action: action as RelabelAction,
  };
  for (const l of c.sourceLabels) if (!isValidLabelName(l)) throw new RelabelConfigError(`"${l}" is not a valid label name`);
  validate(c, raw);
  let re: RegExp;
  try {
    re = compileAnchoredRegex(c.regex, { dotAll: false });
  } catch (err) {
    throw new RelabelConfigError(err instanceof RegexError ? err.message : String(err));
  }
  return { ...c, re };
}

function validate(c: RelabelConfig, raw: RawRelabelConfig): void {
  const a = c.action;
  if (c.modulus === 0 && a === 'hashmod') throw new RelabelConfigError('relabel configuration for hashmod requires non-zero modulus');
  if ((a === 'replace' || a === 'hashmod' || a === 'lowercase' || a === 'uppercase' || a === 'keepequal' || a === 'dropequal') && c.targetLabel === '') {
    throw new RelabelConfigError(`relabel configuration for ${a} action requires 'target_label' value`);
  }
  if ((a === 'replace' || a === 'lowercase' || a === 'uppercase') && !RELABEL_TARGET_RE.test(c.targetLabel)) {
    throw new RelabelConfigError(`"${c.targetLabel}" is invalid 'target_label' for ${a} action`);
  }
  if ((a === 'lowercase' || a === 'uppercase' || a === 'keepequal' || a === 'dropequal') && c.replacement !== DEFAULT_RELABEL_CONFIG.replacement) {
    throw new RelabelConfigError(`'replacement' can not be set for ${a} action`);
  }
  if (a === 'labelmap' && !RELABEL_TARGET_RE.test(c.replacement)) {
    throw new RelabelConfigError(`"${c.replacement}" is invalid 'replacement' for ${a} action`);
  }
  if (a === 'hashmod' && !isValidLabelName(c.targetLabel)) {
    throw new RelabelConfigError(`"${c.targetLabel}" is invalid 'target_label' for ${a} action`);
  }
  if (a === 'keepequal' || a === 'dropequal') {
    if (c.regex !== DEFAULT_RELABEL_CONFIG.regex || c.modulus !== 0 || c.separator !== DEFAULT_RELABEL_CONFIG.separator || c.replacement !== DEFAULT_RELABEL_CONFIG.replacement) {
      throw new RelabelConfigError(`${a} action requires only 'source_labels' and \`target_label\`, and no other fields`);
    }
  }
  if (a === 'labeldrop' || a === 'labelkeep') {
    if (raw.sourceLabels !== undefined || c.targetLabel !== '' || c.modulus !== 0 || c.separator !== DEFAULT_RELABEL_CONFIG.separator || c.replacement !== DEFAULT_RELABEL_CONFIG.replacement) {
      throw new RelabelConfigError(`${a} action requires only 'regex', and no other fields`);
    }
  }
}

/**
 * Applies relabel configs in order (Prometheus relabel.Process). Returns the new
 * label set, or null when a keep/drop step dropped it. An empty result is also
 * returned as null, since a series/target without labels is dropped.
 */
export function relabel(labels: Labels, cfgs: readonly CompiledRelabelConfig[]): Labels | null {
  if (cfgs.length === 0) return labels;
  const lb = new LabelsBuilder(labels);
  for (const cfg of cfgs) if (!relabelStep(lb, cfg)) return null;
  const out = lb.labels();
  return out.length === 0 ? null : out;
}

/** Applies one step to the builder; false means "drop". */
export function relabelStep(lb: LabelsBuilder, cfg: CompiledRelabelConfig): boolean {
  let val = '';
  for (let i = 0; i < cfg.sourceLabels.length; i++) {
    if (i > 0) val += cfg.separator;
    val += lb.get(cfg.sourceLabels[i]!);
  }
  const re = cfg.re;
  switch (cfg.action) {
    case 'drop':
      return !re.test(val);
    case 'keep':
      return re.test(val);
    case 'dropequal':
      return lb.get(cfg.targetLabel) !== val;
    case 'keepequal':
      return lb.get(cfg.targetLabel) === val;
    case 'replace': {
      const m = re.exec(val);
      if (!m) return true;
      const target = expandTemplate(cfg.targetLabel, m);
      if (!isValidLabelName(target)) {
        lb.del(cfg.targetLabel);
        return true;
      }
      lb.set(target, expandTemplate(cfg.replacement, m));
      return true;
    }
    case 'lowercase':
      lb.set(cfg.targetLabel, val.toLowerCase());
      return true;
    case 'uppercase':
      lb.set(cfg.targetLabel, val.toUpperCase());
      return true;
    case 'hashmod':
      lb.set(cfg.targetLabel, String(hashmod(val, cfg.modulus)));
      return true;
    case 'labelmap': {
      const adds: Array<[string, string]> = [];
      lb.forEach((name, value) => {
        const m = re.exec(name);
        if (m) adds.push([expandTemplate(cfg.replacement, m), value]);
      });
      for (const [n, v] of adds) lb.set(n, v);
      return true;
    }
    case 'labeldrop': {
      const del: string[] = [];
      lb.forEach((name) => {
        if (re.test(name)) del.push(name);
      });
      lb.del(...del);
      return true;
    }
    case 'labelkeep': {
      const del: string[] = [];
      lb.forEach((name) => {
        if (!re.test(name)) del.push(name);
      });
      lb.del(...del);
      return true;
    }
  }
}
