import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tempDir } from '../testutil/index.js';
import { RequestContext, Router } from '../util/index.js';
import { dashboardRoutes } from './index.js';

const repoDashboards = new URL('../../dashboards', import.meta.url).pathname;

let server: Server;
let base = '';
const tmp = tempDir('vigil-dash-');
const provDir = join(tmp.path, 'prov');
const importDir = join(tmp.path, 'imported');

async function serve(routes: ReturnType<typeof dashboardRoutes>): Promise<{ server: Server; base: string }> {
  const router = new Router().mount(routes);
  const srv = createServer((req, res) => {
    const ctx = new RequestContext(req, res);
    const m = router.match(ctx.method, ctx.url.pathname);
    if (m === null || m === 'method') {
      ctx.send(m === null ? 404 : 405, 'text/plain', 'no');
      return;
    }
    ctx.params = m.params;
    Promise.resolve(m.handler(ctx)).catch((err: unknown) => ctx.send(500, 'text/plain', String(err)));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  return { server: srv, base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
}

before(async () => {
  mkdirSync(join(provDir, 'sub'), { recursive: true });
  writeFileSync(join(provDir, 'plain.json'), JSON.stringify({ uid: 'plain', title: 'Plain', tags: ['a'], panels: [] }));
  // Grafana API export wrapper, no uid: the uid comes from the file name.
  writeFileSync(join(provDir, 'sub', 'Wrapped Board.json'), JSON.stringify({ dashboard: { title: 'Wrapped', panels: [{ type: 'text' }] }, meta: {} }));
  writeFileSync(join(provDir, 'broken.json'), '{"title": "x",');
  writeFileSync(join(provDir, 'zz-dup.json'), JSON.stringify({ uid: 'plain', title: 'Duplicate' }));
  writeFileSync(join(provDir, 'notes.txt'), 'not a dashboard');
  ({ server, base } = await serve(dashboardRoutes({ dirs: [provDir, repoDashboards], writableDir: importDir })));
});

after(() => {
  server.close();
  tmp.cleanup();
});

interface Envelope<T> {
  status: string;
  data: T;
  warnings?: string[];
  error?: string;
}

async function getJson<T>(path: string): Promise<{ status: number; body: Envelope<T> }> {
  const r = await fetch(base + path);
  return { status: r.status, body: (await r.json()) as Envelope<T> };
}

async function post(body: string): Promise<{ status: number; body: Envelope<{ uid: string; title: string; file: string }> }> {
  const r = await fetch(base + '/api/vigil/dashboards', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
  return { status: r.status, body: (await r.json()) as Envelope<{ uid: string; title: string; file: string }> };
}

type ListItem = { uid: string; title: string; tags: string[]; file: string };

test('lists provisioned dashboards, unwraps exports and reports bad files as warnings', async () => {
  const { status, body } = await getJson<ListItem[]>('/api/vigil/dashboards');
  assert.equal(status, 200);
  const uids = body.data.map((d) => d.uid).sort();
  assert.deepEqual(uids, ['Wrapped-Board', 'node-overview', 'plain', 'vigil-self']);
  const plain = body.data.find((d) => d.uid === 'plain')!;
  assert.deepEqual(plain.tags, ['a']);
  assert.equal(plain.file, join(provDir, 'plain.json'));
  const warnings = body.warnings ?? [];
  assert.ok(warnings.some((w) => w.includes('broken.json') && w.includes('invalid JSON')), warnings.join('\n'));
  assert.ok(warnings.some((w) => w.includes('zz-dup.json') && w.includes('already used')), warnings.join('\n'));
});

test('gets one dashboard by uid, 404 for an unknown uid', async () => {
  const ok = await getJson<{ title: string; uid: string; panels: unknown[] }>('/api/vigil/dashboards/Wrapped-Board');
  assert.equal(ok.status, 200);
  assert.equal(ok.body.data.title, 'Wrapped');
  assert.equal(ok.body.data.uid, 'Wrapped-Board');
  const missing = await getJson<unknown>('/api/vigil/dashboards/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.status, 'error');
  assert.match(missing.body.error ?? '', /nope/);
});

test('imports a dashboard: assigns a uid, saves it, lists it, refuses duplicates without overwrite', async () => {
  const r = await post(JSON.stringify({ dashboard: { title: 'Imported', panels: [] }, overwrite: false }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(r.body.data.uid, /^[A-Za-z0-9]{9}$/);
  assert.deepEqual(readdirSync(importDir), [`${r.body.data.uid}.json`]);
  const saved = JSON.parse(readFileSync(join(importDir, `${r.body.data.uid}.json`), 'utf8')) as { title: string; uid: string };
  assert.equal(saved.title, 'Imported');
  assert.equal(saved.uid, r.body.data.uid);
  const got = await getJson<{ title: string }>(`/api/vigil/dashboards/${r.body.data.uid}`);
  assert.equal(got.body.data.title, 'Imported');

  const again = await post(JSON.stringify({ uid: r.body.data.uid, title: 'Imported 2' }));
  assert.equal(again.status, 409);
  assert.match(again.body.error ?? '', /overwrite/);
  const over = await post(JSON.stringify({ dashboard: { uid: r.body.data.uid, title: 'Imported 2' }, overwrite: true }));
  assert.equal(over.status, 200);
  assert.equal((await getJson<{ title: string }>(`/api/vigil/dashboards/${r.body.data.uid}`)).body.data.title, 'Imported 2');

  const provisioned = await post(JSON.stringify({ uid: 'plain', title: 'Hijack' }));
  assert.equal(provisioned.status, 409);
  assert.match(provisioned.body.error ?? '', /provisioned/);
});

test('import validation errors are precise', async () => {
  const cases: Array<[string, RegExp]> = [
    ['{"title": ', /invalid JSON/],
    ['[1,2]', /must be a JSON object/],
    ['{"panels": []}', /"title" must be a non-empty string/],
    ['{"title": "x", "uid": "../../etc"}', /"uid" must be 1-40 characters/],
    ['{"title": "x", "panels": {}}', /"panels" must be an array/],
    ['{"title": "x", "panels": [{"type": "graph", "targets": 3}]}', /panels\[0\]\.targets must be an array/],
  ];
  for (const [body, re] of cases) {
    const r = await post(body);
    assert.equal(r.status, 400, body);
    assert.match(r.body.error ?? '', re, body);
  }
});

test('import is refused when no writable folder is configured', async () => {
  const ro = await serve(dashboardRoutes({ dirs: [provDir] }));
  try {
    const r = await fetch(ro.base + '/api/vigil/dashboards', { method: 'POST', body: '{"title":"x"}' });
    assert.equal(r.status, 403);
    assert.match(((await r.json()) as { error: string }).error, /importing is disabled/);
  } finally {
    ro.server.close();
  }
});

test('shipped dashboards are valid and use the instance variable', () => {
  for (const name of ['node-overview.json', 'vigil-self.json']) {
    const d = JSON.parse(readFileSync(join(repoDashboards, name), 'utf8')) as { schemaVersion: number; panels: Array<{ type: string; targets?: Array<{ expr: string }> }>; templating: { list: Array<{ name: string }> } };
    assert.ok(d.schemaVersion >= 27, name);
    assert.ok(d.panels.length >= 6, name);
    assert.ok(d.templating.list.some((v) => v.name === 'instance'), name);
    for (const p of d.panels) for (const t of p.targets ?? []) assert.ok(t.expr.length > 0, `${name}: empty expr`);
  }
});
