import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { startVigil } from '../../testutil/index.js';

async function run(args: string[]): Promise<{ code: number | null; out: string }> {
  const p = await startVigil(args);
  const code = await p.exited;
  return { code, out: p.output() };
}

test('vigil check dispatches to checkers and explains missing ones', async () => {
  const usage = await run(['check']);
  assert.equal(usage.code, 2);
  assert.match(usage.out, /usage: vigil check <what>/);
  assert.match(usage.out, /config .*\n.*rules .*\n.*alertmanager /);
  const help = await run(['check', '--help']);
  assert.equal(help.code, 0);
  const unknown = await run(['check', 'dashboards']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.out, /unknown check "dashboards"/);
  for (const what of ['config', 'rules', 'alertmanager']) {
    const r = await run(['check', what, '--help']);
    if (existsSync(new URL(`./check-${what}.js`, import.meta.url))) {
      // Merged checkers get the arguments after their name.
      assert.doesNotMatch(r.out, /not available in this build/, what);
    } else {
      assert.equal(r.code, 2, what);
      assert.equal(r.out, `vigil check ${what}: not available in this build\n`);
    }
  }
});
