import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { STALE_NAN, labelsFromStrings } from '../model/index.js';
import { MemoryStorage } from '../storage/index.js';
import { RequestContext, Router } from '../util/index.js';
import { Engine, queryRoutes } from './index.js';
import { formatTimestamp, parseTimeParam } from './api.js';

let server: Server;
let base = '';

before(async () => {
  const st = new MemoryStorage();
  const app = st.appender();
  for (let i = 0; i < 40; i++) {
    app.append(0, labelsFromStrings('__name__', 'req_total', 'job', 'api', 'path', '/a<b>&c'), i * 15_000, i * 3);
    app.append(0, labelsFromStrings('__name__', 'temp', 'room', 'x'), i * 15_000, i === 20 ? STALE_NAN : i === 10 ? NaN : i / 4);
  }
  await app.commit();
  const router = new Router().mount(queryRoutes(new Engine(), st, { now: () => 300_000 }));
  server = createServer((req, res) => {
    const ctx = new RequestContext(req, res);
    const m = router.match(req.method ?? 'GET', ctx.url.pathname);
    if (!m || m === 'method') {
      res.writeHead(404);
      res.end();
      return;
    }
    ctx.params = m.params;
    void m.handler(ctx);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});

after(() => new Promise<void>((r) => server.close(() => r())));

async function get(path: string, params: Record<string, string>): Promise<{ status: number; text: string }> {
  const r = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
  return { status: r.status, text: await r.text() };
}

test('instant query JSON has Prometheus shape and number formatting', async () => {
  const r = await get('/api/v1/query', { query: 'req_total', time: '150.5' });
  assert.equal(r.status, 200);
  assert.equal(
    r.text,
    '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"req_total","job":"api","path":"/a\\u003cb\\u003e\\u0026c"},"value":[150.500,"30"]}]}}',
  );
  const nan = await get('/api/v1/query', { query: 'temp', time: '150' });
  assert.match(nan.text, /"value":\[150,"NaN"\]/);
  // The staleness marker at 300s hides the series right away.
  const stale = await get('/api/v1/query', { query: 'temp', time: '301' });
  assert.match(stale.text, /"result":\[\]/);
  const scalar = await get('/api/v1/query', { query: '1/0', time: '1' });
  assert.equal(scalar.text, '{"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}}');
  const str = await get('/api/v1/query', { query: '"a\\"b"', time: '2' });
  assert.equal(str.text, '{"status":"success","data":{"resultType":"string","result":[2,"a\\"b"]}}');
  // Default time: the API clock.
  const now = await get('/api/v1/query', { query: 'time()' });
  assert.equal(now.text, '{"status":"success","data":{"resultType":"scalar","result":[300,"300"]}}');
});

test('range query over POST form and RFC3339 times', async () => {
  const r = await fetch(`${base}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: 'rate(req_total[1m])', start: '1970-01-01T00:02:00Z', end: '240', step: '1m' }).toString(),
  });
  assert.equal(r.status, 200);
  const body = (await r.json()) as { data: { resultType: string; result: Array<{ metric: object; values: [number, string][] }> } };
  assert.equal(body.data.resultType, 'matrix');
  assert.deepEqual(body.data.result[0]!.metric, { job: 'api', path: '/a<b>&c' });
  assert.deepEqual(
    body.data.result[0]!.values.map((v) => v[0]),
    [120, 180, 240],
  );
  for (const [, v] of body.data.result[0]!.values) assert.ok(Math.abs(Number(v) - 0.2) < 1e-12, v);
});

test('errors: 400 bad_data with position, 422 execution, resolution limit', async () => {
  const p = await get('/api/v1/query', { query: 'sum(rate(x[5m])' });
  assert.equal(p.status, 400);
  assert.equal(p.text, '{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:16: parse error: unclosed left parenthesis"}');
  const e = await get('/api/v1/query', { query: 'label_replace(req_total, "x", "y", "job", "(")', time: '100' });
  assert.equal(e.status, 422);
  assert.equal(e.text, '{"status":"error","errorType":"execution","error":"invalid regular expression in label_replace(): ("}');
  const res = await get('/api/v1/query_range', { query: 'up', start: '0', end: '100000', step: '1' });
  assert.equal(res.status, 400);
  assert.match(res.text, /exceeded maximum resolution of 11,000 points per timeseries/);
  const t = await get('/api/v1/query', { query: 'up', time: 'yesterday' });
  assert.equal(t.status, 400);
  assert.match(t.text, /invalid parameter \\"time\\"/);
});

test('format_query, parse_query and query_exemplars', async () => {
  const f = await get('/api/v1/format_query', { query: 'sum  by(job)(rate(req_total{job="api"}[5m]))' });
  assert.equal(f.text, '{"status":"success","data":"sum by (job) (rate(req_total{job=\\"api\\"}[5m]))"}');
  const p = await get('/api/v1/parse_query', { query: 'a + 1' });
  const pj = JSON.parse(p.text) as { data: { type: string; op: string } };
  assert.equal(pj.data.type, 'binaryExpr');
  assert.equal(pj.data.op, '+');
  const x = await get('/api/v1/query_exemplars', { query: 'req_total', start: '0', end: '10' });
  assert.equal(x.text, '{"status":"success","data":[]}');
});

test('timestamp and time parameter formatting helpers', () => {
  assert.equal(formatTimestamp(1500), '1.500');
  assert.equal(formatTimestamp(1000), '1');
  assert.equal(formatTimestamp(1005), '1.005');
  assert.equal(formatTimestamp(-1500), '-1.500');
  // Go: Modf then Round(frac*1000)/1000 — 0.2345 is 0.23449999... in binary.
  assert.equal(parseTimeParam('1.2345'), 1234);
  assert.equal(parseTimeParam('2015-07-01T20:10:51.781Z'), 1435781451781);
  assert.equal(parseTimeParam('2015-07-01T22:10:51+02:00'), 1435781451000);
  assert.throws(() => parseTimeParam('abc'), /cannot parse "abc" to a valid timestamp/);
});

test('a pathological query times out with Prometheus error type while other queries are served', async () => {
  const heavy = get('/api/v1/query_range', { query: 'quantile_over_time(0.5, req_total[1d:1s])', start: '0', end: '10000', step: '1', timeout: '0.05' });
  const light = await get('/api/v1/query', { query: 'req_total', time: '100' });
  assert.equal(light.status, 200);
  const h = await heavy;
  assert.equal(h.status, 503);
  assert.equal(h.text, '{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}');
  const again = await get('/api/v1/query', { query: 'vector(1)', time: '1' });
  assert.equal(again.status, 200);
});

test('stats=all adds Prometheus-shaped timings and sample counts; without it there is no stats member', async () => {
  type Stats = { timings: Record<string, number>; samples: { totalQueryableSamples: number; peakSamples: number } };
  const plain = JSON.parse((await get('/api/v1/query', { query: 'req_total', time: '150' })).text) as { data: Record<string, unknown> };
  assert.equal(plain.data['stats'], undefined);
  const inst = JSON.parse((await get('/api/v1/query', { query: 'sum(count_over_time(req_total[1m]))', time: '150', stats: 'all' })).text) as { data: { stats: Stats } };
  assert.deepEqual(Object.keys(inst.data.stats.timings).sort(), ['evalTotalTime', 'execQueueTime', 'execTotalTime', 'innerEvalTime', 'queryPreparationTime', 'resultSortTime']);
  for (const v of Object.values(inst.data.stats.timings)) assert.ok(v >= 0 && v < 10);
  // A 1m window at 150 s holds the samples at 105..150 s (4, left-open); the selector
  // reads the closed range 90..150 s (5) from storage.
  const read = inst.data.stats.samples.totalQueryableSamples;
  assert.ok(read === 4 || read === 5, `read ${read}`);
  assert.ok(inst.data.stats.samples.peakSamples >= 4);
  const range = JSON.parse((await get('/api/v1/query_range', { query: 'req_total', start: '0', end: '60', step: '15', stats: 'all' })).text) as { data: { resultType: string; stats: Stats } };
  assert.equal(range.data.resultType, 'matrix');
  assert.ok(range.data.stats.samples.totalQueryableSamples >= 5);
});
