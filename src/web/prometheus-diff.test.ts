import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  findBinary,
  freePort,
  skipUnless,
  startProcess,
  startTestExporter,
  startVigil,
  tempDir,
  type RunningProcess,
  type TestExporter,
} from '../testutil/index.js';

/**
 * Differential test: the real Prometheus 2.42 and Vigil scrape the same local exporter
 * with the same config and answer the same requests; the answers must agree in status,
 * JSON shape (keys and value types) and in every value that does not depend on timing.
 */
const PROMETHEUS = findBinary('prometheus');
const skip = skipUnless(PROMETHEUS, 'prometheus');
const scrapeAvailable = existsSync(new URL('../scrape/index.js', import.meta.url));
const needsScrape = scrapeAvailable ? false : 'src/scrape is not merged into this build yet';

interface Answer {
  status: number;
  contentType: string;
  text: string;
  headers: Headers;
}

async function ask(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const r = await fetch(base + path, init);
  return { status: r.status, contentType: r.headers.get('content-type') ?? '', text: await r.text(), headers: r.headers };
}

/** A type skeleton of a JSON value: object keys (sorted) with their shapes, array element shapes merged. */
function shape(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    if (v.length === 0) return ['empty'];
    const shapes = [...new Set(v.map((x) => JSON.stringify(shape(x))))].sort();
    return shapes.map((s) => JSON.parse(s) as unknown);
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = shape((v as Record<string, unknown>)[k]);
    return out;
  }
  return typeof v;
}

function json(a: Answer): Record<string, unknown> {
  return JSON.parse(a.text) as Record<string, unknown>;
}

