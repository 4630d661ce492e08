import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { labelsFromStrings, STALE_NAN } from '../model/index.js';
import { MemoryStorage } from '../storage/index.js';
import { tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { createVigilRegistry, mountCoreApi, mountServiceRoutes, PACKAGE_ROOT, snapshotName, staticUiHandler, UI_PAGES, WebServer, type TargetsSource } from './index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: () => Record<string, unknown>;
}

function call(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(buf).toString() : buf.toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A fixed scrape status, standing in for the scrape manager. */
const targets: TargetsSource = {
  activeTargets: () => [
    {
      discoveredLabels: labelsFromStrings('__address__', 'b:1', 'job', 'b'),
      labels: labelsFromStrings('instance', 'b:1', 'job', 'b'),
      scrapePool: 'b',
      scrapeUrl: 'http://b:1/metrics',
      globalUrl: 'http://b:1/metrics',
      lastError: '',
      lastScrape: 0,
      lastScrapeDuration: 0,
      health: 'unknown',
      scrapeInterval: '15s',
      scrapeTimeout: '10s',
    },
    {
      discoveredLabels: labelsFromStrings('__address__', 'a:1', 'job', 'a'),
      labels: labelsFromStrings('instance', 'a:1', 'job', 'a'),
      scrapePool: 'a',
      scrapeUrl: 'http://a:1/metrics',
      globalUrl: 'http://a:1/metrics',
      lastError: 'boom',
      lastScrape: 1_700_000_000_000,
      lastScrapeDuration: 0.25,
      health: 'down',
      scrapeInterval: '15s',
      scrapeTimeout: '10s',
    },
  ],
  droppedTargets: () => [{ discoveredLabels: labelsFromStrings('__address__', 'c:1'), scrapePool: 'a' }],
  targetMetadata: () => [
    { target: labelsFromStrings('instance', 'a:1', 'job', 'a'), metric: 'm1', type: 'counter', help: 'h1', unit: '' },
    { target: labelsFromStrings('instance', 'a:1', 'job', 'a'), metric: 'm2', type: 'gauge', help: 'h2', unit: '' },
    { target: labelsFromStrings('instance', 'b:1', 'job', 'b'), metric: 'm1', type: 'counter', help: 'h1', unit: '' },
  ],
  metadata: () =>
    new Map([
      ['m1', [{ type: 'counter', help: 'h1', unit: '' }, { type: 'counter', help: 'h1', unit: '' }, { type: 'counter', help: 'other', unit: '' }]],
      ['m2', [{ type: 'gauge', help: 'h2', unit: '' }]],
    ]),
};

describe('web server (in process)', () => {
  let web: WebServer;
  let port: number;
  const ui = tempDir('vigil-ui-');
  const storage = new MemoryStorage();
  let reloads = 0;

  before(async () => {
    const now = Date.now();
    const app = storage.appender();
    for (let i = 0; i < 30; i++) app.append(0, labelsFromStrings('__name__', 'big_metric', 'idx', String(i).padStart(3, '0'), 'job', 'x'), now - 1000, i);
    app.append(0, labelsFromStrings('__name__', 'up', 'job', 'a', 'instance', 'a:1'), now - 2000, 1);
    app.append(0, labelsFromStrings('__name__', 'up', 'job', 'b', 'instance', 'b:1'), now - 2000, 0);
    app.append(0, labelsFromStrings('__name__', 'gone', 'job', 'a'), now - 3000, 5);
    app.append(0, labelsFromStrings('__name__', 'big_value', 'job', 'a', 'site', 'own', 'path', 'a"b\\c'), now - 1000, 1234567);
    await app.commit();
    const app2 = storage.appender();
    app2.append(0, labelsFromStrings('__name__', 'gone', 'job', 'a'), now - 1000, STALE_NAN);
    await app2.commit();

    mkdirSync(join(ui.path, 'assets'));
    writeFileSync(join(ui.path, 'index.html'), '<html>spa</html>');
    writeFileSync(join(ui.path, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(ui.path, 'assets', 'index-C39_dCBu.js'), 'console.log(2)');

    const registry = createVigilRegistry();
    web = new WebServer({ listenAddress: '127.0.0.1:0', logger: nopLogger(), registry, maxBodyBytes: 4096, corsOrigin: 'https?://good\\.example' });
    mountServiceRoutes(web, { lifecycle: { enabled: true, ready: () => web.isReady, reload: async () => void reloads++, quit: () => undefined }, registry });
    mountCoreApi(web, {
      storage,
      targets: () => targets,
      status: {
        configYaml: () => 'global: {}\n',
        flags: () => ({ 'web.listen-address': '127.0.0.1:0' }),
        runtime: () => ({ startTime: 0, reloadConfigSuccess: true, lastConfigTime: 0, storageRetention: '15d', corruptionCount: 0 }),
      },
      externalLabels: () => labelsFromStrings('site', 'ext', 'zone', 'z1'),
      lookbackDeltaMs: 300_000,
      enableAdminApi: false,
      remoteWriteRoutes: null,
      logger: nopLogger(),
    });
    web.setFallback(staticUiHandler(ui.path));
    await web.start();
    port = web.address().port;
  });

  after(async () => {
    await web.stop();
    ui.cleanup();
  });

  it('gates the API until ready, but not health and metrics', async () => {
    assert.equal((await call(port, 'GET', '/api/v1/labels')).status, 503);
    assert.equal((await call(port, 'GET', '/api/v1/not-mounted-yet')).status, 503);
    assert.equal((await call(port, 'GET', '/-/healthy')).status, 200);
    assert.equal((await call(port, 'GET', '/-/ready')).status, 503);
    web.setReady(true);
    assert.equal((await call(port, 'GET', '/-/ready')).status, 200);
  });

  it('answers series, labels and label values with Prometheus shapes', async () => {
    const s = (await call(port, 'GET', '/api/v1/series?match[]=up&match[]=up{job="a"}')).json();
    assert.deepEqual(s, {
      status: 'success',
      data: [
        { __name__: 'up', instance: 'a:1', job: 'a' },
        { __name__: 'up', instance: 'b:1', job: 'b' },
      ],
    });
    const post = await call(port, 'POST', '/api/v1/series', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'match[]=up%7Bjob%3D%22b%22%7D');
    assert.deepEqual(post.json()['data'], [{ __name__: 'up', instance: 'b:1', job: 'b' }]);
    const limited = (await call(port, 'GET', '/api/v1/series?match[]=big_metric&limit=5')).json();
    assert.equal((limited['data'] as unknown[]).length, 5);
    assert.deepEqual(limited['warnings'], ['results truncated due to limit']);
    assert.deepEqual((await call(port, 'GET', '/api/v1/labels?match[]=up')).json()['data'], ['__name__', 'instance', 'job']);
    assert.deepEqual((await call(port, 'GET', '/api/v1/label/job/values')).json()['data'], ['a', 'b', 'x']);
    assert.deepEqual((await call(port, 'GET', '/api/v1/label/job/values?match[]=big_metric')).json()['data'], ['x']);
    assert.deepEqual((await call(port, 'GET', '/api/v1/label/nope/values')).json(), { status: 'success', data: [] });
    // A time range before all samples finds nothing.
    assert.deepEqual((await call(port, 'GET', '/api/v1/series?match[]=up&start=1&end=2')).json()['data'], []);
  });

  it('reports bad parameters with the Prometheus error envelope', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/api/v1/series', 400, /^no match\[\] parameter provided$/],
      ['/api/v1/series?match[]=up&start=yesterday', 400, /^invalid parameter "start": Invalid time value for 'start': cannot parse "yesterday" to a valid timestamp$/],
      ['/api/v1/series?match[]=up%7B', 400, /^invalid parameter "match\[\]": 1:4: parse error: unexpected end of input inside braces$/],
      ['/api/v1/series?match[]=%7Bjob%3D%22%22%7D', 400, /non-empty matcher/],
      ['/api/v1/series?match[]=up&limit=x', 400, /^invalid parameter "limit"/],
      ['/api/v1/label/1bad/values', 400, /^invalid label name: "1bad"$/],
      ['/api/v1/targets/metadata?limit=x', 400, /^limit must be a number$/],
      ['/api/v1/metadata?limit_per_metric=x', 400, /^limit_per_metric must be a number$/],
      ['/api/v1/status/tsdb?limit=0', 400, /limit/],
    ];
    for (const [path, status, msg] of cases) {
      const r = await call(port, 'GET', path);
      assert.equal(r.status, status, path);
      const j = r.json();
      assert.equal(j['status'], 'error', path);
      assert.equal(j['errorType'], 'bad_data', path);
      assert.match(String(j['error']), msg, path);
    }
  });

  it('lists targets sorted by pool with state and pool filters', async () => {
    const all = (await call(port, 'GET', '/api/v1/targets')).json()['data'] as { activeTargets: Array<Record<string, unknown>>; droppedTargets: unknown[] };
    assert.deepEqual(all.activeTargets.map((t) => t['scrapePool']), ['a', 'b']);
    assert.equal(all.activeTargets[0]!['lastScrape'], '2023-11-14T22:13:20.000Z');
    assert.equal(all.activeTargets[1]!['lastScrape'], '0001-01-01T00:00:00Z');
    assert.deepEqual(all.droppedTargets, [{ discoveredLabels: { __address__: 'c:1' } }]);
    const active = (await call(port, 'GET', '/api/v1/targets?state=active')).json()['data'] as Record<string, unknown[]>;
    assert.equal(active['activeTargets']!.length, 2);
    assert.deepEqual(active['droppedTargets'], []);
    const pool = (await call(port, 'GET', '/api/v1/targets?scrapePool=b&state=any')).json()['data'] as Record<string, unknown[]>;
    assert.equal(pool['activeTargets']!.length, 1);
    assert.deepEqual(pool['droppedTargets'], []);
  });

  it('serves target and metric metadata with Prometheus limit semantics', async () => {
    const all = (await call(port, 'GET', '/api/v1/targets/metadata')).json()['data'] as Array<Record<string, unknown>>;
    assert.equal(all.length, 3);
    // limit is checked per target: the first target's two entries stay together.
    assert.equal(((await call(port, 'GET', '/api/v1/targets/metadata?limit=1')).json()['data'] as unknown[]).length, 2);
    const byMetric = (await call(port, 'GET', '/api/v1/targets/metadata?metric=m1&match_target=%7Bjob%3D%22b%22%7D')).json()['data'];
    assert.deepEqual(byMetric, [{ target: { instance: 'b:1', job: 'b' }, type: 'counter', help: 'h1', unit: '' }]);
    const md = (await call(port, 'GET', '/api/v1/metadata')).json()['data'] as Record<string, unknown[]>;
    assert.equal(md['m1']!.length, 2, 'duplicates across targets are merged');
    assert.deepEqual(Object.keys((await call(port, 'GET', '/api/v1/metadata?limit=1')).json()['data'] as object).length, 1);
    assert.equal(((await call(port, 'GET', '/api/v1/metadata?limit_per_metric=1')).json()['data'] as Record<string, unknown[]>)['m1']!.length, 1);
    assert.deepEqual((await call(port, 'GET', '/api/v1/metadata?metric=m2')).json()['data'], { m2: [{ type: 'gauge', help: 'h2', unit: '' }] });
  });

  it('serves status endpoints, tsdb stats with Prometheus int64 bounds text', async () => {
    const tsdb = (await call(port, 'GET', '/api/v1/status/tsdb')).json()['data'] as Record<string, Record<string, number>>;
    assert.equal(tsdb['headStats']!['numSeries'], 34);
    assert.ok(Array.isArray(tsdb['seriesCountByMetricName']));
    const empty = await call(port, 'GET', '/api/v1/status/tsdb?limit=1');
    assert.equal(empty.status, 200);
    assert.deepEqual((await call(port, 'GET', '/api/v1/status/config')).json()['data'], { yaml: 'global: {}\n' });
    const rt = (await call(port, 'GET', '/api/v1/status/runtimeinfo')).json()['data'] as Record<string, unknown>;
    assert.equal(rt['storageRetention'], '15d');
    assert.equal(typeof rt['GOMAXPROCS'], 'number');
  });

  it('federates the latest non-stale samples with external labels, sorted by name', async () => {
    const r = await call(port, 'GET', '/federate?match[]=%7Bjob%3D~%22a%7Cb%22%7D');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    const lines = r.text.trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(/ \d+$/, ' T')), [
      '# TYPE big_value untyped',
      'big_value{job="a",path="a\\"b\\\\c",site="own",instance="",zone="z1"} 1.234567e+06 T',
      '# TYPE up untyped',
      'up{instance="a:1",job="a",site="ext",zone="z1"} 1 T',
      'up{instance="b:1",job="b",site="ext",zone="z1"} 0 T',
    ]);
    assert.equal((await call(port, 'GET', '/federate?match[]=up%2B')).status, 400);
    assert.equal((await call(port, 'GET', '/federate')).text, '');
  });

  it('compresses large responses when asked and never otherwise', async () => {
    const gz = await call(port, 'GET', '/api/v1/series?match[]=big_metric', { 'Accept-Encoding': 'br, gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(Number(gz.headers['content-length']), gz.body.length);
    assert.equal((JSON.parse(gz.text) as { data: unknown[] }).data.length, 30);
    const plain = await call(port, 'GET', '/api/v1/series?match[]=big_metric');
    assert.equal(plain.headers['content-encoding'], undefined);
    const refused = await call(port, 'GET', '/api/v1/series?match[]=big_metric', { 'Accept-Encoding': 'gzip;q=0' });
    assert.equal(refused.headers['content-encoding'], undefined);
  });

  it('applies CORS on the API like Prometheus', async () => {
    const ok = await call(port, 'GET', '/api/v1/labels', { Origin: 'https://good.example' });
    assert.equal(ok.headers['access-control-allow-origin'], 'https://good.example');
    assert.equal(ok.headers['vary'], 'Origin');
    const bad = await call(port, 'GET', '/api/v1/labels', { Origin: 'https://evil.example' });
    assert.equal(bad.headers['access-control-allow-origin'], undefined);
    const pre = await call(port, 'OPTIONS', '/api/v1/query', { Origin: 'https://good.example' });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-methods'], 'GET, POST, OPTIONS');
  });

  it('answers JSON 404/405, 413 for large bodies, and survives garbage', async () => {
    const nf = await call(port, 'GET', '/api/v1/nope');
    assert.equal(nf.status, 404);
    assert.equal(nf.json()['errorType'], 'not_found');
    const mna = await call(port, 'PUT', '/api/v1/series');
    assert.equal(mna.status, 405);
    assert.equal(mna.json()['status'], 'error');
    const big = await call(port, 'POST', '/api/v1/series', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'match[]=' + 'x'.repeat(10_000));
    assert.equal(big.status, 413);
    const garbage = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
    });
    assert.match(garbage, /^HTTP\/1\.1 400/);
    assert.equal((await call(port, 'GET', '//api/v1/labels')).status, 200, 'double slash is not read as a host');
    assert.equal((await call(port, 'GET', '/-/healthy')).status, 200);
  });

  it('answers random garbage parameters with 4xx, never 500', async () => {
    // A seeded generator keeps failures reproducible.
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['a', 'z', '_', ':', '{', '}', '=', '!', '~', '"', "'", '`', ',', '\\', 'x', '(', ')', '[', ']', '.', '*', '+', '?', '|', '^', '$', ' ', '\n', '0', '9', 'é', '\u{1F600}'];
    const garbage = (): string => Array.from({ length: 1 + rnd(20) }, () => alphabet[rnd(alphabet.length)]).join('');
    const endpoints = ['/api/v1/series?match[]=', '/api/v1/labels?match[]=', '/api/v1/label/job/values?match[]=', '/api/v1/targets/metadata?match_target=', '/federate?match[]=', '/api/v1/series?match[]=up&start=', '/api/v1/metadata?limit=', '/api/v1/status/tsdb?limit='];
    for (let i = 0; i < 300; i++) {
      const path = endpoints[i % endpoints.length]! + encodeURIComponent(garbage());
      const r = await call(port, 'GET', path);
      assert.ok(r.status === 200 || r.status === 400, `${path} -> ${r.status} ${r.text}`);
    }
    assert.equal((await call(port, 'GET', '/-/healthy')).status, 200);
  });

  it('guards lifecycle and admin endpoints as Prometheus does', async () => {
    assert.equal((await call(port, 'POST', '/-/reload')).status, 200);
    assert.equal(reloads, 1);
    const get = await call(port, 'GET', '/-/reload');
    assert.equal(get.status, 405);
    assert.equal(get.text, 'Only POST or PUT requests allowed');
    const admin = await call(port, 'POST', '/api/v1/admin/tsdb/snapshot');
    assert.equal(admin.status, 500);
    assert.deepEqual(admin.json(), { status: 'error', errorType: 'unavailable', error: 'admin APIs disabled' });
    const rw = await call(port, 'POST', '/api/v1/write');
    assert.equal(rw.status, 404);
    assert.match(rw.text, /--web.enable-remote-write-receiver/);
  });

  it('serves the UI with SPA fallback and never outside its directory', async () => {
    assert.equal((await call(port, 'GET', '/')).text, '<html>spa</html>');
    assert.equal((await call(port, 'GET', '/graph')).text, '<html>spa</html>');
    const js = await call(port, 'GET', '/assets/app.js');
    assert.equal(js.text, 'console.log(1)');
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.equal((await call(port, 'GET', '/assets/missing.js')).status, 404);
    assert.equal(js.headers['cache-control'], 'public, max-age=300');
    assert.equal((await call(port, 'GET', '/assets/index-C39_dCBu.js')).headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await call(port, 'GET', '/')).headers['cache-control'], 'no-cache');
    const etag = String(js.headers['etag']);
    assert.match(etag, /^W\/"/);
    assert.equal((await call(port, 'GET', '/assets/app.js', { 'If-None-Match': etag })).status, 304);
    assert.equal((await call(port, 'GET', '/assets/app.js', { 'If-None-Match': 'W/"other"' })).status, 200);
    // Dot segments are resolved before lookup, so these stay inside the UI directory.
    for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc/passwd']) {
      const r = await call(port, 'GET', p);
      assert.doesNotMatch(r.text, /root:/, p);
      assert.ok(r.status === 404 || r.text === '<html>spa</html>', p);
    }
    assert.equal((await call(port, 'GET', '/../package.json')).status, 404);
    assert.equal((await call(port, 'GET', '/api/v1/unknown-route')).status, 404, 'API paths never fall back to the UI');
    const am = await call(port, 'GET', '/alertmanager/api/v2/unknown');
    assert.equal(am.status, 404, "a subsystem's API paths never fall back to the UI either");
    assert.equal(am.json()['errorType'], 'not_found');
  });

  it("answers index.html only on the UI's own routes; other paths get Prometheus' plain-text 404", async () => {
    for (const p of ['/', ...UI_PAGES.map((x) => `/${x}`), '/graph?g0.expr=up', '/dashboard?uid=x']) {
      const r = await call(port, 'GET', p);
      assert.equal(r.status, 200, p);
      assert.equal(r.text, '<html>spa</html>', p);
    }
    for (const p of ['/metrics/nonexistent', '/nope', '/-/healty', '/graph/some/route', '/graph/', '/dashboards/abc', '/Graph', '/api', '/assets', '/assets/missing.js', '/static/x.css']) {
      const r = await call(port, 'GET', p);
      assert.equal(r.status, 404, p);
      assert.equal(r.text, '404 page not found\n', p);
      assert.match(String(r.headers['content-type']), /^text\/plain/, p);
    }
    // API paths keep the JSON error envelope.
    const api = await call(port, 'GET', '/api/v2/foo');
    assert.equal(api.status, 404);
    assert.equal(api.json()['errorType'], 'not_found');
  });

  it('knows every page of the UI router (ui/src/app.tsx)', () => {
    const app = readFileSync(join(PACKAGE_ROOT, 'ui', 'src', 'app.tsx'), 'utf8');
    const pages = [...app.matchAll(/^\s*case '([^']+)':/gm)].map((m) => m[1]!);
    assert.ok(pages.length >= 10, 'cases found in app.tsx');
    assert.deepEqual([...pages].sort(), [...UI_PAGES].sort());
  });

  it('exposes its own metrics including per-handler request counts', async () => {
    const m = await call(port, 'GET', '/metrics');
    assert.match(m.text, /^process_cpu_user_seconds_total /m);
    assert.match(m.text, /^nodejs_heap_size_used_bytes /m);
    assert.match(m.text, /^vigil_build_info\{/m);
    assert.match(m.text, /^vigil_http_requests_total\{handler="\/api\/v1\/series",code="200"\} \d+/m);
  });
});

