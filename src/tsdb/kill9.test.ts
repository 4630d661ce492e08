import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MatchType, Matcher } from '../model/index.js';
import { sleep, startProcess, tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { openTsdb } from './index.js';

const CHILD = new URL('./kill9-child.js', import.meta.url).pathname;
const KILLS = 24;

it('kill -9 at random moments loses no acknowledged sample and duplicates nothing', { timeout: 120_000 }, async () => {
  const tmp = tempDir('vigil-kill9-');
  try {
    let maxAcked = -1;
    let kills = 0;
    for (let round = 0; round < KILLS; round++) {
      const p = await startProcess(process.execPath, [CHILD, tmp.path]);
      // Wait until it opened the DB and reported where it resumes.
      const deadline = Date.now() + 20_000;
      let start = -1;
      while (start < 0) {
        const m = /start (\d+)/.exec(p.output());
        if (m) start = Number(m[1]);
        else if (p.proc.exitCode !== null) assert.fail(`child exited (${p.proc.exitCode}) before opening:\n${p.output()}`);
        else if (Date.now() > deadline) assert.fail(`child did not open the DB:\n${p.output()}`);
        else await sleep(5);
      }
      assert.ok(start > maxAcked, `round ${round}: resumed at ${start} but batch ${maxAcked} was acknowledged`);
      await sleep(20 + Math.floor(Math.random() * 250));
      await p.kill9();
      kills++;
      for (const m of p.output().matchAll(/ack (\d+)/g)) maxAcked = Math.max(maxAcked, Number(m[1]));
    }
    assert.equal(kills, KILLS);
    assert.ok(maxAcked > 50, `only ${maxAcked} batches acknowledged`);
    const db = await openTsdb({ dir: tmp.path, logger: nopLogger(), blockRangeMs: 20_000, compactionIntervalMs: 0 });
    try {
      assert.ok(db.blockMetas().length > 0, 'blocks were cut during the run');
      const q = await db.querier(-Infinity, Infinity);
      const series = await q.select(null, [new Matcher(MatchType.Equal, '__name__', 'crash')]);
      assert.equal(series.length, 10);
      for (const s of series) {
        const idx = Number(s.labels.find((l) => l.name === 'series')!.value);
        const it = s.iterator();
        let expect = 0;
        while (it.next()) {
          assert.equal(it.t, expect * 1000, `series ${idx}: gap or duplicate at batch ${expect}`);
          assert.equal(it.v, expect * 10 + idx);
          expect++;
        }
        assert.ok(expect - 1 >= maxAcked, `series ${idx}: last batch ${expect - 1} < acknowledged ${maxAcked}`);
      }
      q.close();
    } finally {
      await db.close();
    }
  } finally {
    tmp.cleanup();
  }
});
