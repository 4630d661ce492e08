import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { labelsFromStrings } from '../model/index.js';
import { tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { openTsdb } from './index.js';
import { dirBytes } from './wal.js';

describe('retention', () => {
  it('time retention deletes exactly the blocks whose maxTime is older than newest maxTime - retention', async () => {
    const tmp = tempDir();
    try {
      const opts = { dir: tmp.path, logger: nopLogger(), compactionIntervalMs: 0, blockRangeMs: 1000, maxBlockDurationMs: 1000 };
      const db = await openTsdb({ ...opts, retentionMs: 0 });
      const ls = labelsFromStrings('__name__', 'r');
      for (let t = 0; t < 20_000; t += 100) {
        const app = db.appender();
        app.append(0, ls, t, t);
        await app.commit();
        await db.compact();
      }
      const before = db.blockMetas();
      await db.close();
      assert.ok(before.length >= 15, `blocks: ${before.length}`);
      const newest = Math.max(...before.map((b) => b.maxTime));
      const retentionMs = 5500;
      const expected = before.filter((b) => newest - b.maxTime <= retentionMs).map((b) => b.ulid);
      const registry = new Registry();
      const db2 = await openTsdb({ ...opts, retentionMs, registry });
      try {
        db2.applyRetention();
        assert.deepEqual(
          db2.blockMetas().map((b) => b.ulid),
          expected,
        );
        assert.ok(expected.length < before.length);
        assert.match(await registry.getSingleMetricAsString('vigil_tsdb_time_retentions_total'), new RegExp(`vigil_tsdb_time_retentions_total ${before.length - expected.length}\\b`));
        // Data before the oldest kept block is gone, the rest still reads.
        assert.ok(db2.startTime() >= Math.min(...db2.blockMetas().map((b) => b.minTime)));
      } finally {
        await db2.close();
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('size retention keeps blocks + WAL under the cap while ingesting', async () => {
    const tmp = tempDir();
    try {
      const cap = 200 * 1024;
      const registry = new Registry();
      const db = await openTsdb({
        dir: tmp.path,
        logger: nopLogger(),
        registry,
        compactionIntervalMs: 0,
        blockRangeMs: 60_000,
        retentionMs: 0,
        retentionBytes: cap,
        walSegmentBytes: 32 * 1024,
      });
      try {
        const labels = Array.from({ length: 50 }, (_, i) => labelsFromStrings('__name__', 'sz', 'i', String(i)));
        let maxSeen = 0;
        for (let t = 0; t < 3_000_000; t += 1000) {
          const app = db.appender();
          for (const ls of labels) app.append(0, ls, t, Math.random());
          await app.commit();
          if (t % 30_000 === 0) {
            await db.compact();
            const size = dirBytes(tmp.path);
            maxSeen = Math.max(maxSeen, size);
            assert.ok(size <= cap, `data dir ${size} bytes > cap ${cap} at t=${t}`);
          }
        }
        assert.ok(maxSeen > cap / 2, `the test should come near the cap (max ${maxSeen})`);
        assert.ok(db.blockMetas().length >= 1, 'the newest blocks are kept');
        assert.match(await registry.getSingleMetricAsString('vigil_tsdb_size_retentions_total'), /vigil_tsdb_size_retentions_total [1-9]/);
      } finally {
        await db.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