describe('web server route prefix', () => {
  it('serves everything under the prefix and redirects the root', async () => {
    const ui = tempDir();
    const registry = createVigilRegistry();
    const web = new WebServer({ listenAddress: '127.0.0.1:0', logger: nopLogger(), routePrefix: '/vigil/', registry });
    mountServiceRoutes(web, { lifecycle: { enabled: false, ready: () => true, reload: async () => undefined, quit: () => undefined }, registry });
    mountCoreApi(web, {
      storage: new MemoryStorage(),
      targets: () => null,
      status: { configYaml: () => '', flags: () => ({}), runtime: () => ({ startTime: 0, reloadConfigSuccess: true, lastConfigTime: 0, storageRetention: '15d', corruptionCount: 0 }) },
      externalLabels: () => [],
      lookbackDeltaMs: 300_000,
      enableAdminApi: false,
      remoteWriteRoutes: null,
      logger: nopLogger(),
    });
    web.setReady(true);
    await web.start();
    try {
      const port = web.address().port;
      const root = await call(port, 'GET', '/');
      assert.equal(root.status, 302);
      assert.equal(root.headers['location'], '/vigil/');
      const bare = await call(port, 'GET', '/vigil?x=1');
      assert.equal(bare.status, 302);
      assert.equal(bare.headers['location'], '/vigil/?x=1');
      assert.equal((await call(port, 'GET', '/vigil/')).status, 404, 'no UI handler installed here');
      assert.deepEqual((await call(port, 'GET', '/vigil/api/v1/targets')).json()['data'], { activeTargets: [], droppedTargets: [] });
      assert.equal((await call(port, 'GET', '/api/v1/targets')).status, 404);
      assert.equal((await call(port, 'POST', '/vigil/-/reload')).status, 403);
      assert.equal((await call(port, 'GET', '/vigil/-/healthy')).status, 200);
      // With the UI: its routes under the prefix only.
      writeFileSync(join(ui.path, 'index.html'), '<html>spa</html>');
      web.setFallback(staticUiHandler(ui.path));
      assert.equal((await call(port, 'GET', '/vigil/')).text, '<html>spa</html>');
      assert.equal((await call(port, 'GET', '/vigil/targets')).text, '<html>spa</html>');
      for (const p of ['/targets', '/vigil/metrics/nonexistent', '/vigil/targets/x', '/vigil/nope']) {
        const r = await call(port, 'GET', p);
        assert.equal(r.status, 404, p);
        assert.equal(r.text, '404 page not found\n', p);
      }
    } finally {
      await web.stop();
      ui.cleanup();
    }
  });
});

