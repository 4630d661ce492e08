import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STALE_NAN, labelsFromStrings, labelsToObject, type Labels } from '../model/index.js';
import { MemoryStorage } from '../storage/index.js';
import { ERR_TOO_MANY_SAMPLES, Engine, EvalError, formatExpr, type InstantResult } from './index.js';

/** Samples as [t, v] pairs; 'stale' appends STALE_NAN directly (plain arrays would canonicalise its NaN bits). */
async function store(series: Array<[Labels, Array<[number, number | 'stale']>]>): Promise<MemoryStorage> {
  const st = new MemoryStorage();
  const app = st.appender();
  for (const [ls, samples] of series) for (const [t, v] of samples) app.append(0, ls, t, v === 'stale' ? STALE_NAN : v);
  await app.commit();
  return st;
}

function vec(r: InstantResult): Array<{ labels: Record<string, string>; v: number }> {
  assert.equal(r.resultType, 'vector');
  if (r.resultType !== 'vector') return [];
  return r.result.map((s) => ({ labels: labelsToObject(s.labels), v: s.v }));
}

const L = (...kv: string[]): Labels => labelsFromStrings(...kv);

test('staleness markers end a series immediately; range functions skip them', async () => {
  const st = await store([[L('__name__', 'g'), [[0, 1], [15_000, 2], [30_000, 'stale'], [45_000, 4]]]]);
  const e = new Engine();
  assert.deepEqual(vec(await e.instantQuery(st, 'g', 29_000)), [{ labels: { __name__: 'g' }, v: 2 }]);
  // Within the lookback delta but after the marker: nothing.
  assert.deepEqual(vec(await e.instantQuery(st, 'g', 40_000)), []);
  assert.deepEqual(vec(await e.instantQuery(st, 'g', 50_000)), [{ labels: { __name__: 'g' }, v: 4 }]);
  assert.deepEqual(vec(await e.instantQuery(st, 'count_over_time(g[1m])', 50_000)), [{ labels: {}, v: 3 }]);
  // Without a marker the last sample is returned for 5 minutes.
  assert.deepEqual(vec(await e.instantQuery(st, 'g', 45_000 + 299_000)), [{ labels: { __name__: 'g' }, v: 4 }]);
  assert.deepEqual(vec(await e.instantQuery(st, 'g', 45_000 + 301_000)), []);
});

test('compat 3 range selectors and lookback are left-open; compat 2 closed', async () => {
  const st = await store([[L('__name__', 'g'), [[0, 1], [60_000, 2], [120_000, 3]]]]);
  const e3 = new Engine();
  const e2 = new Engine({ compat: '2' });
  assert.deepEqual(vec(await e3.instantQuery(st, 'count_over_time(g[1m])', 120_000)), [{ labels: {}, v: 1 }]);
  assert.deepEqual(vec(await e2.instantQuery(st, 'count_over_time(g[1m])', 120_000)), [{ labels: {}, v: 2 }]);
  assert.deepEqual(vec(await e3.instantQuery(st, 'g', 420_000)), []);
  assert.deepEqual(vec(await e2.instantQuery(st, 'g', 420_000)), [{ labels: { __name__: 'g' }, v: 3 }]);
});

test('compat 3 regex . matches newline; compat 2 does not', async () => {
  const st = await store([[L('__name__', 'g', 'x', 'a\nb'), [[0, 1]]]]);
  assert.equal(vec(await new Engine().instantQuery(st, 'g{x=~"a.b"}', 1000)).length, 1);
  assert.equal(vec(await new Engine({ compat: '2' }).instantQuery(st, 'g{x=~"a.b"}', 1000)).length, 0);
});

