/**
 * Differential suite: the same dataset in Prometheus 2.42 (imported with
 * promtool from OpenMetrics) and in Vigil (MemoryStorage, engine compat '2'),
 * the same queries through both HTTP APIs, compared response by response.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MemoryStorage } from '../storage/index.js';
import { findBinary, freePort, skipUnless, startProcess, tempDir, type RunningProcess } from '../testutil/index.js';
import { RequestContext, Router, apiError } from '../util/index.js';
import { buildCorpus, INVALID_QUERIES } from './difftest/corpus.js';
import { compareResponses } from './difftest/compare.js';
import { DURATION, STALE_START, T0, generateDataset, generateStaleDataset, loadInto, toOpenMetrics } from './difftest/dataset.js';
import { remoteWrite } from './difftest/remote-write.js';
import { Engine, queryRoutes } from './index.js';

const prometheus = findBinary('prometheus');
const promtool = findBinary('promtool');
const skip = skipUnless(prometheus && promtool, 'prometheus');

let prom: RunningProcess | null = null;
let vigil: Server | null = null;
let promUrl = '';
let vigilUrl = '';
let cleanup = (): void => {};

before(async () => {
  if (skip) return;
  const dir = tempDir('vigil-promql-diff-');
  cleanup = dir.cleanup;
  const data = generateDataset();
  const om = join(dir.path, 'data.om');
  writeFileSync(om, toOpenMetrics(data));
  const tsdb = join(dir.path, 'tsdb');
  const r = spawnSync(promtool!, ['tsdb', 'create-blocks-from', 'openmetrics', om, tsdb], { encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool failed: ${r.stderr}`);
  const cfg = join(dir.path, 'prometheus.yml');
  writeFileSync(cfg, 'global:\n  evaluation_interval: 1m\n');
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prom = await startProcess(
    prometheus!,
    [`--config.file=${cfg}`, `--storage.tsdb.path=${tsdb}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y', '--log.level=warn', '--web.enable-remote-write-receiver'],
    { readyUrl: `${promUrl}/-/ready`, readyTimeoutMs: 30_000 },
  );

  // Staleness markers cannot go through OpenMetrics: send them by remote write.
  const stale = generateStaleDataset();
  await remoteWrite(`${promUrl}/api/v1/write`, stale);
  const storage = new MemoryStorage();
  await loadInto(storage, data);
  await loadInto(storage, stale);
  const engine = new Engine({ compat: '2', experimentalFunctions: false });
  const router = new Router().mount(queryRoutes(engine, storage));
  vigil = createServer((req, res) => {
    const ctx = new RequestContext(req, res);
    const m = router.match(req.method ?? 'GET', ctx.url.pathname);
    if (!m || m === 'method') return ctx.sendApi(apiError('not_found', 'not found'));
    ctx.params = m.params;
    Promise.resolve(m.handler(ctx)).catch((err: unknown) => ctx.sendApi(apiError('internal', String(err))));
  });
  await new Promise<void>((resolve) => vigil!.listen(0, '127.0.0.1', resolve));
  const addr = vigil.address();
  vigilUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

after(async () => {
  await prom?.stop();
  await new Promise<void>((resolve) => (vigil ? vigil.close(() => resolve()) : resolve()));
  cleanup();
});

interface Req {
  path: string;
  params: Record<string, string>;
  post: boolean;
  query: string;
}

async function call(base: string, r: Req): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = new URLSearchParams(r.params).toString();
  const res = r.post
    ? await fetch(base + r.path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
    : await fetch(`${base}${r.path}?${body}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function runAll(reqs: Req[], strictErrors: boolean): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < reqs.length) {
      const r = reqs[next++]!;
      const [p, v] = await Promise.all([call(promUrl, r), call(vigilUrl, r)]);
      let diff = p.status !== v.status ? `HTTP ${p.status} vs ${v.status}: ${JSON.stringify(p.body)} / ${JSON.stringify(v.body)}` : null;
      diff ??= compareResponses(p.body as never, v.body as never, { ordered: /^sort/.test(r.query) && r.path.endsWith('/query'), strictErrors });
      if (diff) problems.push(`${r.path} ${JSON.stringify(r.params)}: ${diff}`);
    }
  };
  await Promise.all([1, 2, 3, 4, 5, 6].map(worker));
  // Set VIGIL_DIFF_OUT=file to get every difference, not just the first 40.
  const out = process.env['VIGIL_DIFF_OUT'];
  if (out) appendFileSync(out, problems.join('\n') + '\n');
  return problems;
}

const sec = (ms: number): string => (ms / 1000).toFixed(3);

test('differential: queries return what Prometheus 2.42 returns', { skip, timeout: 170_000 }, async () => {
  const corpus = buildCorpus();
  assert.ok(corpus.length >= 500, `corpus has ${corpus.length} queries`);
  const times = [T0 + 3600_000 + 2 * 60_000 + 7, T0 + 3600_000 + 10 * 60_000, T0 + 2.5 * 3600_000, T0 + DURATION + 3 * 60_000];
  const reqs: Req[] = [];
  corpus.forEach((query, i) => {
    for (const t of times) reqs.push({ path: '/api/v1/query', params: { query, time: sec(t) }, post: i % 2 === 0, query });
    reqs.push({
      path: '/api/v1/query_range',
      params: { query, start: sec(T0 + 30 * 60_000), end: sec(T0 + DURATION + 10 * 60_000), step: '60' },
      post: i % 2 === 1,
      query,
    });
    if (i % 5 === 0) {
      reqs.push({ path: '/api/v1/query_range', params: { query, start: sec(T0 + 3600_000 + 1234), end: sec(T0 + 2 * 3600_000), step: '37s' }, post: false, query });
    }
  });
  const problems = await runAll(reqs, true);
  assert.deepEqual(problems.slice(0, 40), [], `${problems.length} of ${reqs.length} requests differ`);
});

test('differential: explicit staleness markers (sent by remote write) end series like in Prometheus', { skip, timeout: 60_000 }, async () => {
  const queries = [
    'stale_gauge',
    'stale_counter_total',
    'rate(stale_counter_total[5m])',
    'increase(stale_counter_total[10m])',
    'resets(stale_counter_total[30m])',
    'count_over_time(stale_gauge[5m])',
    'last_over_time(stale_gauge[5m])',
    'changes(stale_gauge[10m])',
    'present_over_time(stale_gauge[1m])',
    'absent_over_time(stale_gauge{i="1"}[1m])',
    'absent(stale_gauge{i="1"})',
    'timestamp(stale_gauge)',
    'sum(stale_gauge)',
    'stale_gauge offset 2m',
    'max_over_time(stale_gauge[3m:30s])',
    'stale_gauge > 15',
    'stale_gauge @ ' + ((STALE_START + 5 * 60_000 + 500) / 1000).toFixed(3),
  ];
  const M = 60_000;
  const times = [4 * M, 5 * M + 1000, 6 * M, 6 * M + 500, 6 * M + 1500, 7 * M + 59_000, 9 * M + 30_000, 10 * M + 10_000, 12 * M, 16 * M, 26 * M];
  const reqs: Req[] = [];
  for (const query of queries) {
    for (const t of times) reqs.push({ path: '/api/v1/query', params: { query, time: sec(STALE_START + t) }, post: false, query });
    reqs.push({ path: '/api/v1/query_range', params: { query, start: sec(STALE_START), end: sec(STALE_START + 30 * M), step: '20' }, post: true, query });
  }
  const problems = await runAll(reqs, true);
  assert.deepEqual(problems, []);
  // The markers really reached Prometheus: a marker hides the series within the lookback window.
  const r = await call(promUrl, { path: '/api/v1/query', params: { query: 'stale_gauge{i="1"}', time: sec(STALE_START + 11 * M) }, post: false, query: '' });
  assert.deepEqual((r.body['data'] as { result: unknown[] }).result, []);
  const before = await call(promUrl, { path: '/api/v1/query', params: { query: 'stale_gauge{i="1"}', time: sec(STALE_START + 9 * M) }, post: false, query: '' });
  assert.equal((before.body['data'] as { result: unknown[] }).result.length, 1);
});

test('differential: invalid queries are rejected like Prometheus (400 bad_data with a position)', { skip, timeout: 60_000 }, async () => {
  assert.ok(INVALID_QUERIES.length >= 50);
  const reqs: Req[] = INVALID_QUERIES.map((query) => ({ path: '/api/v1/query', params: { query, time: sec(T0 + 3600_000) }, post: false, query }));
  // Error messages must match too, except where Go's regexp/lexer wording is not reproduced.
  const looseMessages = new Set(['foo[5x]', 'foo[]', 'foo{a=~"("}', 'foo[5m:1m:1m]']);
  const problems = [
    ...(await runAll(reqs.filter((r) => !looseMessages.has(r.query)), true)),
    ...(await runAll(reqs.filter((r) => looseMessages.has(r.query)), false)),
  ];
  assert.deepEqual(problems, []);
  for (const query of INVALID_QUERIES) {
    const v = await call(vigilUrl, { path: '/api/v1/query', params: { query, time: '1' }, post: false, query });
    assert.equal(v.status, 400, query);
    assert.equal(v.body['errorType'], 'bad_data', query);
    assert.match(String(v.body['error']), /^invalid parameter "query": \d+:\d+: parse error: /, query);
  }
});

test('differential: API parameter validation matches Prometheus', { skip, timeout: 60_000 }, async () => {
  const q = 'up';
  const reqs: Req[] = [
    { path: '/api/v1/query', params: { query: q, time: 'abc' }, post: false, query: q },
    { path: '/api/v1/query', params: { query: q, time: '2023-01-01T01:00:00Z' }, post: false, query: q },
    { path: '/api/v1/query', params: { query: q, time: '2023-01-01T01:00:00.123+02:00' }, post: true, query: q },
    { path: '/api/v1/query', params: { query: q, time: '1672534800.1234' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: q, start: sec(T0), end: sec(T0 + 3600_000), step: '0' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: q, start: sec(T0), end: sec(T0 + 3600_000), step: '-1' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: q, start: sec(T0), end: sec(T0 + 3600_000), step: 'xyz' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: q, start: sec(T0 + 3600_000), end: sec(T0), step: '15' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: q, start: sec(T0), end: sec(T0 + 7 * 86400_000), step: '1' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: q, start: 'x', end: sec(T0), step: '15' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: q, start: sec(T0), end: '', step: '15' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: q, start: '2023-01-01T00:30:00Z', end: '2023-01-01T01:00:00Z', step: '1m30s' }, post: true, query: q },
    { path: '/api/v1/query_range', params: { query: q, start: sec(T0 + 1800_000), end: sec(T0 + 3600_000), step: '90.5' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: 'up[5m]', start: sec(T0), end: sec(T0 + 3600_000), step: '15' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: '"str"', start: sec(T0), end: sec(T0 + 3600_000), step: '15' }, post: false, query: q },
    { path: '/api/v1/query_range', params: { query: 'time()', start: sec(T0), end: sec(T0 + 600_000), step: '60' }, post: false, query: q },
    { path: '/api/v1/query', params: { query: '' }, post: false, query: q },
  ];
  const problems = await runAll(reqs, true);
  assert.deepEqual(problems, []);
});

test('differential: format_query matches Prometheus', { skip, timeout: 60_000 }, async () => {
  const queries = buildCorpus().filter((_, i) => i % 3 === 0).concat(['sum  by(a,b)(x)', 'a+b*c', '-(1)', 'foo{a="b",c=~"d"}[5m:] offset 1m', 'x offset -5m', 'topk(3,x)', 'a / on(b) group_left(c) d', 'a > bool 1', '1e6 + 1e-5 + 123456', '0x10',
    'sum by (job, instance) (rate(http_requests_total{job="api",code=~"5.."}[5m])) / on(job, instance) group_left sum by (job, instance) (rate(http_requests_total[5m])) > bool 0.05',
    'histogram_quantile(0.99, sum by (le, job, instance) (rate(http_request_duration_seconds_bucket{job=~"api|web"}[5m] offset 1h)))',
    '-(node_memory_MemAvailable_bytes{instance="a:9100"} / node_memory_MemTotal_bytes{instance="a:9100"} * 100 - 50 + node_load1{instance="a:9100"})',
    'max_over_time(rate(node_network_receive_bytes_total{device!="lo",instance=~"a.*|b.*"}[5m])[30m:1m]) * 8 / 1024 / 1024 + avg(up)',
    'topk(5, sum without (cpu, mode) (rate(node_cpu_seconds_total{mode!="idle",instance=~".+"}[5m])) * on(instance) group_left(version) build_info)']);
  // Prometheus 2.42 may predate format_query; probe first.
  const probe = await fetch(`${promUrl}/api/v1/format_query?query=up`);
  if (probe.status === 404) return;
  const problems: string[] = [];
  for (const query of queries) {
    const p = (await (await fetch(`${promUrl}/api/v1/format_query?${new URLSearchParams({ query })}`)).json()) as { data?: string; status: string };
    const v = (await (await fetch(`${vigilUrl}/api/v1/format_query?${new URLSearchParams({ query })}`)).json()) as { data?: string; status: string };
    if (p.status !== v.status || (p.status === 'success' && p.data !== v.data)) problems.push(`${query}: ${JSON.stringify(p.data)} vs ${JSON.stringify(v.data)}`);
  }
  assert.deepEqual(problems, []);
});
