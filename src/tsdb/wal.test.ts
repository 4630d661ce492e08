import assert from 'node:assert/strict';
import { openSync, readdirSync, readSync, statSync, truncateSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { labelsFromStrings, MatchType, Matcher } from '../model/index.js';
import { tempDir } from '../testutil/index.js';
import { nopLogger, type Logger } from '../util/index.js';
import { openTsdb } from './index.js';

const SERIES = 10;

async function ingest(dir: string, batches: number): Promise<void> {
  const db = await openTsdb({ dir, logger: nopLogger(), compactionIntervalMs: 0, walSegmentBytes: 4096 });
  const labels = Array.from({ length: SERIES }, (_, s) => labelsFromStrings('__name__', 'w', 's', String(s)));
  for (let b = 0; b < batches; b++) {
    const app = db.appender();
    for (let s = 0; s < SERIES; s++) app.append(0, labels[s]!, b * 1000, b * 10 + s);
    await app.commit();
  }
  await db.close();
}

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'info' }, { write: (s: string) => void lines.push(s) }) as unknown as Logger, lines };
}

/** Batches present for every series; asserts values are right. */
async function readBatches(dir: string, registry: Registry, logger: Logger, walReplayWindowBytes?: number): Promise<number[]> {
  const db = await openTsdb({ dir, logger, registry, compactionIntervalMs: 0, walSegmentBytes: 4096, walReplayWindowBytes });
  try {
    const q = await db.querier(-Infinity, Infinity);
    const series = await q.select(null, [new Matcher(MatchType.Equal, '__name__', 'w')]);
    const perSeries: number[][] = [];
    for (const s of series) {
      const idx = Number(s.labels.find((l) => l.name === 's')!.value);
      const it = s.iterator();
      const got: number[] = [];
      while (it.next()) {
        assert.equal(it.v, (it.t / 1000) * 10 + idx, 'no garbage values');
        got.push(it.t / 1000);
      }
      perSeries.push(got);
    }
    q.close();
    assert.equal(perSeries.length, SERIES);
    for (const p of perSeries) assert.deepEqual(p, perSeries[0]);
    return perSeries[0]!;
  } finally {
    await db.close();
  }
}

function segments(dir: string): string[] {
  return readdirSync(join(dir, 'wal'))
    .filter((f) => /^\d{8}$/.test(f))
    .sort()
    .map((f) => join(dir, 'wal', f))
    .filter((p) => statSync(p).size > 0);
}

// Replay reads through a sliding window: the default (whole 4 KiB segments fit), and one
// smaller than a record, so records straddle window ends and the window must grow.
for (const window of [undefined, 40]) describe(`WAL repair (replay window ${window ?? 'default'})`, () => {
  it('truncates a torn last record, logs it, and keeps everything before it', async () => {
    const tmp = tempDir();
    try {
      await ingest(tmp.path, 200);
      const segs = segments(tmp.path);
      assert.ok(segs.length >= 3, `expected several segments, got ${segs.length}`);
      const last = segs[segs.length - 1]!;
      truncateSync(last, statSync(last).size - 5);
      const { logger, lines } = capture();
      const registry = new Registry();
      const got = await readBatches(tmp.path, registry, logger, window);
      assert.deepEqual(got, Array.from({ length: 199 }, (_, i) => i), 'only the torn last commit is lost');
      assert.ok(lines.some((l) => l.includes('torn or corrupt tail truncated')), lines.join(''));
      assert.match(await registry.getSingleMetricAsString('vigil_tsdb_wal_corruptions_total'), /vigil_tsdb_wal_corruptions_total 1/);
      // The repair is durable: the next open sees a clean WAL.
      const again = capture();
      await readBatches(tmp.path, new Registry(), again.logger, window);
      assert.ok(!again.lines.some((l) => l.includes('corrupt')), again.lines.join(''));
    } finally {
      tmp.cleanup();
    }
  });

  it('skips flipped bytes in a middle segment and serves every other record', async () => {
    const tmp = tempDir();
    try {
      await ingest(tmp.path, 300);
      const segs = segments(tmp.path);
      assert.ok(segs.length >= 4);
      const mid = segs[Math.floor(segs.length / 2)]!;
      const fd = openSync(mid, 'r+');
      const size = statSync(mid).size;
      const at = Math.floor(size / 2);
      const b = Buffer.alloc(3);
      readSync(fd, b, 0, 3, at);
      for (let i = 0; i < 3; i++) b[i] = b[i]! ^ 0xff;
      writeSync(fd, b, 0, 3, at);
      closeSync(fd);
      const { logger, lines } = capture();
      const registry = new Registry();
      const got = await readBatches(tmp.path, registry, logger, window);
      const missing = Array.from({ length: 300 }, (_, i) => i).filter((i) => !got.includes(i));
      assert.ok(missing.length >= 1 && missing.length <= 2, `lost ${missing.length} batches: ${missing.join(',')}`);
      assert.equal(got[got.length - 1], 299, 'records after the corruption are served');
      assert.ok(lines.some((l) => l.includes('corrupt region skipped')), lines.join(''));
      assert.match(await registry.getSingleMetricAsString('vigil_tsdb_wal_corruptions_total'), /vigil_tsdb_wal_corruptions_total [1-9]/);
    } finally {
      tmp.cleanup();
    }
  });
});
