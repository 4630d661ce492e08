/**
 * Browser tests of the web UI in real headless Chromium against a real `vigil server` process:
 * Vigil scrapes itself and its built-in host collectors every second, evaluates a rule file with
 * an always-firing alert and an inactive one, and sends alerts to its built-in Alertmanager. The
 * UI is the one the server itself serves at / (ui/dist), with the shipped dashboards.
 *
 * Screenshots of every page go to test-artifacts/ui-vigil/.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually, freePort, startVigil, tempDir, type RunningProcess } from '../testutil/index.js';
import { assertAllPanelsHaveData, assertChartsSettle, CHROMIUM, dataPanelCount, ensureUiBuilt, launchBrowser, PANELS_SETTLED, panelStates, openNodeOverviewLast15m, panelStatesWithData, ROOT, type BrowserSession } from './contract.js';

const artifacts = join(ROOT, 'test-artifacts', 'ui-vigil');
const skip: string | false = CHROMIUM ? false : 'chromium is not installed (apt-get install -y chromium); .ci/run installs it';

/** Bounds a whole test so a stuck browser cannot hang the suite (Playwright waits time out after 15 s). */
const TEST_TIMEOUT = 60_000;

const RULES = `groups:
  - name: ui-vigil
    interval: 1s
    rules:
      - record: job:up:sum
        expr: sum by(job)(up)
      - alert: UiTestAlwaysFiring
        expr: vector(1)
        labels: { severity: info, team: ui-test }
        annotations: { summary: "Always firing, for the UI test", description: "vector(1) is {{ $value }}" }
      - alert: UiTestNeverFires
        expr: vector(1) == 2
        labels: { severity: critical }
`;

let vigil: RunningProcess | undefined;
let tmp: { path: string; cleanup: () => void } | undefined;
let url = '';
let browser: BrowserSession | undefined;
let page: Page;

