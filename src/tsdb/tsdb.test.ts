import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { labelsFromStrings, MatchType, Matcher } from '../model/index.js';
import type { Appender, Storage } from '../storage/index.js';
import { storageContract } from '../storage/contract.js';
import { tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { openTsdb, type Tsdb } from './index.js';

async function openTest(extra: Partial<Parameters<typeof openTsdb>[0]> = {}): Promise<{ db: Tsdb; cleanup: () => void; dir: string }> {
  const t = tempDir('vigil-tsdb-');
  const db = await openTsdb({ dir: t.path, logger: nopLogger(), compactionIntervalMs: 0, ...extra });
  return { db, dir: t.path, cleanup: t.cleanup };
}

/** Wraps a TSDB so that every commit is followed by a compaction (head cut into blocks). */
function compactingStorage(db: Tsdb, cleanup: () => void): Storage {
  return {
    appender(): Appender {
      const a = db.appender();
      return {
        append: (r, l, t, v) => a.append(r, l, t, v),
        commit: async () => {
          await a.commit();
          await db.compact();
        },
        rollback: () => a.rollback(),
      };
    },
    querier: (mint, maxt) => db.querier(mint, maxt),
    startTime: () => db.startTime(),
    stats: (l) => db.stats(l),
    close: async () => {
      await db.close();
      cleanup();
    },
  };
}

storageContract('tsdb (head only)', async () => {
  const { db, cleanup } = await openTest();
  const close = db.close.bind(db);
  db.close = async () => {
    await close();
    cleanup();
  };
  return db;
});

storageContract('tsdb (head + blocks, 10-minute block range)', async () => {
  const { db, cleanup } = await openTest({ blockRangeMs: 600_000 });
  return compactingStorage(db, cleanup);
});

describe('tsdb', () => {
  it('counts rejected samples, fsyncs per commit when asked, and reports head stats', async () => {
    const registry = new Registry();
    const { db, cleanup } = await openTest({ registry, fsyncPerCommit: true, blockRangeMs: 3600_000 });
    try {
      const a = labelsFromStrings('__name__', 'm1', 'job', 'x');
      const b = labelsFromStrings('__name__', 'm1', 'job', 'y');
      const c = labelsFromStrings('__name__', 'm2', 'job', 'x');
      let app = db.appender();
      app.append(0, a, 10_000_000, 1);
      app.append(0, b, 10_000_000, 1);
      app.append(0, c, 10_000_000, 1);
      await app.commit();
      app = db.appender();
      assert.throws(() => app.append(0, a, 9_999_000, 1), /out of order/);
      assert.throws(() => app.append(0, a, 10_000_000, 2), /duplicate/);
      // Older than head maxTime - blockRange/2: out of bounds, as Prometheus.
      assert.throws(() => app.append(0, labelsFromStrings('__name__', 'new'), 10_000_000 - 1_900_000, 1), (e: unknown) => (e as { code?: string }).code === 'out_of_bounds');
      assert.throws(() => app.append(0, [{ name: '', value: 'v' }], 10_000_000, 1), (e: unknown) => (e as { code?: string }).code === 'invalid_labels');
      await app.commit();
      const text = await registry.metrics();
      assert.match(text, /vigil_tsdb_out_of_order_samples_total 1\n/);
      assert.match(text, /vigil_tsdb_duplicate_samples_total 1\n/);
      assert.match(text, /vigil_tsdb_out_of_bound_samples_total 1\n/);
      assert.match(text, /vigil_tsdb_wal_fsyncs_total [1-9]/);
      const st = db.stats(5);
      assert.equal(st.numSeries, 4, 'the rejected out-of-bounds sample still created its series, like Prometheus');
      assert.deepEqual(st.seriesCountByMetricName.slice(0, 2), [
        { name: 'm1', value: 2 },
        { name: 'm2', value: 1 },
      ]);
      assert.equal(st.minTime, 10_000_000);
      assert.equal(st.maxTime, 10_000_000);
    } finally {
      await db.close();
      cleanup();
    }
  });

  it('head gauges are current at every scrape, without waiting for a compaction', async () => {
    const registry = new Registry();
    // No compaction timer at all: only a collection-time read can make the gauges move.
    const { db, cleanup } = await openTest({ registry, compactionIntervalMs: 0 });
    const gauge = async (name: string): Promise<number | undefined> => {
      const m = (await registry.getSingleMetric(name)?.get())?.values[0];
      return m?.value;
    };
    try {
      assert.equal(await gauge('vigil_tsdb_head_series'), 0);
      let app = db.appender();
      for (let i = 0; i < 3; i++) app.append(0, labelsFromStrings('__name__', 'g', 'i', String(i)), 5_000, i);
      await app.commit();
      assert.equal(await gauge('vigil_tsdb_head_series'), 3);
      assert.equal(await gauge('vigil_tsdb_head_chunks'), 3);
      assert.equal(await gauge('vigil_tsdb_head_min_time'), 5_000);
      assert.equal(await gauge('vigil_tsdb_head_max_time'), 5_000);
      const wal1 = (await gauge('vigil_tsdb_wal_storage_size_bytes'))!;
      assert.ok(wal1 > 0, 'WAL size');
      app = db.appender();
      app.append(0, labelsFromStrings('__name__', 'g', 'i', '3'), 20_000, 1);
      await app.commit();
      // The text exposition (what /metrics serves) sees the new values too.
      const text = await registry.metrics();
      assert.match(text, /^vigil_tsdb_head_series 4$/m);
      assert.match(text, /^vigil_tsdb_head_max_time 20000$/m);
      assert.ok((await gauge('vigil_tsdb_wal_storage_size_bytes'))! >= wal1);
    } finally {
      await db.close();
      cleanup();
    }
  });

  it('takes the lock file unless noLockfile, and refuses a directory locked by a live process', async () => {
    const t = tempDir('vigil-tsdb-');
    try {
      const db = await openTsdb({ dir: t.path, logger: nopLogger(), compactionIntervalMs: 0 });
      assert.equal(readFileSync(join(t.path, 'lock'), 'utf8'), String(process.pid));
      await db.close();
      assert.equal(existsSync(join(t.path, 'lock')), false, 'released on close');
      // Another live process (the test runner) holds the lock.
      writeFileSync(join(t.path, 'lock'), String(process.ppid));
      await assert.rejects(openTsdb({ dir: t.path, logger: nopLogger(), compactionIntervalMs: 0 }), /is locked by process/);
      const free = await openTsdb({ dir: t.path, logger: nopLogger(), compactionIntervalMs: 0, noLockfile: true });
      await free.close();
      assert.equal(readFileSync(join(t.path, 'lock'), 'utf8'), String(process.ppid), 'without a lock file of its own, the other lock is left alone');
      rmSync(join(t.path, 'lock'));
      const none = await openTsdb({ dir: t.path, logger: nopLogger(), compactionIntervalMs: 0, noLockfile: true });
      assert.equal(existsSync(join(t.path, 'lock')), false, 'noLockfile writes no lock file');
      await none.close();
    } finally {
      t.cleanup();
    }
  });

  it('removes half-written blocks and blocks already compacted into another on start', async () => {
    const { db, dir, cleanup } = await openTest({ blockRangeMs: 600_000, retentionMs: 0 });
    try {
      const ls = labelsFromStrings('__name__', 'h');
      for (let t = 0; t < 4_000_000; t += 60_000) {
        const app = db.appender();
        app.append(0, ls, t, t);
        await app.commit();
        await db.compact();
      }
      const metas = db.blockMetas();
      assert.ok(metas.length >= 2);
      await db.close();
      // A crash mid-write leaves a tmp dir; a crash after compaction leaves a parent behind.
      mkdirSync(join(dir, '01HZZZZZZZZZZZZZZZZZZZZZZZ.tmp-for-creation', 'chunks'), { recursive: true });
      writeFileSync(join(dir, '01HZZZZZZZZZZZZZZZZZZZZZZZ.tmp-for-creation', 'index'), 'partial');
      const child = metas.find((m) => m.compaction.parents);
      const db2 = await openTsdb({ dir, logger: nopLogger(), compactionIntervalMs: 0, blockRangeMs: 600_000 });
      try {
        assert.ok(!existsSync(join(dir, '01HZZZZZZZZZZZZZZZZZZZZZZZ.tmp-for-creation')));
        assert.deepEqual(
          db2.blockMetas().map((m) => m.ulid),
          metas.map((m) => m.ulid),
        );
        for (const p of child?.compaction.parents ?? []) assert.ok(!existsSync(join(dir, p)));
        const q = await db2.querier(0, Infinity);
        const [s] = await q.select(null, []);
        let n = 0;
        const it = s!.iterator();
        while (it.next()) n++;
        assert.equal(n, Math.ceil(4_000_000 / 60_000));
        q.close();
      } finally {
        await db2.close();
      }
    } finally {
      cleanup();
    }
  });

  it('cuts blocks, keeps reading across head and blocks, and survives a restart', async () => {
    const { db, dir, cleanup } = await openTest({ blockRangeMs: 600_000 });
    const registry = new Registry();
    try {
      const ls = labelsFromStrings('__name__', 'up', 'job', 'a');
      for (let b = 0; b < 40; b++) {
        const app = db.appender();
        for (let i = 0; i < 20; i++) app.append(0, ls, (b * 20 + i) * 15_000, b * 20 + i);
        await app.commit();
        await db.compact();
      }
      assert.ok(db.blockMetas().length >= 2, `expected blocks, got ${db.blockMetas().length}`);
      await db.close();
      const db2 = await openTsdb({ dir, logger: nopLogger(), compactionIntervalMs: 0, blockRangeMs: 600_000, registry });
      try {
        const q = await db2.querier(0, Infinity);
        const [s] = await q.select(null, [new Matcher(MatchType.Equal, 'job', 'a')]);
        const it = s!.iterator();
        let n = 0;
        while (it.next()) {
          assert.equal(it.t, n * 15_000);
          assert.equal(it.v, n);
          n++;
        }
        assert.equal(n, 800);
        q.close();
        const metrics = await registry.getSingleMetricAsString('vigil_tsdb_blocks_loaded');
        assert.match(metrics, /vigil_tsdb_blocks_loaded [1-9]/);
      } finally {
        await db2.close();
      }
    } finally {
      cleanup();
    }
  });
});
