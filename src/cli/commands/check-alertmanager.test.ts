import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { findBinary, skipUnless, tempDir } from '../../testutil/index.js';
import { checkAlertmanagerFiles } from './check-alertmanager.js';

const AMTOOL = findBinary('amtool');

const CASES: Array<[string, string]> = [
  ['ok', "global: {smtp_smarthost: 'h:25', smtp_from: a@b}\nroute:\n  receiver: x\n  group_by: ['...']\n  routes:\n  - matchers: ['a=~\"b|c\"']\n    receiver: x\n    continue: true\nreceivers:\n- name: x\n  email_configs: [{to: t@b, headers: {Subject: s}}]\n  webhook_configs: [{url: 'http://127.0.0.1:1/'}]\n"],
  ['unknown field', 'route:\n  receiver: x\n  foo: 1\nreceivers:\n- name: x\n'],
  ['undefined receiver', 'route:\n  receiver: y\nreceivers:\n- name: x\n'],
  ['duplicate receiver', 'route:\n  receiver: x\nreceivers:\n- name: x\n- name: x\n'],
  ['bad duration', 'route:\n  receiver: x\n  group_wait: 5 minutes\nreceivers:\n- name: x\n'],
  ['root matchers', 'route:\n  receiver: x\n  matchers: [a="b"]\nreceivers:\n- name: x\n'],
  ['no smarthost', 'route:\n  receiver: x\nreceivers:\n- name: x\n  email_configs: [{to: a@b}]\n'],
  ['seeds subject', "global: {smtp_smarthost: 'h:25', smtp_from: a@b}\nroute:\n  receiver: x\nreceivers:\n- name: x\n  email_configs:\n  - to: a@b\n    subject: hi\n"],
  ['bad regex', 'route:\n  receiver: x\n  routes:\n  - matchers: [a=~"("]\nreceivers:\n- name: x\n'],
  ['wildcard mix', 'route:\n  receiver: x\n  group_by: [a, "..."]\nreceivers:\n- name: x\n'],
  ['no route', 'receivers:\n- name: x\n'],
];

test('vigil check alertmanager agrees with amtool check-config', { skip: skipUnless(AMTOOL, 'prometheus-alertmanager'), timeout: 60_000 }, async () => {
  const dir = tempDir('am-check-');
  const run = promisify(execFile);
  try {
    let failures = 0;
    for (const [name, text] of CASES) {
      const f = join(dir.path, name.replace(/\W+/g, '_') + '.yml');
      writeFileSync(f, text);
      const real = await run(AMTOOL!, ['check-config', f]).then(
        () => 0,
        (e: { code?: number }) => e.code ?? 1,
      );
      let out = '';
      const ours = await checkAlertmanagerFiles([f], (s) => (out += s), (s) => (out += s));
      assert.equal(ours === 0, real === 0, `${name}: amtool exit ${real}, vigil exit ${ours}: ${out}`);
      if (ours !== 0) {
        failures++;
        assert.match(out, new RegExp(`Checking '${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'  FAILED: `));
      } else assert.match(out, /SUCCESS\nFound:\n - global config\n - route\n - 0 inhibit rules\n - 1 receivers\n - 0 templates/);
    }
    assert.equal(failures, CASES.length - 1);
  } finally {
    dir.cleanup();
  }
});
