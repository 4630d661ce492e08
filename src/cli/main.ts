import { UserError, buildInfo, errorMessage } from '../util/index.js';

/**
 * `vigil <command> [subcommand] [flags]`. Each command lives in its own module
 * under ./commands and is loaded on demand, so `vigil agent` never loads the TSDB.
 */
export interface Command {
  /** One-line description for `vigil --help`. */
  summary: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; module: string }> = {
  server: { summary: 'run the monitoring server (scrape, store, query, alert, UI)', module: './commands/server.js' },
  agent: { summary: 'run the host collectors alone (node_exporter compatible, :9100)', module: './commands/agent.js' },
  alertmanager: { summary: 'run the Alertmanager alone (:9093), or test its routes', module: './commands/alertmanager.js' },
  check: { summary: 'validate config, rule and alertmanager files', module: './commands/check.js' },
  test: { summary: 'run rule unit tests (promtool test rules format)', module: './commands/test.js' },
  tsdb: { summary: 'storage tools: import, analyze, dump', module: './commands/tsdb.js' },
};

function usage(): string {
  const lines = ['usage: vigil <command> [flags]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(14)} ${c.summary}`);
  lines.push('', 'Run `vigil <command> --help` for the flags of a command.');
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    const b = buildInfo();
    process.stdout.write(`vigil, version ${b.version} (revision: ${b.revision})\n  runtime: ${b.goVersion}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`vigil: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  let cmd: Command;
  try {
    cmd = ((await import(entry.module)) as { command: Command }).command;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(err).includes(entry.module.slice(2))) {
      process.stderr.write(`vigil: command "${name}" is not available in this build\n`);
      return 2;
    }
    throw err;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`vigil ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`vigil ${name}: ${errorMessage(err)}\n${err instanceof Error ? err.stack ?? '' : ''}\n`);
    return 1;
  }
}
