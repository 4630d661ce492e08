import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { VIGIL_BIN, eventually, findBinary, freePort, skipUnless, startVigil, tempDir } from '../../testutil/index.js';

const AMTOOL = findBinary('amtool');
const run = promisify(execFile);

const CONFIG = `route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['severity="page"']
      receiver: pager
      continue: true
    - match: {team: db}
      receiver: db
      routes:
        - matchers: [env=~"prod|stage"]
          receiver: dbprod
        - match_re: {service: 'mysql|pg'}
          receiver: dbsvc
    - matchers: ['team!~"db|web"', owner=~".+"]
      receiver: owners
receivers:
  - name: default
  - name: pager
  - name: db
  - name: dbprod
  - name: dbsvc
  - name: owners
`;

const LABEL_SETS = [['severity=page', 'team=db', 'env=prod'], ['team=db', 'service=pg'], ['team=db'], ['owner=me'], ['owner=me', 'team=web'], ['severity=page'], ['foo=bar']];

async function out(cmd: string, args: string[]): Promise<{ code: number; text: string }> {
  return run(cmd, args, { timeout: 20_000 }).then(
    (r) => ({ code: 0, text: r.stdout }),
    (e: { code?: number; stdout?: string }) => ({ code: e.code ?? 1, text: e.stdout ?? '' }),
  );
}

test('vigil alertmanager routes test prints what amtool config routes test prints', { skip: skipUnless(AMTOOL, 'prometheus-alertmanager'), timeout: 90_000 }, async () => {
  const dir = tempDir('am-routes-');
  try {
    const cfg = join(dir.path, 'am.yml');
    writeFileSync(cfg, CONFIG);
    for (const labels of LABEL_SETS) {
      for (const extra of [[], ['--tree'], ['--verify.receivers=pager,dbprod']]) {
        const want = await out(AMTOOL!, ['config', 'routes', 'test', `--config.file=${cfg}`, ...extra, ...labels]);
        const got = await out(process.execPath, [VIGIL_BIN, 'alertmanager', 'routes', 'test', `--config=${cfg}`, ...extra, ...labels]);
        assert.equal(got.text, want.text, `${labels.join(' ')} ${extra.join(' ')}`);
        assert.equal(got.code, want.code, `exit code for ${labels.join(' ')} ${extra.join(' ')}`);
      }
    }
    const want = await out(AMTOOL!, ['config', 'routes', `--config.file=${cfg}`]);
    const got = await out(process.execPath, [VIGIL_BIN, 'alertmanager', 'routes', `--config=${cfg}`]);
    assert.equal(got.text, want.text);
  } finally {
    dir.cleanup();
  }
});

test('vigil alertmanager serves behind basic auth from --web.config.file', { timeout: 30_000 }, async () => {
  const dir = tempDir('vigil-am-auth-');
  const port = await freePort();
  writeFileSync(join(dir.path, 'am.yml'), 'route:\n  receiver: r\nreceivers:\n  - name: r\n');
  writeFileSync(join(dir.path, 'web.yml'), `basic_auth_users:\n  ops: ${bcrypt.hashSync('s3cret', 4)}\n`);
  const am = await startVigil(['alertmanager', `--config.file=${join(dir.path, 'am.yml')}`, `--storage.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${join(dir.path, 'web.yml')}`]);
  try {
    const base = `http://127.0.0.1:${port}`;
    const anon = await eventually(async () => fetch(`${base}/api/v2/status`).catch(() => null), 15_000);
    assert.equal(anon.status, 401);
    assert.equal(anon.headers.get('www-authenticate'), 'Basic');
    const auth = { Authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` };
    const ok = await fetch(`${base}/api/v2/status`, { headers: auth });
    assert.equal(ok.status, 200);
    assert.ok(((await ok.json()) as { config: { original: string } }).config.original.includes('receiver: r'));
    const wrong = await fetch(`${base}/api/v2/status`, { headers: { Authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } });
    assert.equal(wrong.status, 401);
  } finally {
    await am.stop();
    dir.cleanup();
  }
});