describe('HTTP API compared with Prometheus 2.42', { skip }, () => {
  const dir = tempDir('vigil-diff-');
  let exporter: TestExporter;
  let prom: RunningProcess;
  let vigil: RunningProcess;
  let P: string;
  let V: string;

  before(async () => {
    exporter = await startTestExporter();
    const cfg = join(dir.path, 'prometheus.yml');
    writeFileSync(
      cfg,
      `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  external_labels:
    site: diff
scrape_configs:
  - job_name: exporter
    static_configs:
      - targets: ['${exporter.target}']
        labels:
          team: core
  - job_name: dropped
    basic_auth:
      username: scraper
      password: hunter2
    static_configs:
      - targets: ['127.0.0.1:1']
    relabel_configs:
      - action: drop
        source_labels: [__address__]
        regex: '127\\.0\\.0\\.1:1'
`,
    );
    const [pp, vp] = [await freePort(), await freePort()];
    P = `http://127.0.0.1:${pp}`;
    V = `http://127.0.0.1:${vp}`;
    [prom, vigil] = await Promise.all([
      startProcess(PROMETHEUS!, [`--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${pp}`, `--storage.tsdb.path=${join(dir.path, 'prom')}`, '--scrape.discovery-reload-interval=1s'], {
        readyUrl: `${P}/-/ready`,
        readyTimeoutMs: 30_000,
      }),
      startVigil(['server', `--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${vp}`, `--storage.tsdb.path=${join(dir.path, 'vigil')}`], { readyUrl: `${V}/-/ready` }),
    ]);
  });

  after(async () => {
    await Promise.all([prom?.stop(), vigil?.stop()]);
    await exporter?.close();
    dir.cleanup();
  });

  it('returns identical error envelopes for bad parameters', async () => {
    const exact = [
      '/api/v1/series',
      '/api/v1/series?match[]=up&start=abc',
      '/api/v1/series?match[]=up&end=2023-13-01T00:00:00Z',
      '/api/v1/series?match[]=up%7B',
      '/api/v1/series?match[]=%7Bjob%3D%22%22%7D',
      '/api/v1/labels?start=x',
      '/api/v1/label/1ab/values',
      '/api/v1/label/job/values?end=soon',
      '/api/v1/targets/metadata?limit=x',
      '/api/v1/metadata?limit=x',
      ...['up{job}', 'up{job="a",,}', 'up}', 'up offset 5m', 'sum(up)', 'up{job=="a"}', 'up{job!}', '"up"', 'up{1job="a"}', String.raw`up{job="a\xZZ"}`, String.raw`up{job="a\q"}`, 'up and up', '{job="a"}[5m]', '{job=~"("}', '{job=~"a)"}', '{job=~"*"}', '{job=~"[a"}', '{job=~"a{3,2}"}', '{job=~"[z-a]"}', '{job=~"a**"}', '{job=~"x{1001}"}'].map(
        (sel) => `/api/v1/labels?match[]=${encodeURIComponent(sel)}`,
      ),
    ];
    for (const path of exact) {
      const [p, v] = await Promise.all([ask(P, path), ask(V, path)]);
      assert.equal(v.status, p.status, path);
      assert.equal(v.contentType, p.contentType, path);
      assert.deepEqual(json(v), json(p), path);
    }
    // Same error class, message wording may differ (parser internals).
    for (const path of ['/api/v1/series?match[]=up%2B1', '/api/v1/targets/metadata?match_target=up%2B1', '/api/v1/label/job/values?match[]=up%7B']) {
      const [p, v] = await Promise.all([ask(P, path), ask(V, path)]);
      assert.equal(v.status, p.status, path);
      const [pj, vj] = [json(p), json(v)];
      assert.equal(vj['status'], pj['status'], path);
      assert.equal(vj['errorType'], pj['errorType'], path);
      assert.equal(String(vj['error']).split(':')[0], String(pj['error']).split(':')[0], `${path}: ${String(vj['error'])} vs ${String(pj['error'])}`);
    }
  });

  it('rejects malformed input with the same status and error type', async () => {
    for (const path of [
      '/api/v1/series?match[]=',
      '/api/v1/series?match[]=%zz',
      '/api/v1/series?match[]=up&start=%ff',
      '/api/v1/labels?match[]=%7Ba%3D~%22(%22%7D',
      '/api/v1/label/job/values?start=1e400',
      '/api/v1/targets/metadata?limit=1.5',
      '/api/v1/metadata?limit=-',
      `/api/v1/series?match[]=${'a'.repeat(5000)}%7B`,
    ]) {
      const [p, v] = await Promise.all([ask(P, path), ask(V, path)]);
      assert.equal(v.status, p.status, path);
      assert.equal(json(v)['errorType'], json(p)['errorType'], path);
    }
  });

  it('guards lifecycle, admin and remote-write endpoints identically', async () => {
    const cases: Array<[string, string]> = [
      ['POST', '/-/reload'],
      ['PUT', '/-/quit'],
      ['GET', '/-/reload'],
      ['POST', '/api/v1/admin/tsdb/snapshot'],
      ['PUT', '/api/v1/admin/tsdb/delete_series?match[]=up'],
      ['POST', '/api/v1/admin/tsdb/clean_tombstones'],
      ['POST', '/api/v1/write'],
    ];
    for (const [method, path] of cases) {
      const [p, v] = await Promise.all([ask(P, path, { method }), ask(V, path, { method })]);
      assert.equal(v.status, p.status, `${method} ${path}`);
      if (p.contentType.startsWith('application/json')) assert.deepEqual(json(v), json(p), `${method} ${path}`);
      // 2.42 names its legacy --enable-feature spelling here; Vigil names the flag.
      else if (path === '/api/v1/write') assert.match(v.text, /remote write receiver needs to be enabled with --web\.enable-remote-write-receiver/);
      else assert.equal(v.text.trim(), p.text.trim(), `${method} ${path}`);
    }
    assert.equal(prom.proc.exitCode, null);
    assert.equal(vigil.proc.exitCode, null);
  });

  it('accepts the same methods per endpoint', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    for (const path of ['/api/v1/series', '/api/v1/labels', '/api/v1/label/job/values', '/api/v1/targets', '/api/v1/targets/metadata', '/api/v1/metadata', '/api/v1/status/config', '/api/v1/status/flags', '/federate', '/-/healthy', '/-/ready', '/metrics']) {
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const init = { method, headers: form, body: 'match[]=up' };
        const [p, v] = await Promise.all([ask(P, path, init), ask(V, path, init)]);
        assert.equal(v.status, p.status, `${method} ${path}`);
      }
    }
  });

  it('answers CORS preflight and simple requests with the same headers', async () => {
    for (const method of ['OPTIONS', 'GET']) {
      const init = { method, headers: { Origin: 'http://grafana.example' } };
      const [p, v] = await Promise.all([ask(P, '/api/v1/labels', init), ask(V, '/api/v1/labels', init)]);
      assert.equal(v.status, p.status, method);
      for (const h of ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-expose-headers', 'vary']) {
        assert.equal(v.headers.get(h), p.headers.get(h), `${method} ${h}`);
      }
    }
  });

  it('has the same JSON shapes for status endpoints', async () => {
    for (const path of ['/api/v1/status/buildinfo', '/api/v1/status/runtimeinfo', '/api/v1/status/config', '/api/v1/status/walreplay', '/api/v1/status/tsdb']) {
      const [p, v] = await Promise.all([ask(P, path), ask(V, path)]);
      assert.equal(v.status, 200, path);
      assert.equal(v.contentType, p.contentType, path);
      const [pj, vj] = [json(p), json(v)];
      if (path.endsWith('/tsdb')) {
        // Prometheus 2.42 leaves the top-N lists empty for a fresh head; compare the head stats.
        assert.deepEqual(shape((vj['data'] as Record<string, unknown>)['headStats']), shape((pj['data'] as Record<string, unknown>)['headStats']), path);
        assert.deepEqual(Object.keys(vj['data'] as object).sort(), Object.keys(pj['data'] as object).sort(), path);
      } else {
        assert.deepEqual(shape(vj), shape(pj), path);
      }
    }
    const [pc, vc] = await Promise.all([ask(P, '/api/v1/status/config'), ask(V, '/api/v1/status/config')]);
    for (const [who, a] of [['prometheus', pc], ['vigil', vc]] as const) {
      const yaml = (json(a)['data'] as { yaml: string }).yaml;
      assert.doesNotMatch(yaml, /hunter2/, who);
      assert.match(yaml, /password: <secret>/, who);
      assert.match(yaml, /username: scraper/, who);
    }
    const [pr, vr] = await Promise.all([ask(P, '/api/v1/status/runtimeinfo'), ask(V, '/api/v1/status/runtimeinfo')]);
    for (const k of ['storageRetention', 'reloadConfigSuccess', 'corruptionCount', 'CWD']) {
      assert.equal((json(vr)['data'] as Record<string, unknown>)[k], (json(pr)['data'] as Record<string, unknown>)[k], k);
    }
    const [pf, vf] = await Promise.all([ask(P, '/api/v1/status/flags'), ask(V, '/api/v1/status/flags')]);
    const [pflags, vflags] = [json(pf)['data'] as Record<string, string>, json(vf)['data'] as Record<string, string>];
    for (const f of [
      'query.lookback-delta',
      'query.timeout',
      'query.max-samples',
      'query.max-concurrency',
      'web.enable-lifecycle',
      'web.enable-admin-api',
      'web.enable-remote-write-receiver',
      'web.cors.origin',
      'web.max-connections',
      'web.read-timeout',
      'web.listen-address',
      'rules.alert.for-outage-tolerance',
      'rules.alert.for-grace-period',
      'rules.alert.resend-delay',
      'alertmanager.notification-queue-capacity',
      'log.level',
      'log.format',
      'config.file',
    ]) {
      assert.ok(f in vflags, `flag ${f} missing`);
      if (f !== 'web.listen-address') assert.equal(vflags[f], pflags[f], f);
    }
  });

  it('answers empty selections identically', async () => {
    for (const path of ['/api/v1/series?match[]=no_such_metric', '/api/v1/labels?match[]=no_such_metric', '/api/v1/label/job/values?match[]=no_such_metric', '/api/v1/targets/metadata?metric=no_such_metric', '/api/v1/metadata?metric=no_such_metric']) {
      const [p, v] = await Promise.all([ask(P, path), ask(V, path)]);
      assert.equal(v.status, p.status, path);
      assert.deepEqual(json(v), json(p), path);
    }
    for (const path of ['/federate', '/federate?match[]=no_such_metric', '/federate?match[]=up%2B']) {
      const [p, v] = await Promise.all([ask(P, path), ask(V, path)]);
      assert.equal(v.status, p.status, path);
      assert.equal(v.text === '', p.text === '', path);
    }
  });

  describe('after both scraped the exporter', { skip: needsScrape }, () => {
    const JOB = encodeURIComponent('{job="exporter"}');

    before(async () => {
      // Both must list the target as up and hold its series.
      await eventually(
        async () => {
          for (const base of [P, V]) {
            const t = json(await ask(base, '/api/v1/targets?state=active'))['data'] as { activeTargets: Array<Record<string, unknown>> };
            if (!t.activeTargets.some((x) => x['scrapePool'] === 'exporter' && x['health'] === 'up')) return false;
            const s = json(await ask(base, `/api/v1/series?match[]=${JOB}`))['data'] as unknown[];
            if (s.length < 19) return false; // 14 exposed + 5 synthetic scrape series
          }
          return true;
        },
        20_000,
        200,
      );
    });

    it('lists targets with the same shape and values', async () => {
      const [p, v] = await Promise.all([ask(P, '/api/v1/targets'), ask(V, '/api/v1/targets')]);
      const [pd, vd] = [json(p)['data'] as Record<string, Array<Record<string, unknown>>>, json(v)['data'] as Record<string, Array<Record<string, unknown>>>];
      assert.deepEqual(shape(vd), shape(pd));
      const pt = pd['activeTargets']!.find((t) => t['scrapePool'] === 'exporter')!;
      const vt = vd['activeTargets']!.find((t) => t['scrapePool'] === 'exporter')!;
      for (const k of ['discoveredLabels', 'labels', 'scrapePool', 'scrapeUrl', 'globalUrl', 'lastError', 'health', 'scrapeInterval', 'scrapeTimeout']) assert.deepEqual(vt[k], pt[k], k);
      assert.ok(!Number.isNaN(Date.parse(String(vt['lastScrape']))));
      assert.deepEqual(vd['droppedTargets'], pd['droppedTargets']);
      for (const q of ['?state=dropped', '?state=active&scrapePool=exporter', '?scrapePool=nope', '?state=bogus', '?state=%20ANY%20']) {
        const [pq, vq] = await Promise.all([ask(P, '/api/v1/targets' + q), ask(V, '/api/v1/targets' + q)]);
        const strip = (d: Record<string, Array<Record<string, unknown>>>): unknown => ({
          active: d['activeTargets']!.map((t) => t['labels']),
          dropped: d['droppedTargets'],
        });
        assert.deepEqual(strip(json(vq)['data'] as Record<string, Array<Record<string, unknown>>>), strip(json(pq)['data'] as Record<string, Array<Record<string, unknown>>>), q);
      }
    });

    it('returns the same series, label names and label values', async () => {
      for (const path of [
        `/api/v1/series?match[]=${JOB}`,
        `/api/v1/series?match[]=up&match[]=${encodeURIComponent('test_requests_total{code="500"}')}`,
        `/api/v1/labels?match[]=${JOB}`,
        `/api/v1/label/__name__/values?match[]=${JOB}`,
        `/api/v1/label/room/values?match[]=${JOB}`,
        `/api/v1/label/quote/values?match[]=${JOB}`,
        `/api/v1/series?match[]=up&match[]=up&match[]=${encodeURIComponent('{__name__="up"}')}`,
        '/api/v1/labels',
        '/api/v1/label/__name__/values',
        `/api/v1/label/le/values?match[]=test_latency_seconds_bucket&match[]=${encodeURIComponent('{quantile!=""}')}`,
        `/api/v1/label/quantile/values?match[]=${encodeURIComponent(String.raw`test_rpc_seconds{quantile=~"0\\.9.*"}`)}`,
        `/api/v1/label/quantile/values?match[]=${encodeURIComponent(String.raw`test_rpc_seconds{quantile=~"0\.9.*"}`)}`,
        `/api/v1/series?match[]=${encodeURIComponent('{__name__=~"test_.*",code!~"2.."}')}`,
        `/api/v1/targets/metadata?match_target=${encodeURIComponent('{job="dropped"}')}`,
        '/api/v1/scrape_pools',
      ]) {
        const [p, v] = await Promise.all([ask(P, path), ask(V, path)]);
        assert.equal(v.status, p.status, path);
        assert.deepEqual(json(v), json(p), path);
      }
      const now = Date.now();
      for (const path of [
        `/api/v1/series?match[]=${JOB}&start=${new Date(now - 60_000).toISOString()}&end=${(now / 1000).toFixed(3)}`,
        `/api/v1/series?match[]=${JOB}&start=${Math.floor(now / 1000) + 3600}`,
        `/api/v1/label/job/values?start=${Math.floor(now / 1000) - 600}`,
        `/api/v1/labels?match[]=${encodeURIComponent('{__name__=~"test_.*",room!=""}')}`,
      ]) {
        const [p, v] = await Promise.all([ask(P, path), ask(V, path)]);
        assert.deepEqual(json(v), json(p), path);
      }
      const post = { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `match[]=${JOB}&start=${Math.floor(Date.now() / 1000) - 60}` };
      const [p, v] = await Promise.all([ask(P, '/api/v1/series', post), ask(V, '/api/v1/series', post)]);
      assert.deepEqual(json(v), json(p), 'POST /api/v1/series');
    });

    it('returns the same metadata', async () => {
      const byMetric = (rows: Array<Record<string, unknown>>): unknown[] => rows.map((r) => JSON.stringify(r)).sort();
      for (const path of [
        `/api/v1/targets/metadata?match_target=${JOB}`,
        `/api/v1/targets/metadata?match_target=${JOB}&metric=test_latency_seconds`,
        `/api/v1/targets/metadata?match_target=${JOB}&limit=1`,
        `/api/v1/targets/metadata?match_target=${JOB}&limit=0`,
        `/api/v1/targets/metadata?metric=test_temperature_celsius`,
      ]) {
        const [p, v] = await Promise.all([ask(P, path), ask(V, path)]);
        assert.deepEqual(byMetric(json(v)['data'] as Array<Record<string, unknown>>), byMetric(json(p)['data'] as Array<Record<string, unknown>>), path);
      }
      const onlyTest = (d: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(d).filter(([k]) => k.startsWith('test_')).sort());
      const [p, v] = await Promise.all([ask(P, '/api/v1/metadata'), ask(V, '/api/v1/metadata')]);
      assert.deepEqual(onlyTest(json(v)['data'] as Record<string, unknown>), onlyTest(json(p)['data'] as Record<string, unknown>));
      for (const path of ['/api/v1/metadata?metric=test_rpc_seconds', '/api/v1/metadata?metric=test_escaped_info&limit=1', '/api/v1/metadata?metric=test_requests_total&limit=0', '/api/v1/metadata?metric=test_untyped_thing']) {
        const [pm, vm] = await Promise.all([ask(P, path), ask(V, path)]);
        assert.deepEqual(json(vm), json(pm), path);
      }
    });

    it('federates the same series with external labels', async () => {
      const path = `/federate?match[]=${JOB}`;
      const [p, v] = await Promise.all([ask(P, path), ask(V, path)]);
      assert.equal(v.contentType, p.contentType);
      // Values of test_* series are fixed by the exporter; scrape_* values and timestamps vary.
      const norm = (text: string): string[] =>
        text
          .trimEnd()
          .split('\n')
          .map((l) => l.replace(/ \d+$/, ''))
          .map((l) => (/^(scrape_|up\{)/.test(l) ? l.replace(/ \S+$/, ' V') : l));
      assert.deepEqual(norm(v.text), norm(p.text));
      const two = '/federate?match[]=test_temperature_celsius&match[]=test_escaped_info&match[]=test_temperature_celsius';
      const [pt, vt] = await Promise.all([ask(P, two), ask(V, two)]);
      assert.deepEqual(norm(vt.text), norm(pt.text), two);
      // Federation is GET only in Prometheus.
      const post = { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'match[]=up' };
      const [pp, vp] = await Promise.all([ask(P, '/federate', post), ask(V, '/federate', post)]);
      assert.equal(vp.status, pp.status, 'POST /federate');
    });
  });
});
