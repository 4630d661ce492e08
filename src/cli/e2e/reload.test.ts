/**
 * Config reload of a running `vigil server` (SIGHUP and POST /-/reload) as an operator
 * uses it: an added job is scraped, a job whose config did not change keeps its scrape
 * loop (no restart: health never "unknown" again, lastScrape never reset, the same
 * scrape phase, no pool reload), a broken file is refused while every old target keeps
 * being scraped, a changed job is reloaded and a removed one stops.
 * (server-process.test.ts covers the refusal messages, metrics and status endpoints.)
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { activeTargets, eventually, ownMetric, sleep, startMutableExporter, startVigilServer, tempDir, type ActiveTarget } from '../../testutil/index.js';

const INTERVAL_MS = 1000;

function config(jobs: Array<[string, string, string?]>): string {
  let y = `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n`;
  for (const [job, target, extraLabel] of jobs) {
    y += `  - job_name: ${job}\n    static_configs:\n      - targets: ['${target}']\n`;
    if (extraLabel) y += `        labels: {${extraLabel}}\n`;
  }
  return y;
}

test('SIGHUP and /-/reload: added, unchanged, broken, changed and removed jobs', { timeout: 80_000 }, async () => {
  const dir = tempDir('vigil-e2e-reload-');
  const a = await startMutableExporter('a_metric 1\n');
  const b = await startMutableExporter('b_metric 2\n');
  const vigil = await startVigilServer({ dir: dir.path, config: config([['a', a.target]]), args: ['--web.enable-lifecycle', '--no-host-collectors', '--no-alertmanager.enable'] }).catch(async (err: unknown) => {
    await Promise.all([a.close(), b.close()]);
    dir.cleanup();
    throw err;
  });
  const cfg = vigil.configFile!;
  const target = async (job: string): Promise<ActiveTarget | undefined> => (await activeTargets(vigil.base)).find((t) => t.scrapePool === job);
  const reloads = async (): Promise<number> => (await ownMetric(vigil.base, 'prometheus_target_scrape_pool_reloads_total')) ?? -1;
  const reloadOk = async (): Promise<number | null> => ownMetric(vigil.base, 'vigil_config_last_reload_successful');

  // Watch job a's target through every reload below.
  const seen: ActiveTarget[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const t = await target('a').catch(() => undefined);
      if (t) seen.push(t);
      await sleep(100);
    }
  })();
  try {
    await eventually(async () => (await target('a'))?.health === 'up', 10_000, 100);
    const poolReloads = await reloads();
    assert.equal(poolReloads, 0);

    // 1. SIGHUP adds job b; a is unchanged.
    writeFileSync(cfg, config([['a', a.target], ['b', b.target]]));
    vigil.proc.proc.kill('SIGHUP');
    const tb = await eventually(async () => {
      const t = await target('b');
      return t?.health === 'up' ? t : null;
    }, 2.5 * INTERVAL_MS + 2000, 100);
    assert.deepEqual(tb.labels, { instance: b.target, job: 'b' });
    assert.equal(await reloadOk(), 1);
    assert.equal(await ownMetric(vigil.base, 'vigil_config_reloads_total', 'result="success"'), 2, 'startup and the SIGHUP');
    assert.equal(await reloads(), poolReloads, 'the unchanged pool a was not reloaded');

    // 2. A broken file over POST /-/reload is refused; a and b are still scraped.
    writeFileSync(cfg, config([['a', a.target], ['b', b.target]]) + '  - job_name: a\n');
    const r = await fetch(`${vigil.base}/-/reload`, { method: 'POST' });
    assert.equal(r.status, 500);
    assert.match(await r.text(), /^failed to reload config: .*prometheus\.yml:11:5: found multiple scrape configs with job name "a"/);
    assert.equal(await reloadOk(), 0);
    const [na, nb] = [a.scrapes(), b.scrapes()];
    await sleep(2.5 * INTERVAL_MS);
    assert.ok(a.scrapes() >= na + 2 && b.scrapes() >= nb + 2, `old targets still scraped: a ${na}→${a.scrapes()}, b ${nb}→${b.scrapes()}`);
    assert.deepEqual((await activeTargets(vigil.base)).map((t) => [t.scrapePool, t.health]).sort(), [['a', 'up'], ['b', 'up']]);

    // Job a's loop ran through both reloads untouched.
    watching = false;
    await watcher;
    // From its first successful scrape on (before that it is "unknown" by design).
    const observed = seen.slice(seen.findIndex((t) => t.health === 'up'));
    assert.ok(observed.length > 20, `${observed.length} observations`);
    let last = 0;
    for (const t of observed) {
      assert.equal(t.health, 'up', 'a restarted loop would report "unknown" until its first scrape');
      const ls = Date.parse(t.lastScrape);
      assert.ok(ls >= last, `lastScrape went back from ${new Date(last).toISOString()} to ${t.lastScrape}`);
      last = ls;
    }
    // Same phase inside the interval for every scrape, and no skipped or extra scrape.
    const times = a.scrapeTimes().slice(1);
    const phase0 = times[0]! % INTERVAL_MS;
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!;
      // Wide bounds for a loaded machine; an extra scrape (restarted loop) or a skipped one falls outside.
      assert.ok(gap > 0.4 * INTERVAL_MS && gap < 1.6 * INTERVAL_MS, `gap of ${gap}ms between scrapes ${i - 1} and ${i}`);
      const drift = Math.abs((times[i]! % INTERVAL_MS) - phase0);
      assert.ok(Math.min(drift, INTERVAL_MS - drift) < 400, `scrape ${i} phase moved by ${drift}ms`);
    }

    // 3. Changing a (a new target label) reloads its pool; removing b stops b.
    writeFileSync(cfg, config([['a', a.target, 'env: prod']]));
    const ok = await fetch(`${vigil.base}/-/reload`, { method: 'POST' });
    assert.equal(ok.status, 200, await ok.text());
    assert.equal(await reloadOk(), 1);
    assert.equal(await reloads(), poolReloads + 1, 'the changed pool a was reloaded');
    await eventually(async () => (await target('a'))?.labels['env'] === 'prod', 5000, 100);
    assert.equal(await target('b'), undefined);
    const nb2 = b.scrapes();
    await sleep(2.5 * INTERVAL_MS);
    assert.ok(b.scrapes() <= nb2 + 1, `removed job b still scraped: ${nb2}→${b.scrapes()}`);
  } finally {
    watching = false;
    await watcher;
    await vigil.stop();
    await a.close();
    await b.close();
    dir.cleanup();
  }
});
