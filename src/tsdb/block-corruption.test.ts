import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { labelsFromStrings, MatchType, Matcher } from '../model/index.js';
import { tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { openTsdb } from './index.js';

const RANGE = 600_000;
const SERIES = 50;
const PER_SERIES = 240; // 1 h at 15 s, cut into 10-minute blocks and merged into two

async function writeBlocks(dir: string): Promise<void> {
  const db = await openTsdb({ dir, logger: nopLogger(), compactionIntervalMs: 0, blockRangeMs: RANGE });
  for (let t = 0; t < PER_SERIES * 15_000; t += 15_000) {
    const a = db.appender();
    for (let i = 0; i < SERIES; i++) a.append(0, labelsFromStrings('__name__', 'm', 'i', String(i)), t, i);
    await a.commit();
  }
  await db.flushHead();
  await db.close();
}

async function readable(dir: string): Promise<number> {
  const db = await openTsdb({ dir, logger: nopLogger(), compactionIntervalMs: 0, blockRangeMs: RANGE });
  try {
    const q = await db.querier(0, 1e13);
    const list = await q.select({ start: 0, end: 1e13 }, [new Matcher(MatchType.Equal, '__name__', 'm')]);
    let n = 0;
    for (const s of list) {
      const it = s.iterator();
      while (it.next()) {
        assert.equal(it.v, Number(s.labels.find((l) => l.name === 'i')!.value), 'no garbage values');
        n++;
      }
    }
    q.close();
    return n;
  } finally {
    await db.close();
  }
}

const flip = (p: string, from: number, to: number): void => {
  const b = readFileSync(p);
  for (let i = from; i < Math.min(to, b.length); i++) b[i] = b[i]! ^ 0xff;
  writeFileSync(p, b);
};

const DAMAGE: Record<string, { damage: (block: string) => void; whole: boolean }> = {
  'garbage meta.json': { damage: (b) => writeFileSync(join(b, 'meta.json'), '{garbage'), whole: true },
  'truncated index': { damage: (b) => truncateSync(join(b, 'index'), Math.floor(statSync(join(b, 'index')).size / 2)), whole: true },
  'flipped bytes in the index': { damage: (b) => flip(join(b, 'index'), 100, 200), whole: false },
  'flipped bytes in a chunk file': { damage: (b) => flip(join(b, 'chunks', '000001'), 100, 200), whole: false },
  'truncated chunk file': { damage: (b) => truncateSync(join(b, 'chunks', '000001'), Math.floor(statSync(join(b, 'chunks', '000001')).size / 2)), whole: false },
};

for (const [what, { damage, whole }] of Object.entries(DAMAGE)) {
  test(`a block with ${what}: the TSDB opens and serves everything it can, never garbage`, async () => {
    const t = tempDir('vigil-blockcorrupt-');
    try {
      await writeBlocks(t.path);
      const blocks = readdirSync(t.path).filter((f) => /^[0-9A-Z]{26}$/.test(f)).sort();
      assert.ok(blocks.length >= 2, `blocks: ${blocks.length}`);
      const perBlock = await readable(t.path);
      assert.equal(perBlock, SERIES * PER_SERIES);
      // Samples in the blocks left intact.
      const victim = join(t.path, blocks[blocks.length - 1]!);
      const victimSamples = (JSON.parse(readFileSync(join(victim, 'meta.json'), 'utf8')) as { stats: { numSamples: number } }).stats.numSamples;
      damage(victim);
      const n = await readable(t.path);
      if (whole) assert.equal(n, SERIES * PER_SERIES - victimSamples, 'the unreadable block is skipped, the others served');
      else {
        assert.ok(n >= SERIES * PER_SERIES - victimSamples, `the intact blocks are all served (${n})`);
        assert.ok(n < SERIES * PER_SERIES, 'the damaged part is left out');
      }
    } finally {
      t.cleanup();
    }
  });
}
