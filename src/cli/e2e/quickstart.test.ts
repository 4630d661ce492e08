/**
 * The quick start as a user runs it: `vigil server` with no --config.file in an empty
 * working dir. The built-in default config scrapes Vigil itself (job "vigil") and its
 * host collectors (job "node"), evaluates the shipped rules, and serves API and UI.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { activeTargets, apiData, eventually, queryVector, startVigilServer, tempDir, type VigilServerHandle } from '../../testutil/index.js';

const dir = tempDir('vigil-e2e-quickstart-');
let vigil: VigilServerHandle;

before(async () => {
  // Only the two flags a user needs on a shared machine; everything else is default.
  vigil = await startVigilServer({ dir: dir.path, dataDir: join(dir.path, 'tsdb') });
});
after(async () => {
  await vigil?.stop();
  dir.cleanup();
});

test('startup log says where the API and UI are', () => {
  const out = vigil.proc.output();
  assert.match(out, /config="\(built-in default configuration\)" msg="Starting Vigil server"/);
  assert.match(out, new RegExp(`api=http://127\\.0\\.0\\.1:${vigil.port}/api/v1`));
  assert.match(out, new RegExp(`ui="?http://127\\.0\\.0\\.1:${vigil.port}/`));
  assert.match(out, /Vigil server is ready to receive web requests/);
});

test('both default targets (vigil, node) are up within two 15s scrape intervals', { timeout: 45_000 }, async () => {
  // The default scrape_interval is 15s; each target's first scrape is offset within it.
  const targets = await eventually(async () => {
    const ts = await activeTargets(vigil.base);
    return ts.length === 2 && ts.every((t) => t.health === 'up') ? ts : null;
  }, 32_000, 500);
  const byJob = Object.fromEntries(targets.map((t) => [t.labels['job'], t]));
  assert.equal(byJob['vigil']?.scrapeUrl, `http://localhost:${vigil.port}/metrics`);
  assert.equal(byJob['node']?.scrapeUrl, `http://localhost:${vigil.port}/metrics/node`);
  for (const t of targets) assert.equal(t.lastError, '');
});

test('series, query and metadata APIs answer with scraped data', { timeout: 20_000 }, async () => {
  const names = await apiData<string[]>(vigil.base, '/api/v1/label/__name__/values');
  assert.ok(names.some((n) => n.startsWith('node_')), 'node_* series');
  assert.ok(names.some((n) => n.startsWith('vigil_')), 'vigil_* series');
  const nodeSeries = await apiData<Array<Record<string, string>>>(vigil.base, `/api/v1/series?match[]=${encodeURIComponent('{job="node",__name__=~"node_.+"}')}`);
  assert.ok(nodeSeries.length > 10, `${nodeSeries.length} node_* series`);
  const own = await apiData<Array<Record<string, string>>>(vigil.base, `/api/v1/series?match[]=${encodeURIComponent('{__name__=~"vigil_.+"}')}`);
  assert.ok(own.length > 10 && own.every((s) => s['job'] === 'vigil' || s['job'] === undefined), `${own.length} vigil_* series`);
  const build = await apiData<Array<Record<string, string>>>(vigil.base, `/api/v1/series?match[]=vigil_build_info`);
  assert.deepEqual(build.map((s) => s['job']), ['vigil']);

  const up = await queryVector(vigil.base, 'up');
  assert.deepEqual(up.map((s) => [s.metric['job'], s.value[1]]).sort(), [['node', '1'], ['vigil', '1']]);
  const cpus = await queryVector(vigil.base, 'count(count by (cpu) (node_cpu_seconds_total))');
  assert.ok(Number(cpus[0]?.value[1]) >= 1, 'node_cpu_seconds_total per cpu');
  const meta = await apiData<Record<string, Array<{ type: string }>>>(vigil.base, '/api/v1/metadata?metric=node_cpu_seconds_total');
  assert.equal(meta['node_cpu_seconds_total']?.[0]?.type, 'counter');
});

test('the shipped default rules are loaded and evaluate healthily', { timeout: 40_000 }, async () => {
  interface Rule { name: string; health: string; lastError?: string; lastEvaluation: string }
  interface Group { name: string; file: string; interval: number; rules: Rule[] }
  const groups = await eventually(async () => {
    const gs = (await apiData<{ groups: Group[] }>(vigil.base, '/api/v1/rules')).groups;
    // evaluation_interval is 15s: wait until every rule ran once.
    return gs.length > 0 && gs.every((g) => g.rules.every((r) => r.health !== 'unknown')) ? gs : null;
  }, 35_000, 500);
  const files = new Set(groups.map((g) => g.file.split('/').pop()));
  for (const f of ['node.rules.yml', 'vigil.rules.yml', 'targets.rules.yml']) assert.ok(files.has(f), f);
  for (const g of groups) {
    assert.equal(g.interval, 15);
    for (const r of g.rules) assert.equal(r.health, 'ok', `${g.name}/${r.name}: ${r.lastError ?? ''}`);
  }
});

test('UI root serves HTML; buildinfo answers', async () => {
  const r = await fetch(`${vigil.base}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await r.text(), /<html|<!doctype html/i);
  const b = await apiData<Record<string, string>>(vigil.base, '/api/v1/status/buildinfo');
  assert.match(b['version'] ?? '', /^\d+\.\d+\.\d+/);
  // The built-in Alertmanager runs with its default config (alerts kept, nothing sent).
  const am = (await (await fetch(`${vigil.base}/alertmanager/api/v2/status`)).json()) as { config: { original: string } };
  assert.match(am.config.original, /receiver: default/);
  const healthy = await fetch(`${vigil.base}/-/healthy`);
  assert.equal(healthy.status, 200);
  assert.ok(existsSync(join(vigil.dataDir, 'wal')), 'WAL under --storage.tsdb.path');
  assert.ok(!existsSync(join(dir.path, 'data')), 'nothing written to ./data of the working dir');
});
