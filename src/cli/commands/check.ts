import type { Command } from '../main.js';

/**
 * `vigil check <config|rules|alertmanager> ...` — like `promtool check config|rules`
 * and `amtool check-config`. Each checker lives in its own module, owned by the
 * subsystem that knows the format, and is loaded only when asked for.
 */
const CHECKERS: Record<string, { module: string; summary: string }> = {
  config: { module: './check-config.js', summary: 'check prometheus.yml (and the rule files it references)' },
  rules: { module: './check-rules.js', summary: 'check rule files' },
  alertmanager: { module: './check-alertmanager.js', summary: 'check alertmanager.yml and its templates' },
};

function usage(): string {
  const lines = ['usage: vigil check <what> [flags] <file>...', '', 'What:'];
  for (const [name, c] of Object.entries(CHECKERS)) lines.push(`  ${name.padEnd(14)} ${c.summary}`);
  lines.push('', 'Run `vigil check <what> --help` for its flags.');
  return lines.join('\n');
}

export const command: Command = {
  summary: 'validate config, rule and alertmanager files',
  async run(argv: string[]): Promise<number> {
    const [what, ...rest] = argv;
    if (what === undefined || what === '--help' || what === '-h' || what === 'help') {
      process.stdout.write(usage() + '\n');
      return what === undefined ? 2 : 0;
    }
    const entry = CHECKERS[what];
    if (!entry) {
      process.stderr.write(`vigil check: unknown check "${what}"\n\n${usage()}\n`);
      return 2;
    }
    let sub: Command;
    try {
      sub = ((await import(entry.module)) as { command: Command }).command;
    } catch (err) {
      // Only the checker module itself being absent means "not built"; its own broken imports are real errors.
      if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(err).includes(entry.module.slice(2))) {
        process.stderr.write(`vigil check ${what}: not available in this build\n`);
        return 2;
      }
      throw err;
    }
    return sub.run(rest);
  },
};