test('rate/increase extrapolate as Prometheus, with counter resets', async () => {
  const samples: Array<[number, number]> = [];
  for (let i = 0; i <= 20; i++) samples.push([i * 15_000 + 5_000, i < 10 ? i * 15 : (i - 10) * 15]);
  const st = await store([[L('__name__', 'c_total'), samples]]);
  const e = new Engine({ compat: '2' });
  // 2 samples 15s apart fully inside a 1m window: extrapolated by avg/2 on each side.
  const [r] = vec(await e.instantQuery(st, 'increase(c_total[1m])', 60_000));
  // samples at 5s,20s,35s,50s -> 0,15,30,45: delta 45 over 45s; start gap 5s(< 1.1*15) end gap 10s.
  // durationToZero = 45 * 0/45 = 0 < 5 => start extends 0s. Interval = 45 + 0 + 10 = 55.
  assert.ok(Math.abs(r!.v - (45 * 55) / 45) < 1e-9, String(r!.v));
  const [rr] = vec(await e.instantQuery(st, 'rate(c_total[5m])', 300_000));
  assert.ok(rr!.v > 0.9 && rr!.v < 1.1, String(rr!.v));
  const [resets] = vec(await e.instantQuery(st, 'resets(c_total[5m])', 310_000));
  assert.equal(resets!.v, 1);
  const [irate] = vec(await e.instantQuery(st, 'irate(c_total[1m])', 155_000));
  assert.equal(irate!.v, 0); // reset: last value 0 / 15s
});

test('vector matching errors and same-labelset errors', async () => {
  const st = await store([
    [L('__name__', 'a', 'x', '1', 'y', '1'), [[0, 1]]],
    [L('__name__', 'a', 'x', '1', 'y', '2'), [[0, 2]]],
    [L('__name__', 'b', 'x', '1'), [[0, 3]]],
    [L('__name__', 'c', 'x', '1', 'y', '1'), [[0, 4]]],
  ]);
  const e = new Engine();
  await assert.rejects(e.instantQuery(st, 'a + on(x) b', 0), /many-to-one matching must be explicit/);
  await assert.rejects(e.instantQuery(st, 'b + on(x) a', 0), /found duplicate series for the match group \{x="1"\} on the right hand-side/);
  await assert.rejects(e.instantQuery(st, '{__name__=~"a|c", y="1"} * 2', 0), /vector cannot contain metrics with the same labelset/);
  assert.deepEqual(
    vec(await e.instantQuery(st, 'a + on(x) group_left b', 0)).map((s) => s.v).sort(),
    [4, 5],
  );
  await assert.rejects(e.instantQuery(st, 'label_replace(a, "x", "1", "y", "(")', 0), /invalid regular expression in label_replace\(\)/);
});

test('histogram_quantile on classic buckets (monotonicity fix, +Inf required)', async () => {
  const b = (le: string, v: number): [Labels, Array<[number, number]>] => [L('__name__', 'h_bucket', 'le', le), [[0, v]]];
  const st = await store([b('0.1', 10), b('0.5', 30), b('1', 25), b('+Inf', 40)]);
  const e = new Engine();
  const [q] = vec(await e.instantQuery(st, 'histogram_quantile(0.5, h_bucket)', 0));
  // rank 20 falls in (0.1, 0.5]: 0.1 + 0.4 * (10/20)
  assert.ok(Math.abs(q!.v - 0.3) < 1e-12);
  const [hi] = vec(await e.instantQuery(st, 'histogram_quantile(0.99, h_bucket)', 0));
  assert.equal(hi!.v, 1); // beyond the last finite bucket
  const [noInf] = vec(await e.instantQuery(st, 'histogram_quantile(0.5, h_bucket{le!="+Inf"})', 0));
  assert.ok(Number.isNaN(noInf!.v));
});

