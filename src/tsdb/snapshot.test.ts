import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelsFromStrings, MatchType, Matcher, isStaleNaN, STALE_NAN } from '../model/index.js';
import { tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { openTsdb, type Tsdb } from './index.js';

async function count(db: Tsdb, mint = -Infinity, maxt = Infinity): Promise<number> {
  const q = await db.querier(mint, maxt);
  let n = 0;
  for (const s of await q.select(null, [])) {
    const it = s.iterator();
    while (it.next()) n++;
  }
  q.close();
  return n;
}

describe('snapshot and read isolation', () => {
  it('snapshot(dir, withHead) gives a directory a new TSDB opens with all committed data', async () => {
    const src = tempDir();
    const dst = tempDir();
    try {
      const db = await openTsdb({ dir: src.path, logger: nopLogger(), compactionIntervalMs: 0, blockRangeMs: 60_000 });
      const ls = labelsFromStrings('__name__', 'snap');
      for (let t = 0; t < 400_000; t += 5000) {
        const app = db.appender();
        app.append(0, ls, t, t === 395_000 ? STALE_NAN : t);
        await app.commit();
        await db.compact();
      }
      assert.ok(db.blockMetas().length > 0 && db.head.numSeries > 0, 'data in both blocks and head');
      const written = await db.snapshot(`${dst.path}/snap`, true);
      assert.equal(written.length, db.blockMetas().length + 1);
      const withoutHead = await db.snapshot(`${dst.path}/nohead`, false);
      assert.equal(withoutHead.length, db.blockMetas().length);
      await db.close();
      const copy = await openTsdb({ dir: `${dst.path}/snap`, logger: nopLogger(), compactionIntervalMs: 0, blockRangeMs: 60_000 });
      try {
        assert.equal(await count(copy), 80);
        const q = await copy.querier(395_000, 395_000);
        const [s] = await q.select(null, [new Matcher(MatchType.Equal, '__name__', 'snap')]);
        const it = s!.iterator();
        assert.ok(it.next());
        assert.ok(isStaleNaN(it.v));
        q.close();
      } finally {
        await copy.close();
      }
    } finally {
      src.cleanup();
      dst.cleanup();
    }
  });

  it('a selected series does not see later commits, head truncation or block deletion', async () => {
    const tmp = tempDir();
    try {
      const db = await openTsdb({ dir: tmp.path, logger: nopLogger(), compactionIntervalMs: 0, blockRangeMs: 60_000, retentionMs: 100_000 });
      try {
        const ls = labelsFromStrings('__name__', 'iso');
        for (let t = 0; t < 200_000; t += 1000) {
          const app = db.appender();
          app.append(0, ls, t, t);
          await app.commit();
        }
        await db.compact();
        const q = await db.querier(-Infinity, Infinity);
        const [s] = await q.select(null, []);
        // Concurrent writers: more data, head cuts, retention deleting old blocks.
        for (let t = 200_000; t < 600_000; t += 1000) {
          const app = db.appender();
          app.append(0, ls, t, t);
          await app.commit();
          await db.compact();
        }
        let n = 0;
        const it = s!.iterator();
        while (it.next()) {
          assert.equal(it.v, n * 1000);
          n++;
        }
        assert.equal(n, 200, 'exactly the samples committed before select()');
        q.close();
        assert.ok(db.blockMetas()[0]!.minTime > 0, 'retention removed the oldest blocks after the querier closed');
      } finally {
        await db.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