interface PromVector {
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

async function instant(expr: string): Promise<PromVector['data']['result']> {
  const r = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as PromVector;
  return r.data.result;
}

before(
  async () => {
    if (skip) return;
    ensureUiBuilt();
    tmp = tempDir('vigil-ui-vigil-');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(join(tmp.path, 'rules.yml'), RULES);
    // The default configuration's two jobs (src/config/default.ts) on this test's port, every second.
    writeFileSync(
      join(tmp.path, 'vigil.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'rule_files: [rules.yml]',
        'scrape_configs:',
        '  - job_name: vigil',
        `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
        '  - job_name: node',
        '    metrics_path: /metrics/node',
        `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
        '',
      ].join('\n'),
    );
    vigil = await startVigil(['server', `--config.file=${join(tmp.path, 'vigil.yml')}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(tmp.path, 'data')}`], {
      cwd: tmp.path,
      readyUrl: `${url}/-/ready`,
      readyTimeoutMs: 30_000,
    });
    // A few scrapes of both jobs, so rates have points to work with, and the alert in the Alertmanager.
    await eventually(async () => {
      const r = await instant('min(count_over_time(up[1m]))');
      return Number(r[0]?.value[1] ?? 0) >= 5 && (await instant('count(up == 1)'))[0]?.value[1] === '2';
    }, 40_000);
    await eventually(async () => ((await (await fetch(`${url}/alertmanager/api/v2/alerts`)).json()) as unknown[]).length > 0, 30_000);
    browser = await launchBrowser(artifacts);
    page = browser.page;
  },
  { timeout: 120_000 },
);

after(async () => {
  await browser?.close();
  await vigil?.stop();
  tmp?.cleanup();
});

test('query page: metric-name completion from the Vigil API, graph with series, table, state in the URL', { skip, timeout: TEST_TIMEOUT }, async (t) => {
  // Progress notes, so that a stuck step is named in the report.
  const step = (name: string): void => t.diagnostic(`${new Date().toISOString()} ${name}`);
  step('open');
  await page.goto(`${url}/graph`);
  const editor = page.locator('.cm-content').first();
  await editor.click();
  await page.keyboard.type('node_cpu_sec', { delay: 20 });
  const option = page.locator('.cm-tooltip-autocomplete li', { hasText: 'node_cpu_seconds_total' }).first();
  await option.waitFor();
  step('completion shown');
  // The list leaves the typed text readable (it used to cover the underscores' pixel row).
  const gap = Number(await page.evaluate(`document.querySelector('.cm-tooltip-autocomplete').getBoundingClientRect().top - document.querySelector('.cm-line span').getBoundingClientRect().bottom`));
  assert.ok(gap >= 2, `completion list starts ${gap}px below the typed text`);
  await browser!.shot('query-completion');
  await option.click();
  assert.equal((await editor.textContent())?.trim(), 'node_cpu_seconds_total');
  // Vigil's own metrics complete too.
  step('vigil_ completion');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('vigil_tsdb_head_se', { delay: 20 });
  await page.locator('.cm-tooltip-autocomplete li', { hasText: 'vigil_tsdb_head_series' }).first().waitFor();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('rate(node_cpu_seconds_total{mode="user"}[1m])', { delay: 5 });
  await page.keyboard.press('Escape');
  step('execute');
  await page.getByRole('button', { name: 'Execute' }).click();
  await page.waitForURL(/g0\.expr=rate/);
  assert.equal(new URL(page.url()).searchParams.get('g0.expr'), 'rate(node_cpu_seconds_total{mode="user"}[1m])');
  await page.locator('.query-panel .graph canvas').first().waitFor();
  await page.locator('.query-panel .u-legend .u-series').nth(1).waitFor();
  const series = await page.locator('.query-panel .u-legend .u-series').count();
  assert.ok(series >= 2, `expected at least one series in the legend, got ${series - 1}`);
  assert.match((await page.locator('.query-panel .u-legend').textContent()) ?? '', /cpu="\d+".*job="node"/);
  // Hovering the latest data shows a value in the legend.
  step('hover');
  const box = (await page.locator('.query-panel .u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  await page.waitForFunction(`[...document.querySelectorAll('.query-panel .u-legend .u-series .u-value')].slice(1).some((e) => /[0-9]/.test(e.textContent ?? ''))`);
  await assertChartsSettle(page, 'the query page while hovering');
  await browser!.shot('query-graph');

  step('table');
  await page.getByRole('tab', { name: 'Table' }).click();
  await page.waitForURL(/g0\.tab=1/);
  await page.locator('.result-table tr').first().waitFor();
  const rows = await page.locator('.result-table tr').count();
  const cpus = (await instant('count(node_cpu_seconds_total{mode="user"})'))[0]?.value[1];
  assert.equal(String(rows), cpus, 'one table row per CPU');
  assert.match((await page.locator('.result-table tr').first().textContent()) ?? '', /instance=127\.0\.0\.1:\d+job=node/);
  await browser!.shot('query-table');
  // Reloading the URL restores the panel.
  step('reload');
  await page.reload();
  await page.locator('.result-table tr').first().waitFor();
  assert.equal((await page.locator('.cm-content').first().textContent())?.trim(), 'rate(node_cpu_seconds_total{mode="user"}[1m])');
});

test('query page: a series with a single sample in range is drawn as a point', { skip, timeout: TEST_TIMEOUT }, async () => {
  // A minute at a 10 s step; the expression has a value at exactly one step (the middle one).
  const endS = Math.floor(Date.now() / 1000);
  const expr = `vector(time()) == ${endS - 30}`;
  // Off the chart: a hovered chart dims its series, which would change the colour looked for below.
  await page.mouse.move(0, 0);
  await page.goto(`${url}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0&g0.range_input=1m&g0.end_input=${new Date(endS * 1000).toISOString()}&g0.step_input=10`);
  await page.locator('.query-panel .u-legend .u-series').nth(1).waitFor();
  // Count the canvas pixels drawn in the series' colour (the first palette colour).
  const coloured = `(() => {
    const c = document.querySelector('.query-panel .u-wrap canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - 0x7e) < 24 && Math.abs(d[i + 1] - 0xb2) < 24 && Math.abs(d[i + 2] - 0x6d) < 24) n++;
    return n;
  })()`;
  await page.waitForFunction(`${coloured} >= 9`, undefined, { timeout: 5_000 }).catch(async () => {
    await browser!.shot('query-single-point-failure');
    throw new Error(`the single sample is not drawn (${String(await page.evaluate(coloured))} pixels in the series colour)`);
  });
  await browser!.shot('query-single-point');
});

test('query page: many series with a long legend, hovered, settle at one size', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${url}/graph?g0.expr=${encodeURIComponent('rate(node_cpu_seconds_total[1m])')}&g0.tab=0&g0.range_input=5m`);
  await page.locator('.query-panel .u-legend .u-series').nth(1).waitFor();
  const modes = Number((await instant('count(node_cpu_seconds_total)'))[0]?.value[1]);
  assert.equal(await page.locator('.query-panel .u-legend .u-series').count(), modes + 1, 'one legend row per series');
  const box = (await page.locator('.query-panel .u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width - 3, box.y + box.height / 3);
  await assertChartsSettle(page, 'the query page with a long legend');
  await browser!.shot('query-many-series');
  await page.mouse.move(0, 0);
});

test('node overview dashboard: every panel renders data, no "No data", no error badge', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${url}/dashboards`);
  await page.getByRole('link', { name: 'Vigil Self-Monitoring' }).waitFor();
  await browser!.shot('dashboards');
  await openNodeOverviewLast15m(page);
  const states = await panelStatesWithData(page);
  const model = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'node-overview.json'), 'utf8')) as Parameters<typeof dataPanelCount>[0];
  assert.equal(states.length, dataPanelCount(model).visible, 'one rendered panel per non-row panel');
  assertAllPanelsHaveData(states);
  for (const type of ['timeseries', 'graph', 'stat', 'gauge', 'bargauge', 'table']) assert.ok(states.some((s) => s.type === type), `no ${type} panel rendered`);
  assert.ok((await page.locator('.dash-panel canvas').count()) >= 6, 'time series panels draw canvases');
  await assertChartsSettle(page, 'the node overview dashboard');
  // Hover values in a panel's legend do not make its chart resize either.
  const cpu = page.locator('.dash-panel', { hasText: 'CPU time by mode' });
  await cpu.scrollIntoViewIfNeeded();
  const box = (await cpu.locator('.u-over').first().boundingBox())!;
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  // The legend shows the hovered values (its time row is hidden in dashboard panels).
  await cpu.locator('.u-legend .u-series:not(:first-child) .u-value', { hasText: /\d/ }).first().waitFor();
  await assertChartsSettle(page, 'the node overview dashboard while hovering');
  await page.mouse.move(0, 0);
  // The instance variable was filled from Vigil's own host collectors.
  assert.match((await page.locator('.var-picker[data-var=instance]').textContent()) ?? '', /127\.0\.0\.1:\d+|All/);
  await browser!.shot('dashboard-node-overview', true);
});