test('max samples limit fails the query with Prometheus error; process keeps serving', async () => {
  const series: Array<[Labels, Array<[number, number]>]> = [];
  for (let i = 0; i < 50; i++) series.push([L('__name__', 'm', 'i', String(i)), Array.from({ length: 100 }, (_, j) => [j * 1000, j] as [number, number])]);
  const st = await store(series);
  // What Prometheus 2.42 does with --query.max-samples=1000 (checked against it): a range
  // function over a selector holds one series' window at a time plus its output, so
  // 50 series x 100 samples pass; returning the 5000 raw samples does not.
  const e = new Engine({ maxSamples: 1000 });
  const tooMany = (err: unknown): boolean => err instanceof EvalError && err.kind === 'too_many_samples' && err.message === ERR_TOO_MANY_SAMPLES;
  assert.equal(vec(await e.instantQuery(st, 'sum(count_over_time(m[2m]))', 100_000))[0]!.v, 5000);
  await assert.rejects(e.instantQuery(st, 'm[2m]', 100_000), tooMany);
  // With --query.max-samples=99 one series' 100-sample window is already too many.
  await assert.rejects(new Engine({ maxSamples: 99 }).instantQuery(st, 'sum(count_over_time(m[2m]))', 100_000), tooMany);
  assert.equal(vec(await e.instantQuery(st, 'm{i="1"}', 100_000)).length, 1);
});

test('timeout and cancellation', async () => {
  const series: Array<[Labels, Array<[number, number]>]> = [];
  for (let i = 0; i < 200; i++) series.push([L('__name__', 'm', 'i', String(i)), Array.from({ length: 400 }, (_, j) => [j * 15_000, j] as [number, number])]);
  const st = await store(series);
  const e = new Engine({ timeoutMs: 1 });
  await assert.rejects(e.rangeQuery(st, 'max_over_time(rate(m[5m])[30m:15s])', 0, 6_000_000, 15_000), (err: unknown) => err instanceof EvalError && err.kind === 'timeout');
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(new Engine().instantQuery(st, 'm', 0, { signal: ac.signal }), (err: unknown) => err instanceof EvalError && err.kind === 'canceled');
});

test('concurrency limit queues queries instead of failing them', async () => {
  const st = await store([[L('__name__', 'g'), [[0, 1]]]]);
  const e = new Engine({ maxConcurrent: 1 });
  const results = await Promise.all(Array.from({ length: 5 }, () => e.instantQuery(st, 'g', 1000)));
  assert.equal(results.length, 5);
  for (const r of results) assert.equal(vec(r).length, 1);
  assert.deepEqual(e.stats(), { running: 0, queued: 0 });
});

test('range query results: step alignment, scalar results and sorting by labels', async () => {
  const st = await store([
    [L('__name__', 'g', 'i', 'b'), [[0, 1], [60_000, 2]]],
    [L('__name__', 'g', 'i', 'a'), [[0, 3]]],
  ]);
  const e = new Engine();
  const r = await e.rangeQuery(st, 'g', 0, 120_000, 30_000);
  assert.deepEqual(r.result.map((s) => labelsToObject(s.labels)['i']), ['a', 'b']);
  assert.deepEqual(Array.from(r.result[1]!.ts), [0, 30_000, 60_000, 90_000, 120_000]);
  assert.deepEqual(Array.from(r.result[1]!.vs), [1, 1, 2, 2, 2]);
  const s = await e.rangeQuery(st, 'time()', 0, 60_000, 30_000);
  assert.deepEqual(Array.from(s.result[0]!.vs), [0, 30, 60]);
  await assert.rejects(e.rangeQuery(st, 'g[5m]', 0, 60_000, 30_000), /invalid expression type "range vector" for range query/);
});

test('3.x functions: double_exponential_smoothing, sort_by_label, mad_over_time, limitk', async () => {
  const st = await store([
    [L('__name__', 'g', 'i', 'x10'), [[0, 1], [15_000, 3], [30_000, 2]]],
    [L('__name__', 'g', 'i', 'x9'), [[0, 5], [15_000, 5], [30_000, 9]]],
  ]);
  const e = new Engine();
  const d = vec(await e.instantQuery(st, 'double_exponential_smoothing(g[1m], 0.5, 0.5)', 30_000));
  assert.equal(d.length, 2);
  const sorted = vec(await e.instantQuery(st, 'sort_by_label(g, "i")', 30_000)).map((s) => s.labels['i']);
  assert.deepEqual(sorted, ['x9', 'x10']); // natural order
  const mad = vec(await e.instantQuery(st, 'mad_over_time(g[1m])', 30_000)).map((s) => s.v).sort();
  assert.deepEqual(mad, [0, 1]);
  assert.equal(vec(await e.instantQuery(st, 'limitk(1, g)', 30_000)).length, 1);
  await assert.rejects(e.instantQuery(st, 'double_exponential_smoothing(g[1m], 1, 0.5)', 30_000), /invalid smoothing factor/);
});

