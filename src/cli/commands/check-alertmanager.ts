/**
 * `vigil check alertmanager FILE...` — validates alertmanager.yml files like
 * `amtool check-config`: same summary, exit 1 when any file fails.
 */
import { loadConfigFile, loadTemplates } from '../../alertmgr/index.js';
import type { Command } from '../main.js';

export async function checkAlertmanagerFiles(
  files: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  if (files.length === 0) {
    out('usage: vigil check alertmanager FILE...\n');
    return 2;
  }
  let failed = 0;
  for (const f of files) {
    try {
      const cfg = loadConfigFile(f);
      // Templates must parse too (amtool only checks that the files exist; parsing them is stricter).
      loadTemplates(cfg.templates);
      out(`Checking '${f}'  SUCCESS\nFound:\n`);
      out(` - global config\n - route\n - ${cfg.inhibitRules.length} inhibit rules\n - ${cfg.receivers.length} receivers\n - ${cfg.templates.length} templates\n`);
      out('\n');
    } catch (e) {
      failed++;
      out(`Checking '${f}'  FAILED: ${(e as Error).message}\n\n`);
    }
  }
  if (failed > 0) {
    err(`vigil check alertmanager: failed to validate ${failed} file(s)\n`);
    return 1;
  }
  return 0;
}

export const command: Command = {
  summary: 'validate alertmanager.yml files (like amtool check-config)',
  run: (argv) => checkAlertmanagerFiles(argv.filter((a) => !a.startsWith('--'))),
};
