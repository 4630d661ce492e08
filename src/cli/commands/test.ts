import { existsSync } from 'node:fs';
import { promqlQueryFunc, promqlValidatorFor, ruleTemplater, rulesEngine, runRuleUnitTests } from '../../rules/index.js';
import { formatFlagHelp, parseFlags, UserError, type FlagSpec } from '../../util/index.js';
import type { Command } from '../main.js';

/**
 * `vigil test rules FILE...` — runs rule unit tests in promtool's format with
 * promtool's verdicts and output; exit code 0 when all pass, 1 otherwise.
 */
const FLAGS: FlagSpec[] = [
  { name: 'run', kind: 'strings', placeholder: 'REGEX', help: 'only run test groups whose name matches (repeatable)' },
  {
    name: 'promql.compat',
    kind: 'string',
    default: '3',
    placeholder: '2|3',
    help: 'PromQL semantics: 3 (Vigil server default) or 2 (promtool 2.x: closed lookback/range windows)',
  },
  { name: 'diff', kind: 'bool', help: 'add a line diff of expected and actual alerts/samples to each failure' },
  { name: 'help', kind: 'bool', help: 'show this help' },
];

const USAGE = 'usage: vigil test rules [flags] TEST-FILE...';

export async function testRules(argv: string[]): Promise<number> {
  const flags = parseFlags(FLAGS, argv);
  if (flags.bool('help')) {
    process.stdout.write(`${USAGE}\n\n${formatFlagHelp(FLAGS)}\n`);
    return 0;
  }
  const files = flags.positional;
  if (files.length === 0) throw new UserError(`at least one test file is required\n${USAGE}`);
  for (const f of files) {
    // promtool exits 1 (not 2) for a missing file; scripts compare exit codes.
    if (!existsSync(f)) {
      process.stderr.write(`vigil test rules: path '${f}' does not exist\n`);
      return 1;
    }
  }
  let run: RegExp[];
  try {
    run = flags.strings('run').map((r) => new RegExp(r));
  } catch (err) {
    throw new UserError(`--run: ${(err as Error).message}`);
  }
  const compat = flags.string('promql.compat');
  if (compat !== '2' && compat !== '3') throw new UserError(`--promql.compat: expected 2 or 3, got ${JSON.stringify(compat)}`);
  const engine = rulesEngine({ compat });
  return runRuleUnitTests(files, { makeQuery: (s) => promqlQueryFunc(s, engine), validator: promqlValidatorFor(compat), templater: ruleTemplater(), run, diff: flags.bool('diff') });
}

export const command: Command = {
  summary: 'run rule unit tests (promtool test rules format)',
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === 'rules') return testRules(rest);
    if (sub === undefined || sub === '--help' || sub === '-h') {
      process.stdout.write(`${USAGE}\n\n${formatFlagHelp(FLAGS)}\n`);
      return sub === undefined ? 2 : 0;
    }
    throw new UserError(`unknown subcommand "${sub}"\n${USAGE}`);
  },
};