test('experimental syntax: fill modifiers and duration expressions (off by default)', async () => {
  const st = await store([
    [L('__name__', 'a', 'x', '1'), [[0, 1]]],
    [L('__name__', 'a', 'x', '2'), [[0, 2]]],
    [L('__name__', 'b', 'x', '2'), [[0, 10]]],
    [L('__name__', 'b', 'x', '3'), [[0, 30]]],
  ]);
  await assert.rejects(new Engine().instantQuery(st, 'a + fill(0) b', 0), /parse error/);
  const e = new Engine({ experimentalSyntax: true });
  const byX = async (q: string): Promise<Record<string, number>> =>
    Object.fromEntries(vec(await e.instantQuery(st, q, 0)).map((s) => [s.labels['x'], s.v]));
  assert.deepEqual(await byX('a + b'), { '2': 12 });
  assert.deepEqual(await byX('a + fill(0) b'), { '1': 1, '2': 12, '3': 30 });
  assert.deepEqual(await byX('a - fill_left(100) b'), { '2': -8, '3': 70 });
  assert.deepEqual(await byX('a * fill_right(5) b'), { '1': 5, '2': 20 });
  const r = e.parse('rate(a[(5m + 1m) * 2])');
  assert.equal(r.type === 'Call' && r.args[0]!.type === 'MatrixSelector' && r.args[0].range, 720_000);
});

test('info() adds data labels of target_info by instance and job', async () => {
  const st = await store([
    [L('__name__', 'up', 'instance', 'a', 'job', 'j'), [[0, 1]]],
    [L('__name__', 'up', 'instance', 'b', 'job', 'j'), [[0, 1]]],
    [L('__name__', 'target_info', 'instance', 'a', 'job', 'j', 'version', '1.2', 'region', 'eu'), [[0, 1]]],
  ]);
  const e = new Engine();
  const r = vec(await e.instantQuery(st, 'info(up)', 0)).sort((x, y) => (x.labels['instance']! < y.labels['instance']! ? -1 : 1));
  assert.deepEqual(r[0]!.labels, { __name__: 'up', instance: 'a', job: 'j', region: 'eu', version: '1.2' });
  assert.deepEqual(r[1]!.labels, { __name__: 'up', instance: 'b', job: 'j' });
  const only = vec(await e.instantQuery(st, 'info(up, {version=~".+"})', 0));
  assert.deepEqual(only.map((s) => s.labels), [{ __name__: 'up', instance: 'a', job: 'j', version: '1.2' }]);
});

test('3.x annotations: non-counter info, invalid quantile and le warnings, forced monotonicity (none in compat 2)', async () => {
  const b = (le: string, v: number): [Labels, Array<[number, number]>] => [L('__name__', 'h_bucket', 'le', le), [[0, v], [15_000, v]]];
  const st = await store([[L('__name__', 'queries'), [[0, 1], [15_000, 5]]], b('0.1', 10), b('0.5', 9), b('+Inf', 40), b('abc', 1)]);
  const e = new Engine();
  const r = await e.instantQueryWithWarnings(st, 'rate(queries[1m])', 15_000);
  assert.deepEqual(r.infos, ['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "queries" (1:6)']);
  const h = await e.instantQueryWithWarnings(st, 'histogram_quantile(1.5, h_bucket)', 15_000);
  assert.deepEqual(h.warnings.sort(), [
    'PromQL warning: bucket label "le" is missing or has a malformed value of "abc" for metric name "h_bucket" (1:25)',
    'PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:20)',
  ]);
  const m = await e.instantQueryWithWarnings(st, 'histogram_quantile(0.5, h_bucket)', 15_000);
  assert.equal(m.infos.length, 1);
  assert.match(m.infos[0]!, /^PromQL info: input to histogram_quantile needed to be fixed for monotonicity/);
  const two = await new Engine({ compat: '2' }).instantQueryWithWarnings(st, 'histogram_quantile(1.5, h_bucket) or rate(queries[1m])', 15_000);
  assert.deepEqual([two.warnings, two.infos], [[], []]);
});

