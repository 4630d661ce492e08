import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelsFromStrings, MatchType, Matcher } from '../model/index.js';
import { tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { openTsdb } from './index.js';

const RANGE = 600_000; // 10-minute blocks
const STEP = 15_000;

/** Samples per series visible to a query over everything. */
async function countSamples(db: Awaited<ReturnType<typeof openTsdb>>, maxt: number): Promise<{ series: number; samples: number }> {
  const q = await db.querier(0, maxt);
  try {
    const list = await q.select({ start: 0, end: maxt }, [new Matcher(MatchType.Equal, '__name__', 'm')]);
    let samples = 0;
    for (const s of list) {
      const it = s.iterator();
      while (it.next()) samples++;
    }
    return { series: list.length, samples };
  } finally {
    q.close();
  }
}

test('head compaction of many series yields to the event loop; queries and appends meanwhile see every sample once', async () => {
  const t = tempDir('vigil-tsdb-async-');
  const db = await openTsdb({ dir: t.path, logger: nopLogger(), compactionIntervalMs: 0, blockRangeMs: RANGE });
  try {
    const SERIES = 6000; // 3 slices of the block writer
    const labels = Array.from({ length: SERIES }, (_, i) => labelsFromStrings('__name__', 'm', 'i', String(i)));
    const refs = new Array<number>(SERIES).fill(0);
    let t1 = 0;
    // 20 minutes of data: the head spans more than 1.5 block ranges.
    for (; t1 <= 2 * RANGE; t1 += STEP) {
      const a = db.appender();
      for (let i = 0; i < SERIES; i++) refs[i] = a.append(refs[i]!, labels[i]!, t1, i + t1 / STEP);
      await a.commit();
    }
    const perSeriesBefore = t1 / STEP;
    let ticks = 0;
    let done = false;
    const ticker = (): void => {
      if (done) return;
      ticks++;
      setImmediate(ticker);
    };
    setImmediate(ticker);
    const compaction = db.compact().then(() => (done = true));
    // While the block is written: queries must see every sample exactly once, appends go on.
    const seen: number[] = [];
    let appended = 0;
    while (!done) {
      // Requests arrive as separate event-loop turns (I/O callbacks); a loop of resolved
      // promises alone would never let the compaction's setImmediate run.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const c = await countSamples(db, t1 + 10 * STEP);
      assert.equal(c.series, SERIES);
      seen.push(c.samples);
      const a = db.appender();
      for (let i = 0; i < SERIES; i++) refs[i] = a.append(refs[i]!, labels[i]!, t1, 1);
      await a.commit();
      t1 += STEP;
      appended++;
    }
    await compaction;
    assert.ok(ticks >= 2, `the event loop ran ${ticks} times during compaction`);
    assert.ok(db.blockMetas().length >= 1, 'a block was cut');
    for (let k = 0; k < seen.length; k++) assert.equal(seen[k], SERIES * (perSeriesBefore + k), `query ${k} during compaction`);
    const after = await countSamples(db, t1 + 10 * STEP);
    assert.equal(after.samples, SERIES * (perSeriesBefore + appended));
  } finally {
    await db.close();
    t.cleanup();
  }
});
