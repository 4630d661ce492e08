import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { ConfigError, loadConfigFile, type Config, type HTTPClientConfig } from '../../config/index.js';
import { expandGlob, parseTargetGroupsFile } from '../../discovery/index.js';
import { errorMessage, formatFlagHelp, parseFlags, type FlagSpec } from '../../util/index.js';
import type { Command } from '../main.js';
import { checkExitCode, checkRuleFiles, lintMode } from './check-rules.js';

const FLAGS: FlagSpec[] = [
  { name: 'syntax-only', kind: 'bool', help: 'Only check the config file syntax, ignoring file and content validation referenced in the config.' },
  { name: 'lint', kind: 'string', default: 'duplicate-rules', help: 'Linting checks to apply to the rules specified in the config: "all", "duplicate-rules" or "none".' },
  { name: 'lint-fatal', kind: 'bool', help: 'Make lint errors exit with exit code 3.' },
  { name: 'help', kind: 'bool', help: 'Show help.' },
];

export interface CheckResult {
  ok: boolean;
  /** What promtool prints for this file. */
  lines: string[];
  /** Rule files the config references (globs expanded), for a rule checker to check next. */
  ruleFiles: string[];
}

function checkFile(path: string, what: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`error checking ${what} "${path}": stat ${path}: no such file or directory`);
  }
  if (st.isDirectory()) throw new Error(`error checking ${what} "${path}": is a directory`);
  accessSync(path, constants.R_OK);
}

function checkHttp(h: HTTPClientConfig, where: string): void {
  if (h.basicAuth?.passwordFile) checkFile(h.basicAuth.passwordFile, `${where} password file`);
  if (h.authorization?.credentialsFile) checkFile(h.authorization.credentialsFile, `${where} credentials file`);
  for (const [f, what] of [
    [h.tlsConfig.caFile, 'CA file'],
    [h.tlsConfig.certFile, 'client certificate file'],
    [h.tlsConfig.keyFile, 'client key file'],
  ] as const) {
    if (f) checkFile(f, `${where} ${what}`);
  }
}

/** Files a config references (promtool's checkConfig): rule files, secrets, TLS files, file_sd files. */
function checkReferences(cfg: Config, lines: string[]): string[] {
  const ruleFiles: string[] = [];
  for (const rf of cfg.ruleFiles) {
    const matches = expandGlob(rf);
    if (!/[*?[]/.test(rf)) {
      try {
        checkFile(rf, 'rule file');
      } catch {
        throw new Error(`"${rf}" does not point to an existing file`);
      }
    }
    ruleFiles.push(...matches.filter((m) => !/[*?[]/.test(rf) || safeIsFile(m)));
  }
  for (const sc of cfg.scrapeConfigs) {
    checkHttp(sc.httpClientConfig, `scrape config "${sc.jobName}"`);
    for (const f of sc.fileSDConfigs) {
      for (const pattern of f.files) {
        for (const file of expandGlob(pattern)) {
          if (!safeIsFile(file)) continue;
          try {
            parseTargetGroupsFile(readFileSync(file, 'utf8'), file);
          } catch (err) {
            lines.push(`  WARNING: file "${file}" for file_sd in scrape job "${sc.jobName}" does not exist or is invalid: ${errorMessage(err)}`);
          }
        }
      }
    }
  }
  for (const am of cfg.alerting.alertmanagers) checkHttp(am.httpClientConfig, 'alertmanager config');
  for (const rw of cfg.remoteWrite) checkHttp(rw.httpClientConfig, `remote_write "${rw.url}"`);
  return ruleFiles;
}

function safeIsFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Checks one prometheus.yml; the lines are what promtool prints for it. Rule file
 * contents are not checked here (the command checks `ruleFiles` next).
 */
export async function checkConfigFile(path: string, syntaxOnly: boolean): Promise<CheckResult> {
  const lines = [`Checking ${path}`];
  const ruleFiles: string[] = [];
  try {
    const cfg = await loadConfigFile(path);
    if (!syntaxOnly) {
      const warnings: string[] = [];
      const rules = checkReferences(cfg, warnings);
      lines.push(...warnings);
      // promtool prints this line only when the config references rule files.
      if (rules.length > 0) lines.push(`  SUCCESS: ${rules.length} rule files found`);
      ruleFiles.push(...rules);
    }
    lines.push(` SUCCESS: ${path} is valid prometheus config file syntax`);
    return { ok: true, lines, ruleFiles };
  } catch (err) {
    lines.push(`  FAILED: ${err instanceof ConfigError ? err.message : errorMessage(err)}`);
    return { ok: false, lines, ruleFiles: [] };
  }
}

/**
 * `vigil check config FILE...` — like `promtool check config`: SUCCESS/FAILED per file, then
 * each referenced rule file is checked as `check rules` would (errors indented as promtool
 * does here). Exit 1 when a config or rule file is invalid, 3 for lint findings with
 * --lint-fatal, 0 otherwise (lint findings alone do not fail the check, as in promtool).
 */
export const command: Command = {
  summary: 'check that prometheus.yml files are valid (promtool check config)',
  async run(argv: string[]): Promise<number> {
    const flags = parseFlags(FLAGS, argv);
    if (flags.bool('help') || flags.positional.length === 0) {
      const out = `usage: vigil check config [flags] FILE...\n\nFlags:\n${formatFlagHelp(FLAGS)}\n`;
      (flags.bool('help') ? process.stdout : process.stderr).write(out);
      return flags.bool('help') ? 0 : 2;
    }
    const lint = lintMode(flags.string('lint'));
    const out = (s: string): void => void process.stdout.write(s);
    const err = (s: string): void => void process.stderr.write(s);
    const verdict = { failed: false, lintFailed: false };
    for (const file of flags.positional) {
      const r = await checkConfigFile(file, flags.bool('syntax-only'));
      // As promtool: the verdict lines on stdout, a FAILED line on stderr.
      for (const l of r.lines) (l.startsWith('  FAILED:') ? err : out)(l + '\n');
      out('\n');
      const rules = await checkRuleFiles(r.ruleFiles, lint, '     ', out, err);
      verdict.failed ||= !r.ok || rules.failed;
      verdict.lintFailed ||= rules.lintFailed;
    }
    return checkExitCode(verdict, flags.bool('lint-fatal'));
  },
};