describe('web server connection limit', () => {
  it('refuses connections beyond --web.max-connections and recovers when one closes', async () => {
    const web = new WebServer({ listenAddress: '127.0.0.1:0', logger: nopLogger(), maxConnections: 1 });
    mountServiceRoutes(web, { lifecycle: { enabled: false, ready: () => true, reload: async () => undefined, quit: () => undefined }, registry: createVigilRegistry() });
    web.setReady(true);
    await web.start();
    const port = web.address().port;
    try {
      const holder = connect(port, '127.0.0.1');
      await new Promise<void>((r) => holder.once('connect', () => r()));
      await new Promise((r) => setTimeout(r, 50));
      await assert.rejects(call(port, 'GET', '/-/healthy'));
      await new Promise<void>((r) => {
        holder.once('close', () => r());
        holder.destroy();
      });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await call(port, 'GET', '/-/healthy')).status, 200);
    } finally {
      await web.stop();
    }
  });
});

describe('admin API when enabled', () => {
  it('validates parameters and calls the storage operations it has', async () => {
    const deleted: Array<{ sets: string[][]; mint: number; maxt: number }> = [];
    const snapshots: boolean[] = [];
    const registry = createVigilRegistry();
    const web = new WebServer({ listenAddress: '127.0.0.1:0', logger: nopLogger(), registry });
    mountCoreApi(web, {
      storage: new MemoryStorage(),
      targets: () => null,
      status: { configYaml: () => '', flags: () => ({}), runtime: () => ({ startTime: 0, reloadConfigSuccess: true, lastConfigTime: 0, storageRetention: '15d', corruptionCount: 0 }) },
      externalLabels: () => [],
      lookbackDeltaMs: 300_000,
      enableAdminApi: true,
      admin: {
        deleteSeries: async (sets, mint, maxt) => void deleted.push({ sets: sets.map((s) => s.map(String)), mint, maxt }),
        snapshot: async (withHead) => {
          snapshots.push(withHead);
          return snapshotName(new Date(Date.UTC(2017, 11, 10, 21, 12, 24)));
        },
      },
      remoteWriteRoutes: null,
      logger: nopLogger(),
    });
    web.setReady(true);
    await web.start();
    const port = web.address().port;
    try {
      const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
      assert.equal((await call(port, 'POST', '/api/v1/admin/tsdb/delete_series')).json()['error'], 'no match[] parameter provided');
      const del = await call(port, 'PUT', '/api/v1/admin/tsdb/delete_series', form, 'match[]=up%7Bjob%3D%22a%22%7D&start=10&end=20');
      assert.equal(del.status, 204);
      assert.deepEqual(deleted, [{ sets: [['__name__="up"', 'job="a"']], mint: 10_000, maxt: 20_000 }]);
      assert.equal((await call(port, 'POST', '/api/v1/admin/tsdb/snapshot?skip_head=maybe')).status, 400);
      const snap = (await call(port, 'POST', '/api/v1/admin/tsdb/snapshot?skip_head=true')).json();
      assert.match(String((snap['data'] as { name: string }).name), /^20171210T211224Z-[0-9a-f]{16}$/);
      assert.deepEqual(snapshots, [false]);
      const clean = await call(port, 'POST', '/api/v1/admin/tsdb/clean_tombstones');
      assert.equal(clean.status, 500);
      assert.match(String(clean.json()['error']), /not supported by this storage/);
    } finally {
      await web.stop();
    }
  });
});