test('one Querier per query, covering every selector (offsets, @, subqueries), closed afterwards', async () => {
  const st = await store([[L('__name__', 'g'), [[0, 1], [600_000, 2]]]]);
  const opened: Array<[number, number]> = [];
  let closed = 0;
  const counting = {
    async querier(mint: number, maxt: number) {
      opened.push([mint, maxt]);
      const q = await st.querier(mint, maxt);
      return { ...q, select: q.select.bind(q), labelNames: q.labelNames.bind(q), labelValues: q.labelValues.bind(q), close: () => (closed++, q.close()) };
    },
  };
  const e = new Engine();
  await e.rangeQuery(counting, 'g + g offset 5m + max_over_time(g[10m:1m] offset 1m) + g @ 100', 600_000, 1_200_000, 60_000);
  assert.equal(opened.length, 1);
  assert.equal(closed, 1);
  // lowest: subquery start (600s - 1m offset - 10m range - 1m step) minus the 5m lookback.
  assert.equal(opened[0]![0], 600_000 - 60_000 - 600_000 - 60_000 - 300_000);
  assert.equal(opened[0]![1], 1_200_000);
});

test('limit_ratio selects by the label-set hash: complementary ratios partition the series', async () => {
  const series: Array<[Labels, Array<[number, number]>]> = [];
  for (let i = 0; i < 200; i++) series.push([L('__name__', 'm', 'i', String(i)), [[0, i]]]);
  const st = await store(series);
  const e = new Engine();
  const a = vec(await e.instantQuery(st, 'limit_ratio(0.3, m)', 0)).map((s) => s.labels['i']);
  const b = vec(await e.instantQuery(st, 'limit_ratio(-0.7, m)', 0)).map((s) => s.labels['i']);
  assert.equal(a.length + b.length, 200);
  assert.equal(new Set([...a, ...b]).size, 200);
  assert.ok(a.length > 30 && a.length < 90, String(a.length));
  // Stable: the same series every time.
  assert.deepEqual(vec(await e.instantQuery(st, 'limit_ratio(0.3, m)', 0)).map((s) => s.labels['i']), a);
});

test('functions newer than 2.42 follow their documented semantics', async () => {
  const st = await store([
    [L('__name__', 'g', 'i', 'x10'), [[0, 1], [15_000, 3], [30_000, 2]]],
    [L('__name__', 'g', 'i', 'x9'), [[0, 5], [15_000, 5], [30_000, 9]]],
  ]);
  const e = new Engine();
  const byI = async (q: string): Promise<Record<string, number>> => Object.fromEntries(vec(await e.instantQuery(st, q, 30_000)).map((s) => [s.labels['i'], s.v]));
  // Holt's linear trend: s1=x0, b=x1-x0, then s=sf*x+(1-sf)*(s+b), b=tf*(s-s_prev)+(1-tf)*b.
  assert.deepEqual(await byI('double_exponential_smoothing(g[1m], 0.5, 0.5)'), { x10: 3.5, x9: 7 });
  assert.deepEqual(await byI('first_over_time(g[1m])'), { x10: 1, x9: 5 });
  assert.deepEqual(await byI('ts_of_max_over_time(g[1m])'), { x10: 15, x9: 30 });
  assert.deepEqual(await byI('ts_of_min_over_time(g[1m])'), { x10: 0, x9: 15 });
  assert.deepEqual(await byI('ts_of_last_over_time(g[1m])'), { x10: 30, x9: 30 });
  // Median absolute deviation: median(|x - median(x)|).
  assert.deepEqual(await byI('mad_over_time(g[1m])'), { x10: 1, x9: 0 });
  // first_over_time keeps the metric name like last_over_time; the others drop it.
  assert.equal(vec(await e.instantQuery(st, 'first_over_time(g[1m])', 30_000))[0]!.labels['__name__'], 'g');
  assert.equal(vec(await e.instantQuery(st, 'mad_over_time(g[1m])', 30_000))[0]!.labels['__name__'], undefined);
  const desc = vec(await e.instantQuery(st, 'sort_by_label_desc(g, "i")', 30_000)).map((s) => s.labels['i']);
  assert.deepEqual(desc, ['x10', 'x9']);
});

