import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Config } from '../../config/index.js';
import { freePort, tempDir, waitForHttp } from '../../testutil/index.js';
import { apiSuccess, nopLogger, parseFlags } from '../../util/index.js';
import { SERVER_FLAGS } from '../commands/server.js';
import type { Component, ServerContext } from './component.js';
import { settingsFromFlags } from './settings.js';
import { VigilServer } from './vigil-server.js';

/** A component recording its lifecycle, serving what it was configured with. */
class Probe implements Component {
  jobs: string[] = [];
  refuse = false;
  constructor(
    readonly name: string,
    private readonly events: string[],
  ) {}
  async start(ctx: ServerContext): Promise<void> {
    this.events.push(`${this.name}:start`);
    assert.ok(ctx.storage, 'storage is open before components start');
    ctx.web.mount([{ method: 'GET', path: `/${this.name}`, handler: (c) => c.sendApi(apiSuccess(this.jobs)) }], '/api/v1');
    // A component can take over a route the core API only stubs (e.g. the remote-write receiver).
    if (this.name === 'p1') ctx.web.mount([{ method: 'POST', path: '/api/v1/write', handler: (c) => c.send(204, 'text/plain', '') }]);
  }
  async applyConfig(cfg: Config): Promise<void> {
    if (this.refuse) throw new Error(`${this.name} refuses`);
    this.jobs = cfg.scrapeConfigs.map((s) => s.jobName);
    this.events.push(`${this.name}:config`);
  }
  async stop(): Promise<void> {
    this.events.push(`${this.name}:stop`);
  }
}

const config = (job: string): string => `scrape_configs:\n  - job_name: ${job}\n    static_configs:\n      - targets: ['127.0.0.1:1']\n`;

test('components start in order, get every config, mount gated routes and stop in reverse', async () => {
  const dir = tempDir('vigil-components-');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const cfg = join(dir.path, 'prometheus.yml');
  writeFileSync(cfg, config('one'));
  const settings = settingsFromFlags(
    parseFlags(SERVER_FLAGS, [`--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', `--storage.tsdb.path=${dir.path}`]),
    SERVER_FLAGS,
  );
  const events: string[] = [];
  const [p1, p2] = [new Probe('p1', events), new Probe('p2', events)];
  const server = new VigilServer(settings, nopLogger(), [p1, p2], { handleSignals: false });
  const exit = server.run();
  try {
    await waitForHttp(`${base}/-/ready`, 10_000);
    assert.deepEqual(events, ['p1:start', 'p2:start', 'p1:config', 'p2:config']);
    assert.deepEqual(((await (await fetch(`${base}/api/v1/p2`)).json()) as { data: string[] }).data, ['one']);
    assert.equal((await fetch(`${base}/api/v1/write`, { method: 'POST' })).status, 204);

    // One component refusing fails the reload; the others keep the new config (Prometheus semantics).
    writeFileSync(cfg, config('two'));
    p2.refuse = true;
    const r = await fetch(`${base}/-/reload`, { method: 'POST' });
    assert.equal(r.status, 500);
    assert.match(await r.text(), /one or more errors occurred while applying the new configuration.*p2: p2 refuses/);
    assert.deepEqual(p1.jobs, ['two']);
    assert.deepEqual(p2.jobs, ['one']);
    p2.refuse = false;
    assert.equal((await fetch(`${base}/-/reload`, { method: 'POST' })).status, 200);
    assert.deepEqual(p2.jobs, ['two']);
  } finally {
    await server.shutdown('test done');
    dir.cleanup();
  }
  assert.equal(await exit, 0);
  assert.deepEqual(events.slice(-2), ['p2:stop', 'p1:stop']);
  await assert.rejects(fetch(`${base}/-/healthy`), 'listener closed');
});

/** A component whose start() waits until the test opens the gate (a slow WAL replay, say). */
class SlowStart implements Component {
  readonly name = 'slow';
  stopped = false;
  private open!: () => void;
  readonly gate = new Promise<void>((r) => (this.open = r));
  release(): void {
    this.open();
  }
  async start(): Promise<void> {
    await this.gate;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

test('during startup health answers, the API says 503, and a shutdown waits for startup', async () => {
  const dir = tempDir('vigil-startup-');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const settings = settingsFromFlags(parseFlags(SERVER_FLAGS, [`--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${dir.path}`]), SERVER_FLAGS);
  const slow = new SlowStart();
  const server = new VigilServer(settings, nopLogger(), [slow], { handleSignals: false });
  const exit = server.run();
  try {
    await waitForHttp(`${base}/-/healthy`, 10_000);
    assert.equal((await fetch(`${base}/-/ready`)).status, 503);
    assert.equal((await fetch(`${base}/api/v1/targets`)).status, 503);
    assert.equal((await fetch(`${base}/api/v1/query?query=up`)).status, 503, 'routes not mounted yet are "not ready", not 404');
    assert.match(await (await fetch(`${base}/metrics`)).text(), /^vigil_build_info/m);
    const stopping = server.shutdown('test');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(slow.stopped, false, 'shutdown waits for the start in progress');
    slow.release();
    assert.equal(await stopping, 0);
    assert.equal(slow.stopped, true);
    assert.equal(await exit, 0);
  } finally {
    slow.release();
    await server.shutdown('cleanup');
    dir.cleanup();
  }
});