test('vigil self-monitoring dashboard: every panel renders data', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${url}/dashboard?uid=vigil-self&from=now-15m&to=now&refresh=off`);
  const states = await panelStatesWithData(page);
  const model = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'vigil-self.json'), 'utf8')) as Parameters<typeof dataPanelCount>[0];
  assert.equal(states.length, dataPanelCount(model).visible, 'one rendered panel per non-row panel');
  assertAllPanelsHaveData(states);
  await assertChartsSettle(page, 'the self-monitoring dashboard');
  await browser!.shot('dashboard-vigil-self', true);
});

test('field overrides of an imported dashboard: display name, fixed colour, hidden series, negative-Y hover value', { skip, timeout: TEST_TIMEOUT }, async () => {
  const dashboard = {
    uid: 'ui-overrides',
    title: 'UI overrides',
    time: { from: 'now-15m', to: 'now' },
    panels: [
      {
        id: 1,
        type: 'timeseries',
        title: 'Overridden',
        gridPos: { x: 0, y: 0, w: 24, h: 9 },
        targets: [
          { refId: 'A', expr: 'vector(2)', legendFormat: 'two' },
          { refId: 'B', expr: 'vector(3)', legendFormat: 'three' },
          { refId: 'C', expr: 'vector(5)', legendFormat: 'five' },
        ],
        fieldConfig: {
          defaults: { custom: { stacking: { mode: 'normal', group: 'A' } } },
          overrides: [
            { matcher: { id: 'byName', options: 'two' }, properties: [{ id: 'displayName', value: 'renamed' }, { id: 'color', value: { mode: 'fixed', fixedColor: '#ff0000' } }] },
            { matcher: { id: 'byRegexp', options: '/fi.e/' }, properties: [{ id: 'custom.hideFrom', value: { viz: true, legend: false, tooltip: false } }] },
            { matcher: { id: 'byFrameRefID', options: 'B' }, properties: [{ id: 'custom.transform', value: 'negative-Y' }, { id: 'custom.stacking', value: { group: false, mode: 'normal' } }] },
          ],
        },
      },
    ],
  };
  const res = await fetch(`${url}/api/vigil/dashboards`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dashboard, overwrite: true }) });
  assert.equal(res.status, 200, await res.text());
  await page.goto(`${url}/dashboard?uid=ui-overrides&refresh=off`);
  await page.locator('[data-testid=panel]').first().waitFor();
  await page.waitForFunction(PANELS_SETTLED);
  assertAllPanelsHaveData(await panelStates(page));
  const legend = page.locator('.dash-panel .u-legend');
  const renamed = legend.locator('.u-series', { hasText: 'renamed' });
  await renamed.waitFor();
  assert.equal(await legend.locator('.u-series', { hasText: /^two$/ }).count(), 0, 'the display name replaces the legend name');
  assert.match(await renamed.locator('.u-marker').evaluate((e) => (globalThis as unknown as { getComputedStyle(el: unknown): { borderColor: string } }).getComputedStyle(e).borderColor), /rgb\(255, 0, 0\)/);
  // hideFrom.viz: the series is not drawn (off in uPlot's legend), the others are.
  assert.match((await legend.locator('.u-series', { hasText: 'five' }).getAttribute('class')) ?? '', /u-off/);
  assert.doesNotMatch((await legend.locator('.u-series', { hasText: 'three' }).getAttribute('class')) ?? '', /u-off/);
  // negative-Y draws the series below the axis; hovering shows its real value.
  const box = (await page.locator('.dash-panel .u-over').first().boundingBox())!;
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  await page.waitForFunction(`[...document.querySelectorAll('.dash-panel .u-legend .u-series')].some((e) => e.textContent.includes('three') && /(^|[^-0-9])3(\\.0+)?\\s*$/.test(e.querySelector('.u-value')?.textContent ?? ''))`);
  await page.mouse.move(0, 0);
  await browser!.shot('dashboard-overrides');
});

test('alerts page shows the firing alert; a silence prefilled from it is created, active, then expired', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${url}/alerts`);
  const firing = page.locator('.alert-rule[data-rule=UiTestAlwaysFiring]');
  await firing.waitFor();
  assert.match((await firing.textContent()) ?? '', /firing/i);
  assert.match((await firing.textContent()) ?? '', /Always firing, for the UI test/);
  assert.match((await page.locator('.alert-rule[data-rule=UiTestNeverFires]').textContent()) ?? '', /inactive/i);
  await browser!.shot('alerts');

  await page.goto(`${url}/alertmanager`);
  const amAlert = page.locator('.am-alert', { hasText: 'UiTestAlwaysFiring' }).first();
  await amAlert.waitFor();
  await browser!.shot('alertmanager');
  await amAlert.getByRole('link', { name: 'Silence' }).click();
  const form = page.locator('form.silence-form');
  await form.waitFor();
  const names = await form.getByLabel('Matcher name').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
  assert.ok(names.includes('alertname') && names.includes('team'), `prefilled matchers: ${names.join(',')}`);
  await form.locator('input[name=createdBy]').fill('ui-vigil-test');
  await form.locator('input[name=comment]').fill('silenced by the vigil browser test');
  await browser!.shot('silence-form');
  await form.getByRole('button', { name: 'Create silence' }).click();
  const row = page.locator('.silences-table tr[data-state=active]', { hasText: 'silenced by the vigil browser test' });
  await row.waitFor();
  const id = await row.getAttribute('data-silence-id');
  assert.ok(id);
  interface ApiSilence {
    id: string;
    status: { state: string };
    createdBy: string;
    matchers: Array<{ name: string; value: string }>;
  }
  const silences = async (): Promise<ApiSilence[]> => (await (await fetch(`${url}/alertmanager/api/v2/silences`)).json()) as ApiSilence[];
  const created = (await silences()).find((s) => s.id === id);
  assert.equal(created?.status.state, 'active');
  assert.equal(created?.createdBy, 'ui-vigil-test');
  assert.ok(created?.matchers.some((m) => m.name === 'alertname' && m.value === 'UiTestAlwaysFiring'));
  // The Alertmanager marks the alert suppressed by it.
  await eventually(async () => {
    const alerts = (await (await fetch(`${url}/alertmanager/api/v2/alerts?filter=alertname%3D%22UiTestAlwaysFiring%22`)).json()) as Array<{ status: { state: string; silencedBy: string[] } }>;
    return alerts.some((a) => a.status.silencedBy.includes(id));
  }, 15_000);
  await page.locator('.am-alert[data-state=suppressed]', { hasText: 'UiTestAlwaysFiring' }).waitFor();
  await browser!.shot('alertmanager-silenced');

  await row.getByRole('button', { name: 'Expire' }).click();
  const expiredRow = page.locator(`.silences-table tr[data-silence-id="${id}"][data-state=expired]`);
  await expiredRow.waitFor();
  assert.match((await expiredRow.textContent()) ?? '', /ended \S+ ago/);
  assert.equal((await silences()).find((s) => s.id === id)?.status.state, 'expired');
  await browser!.shot('alertmanager-expired');
});