test('experimental anchored / smoothed range selectors (design-doc example: total increase 11 split across windows)', async () => {
  const pts: Array<[number, number]> = [
    [10, 1], [25, 2], [40, 3], [55, 4], [70, 5], [85, 9], [100, 10], [115, 11], [130, 12], [145, 13],
  ].map(([t, v]) => [t! * 1000, v!]);
  const st = await store([[L('__name__', 'c_total'), pts]]);
  const e = new Engine({ experimentalSyntax: true });
  const one = async (q: string, t: number): Promise<number> => vec(await e.instantQuery(st, q, t * 1000))[0]!.v;
  assert.equal(await one('increase(c_total[1m] anchored)', 75), 4);
  assert.equal(await one('increase(c_total[1m] anchored)', 135), 7);
  assert.ok(Math.abs((await one('increase(c_total[1m] smoothed)', 75)) - 5) < 1e-12);
  assert.ok(Math.abs((await one('increase(c_total[1m] smoothed)', 135)) - 6) < 1e-12);
  assert.ok(Math.abs((await one('rate(c_total[1m] anchored)', 135)) - 7 / 60) < 1e-12);
  assert.throws(() => e.parse('max_over_time(c_total[1m] anchored)'), /anchored modifier can only be used with/);
  assert.equal(formatExprOf(e, 'rate(c_total[1m] smoothed)'), 'rate(c_total[1m] smoothed)');
});

function formatExprOf(e: Engine, q: string): string {
  return formatExpr(e.parse(q));
}

test('max samples also bounds the step grid of a huge range query (memory), not only loaded samples', async () => {
  const series: Array<[Labels, Array<[number, number]>]> = [];
  for (let i = 0; i < 20; i++) series.push([L('__name__', 'm', 'i', String(i)), [[0, i]]]);
  const st = await store(series);
  const e = new Engine({ maxSamples: 10_000 });
  await assert.rejects(e.rangeQuery(st, 'm', 0, 11_000_000, 1000), (err: unknown) => err instanceof EvalError && err.kind === 'too_many_samples');
  assert.equal((await e.rangeQuery(st, 'm', 0, 100_000, 1000)).result.length, 20);
});

test('experimental anchored / smoothed instant selectors', async () => {
  const st = await store([[L('__name__', 'g'), [[0, 10], [60_000, 20], [70_000, 'stale'], [120_000, 40]]]]);
  const e = new Engine({ experimentalSyntax: true });
  const at = async (q: string, t: number): Promise<number[]> => vec(await e.instantQuery(st, q, t)).map((s) => s.v);
  assert.deepEqual(await at('g', 90_000), []); // the marker hides it
  assert.deepEqual(await at('g anchored', 90_000), [20]); // markers ignored
  assert.deepEqual(await at('g smoothed', 30_000), [15]);
  assert.deepEqual(await at('g smoothed', 90_000), [30]);
  assert.deepEqual(await at('g smoothed', 150_000), [40]); // nothing after: the sample before
  assert.equal(formatExpr(e.parse('g smoothed offset 1m')), 'g smoothed offset 1m');
});
