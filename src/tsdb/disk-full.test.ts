import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { labelsFromStrings, MatchType, Matcher } from '../model/index.js';
import { tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { openTsdb } from './index.js';

/** A 1 MiB tmpfs of our own, so the disk really fills up (needs root, as CI runs). */
function mountSmallFs(dir: string): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0;
}

const canMount = ((): string | false => {
  const t = tempDir('vigil-mountprobe-');
  try {
    if (!mountSmallFs(t.path)) return 'needs root and permission to mount a tmpfs';
    spawnSync('umount', [t.path]);
    return false;
  } finally {
    t.cleanup();
  }
})();

test('a full disk refuses commits with a clear error, keeps every acknowledged sample, and recovers when space returns', { skip: canMount, timeout: 60_000 }, async () => {
  const t = tempDir('vigil-diskfull-');
  assert.ok(mountSmallFs(t.path));
  try {
    const dataDir = join(t.path, 'data');
    mkdirSync(dataDir);
    // Room to give back later.
    const filler = join(t.path, 'filler');
    writeFileSync(filler, Buffer.alloc(256 * 1024, 1));
    const registry = new Registry();
    const db = await openTsdb({ dir: dataDir, logger: nopLogger(), registry, compactionIntervalMs: 0 });
    const SERIES = 100;
    const labels = Array.from({ length: SERIES }, (_, i) => labelsFromStrings('__name__', 'm', 'i', String(i)));
    const acked: number[] = [];
    let failedAt = -1;
    let error: Error | null = null;
    let ts = 1_000;
    for (; ts < 10_000_000; ts += 1000) {
      const a = db.appender();
      for (let i = 0; i < SERIES; i++) a.append(0, labels[i]!, ts, ts / 1000 + i);
      try {
        await a.commit();
        acked.push(ts);
      } catch (err) {
        error = err as Error;
        failedAt = ts;
        break;
      }
    }
    assert.ok(error, 'the disk filled up');
    assert.match(error.message, /WAL write failed \(ENOSPC\).*commit was refused/);
    assert.match(await registry.getSingleMetricAsString('vigil_tsdb_wal_writes_failed_total'), / 1$/m);
    // Still full: the next commit is refused too, nothing half-written.
    const again = db.appender();
    for (let i = 0; i < SERIES; i++) again.append(0, labels[i]!, failedAt, -1);
    await assert.rejects(again.commit(), /ENOSPC/);
    // Space comes back: commits work again.
    rmSync(filler);
    for (const more of [failedAt + 1000, failedAt + 2000]) {
      const a = db.appender();
      for (let i = 0; i < SERIES; i++) a.append(0, labels[i]!, more, more / 1000 + i);
      await a.commit();
      acked.push(more);
    }
    await db.close();

    // After a restart (WAL replay) every acknowledged sample is there once, the refused ones not at all.
    const db2 = await openTsdb({ dir: dataDir, logger: nopLogger(), compactionIntervalMs: 0 });
    try {
      const q = await db2.querier(0, Number.MAX_SAFE_INTEGER);
      const list = await q.select({ start: 0, end: Number.MAX_SAFE_INTEGER }, [new Matcher(MatchType.Equal, '__name__', 'm')]);
      assert.equal(list.length, SERIES);
      for (const s of list) {
        const i = Number(s.labels.find((l) => l.name === 'i')!.value);
        const got: number[] = [];
        const it = s.iterator();
        while (it.next()) {
          got.push(it.t);
          assert.equal(it.v, it.t / 1000 + i, `value of series ${i} at ${it.t}`);
        }
        assert.deepEqual(got, acked, `series ${i}`);
      }
      q.close();
    } finally {
      await db2.close();
    }
  } finally {
    spawnSync('umount', [t.path]);
    t.cleanup();
  }
});
