/**
 * kill -9 of the whole `vigil server` while remote-write ingestion is in flight, five
 * times (twice followed by a second kill during startup): the server always starts
 * again on the same data dir, and every sample whose
 * POST /api/v1/write answered 2xx before the kill is readable through the query API.
 * (src/tsdb/kill9.test.ts does the same at the TSDB level with 20+ kills; this proves
 * the HTTP receiver acknowledges only what the WAL holds.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelsFromObject } from '../../model/index.js';
import { encodeWriteRequest, snappyCompress } from '../../remote/index.js';
import { apiData, eventually, sleep, startVigilServer, tempDir } from '../../testutil/index.js';

const CYCLES = 5;
const WRITERS = 4;
const SERIES_PER_WRITER = 5;
const STEP_MS = 100;

/** Each writer owns its series and writes batch after batch (never two in flight, so never out of order). */
interface Writer {
  id: number;
  next: number;
  /** Batches answered 2xx. */
  acked: number[];
}

const value = (writer: number, s: number, batch: number): number => batch * 100 + writer * 10 + s;

async function postBatch(base: string, t0: number, w: Writer, batch: number): Promise<Response> {
  const series = [];
  for (let s = 0; s < SERIES_PER_WRITER; s++) {
    series.push({ labels: labelsFromObject({ __name__: 'rw_durability', writer: String(w.id), s: String(s) }), samples: [{ t: t0 + batch * STEP_MS, v: value(w.id, s, batch) }] });
  }
  return fetch(`${base}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    body: snappyCompress(encodeWriteRequest(series)),
  });
}

/** Checks that every acknowledged sample is stored with its value. */
async function verify(base: string, t0: number, writers: Writer[]): Promise<number> {
  const at = (Date.now() / 1000).toFixed(3);
  const d = await apiData<{ resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(base, '/api/v1/query', {
    query: 'rw_durability[3h]',
    time: at,
  });
  assert.equal(d.resultType, 'matrix');
  let checked = 0;
  for (const w of writers) {
    for (let s = 0; s < SERIES_PER_WRITER; s++) {
      const got = d.result.find((r) => r.metric['writer'] === String(w.id) && r.metric['s'] === String(s));
      const stored = new Map((got?.values ?? []).map(([t, v]) => [Math.round(t * 1000), Number(v)]));
      for (const b of w.acked) {
        assert.equal(stored.get(t0 + b * STEP_MS), value(w.id, s, b), `writer ${w.id} series ${s}: acknowledged batch ${b} lost`);
        checked++;
      }
    }
  }
  return checked;
}

test(`kill -9 during remote-write ingestion loses no acknowledged sample (${CYCLES} cycles)`, { timeout: 85_000 }, async (t) => {
  const dir = tempDir('vigil-e2e-durability-');
  // An hour back so all timestamps are in the past and inside the head block.
  const t0 = Date.now() - 3_600_000;
  const writers: Writer[] = Array.from({ length: WRITERS }, (_, id) => ({ id, next: 0, acked: [] }));
  const vigil = await startVigilServer({
    dir: dir.path,
    config: 'global:\n  scrape_interval: 1m\nscrape_configs: []\n',
    args: ['--web.enable-remote-write-receiver', '--no-host-collectors', '--no-alertmanager.enable'],
  });
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      let running = true;
      const loops = writers.map(async (w) => {
        while (running) {
          const b = w.next++;
          let r: Response;
          try {
            r = await postBatch(vigil.base, t0, w, b);
          } catch {
            return; // the server died under this request: unknown whether it was stored
          }
          // Only 2xx counts as acknowledged; anything else is a bug in this test setup.
          assert.equal(r.status, 204, `writer ${w.id} batch ${b}: HTTP ${r.status} ${await r.text()}`);
          w.acked.push(b);
        }
      });
      await sleep(300 + Math.floor(Math.random() * 900));
      await vigil.kill9();
      running = false;
      await Promise.all(loops);
      if (cycle % 2 === 1) {
        // A crash loop: killed again while it replays the WAL or opens the API.
        await vigil.restart({ waitReady: false });
        // From the first log line on, the server opens storage and replays the WAL.
        await eventually(async () => /Starting Vigil server/.test(vigil.proc.output()), 15_000, 5);
        const after = Math.floor(Math.random() * 120);
        await sleep(after);
        await vigil.kill9();
        const stage = /head loaded from WAL/.test(vigil.proc.output()) ? (/ready to receive/.test(vigil.proc.output()) ? 'after ready' : 'after WAL replay') : 'before WAL replay finished';
        t.diagnostic(`cycle ${cycle}: killed again ${after}ms after the first log line (${stage})`);
      }
      await vigil.restart();
      const checked = await verify(vigil.base, t0, writers);
      t.diagnostic(`cycle ${cycle}: ${checked} acknowledged samples readable after restart`);
    }
    const total = writers.reduce((n, w) => n + w.acked.length, 0) * SERIES_PER_WRITER;
    assert.ok(total > 200, `only ${total} samples acknowledged; ingestion too slow to prove anything`);
    // A clean stop after the crashes: the data also survives a normal restart.
    assert.equal(await vigil.stop(), 0);
    await vigil.restart();
    assert.equal(await verify(vigil.base, t0, writers), total);
    const series = await apiData<unknown[]>(vigil.base, `/api/v1/series?match[]=rw_durability`);
    assert.equal(series.length, WRITERS * SERIES_PER_WRITER);
  } finally {
    await vigil.stop();
    dir.cleanup();
  }
});
