import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { VIGIL_BIN, findBinary, skipUnless, tempDir } from '../../testutil/index.js';

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
