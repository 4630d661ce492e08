import { existsSync } from 'node:fs';
import { labelsToString, labelsFromObject, type Labels } from '../../model/index.js';
import { loadRuleFile, promqlValidator, ruleTemplater, type RuleGroupSpec } from '../../rules/index.js';
import { formatFlagHelp, parseFlags, UserError, type FlagSpec } from '../../util/index.js';
import type { Command } from '../main.js';

/**
 * `vigil check rules FILE...` — validates rule files like `promtool check rules`:
 * same output (Checking / SUCCESS: N rules found / FAILED: with file:line:col errors),
 * exit code 1 on invalid files, duplicate-rule lint (exit 3 with --lint-fatal).
 */
const FLAGS: FlagSpec[] = [
  { name: 'lint', kind: 'string', default: 'duplicate-rules', help: 'linting checks to apply: "all", "duplicate-rules" or "none"' },
  { name: 'lint-fatal', kind: 'bool', help: 'make lint errors exit with exit code 3' },
  { name: 'help', kind: 'bool', help: 'show this help' },
];

export type LintMode = 'all' | 'duplicate-rules' | 'none';

/** The verdict on one rule file, before printing. */
export interface RuleFileCheck {
  /** Number of rules (valid files only). */
  rules: number;
  /** Errors, each "file: line:col: message" (empty when the file is valid). */
  errors: string[];
  /** promtool's duplicate-rules lint finding (multi-line text), or null. */
  lintError: string | null;
}

/** Parses and validates one rule file like promtool's checkRules: errors, rule count, lint finding. */
export async function checkRuleFile(file: string, lint: LintMode): Promise<RuleFileCheck> {
  const templater = ruleTemplater();
  const r = await loadRuleFile(file, { validator: promqlValidator, checkTemplate: (t, n) => templater.check(t, n) });
  if (r.errors.length > 0) return { rules: 0, errors: r.errors, lintError: null };
  const n = r.groups.reduce((s, g) => s + g.rules.length, 0);
  const dups = lint === 'none' ? [] : duplicateRules(r.groups);
  const lintError =
    dups.length === 0
      ? null
      : `lint error ${dups.length} duplicate rule(s) found.\n` +
        dups.map((d) => `Metric: ${d.metric}\nLabel(s):\n${d.labels.map((l) => `\t${l.name}: ${l.value}\n`).join('')}`).join('') +
        'Might cause inconsistency while recording expressions';
  return { rules: n, errors: [], lintError };
}

/**
 * Prints one rule file's verdict the way promtool does: "Checking FILE", then
 * "  SUCCESS: N rules found" on stdout or "  FAILED:" and the errors on stderr.
 * `errorIndent` is what precedes each error: "" for `check rules`, and promtool's
 * `Println("    ", err)` (5 spaces) when `check config` checks the rule files it references.
 */
export function printRuleFileCheck(file: string, c: RuleFileCheck, errorIndent: string, out: (s: string) => void, err: (s: string) => void): void {
  out(`Checking ${file}\n`);
  if (c.errors.length > 0) {
    err('  FAILED:\n');
    for (const e of c.errors) err(errorIndent + e + '\n');
  } else if (c.lintError !== null) {
    // As promtool: a lint finding replaces the SUCCESS line (exit code 0 unless --lint-fatal).
    err(`  FAILED:\n${errorIndent}${c.lintError}\n`);
  } else {
    out(`  SUCCESS: ${c.rules} rules found\n`);
  }
  out('\n');
}

/** Verdicts of several rule files (checked and printed in order). */
export interface RuleFilesVerdict {
  failed: boolean;
  lintFailed: boolean;
}

/** Checks and prints each file; what promtool's exit code is made of. */
export async function checkRuleFiles(files: readonly string[], lint: LintMode, errorIndent: string, out: (s: string) => void, err: (s: string) => void): Promise<RuleFilesVerdict> {
  const v: RuleFilesVerdict = { failed: false, lintFailed: false };
  for (const f of files) {
    const c = await checkRuleFile(f, lint);
    printRuleFileCheck(f, c, errorIndent, out, err);
    if (c.errors.length > 0) v.failed = true;
    else if (c.lintError !== null) v.lintFailed = true;
  }
  return v;
}

/** promtool's exit code: 1 on errors, 3 on lint findings under --lint-fatal, else 0. */
export function checkExitCode(v: RuleFilesVerdict, lintFatal: boolean): number {
  if (v.failed) return 1;
  return v.lintFailed && lintFatal ? 3 : 0;
}

/** Validates the --lint value. */
export function lintMode(v: string): LintMode {
  if (v === 'all' || v === 'duplicate-rules' || v === 'none') return v;
  throw new UserError(`--lint: unknown value ${JSON.stringify(v)} (all, duplicate-rules, none)`);
}

export async function checkRules(
  argv: string[],
  out: (s: string) => void = (s) => void process.stdout.write(s),
  err: (s: string) => void = (s) => void process.stderr.write(s),
): Promise<number> {
  const flags = parseFlags(FLAGS, argv);
  if (flags.bool('help')) {
    out(`usage: vigil check rules [flags] FILE...\n\n${formatFlagHelp(FLAGS)}\n`);
    return 0;
  }
  const files = flags.positional;
  if (files.length === 0) throw new UserError('check rules: at least one rule file is required');
  for (const f of files) {
    // promtool exits 1 (not 2) for a missing file; scripts compare exit codes.
    if (!existsSync(f)) {
      process.stderr.write(`vigil check rules: path '${f}' does not exist\n`);
      return 1;
    }
  }
  const lint = lintMode(flags.string('lint'));
  return checkExitCode(await checkRuleFiles(files, lint, '', out, err), flags.bool('lint-fatal'));
}

/** Recording rules with the same name, expression and labels (promtool's duplicate-rules lint). */
function duplicateRules(groups: RuleGroupSpec[]): Array<{ metric: string; labels: Labels }> {
  const seen = new Set<string>();
  const out: Array<{ metric: string; labels: Labels }> = [];
  for (const g of groups)
    for (const r of g.rules) {
      if (r.kind !== 'record') continue;
      const labels = labelsFromObject(r.labels);
      const key = `${r.name}\xff${r.expr}\xff${labelsToString(labels)}`;
      if (seen.has(key)) out.push({ metric: r.name, labels });
      seen.add(key);
    }
  return out;
}

export const command: Command = {
  summary: 'validate rule files (promtool check rules)',
  run: (argv) => checkRules(argv),
};
