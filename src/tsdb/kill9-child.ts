/**
 * Test helper for kill9.test.ts (not part of the public surface): ingests batches
 * forever into the TSDB at argv[2], printing "start N" after opening and "ack N"
 * after each commit returned. Small block range and WAL segments so that kills
 * land in block writes, checkpoints and segment cuts too.
 */
import { labelsFromStrings, MatchType, Matcher } from '../model/index.js';
import { nopLogger } from '../util/index.js';
import { openTsdb } from './db.js';

const SERIES = 10;
const dir = process.argv[2]!;
const db = await openTsdb({ dir, logger: nopLogger(), blockRangeMs: 20_000, compactionIntervalMs: 0, walSegmentBytes: 16 * 1024 });
const labels = Array.from({ length: SERIES }, (_, s) => labelsFromStrings('__name__', 'crash', 'series', String(s)));
const q = await db.querier(-Infinity, Infinity);
let maxT = -1;
for (const s of await q.select(null, [new Matcher(MatchType.Equal, '__name__', 'crash')])) {
  const it = s.iterator();
  while (it.next()) if (it.t > maxT) maxT = it.t;
}
q.close();
let b = maxT < 0 ? 0 : maxT / 1000 + 1;
process.stdout.write(`start ${b}\n`);
for (;;) {
  const app = db.appender();
  for (let s = 0; s < SERIES; s++) app.append(0, labels[s]!, b * 1000, b * 10 + s);
  await app.commit();
  process.stdout.write(`ack ${b}\n`);
  if (b % 7 === 0) await db.compact();
  b++;
  if (b % 3 === 0) await new Promise((r) => setImmediate(r));
}