test('targets page lists both of Vigil’s targets up', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${url}/targets`);
  await page.locator('tr[data-health=up]', { hasText: 'job=node' }).first().waitFor();
  await page.locator('tr[data-health=up]', { hasText: 'job=vigil' }).first().waitFor();
  assert.equal(await page.locator('tr[data-health=down]').count(), 0);
  assert.match((await page.locator('tr[data-health=up]', { hasText: 'job=node' }).first().textContent()) ?? '', /\/metrics\/node/);
  await browser!.shot('targets', true);
});

test('rules and status pages: rule health, build info, flags, TSDB stats', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.goto(`${url}/rules`);
  await page.locator('.rule-def', { hasText: 'record: job:up:sum' }).waitFor();
  await page.locator('.rule-def', { hasText: 'alert: UiTestNeverFires' }).waitFor();
  // Alerting rules show their annotations too, as Prometheus' rules page does.
  assert.match((await page.locator('.rule-def', { hasText: 'alert: UiTestAlwaysFiring' }).textContent()) ?? '', /annotations:\s+description: vector\(1\) is \{\{ \$value \}\}\s+summary: Always firing/);
  assert.doesNotMatch((await page.locator('.page').textContent()) ?? '', /\berr(or)?\b.*evaluat/i);
  await browser!.shot('rules', true);

  await page.goto(`${url}/status`);
  const build = page.locator('.section', { hasText: 'Build information' });
  await build.locator('table').waitFor();
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  assert.ok(((await build.textContent()) ?? '').includes(version), `build info shows version ${version}`);
  await page.locator('h3', { hasText: 'Top series count by metric name' }).waitFor();
  assert.match((await page.locator('.top-table', { hasText: 'Top series count by metric name' }).textContent()) ?? '', /node_/);
  const flags = page.locator('.section', { hasText: 'Command-line flags' });
  await flags.getByRole('button', { name: /Command-line flags/ }).click();
  await flags.getByLabel('Filter flags').fill('storage.tsdb.path');
  assert.match((await flags.locator('table').textContent()) ?? '', /storage\.tsdb\.path.*vigil-ui-vigil-/);
  await browser!.shot('status', true);
});

test('dark theme at laptop width: dashboards and the Alertmanager page fit without horizontal scrolling', { skip, timeout: TEST_TIMEOUT }, async () => {
  await page.setViewportSize({ width: 1024, height: 720 });
  try {
    await page.goto(`${url}/dashboard?uid=vigil-self&from=now-5m&refresh=off`);
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark');
    await page.waitForFunction(PANELS_SETTLED);
    assertAllPanelsHaveData(await panelStates(page));
    const overflow = async (): Promise<number> => Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    assert.ok((await overflow()) <= 0, `the dashboard scrolls horizontally by ${await overflow()}px at 1024px`);
    await browser!.shot('dark-dashboard-vigil-self-1024', true);
    await page.goto(`${url}/alertmanager`);
    await page.locator('.am-alert', { hasText: 'UiTestAlwaysFiring' }).first().waitFor();
    assert.ok((await overflow()) <= 0, `the Alertmanager page scrolls horizontally by ${await overflow()}px at 1024px`);
    await browser!.shot('dark-alertmanager-1024', true);
    await page.getByRole('button', { name: 'Toggle theme' }).click();
  } finally {
    await page.setViewportSize({ width: 1366, height: 860 });
  }
});

test('no errors in the browser console over the whole run', { skip }, () => {
  assert.deepEqual(browser!.consoleErrors, []);
});
