/**
 * Browser tests of the web UI in real headless Chromium against a real stack: Prometheus 2.42
 * scraping node_exporter and itself, evaluating rules and sending alerts to a real Alertmanager,
 * all behind a small server that serves ui/dist and proxies /api/v1 and /alertmanager/api/v2
 * under the same paths `vigil server` uses, with the dashboards API mounted from this folder.
 *
 * VIGIL_UI_DEV=<seconds> keeps the stack up that long and prints its URL (manual testing).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually, findBinary, freePort, sleep, startProcess, tempDir, type RunningProcess } from '../testutil/index.js';
import { RequestContext, Router } from '../util/index.js';
import { assertAllPanelsHaveData, CHROMIUM, ensureUiBuilt, launchBrowser, PANELS_OK, PANELS_SETTLED, openNodeOverviewLast15m, panelStatesWithData, ROOT as root, stableBox, UI_DIST as uiDist, type BrowserSession } from './contract.js';
import { dashboardRoutes } from './index.js';

const artifacts = join(root, 'test-artifacts', 'ui');

const bins = {
  chromium: CHROMIUM,
  prometheus: findBinary('prometheus'),
  nodeExporter: findBinary('prometheus-node-exporter', 'node_exporter'),
  alertmanager: findBinary('prometheus-alertmanager', 'alertmanager'),
};
const missing = Object.entries({ chromium: bins.chromium, prometheus: bins.prometheus, 'prometheus-node-exporter': bins.nodeExporter, 'prometheus-alertmanager': bins.alertmanager })
  .filter(([, v]) => v === null)
  .map(([k]) => k);
const skip: string | false = missing.length > 0 ? `${missing.join(', ')} not installed (apt-get install -y ${missing.join(' ')}); .ci/run installs them` : false;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** Serves ui/dist with SPA fallback to index.html, like `vigil server` does. */
function serveStatic(pathname: string, res: ServerResponse): void {
  const rel = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  let file = join(uiDist, rel);
  if (!file.startsWith(uiDist) || !existsSync(file) || statSync(file).isDirectory()) {
    if (extname(rel) !== '' && rel.startsWith('/assets/')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    file = join(uiDist, 'index.html');
  }
  res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  res.end(readFileSync(file));
}

function proxy(req: IncomingMessage, res: ServerResponse, port: number, path: string): void {
  const up = request({ host: '127.0.0.1', port, method: req.method, path, headers: { ...req.headers, host: `127.0.0.1:${port}` } }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`proxy error: ${err.message}`);
  });
  req.pipe(up);
}

interface Stack {
  url: string;
  promUrl: string;
  amUrl: string;
  procs: RunningProcess[];
  server: Server;
  cleanup: () => void;
}

