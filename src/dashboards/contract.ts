/**
 * Shared helpers of the browser tests of the web UI (ui-browser.test.ts against Prometheus,
 * ui-vigil.test.ts against `vigil server`): finding and launching headless Chromium,
 * screenshots, console-error collection and the dashboard panel checks. Test-only code
 * (src/arch.test.ts treats contract.ts like a test file).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, ConsoleMessage, Locator, Page } from 'playwright-core';
import { findBinary, sleep, tempDir } from '../testutil/index.js';

/** The repository root (dist/dashboards/ is two levels down). */
export const ROOT = new URL('../../', import.meta.url).pathname;
export const UI_DIST = join(ROOT, 'ui', 'dist');

export const CHROMIUM = findBinary('/usr/bin/chromium', 'chromium', 'chromium-browser');

/** Builds the UI once if ui/dist is missing (a plain `tsc` build does not make it). */
export function ensureUiBuilt(): void {
  if (existsSync(join(UI_DIST, 'index.html'))) return;
  const r = spawnSync('npm', ['run', 'build:ui'], { cwd: ROOT, stdio: 'inherit' });
  assert.equal(r.status, 0, 'npm run build:ui failed');
}

/** Chromium flags: headless, no GPU, and nothing that reaches out to the network on its own. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console messages of type 'error' and uncaught page errors, in order. */
  consoleErrors: string[];
  /** Saves a PNG of the page as <artifacts>/<name>.png. */
  shot(name: string, fullPage?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile; one page, 15 s waits, console errors collected. */
export async function launchBrowser(artifacts: string, viewport = { width: 1366, height: 860 }): Promise<BrowserSession> {
  if (!CHROMIUM) throw new Error('chromium is not installed');
  const { chromium } = await import('playwright-core');
  const userDir = tempDir('vigil-chromium-');
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDir.path, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  } catch (err) {
    userDir.cleanup();
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  const consoleErrors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  return {
    context,
    page,
    consoleErrors,
    async shot(name, fullPage = false) {
      mkdirSync(artifacts, { recursive: true });
      // A full-page capture of a scrolled page draws the sticky header in the middle.
      if (fullPage) await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
    },
    async close() {
      await context.close();
      userDir.cleanup();
    },
  };
}

/** The element's box once it has stopped moving (charts are rebuilt or resized as data and scrollbars arrive). */
export async function stableBox(loc: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  let prev = await loc.boundingBox();
  for (let i = 0; i < 40; i++) {
    await sleep(100);
    const next = await loc.boundingBox();
    if (prev && next && next.x === prev.x && next.y === prev.y && next.width === prev.width && next.height === prev.height) return next;
    prev = next;
  }
  throw new Error('element did not settle');
}

/**
 * Asserts that no chart on the page keeps resizing: the sizes of all uPlot canvases are the
 * same over `ms` (a chart whose legend or scrollbar feeds back into its width never settles).
 */
export async function assertChartsSettle(page: Page, what: string, ms = 1500): Promise<void> {
  const sizes = `[...document.querySelectorAll('.uplot canvas')].map((c) => c.width + 'x' + c.height)`;
  let prev = '';
  for (let i = 0; i < 4; i++) {
    prev = String(await page.evaluate(`JSON.stringify(${sizes})`));
    await sleep(ms);
    const next = String(await page.evaluate(`JSON.stringify(${sizes})`));
    if (next === prev) return;
  }
  assert.fail(`the charts of ${what} keep resizing: ${prev}`);
}

/** Browser-side conditions (strings: the root tsconfig has no DOM types). */
export const PANELS_SETTLED = `(() => { const all = [...document.querySelectorAll('[data-testid=panel]')]; return all.length > 0 && all.every((p) => p.getAttribute('data-state') !== 'loading' && p.getAttribute('data-loading') === 'false'); })()`;
export const PANELS_OK = `(() => { const all = [...document.querySelectorAll('[data-testid=panel]')]; return all.length > 0 && all.every((p) => p.getAttribute('data-state') === 'ok' && p.getAttribute('data-loading') === 'false'); })()`;

export interface PanelState {
  title: string;
  type: string | null;
  /** ok, nodata, error or loading (ui/src/dash/panels.tsx). */
  state: string | null;
  series: number;
  /** The text of the panel's error message, if any. */
  err: string;
  /** True when the panel shows its "No data" placeholder. */
  noData: boolean;
  /** True when the panel head shows the error badge. */
  errorBadge: boolean;
}

/** What each rendered dashboard panel on the page shows. */
export async function panelStates(page: Page): Promise<PanelState[]> {
  return page.locator('[data-testid=panel]').evaluateAll((els) =>
    els.map((e) => ({
      title: e.querySelector('.dash-panel-title')?.textContent ?? '',
      type: e.getAttribute('data-panel-type'),
      state: e.getAttribute('data-state'),
      series: Number(e.getAttribute('data-series')),
      err: e.querySelector('.panel-error-msg')?.textContent ?? '',
      noData: e.querySelector('.no-data') !== null,
      errorBadge: e.querySelector('.panel-error-icon') !== null,
    })),
  );
}

/** Asserts that every panel shows data: state ok, at least one series, no "No data", no error badge. */
export function assertAllPanelsHaveData(states: PanelState[], skipTitles: ReadonlySet<string> = new Set()): void {
  for (const s of states) {
    if (s.type === 'text' || skipTitles.has(s.title)) continue;
    assert.equal(s.state, 'ok', `panel "${s.title}" (${s.type}) is ${s.state}: ${s.err}`);
    assert.ok(s.series >= 1, `panel "${s.title}" has no series`);
    assert.ok(!s.noData, `panel "${s.title}" shows "No data"`);
    assert.ok(!s.errorBadge && s.err === '', `panel "${s.title}" shows an error: ${s.err}`);
  }
}

/**
 * Panel states once every panel has data, refreshing the dashboard while some still
 * have none: right after a server starts, rate() panels need a second scrape before they
 * show anything, and on a slow CI machine that can take longer than the first render.
 * Gives up after `timeoutMs` and returns the last states (assertAllPanelsHaveData then
 * names the panel that never got data).
 */
export async function panelStatesWithData(page: Page, timeoutMs = 30_000, skipTitles: ReadonlySet<string> = new Set()): Promise<PanelState[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.locator('[data-testid=panel]').first().waitFor();
    await page.waitForFunction(PANELS_SETTLED);
    const states = await panelStates(page);
    const missing = states.some((st) => st.type !== 'text' && !skipTitles.has(st.title) && (st.state !== 'ok' || st.series < 1 || st.noData));
    if (!missing || Date.now() > deadline) return states;
    await new Promise((r) => setTimeout(r, 2000));
    // The dashboard's own "Refresh now" re-runs every panel without reloading the page
    // (a reload re-mounts everything and races with what the test does next).
    const refresh = page.getByTitle('Refresh now');
    if ((await refresh.count()) > 0) await refresh.click();
    else await page.reload();
  }
}

/**
 * From the dashboards list, opens the shipped Node Overview on the last 15 minutes with
 * auto-refresh off: a step of a few seconds, so the few seconds of data a freshly started
 * stack has are in range, and nothing re-renders under the test's feet.
 */
export async function openNodeOverviewLast15m(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Node Overview' }).click();
  await page.waitForURL(/dashboard\?uid=node-overview/);
  await page.getByLabel('Time range').selectOption('now-15m');
  await page.waitForURL(/from=now-15m/);
  await page.getByLabel('Auto refresh').selectOption('off');
  await page.waitForURL(/refresh=off/);
}

/** The non-row panels of a dashboard model, including those inside collapsed rows. */
export function dataPanelCount(model: { panels: Array<{ type: string; collapsed?: boolean; panels?: Array<{ type: string }> }> }): { visible: number; collapsed: number } {
  let visible = 0;
  let collapsed = 0;
  for (const p of model.panels) {
    if (p.type === 'row') collapsed += (p.panels ?? []).filter((c) => c.type !== 'row').length;
    else visible++;
  }
  return { visible, collapsed };
}