async function startStack(): Promise<Stack> {
  const tmp = tempDir('vigil-ui-');
  const [nePort, promPort, amPort, webPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const procs: RunningProcess[] = [];
  writeFileSync(
    join(tmp.path, 'alertmanager.yml'),
    'route:\n  receiver: blackhole\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 5s\n  repeat_interval: 1h\nreceivers:\n  - name: blackhole\n',
  );
  writeFileSync(
    join(tmp.path, 'rules.yml'),
    [
      'groups:',
      '  - name: ui-test',
      '    interval: 1s',
      '    rules:',
      '      - record: instance:node_cpu:rate1m',
      '        expr: sum by(instance)(rate(node_cpu_seconds_total{mode!="idle"}[1m]))',
      '      - alert: NodeExporterUp',
      '        expr: up{job="node"} == 1',
      '        labels: { severity: info }',
      '        annotations: { summary: "node_exporter {{ $labels.instance }} is up", description: "Always firing, for the UI test." }',
      '      - alert: HighCPULoad',
      '        expr: 100 - (avg by(instance)(irate(node_cpu_seconds_total{mode="idle"}[5m])) * 100) > -1',
      '        for: 1h',
      '        labels: { severity: warning }',
      '        annotations: { summary: "CPU busy on {{ $labels.instance }}" }',
      '      - alert: NeverFires',
      '        expr: vector(1) == 2',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(tmp.path, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files: [rules.yml]',
      'alerting:',
      '  alertmanagers:',
      `    - static_configs: [{ targets: ['127.0.0.1:${amPort}'] }]`,
      'scrape_configs:',
      '  - job_name: node',
      `    static_configs: [{ targets: ['127.0.0.1:${nePort}'], labels: { env: test } }]`,
      '  - job_name: prometheus',
      `    static_configs: [{ targets: ['127.0.0.1:${promPort}'] }]`,
      '  - job_name: broken',
      `    static_configs: [{ targets: ['127.0.0.1:1'] }]`,
      '',
    ].join('\n'),
  );
  try {
    procs.push(await startProcess(bins.nodeExporter!, [`--web.listen-address=127.0.0.1:${nePort}`], { readyUrl: `http://127.0.0.1:${nePort}/metrics` }));
    procs.push(
      await startProcess(bins.alertmanager!, [`--config.file=${join(tmp.path, 'alertmanager.yml')}`, `--storage.path=${join(tmp.path, 'am')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='], {
        readyUrl: `http://127.0.0.1:${amPort}/-/ready`,
      }),
    );
    procs.push(
      await startProcess(bins.prometheus!, [`--config.file=${join(tmp.path, 'prometheus.yml')}`, `--storage.tsdb.path=${join(tmp.path, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`], {
        cwd: tmp.path,
        readyUrl: `http://127.0.0.1:${promPort}/-/ready`,
      }),
    );
  } catch (err) {
    await Promise.all(procs.map((p) => p.stop()));
    tmp.cleanup();
    throw err;
  }
  const router = new Router().mount(dashboardRoutes({ dirs: [join(root, 'dashboards')], writableDir: join(tmp.path, 'imported') }));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Everything is also served under /vigil/, like `vigil server --web.route-prefix=/vigil`.
    if (url.pathname.startsWith('/vigil/')) url.pathname = url.pathname.slice('/vigil'.length);
    if (url.pathname.startsWith('/api/v1/')) return proxy(req, res, promPort, url.pathname + url.search);
    if (url.pathname.startsWith('/alertmanager/api/v2/')) return proxy(req, res, amPort, url.pathname.slice('/alertmanager'.length) + url.search);
    const m = router.match(req.method ?? 'GET', url.pathname);
    if (m && m !== 'method') {
      const ctx = new RequestContext(req, res);
      ctx.params = m.params;
      Promise.resolve(m.handler(ctx)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"status":"error","errorType":"not_found","error":"not found"}');
      return;
    }
    serveStatic(url.pathname, res);
  });
  await new Promise<void>((r) => server.listen(webPort, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${webPort}`,
    promUrl: `http://127.0.0.1:${promPort}`,
    amUrl: `http://127.0.0.1:${amPort}`,
    procs,
    server,
    cleanup: tmp.cleanup,
  };
}

/** Playwright waits time out after 15 s; this bounds a whole test so a stuck browser cannot hang the suite. */
const TEST_TIMEOUT = 90_000;

let stack: Stack | undefined;
let browser: BrowserSession | undefined;
let page: Page;
let consoleErrors: string[] = [];

async function shot(name: string, fullPage = false): Promise<void> {
  await browser!.shot(name, fullPage);
}

interface PromVector {
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

before(
  async () => {
    if (skip) return;
    ensureUiBuilt();
    stack = await startStack();
    const s = stack;
    // Wait until node_exporter has been scraped a few times, so rates have points to work with.
    await eventually(async () => {
      const r = (await (await fetch(`${s.promUrl}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="node"}[1m])')}`)).json()) as PromVector;
      return Number(r.data.result[0]?.value[1] ?? 0) >= 6;
    }, 30_000);
    await eventually(async () => ((await (await fetch(`${s.amUrl}/api/v2/alerts`)).json()) as unknown[]).length > 0, 30_000);
    browser = await launchBrowser(artifacts);
    page = browser.page;
    consoleErrors = browser.consoleErrors;
  },
  { timeout: 120_000 },
);

after(async () => {
  await browser?.close();
  if (stack) {
    stack.server.close();
    await Promise.all(stack.procs.map((p) => p.stop()));
    stack.cleanup();
  }
});

test('dev mode: keep the stack running (VIGIL_UI_DEV=<seconds>)', { skip: skip || !process.env['VIGIL_UI_DEV'] ? 'set VIGIL_UI_DEV=<seconds> to keep the stack up for manual testing' : false }, async () => {
  process.stdout.write(`UI stack at ${stack!.url} (Prometheus ${stack!.promUrl}, Alertmanager ${stack!.amUrl})\n`);
  await sleep(Number(process.env['VIGIL_UI_DEV']) * 1000);
});

test('query page: completion, execute, graph with series, table, state in the URL', { skip, timeout: TEST_TIMEOUT }, async (t) => {
  // Progress notes, so that a stuck step is named in the report.
  const step = (name: string): void => t.diagnostic(`${new Date().toISOString()} ${name}`);
  step('open');
  await page.goto(`${stack!.url}/graph`);
  const editor = page.locator('.cm-content').first();
  await editor.click();
  step('type');
  await page.keyboard.type('node_load', { delay: 20 });
  const option = page.locator('.cm-tooltip-autocomplete li', { hasText: 'node_load15' }).first();
  await option.waitFor();
  await shot('query-completion');
  step('pick');
  await option.click();
  assert.equal((await editor.textContent())?.trim(), 'node_load15');
  step('execute');
  await page.getByRole('button', { name: 'Execute' }).click();
  await page.locator('.query-panel .graph canvas').first().waitFor();
  await page.locator('.query-panel .u-legend .u-series').nth(1).waitFor();
  const series = await page.locator('.query-panel .u-legend .u-series').count();
  assert.ok(series >= 2, `expected at least one series in the legend, got ${series - 1}`);
  const legend = (await page.locator('.query-panel .u-legend').textContent()) ?? '';
  assert.match(legend, /node_load15\{.*instance=/);
  assert.match(page.url(), /g0\.expr=node_load15/);
  // Hover shows values in the legend.
  step('hover');
  const box = (await page.locator('.query-panel .u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  await page.waitForFunction(`[...document.querySelectorAll('.query-panel .u-legend .u-series .u-value')].slice(1).some((e) => /[0-9]/.test(e.textContent ?? ''))`);
  await shot('query-graph');

  step('shared link');
  // A shared link reproduces the panel (Prometheus' own URL parameters).
  await page.goto(`${stack!.url}/graph?g0.expr=${encodeURIComponent('sum by(mode)(rate(node_cpu_seconds_total[1m]))')}&g0.tab=0&g0.range_input=5m&g0.stacked=1`);
  await page.locator('.query-panel .u-legend .u-series').nth(2).waitFor();
  assert.equal(await page.locator('.query-panel input[type=checkbox]').isChecked(), true);
  await page.getByRole('tab', { name: 'Table' }).click();
  await page.locator('.result-table tr').first().waitFor();
  assert.ok((await page.locator('.result-table tr').count()) >= 2);
  assert.match(page.url(), /g0\.tab=1/);

  step('bad query');
  // A bad query shows the API's error, not a crash.
  await page.goto(`${stack!.url}/graph?g0.expr=${encodeURIComponent('sum(rate(')}&g0.tab=1`);
  await page.locator('.error-box').waitFor();
  assert.match((await page.locator('.error-box').textContent()) ?? '', /parse error/);
});

test('targets page: node_exporter is up, grouped by scrape pool, failing target shows its error', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${stack!.url}/targets`);
  const nodeRow = page.locator('tr[data-health=up]', { hasText: '/metrics' }).filter({ hasText: 'job=node' });
  await nodeRow.first().waitFor();
  assert.match((await page.locator('.section', { hasText: 'node' }).first().textContent()) ?? '', /node \(1\/1 up\)/);
  const broken = page.locator('tr[data-health=down]');
  await broken.first().waitFor();
  assert.match((await broken.first().textContent()) ?? '', /connection refused/);
  await nodeRow.first().getByRole('button', { name: 'discovered labels' }).click();
  assert.match((await nodeRow.first().locator('.discovered').textContent()) ?? '', /__address__/);
  await shot('targets');
  await page.getByLabel('Filter targets').fill('prometheus');
  await page.waitForFunction(`document.querySelectorAll('.targets-table tbody tr').length === 1`);
});

test('node overview dashboard: every panel renders data, no error state', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${stack!.url}/dashboards`);
  await openNodeOverviewLast15m(page);
  const states = await panelStatesWithData(page);
  const dash = JSON.parse(readFileSync(join(root, 'dashboards', 'node-overview.json'), 'utf8')) as { panels: Array<{ type: string }> };
  assert.equal(states.length, dash.panels.filter((p) => p.type !== 'row').length, 'one rendered panel per non-row panel');
  assertAllPanelsHaveData(states);
  for (const type of ['timeseries', 'graph', 'stat', 'gauge', 'bargauge', 'table']) assert.ok(states.some((s) => s.type === type), `no ${type} panel rendered`);
  assert.ok((await page.locator('.dash-panel canvas').count()) >= 6, 'time series panels draw canvases');
  assert.match((await page.locator('[data-panel-type=stat]').first().textContent()) ?? '', /\d/);
  await shot('dashboard-node-overview', true);

  // The collapsed row expands into a text panel; the instance variable narrows queries.
  await page.getByRole('button', { name: /About/ }).click();
  await page.locator('.text-panel h2', { hasText: 'Node overview' }).waitFor();
  await page.locator('.var-picker[data-var=instance] .var-value').click();
  const option = page.locator('.var-menu .var-option').nth(1);
  const instance = ((await option.textContent()) ?? '').replace(/[☐☑]/g, '').trim();
  await option.click();
  await page.waitForURL(/var-instance=/);
  assert.match(decodeURIComponent(page.url()), new RegExp(`var-instance=${instance.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  await page.keyboard.press('Escape');
  await page.locator('.var-menu').waitFor({ state: 'detached' });
  await page.waitForFunction(PANELS_OK);

  // Drag on a time series panel zooms the whole dashboard to an absolute range.
  const over = page.locator('.dash-panel', { hasText: 'CPU usage' }).locator('.u-over').first();
  const box = await stableBox(over);
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForURL((u) => /^\d{13}$/.test(u.searchParams.get('from') ?? '') && /^\d{13}$/.test(u.searchParams.get('to') ?? ''));
  const u = new URL(page.url());
  const span = Number(u.searchParams.get('to')) - Number(u.searchParams.get('from'));
  assert.ok(span > 3 * 60_000 && span < 6 * 60_000, `zoomed span ${span}ms is about 30% of 15 minutes`);
  await page.waitForFunction(PANELS_SETTLED);
});

test('vigil self dashboard renders without crashing; panels without data say so', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${stack!.url}/dashboard?uid=vigil-self&from=now-15m&to=now`);
  await page.waitForFunction(PANELS_SETTLED);
  const states = await page.locator('[data-testid=panel]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
  assert.ok(!states.includes('error'), `no panel in error state: ${states.join(',')}`);
  assert.ok(states.filter((s) => s === 'ok').length >= 6, 'Prometheus exposes up, scrape_* and process_* metrics');
  await shot('dashboard-vigil-self', true);
});

test('alerts and alertmanager: silence an alert prefilled from it, then expire the silence', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${stack!.url}/alerts`);
  const rule = page.locator('.alert-rule[data-rule=NodeExporterUp]');
  await rule.waitFor();
  assert.match((await rule.textContent()) ?? '', /firing/i);
  assert.match((await page.locator('.alert-rule[data-rule=HighCPULoad]').textContent()) ?? '', /pending/i);
  assert.match((await rule.textContent()) ?? '', /is up/);
  await shot('alerts');

  await page.goto(`${stack!.url}/alertmanager`);
  const amAlert = page.locator('.am-alert', { hasText: 'NodeExporterUp' }).first();
  await amAlert.waitFor();
  await amAlert.getByRole('link', { name: 'Silence' }).click();
  const form = page.locator('form.silence-form');
  await form.waitFor();
  const names = await form.getByLabel('Matcher name').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
  assert.ok(names.includes('alertname') && names.includes('instance'), `prefilled matchers: ${names.join(',')}`);
  await form.locator('input[name=createdBy]').fill('ui-test');
  await form.locator('input[name=comment]').fill('silenced by the browser test');
  await form.getByRole('button', { name: 'Create silence' }).click();
  const row = page.locator('.silences-table tr[data-state=active]', { hasText: 'silenced by the browser test' });
  await row.waitFor();
  const id = await row.getAttribute('data-silence-id');
  assert.ok(id);
  const api = (await (await fetch(`${stack!.amUrl}/api/v2/silence/${id}`)).json()) as { status: { state: string }; createdBy: string };
  assert.equal(api.status.state, 'active');
  assert.equal(api.createdBy, 'ui-test');
  await page.waitForFunction(`document.querySelector('.am-alert[data-state=suppressed]') !== null`, undefined, { timeout: 20_000 }).catch(() => undefined);
  await shot('alertmanager-silenced');

  await row.getByRole('button', { name: 'Expire' }).click();
  await page.locator(`.silences-table tr[data-silence-id="${id}"][data-state=expired]`).waitFor();
  const expired = (await (await fetch(`${stack!.amUrl}/api/v2/silence/${id}`)).json()) as { status: { state: string } };
  assert.equal(expired.status.state, 'expired');
  await shot('alertmanager-expired');
});

test('query page: drag on the graph zooms into the selected range', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${stack!.url}/graph?g0.expr=up&g0.tab=0&g0.range_input=10m`);
  const over = page.locator('.query-panel .u-over');
  await page.locator('.query-panel .u-legend .u-series').nth(1).waitFor();
  const box = await stableBox(over);
  // Select the last fifth of the 10 minutes, where this young stack has data.
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForURL(/g0\.end_input=/).catch(async (err: unknown) => {
    await shot('zoom-failure');
    throw new Error(`no zoom: url ${page.url()} box ${JSON.stringify(box)} select ${String(await page.evaluate('document.querySelector(".u-select")?.getAttribute("style")'))}: ${String(err)}`);
  });
  const range = new URL(page.url()).searchParams.get('g0.range_input') ?? '';
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(range);
  const seconds = m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : NaN;
  // A fifth of 10 minutes, give or take a few pixels.
  assert.ok(seconds >= 110 && seconds <= 130, `zoomed range ${range}`);
  await page.locator('.query-panel .u-legend .u-series').nth(1).waitFor();
});

test('importing a dashboard from the UI opens it', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${stack!.url}/dashboards`);
  await page.getByRole('button', { name: 'Import' }).click();
  const model = {
    title: 'Imported from test',
    schemaVersion: 27,
    templating: { list: [{ name: 'job', type: 'custom', query: 'node,prometheus', multi: true, includeAll: true, current: { value: ['node', 'prometheus'] } }] },
    panels: [
      { id: 1, type: 'stat', title: 'Up ($job)', gridPos: { x: 0, y: 0, w: 8, h: 5 }, targets: [{ expr: 'sum(up{job=~"$job"})', refId: 'A' }] },
      {
        id: 4,
        type: 'stat',
        title: 'Job $job',
        repeat: 'job',
        gridPos: { x: 0, y: 9, w: 12, h: 4 },
        targets: [{ expr: 'max(up{job="$job"})', refId: 'A' }],
        fieldConfig: { defaults: { mappings: [{ type: 'value', options: { '1': { text: 'UP', color: 'green' }, '0': { text: 'DOWN', color: 'red' } } }] } },
      },
      { id: 2, type: 'timeseries', title: 'Broken query', gridPos: { x: 8, y: 0, w: 16, h: 5 }, targets: [{ expr: 'rate(up[', refId: 'A' }] },
      { id: 3, type: 'piechart', title: 'Unsupported', gridPos: { x: 0, y: 5, w: 8, h: 4 }, targets: [] },
    ],
  };
  await page.getByLabel('Dashboard JSON').fill(JSON.stringify({ dashboard: model }));
  await page.locator('.import-form').getByRole('button', { name: 'Import' }).click();
  await page.waitForURL(/dashboard\?uid=/);
  await page.locator('[data-testid=panel][data-panel-type=stat][data-state=ok]').first().waitFor();
  assert.equal(await page.locator('[data-panel-type=stat] .dash-panel-title').first().textContent(), 'Up ((node|prometheus))');
  // The repeated stat: one copy per selected job, each with its own value, mapped to text.
  const copies = page.locator('[data-testid=panel]', { hasText: /^Job / });
  await page.waitForFunction(`[...document.querySelectorAll('[data-testid=panel]')].filter((p) => p.textContent.startsWith('Job ') && p.getAttribute('data-state') === 'ok').length === 2`);
  assert.deepEqual(await copies.locator('.dash-panel-title').allTextContents(), ['Job node', 'Job prometheus']);
  assert.deepEqual((await copies.locator('.stat-value').allTextContents()).map((t) => t.trim()), ['UP', 'UP']);
  // A panel error stays inside the panel.
  const broken = page.locator('[data-testid=panel][data-state=error]');
  await broken.waitFor();
  assert.match((await broken.textContent()) ?? '', /parse error/);
  assert.match((await page.locator('[data-panel-type=piechart]').textContent()) ?? '', /not supported/);
  await shot('dashboard-imported');
});

test('the UI works under a route prefix (/vigil/)', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${stack!.url}/vigil/targets`);
  await page.locator('tr[data-health=up]', { hasText: 'job=node' }).first().waitFor();
  await page.getByRole('link', { name: 'Dashboards' }).click();
  await page.waitForURL(/\/vigil\/dashboards$/);
  await page.getByRole('link', { name: 'Node Overview' }).waitFor();
});

test('rules and status pages show rule health, build info and TSDB cardinality', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${stack!.url}/rules`);
  await page.locator('.rule-def', { hasText: 'record: instance:node_cpu:rate1m' }).waitFor();
  await page.goto(`${stack!.url}/status`);
  await page.locator('h3', { hasText: 'Top series count by metric name' }).waitFor();
  assert.match((await page.locator('.section', { hasText: 'Build information' }).textContent()) ?? '', /2\.42/);
  await shot('status', true);
});

test('dark theme and laptop width', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.setViewportSize({ width: 1024, height: 720 });
  await page.goto(`${stack!.url}/dashboard?uid=node-overview&from=now-5m`);
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark');
  await page.waitForFunction(PANELS_OK);
  const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
  assert.ok(overflow <= 0, `page scrolls horizontally by ${overflow}px at 1024px`);
  await shot('dashboard-dark-1024', true);
  await page.goto(`${stack!.url}/graph?g0.expr=${encodeURIComponent('rate(node_network_receive_bytes_total[1m])')}&g0.tab=0&g0.range_input=5m`);
  await page.locator('.query-panel .u-legend .u-series').nth(1).waitFor();
  await shot('query-dark-1024');
  await page.getByRole('button', { name: 'Toggle theme' }).click();
});

test('no errors in the browser console', { skip }, () => {
  // Chromium logs every HTTP error response; the deliberately invalid query above gets a 400.
  const unexpected = consoleErrors.filter((e) => !(e.includes('status of 400') && (e.includes('query=sum%28rate%28') || e.includes('rate%28up%5B'))));
  assert.deepEqual(unexpected, []);
});
