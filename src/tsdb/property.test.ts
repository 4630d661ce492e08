import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { labelsFromStrings, STALE_NAN } from '../model/index.js';
import { tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { openTsdb } from './index.js';

const HOUR = 3600_000;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A value as raw bits, so NaN payloads survive fast-check's plain arrays. */
const valueBits = fc.oneof(
  fc.tuple(fc.nat(0xffffffff), fc.nat(0xffffffff)).map(([hi, lo]) => [hi, lo] as const), // anything, incl. NaN payloads
  fc.constantFrom<readonly [number, number]>(
    [0x7ff00000, 2], // stale NaN
    [0x7ff80000, 0], // NaN
    [0x7ff00000, 0], // +Inf
    [0xfff00000, 0], // -Inf
    [0x80000000, 0], // -0
    [0, 0],
  ),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map((d) => {
    f64[0] = Math.floor(d);
    return [u32[1]!, u32[0]!] as const; // counter-like integers (resets happen between random draws)
  }),
);

function toFloat([hi, lo]: readonly [number, number]): number {
  u32[1] = hi;
  u32[0] = lo;
  return f64[0]!;
}

const cmp = new Float64Array(2);
const cmpU = new BigUint64Array(cmp.buffer);
function sameBits(a: number, b: number): boolean {
  // Typed-array stores keep NaN payloads (an array literal would not).
  cmp[0] = a;
  cmp[1] = b;
  return cmpU[0] === cmpU[1];
}
function hex(a: number): string {
  cmp[0] = a;
  return cmpU[0]!.toString(16);
}

/** Time steps: mostly scrape-like, sometimes long gaps (hours) or 1 ms. */
const step = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 60_000 }) }, { weight: 1, arbitrary: fc.integer({ min: HOUR, max: 7 * HOUR }) }, { weight: 1, arbitrary: fc.constant(1) });

const scenario = fc.record({
  series: fc.integer({ min: 1, max: 4 }),
  events: fc.array(fc.record({ s: fc.nat(3), step, v: valueBits }), { minLength: 1, maxLength: 400, size: 'max' }),
  start: fc.integer({ min: -HOUR * 10, max: 2_000_000_000_000 }),
  restartAt: fc.nat(400),
});

it('random series, timestamps and values read back bit-exactly across head, blocks and restarts', { timeout: 120_000 }, async () => {
  let blocksSeen = 0;
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async ({ series, events, start, restartAt }) => {
      const tmp = tempDir('vigil-prop-');
      try {
        const opts = { dir: tmp.path, logger: nopLogger(), compactionIntervalMs: 0, blockRangeMs: HOUR, retentionMs: 0 };
        let db = await openTsdb(opts);
        const labels = Array.from({ length: 4 }, (_, i) => labelsFromStrings('__name__', 'p', 'i', String(i)));
        const expectT: number[][] = labels.map(() => []);
        const expectV: Float64Array[] = labels.map(() => new Float64Array(events.length));
        let t = start;
        for (let k = 0; k < events.length; k++) {
          const e = events[k]!;
          t += e.step; // global time order, like scrapes
          const s = e.s % series;
          const v = toFloat(e.v);
          const app = db.appender();
          app.append(0, labels[s]!, t, v);
          await app.commit();
          expectV[s]![expectT[s]!.length] = v;
          expectT[s]!.push(t);
          if (k % 29 === 0) await db.compact();
          if (k === restartAt) {
            await db.close();
            db = await openTsdb(opts);
          }
        }
        await db.compact();
        blocksSeen += db.blockMetas().length;
        const q = await db.querier(-Infinity, Infinity);
        const got = await q.select(null, []);
        const nonEmpty = expectT.map((x, i) => [x, i] as const).filter(([x]) => x.length > 0);
        assert.equal(got.length, nonEmpty.length);
        for (const s of got) {
          const i = Number(s.labels.find((l) => l.name === 'i')!.value);
          const it = s.iterator();
          let n = 0;
          while (it.next()) {
            assert.equal(it.t, expectT[i]![n], `series ${i} sample ${n} timestamp`);
            assert.ok(sameBits(it.v, expectV[i]![n]!), `series ${i} sample ${n} (t=${it.t}): got ${hex(it.v)} want ${hex(expectV[i]![n]!)}`);
            n++;
            checked++;
          }
          assert.equal(n, expectT[i]!.length);
        }
        q.close();
        await db.close();
      } finally {
        tmp.cleanup();
      }
    }),
    { numRuns: 20, endOnFailure: true, includeErrorInReport: true, ...(process.env['FC_SEED'] ? { seed: Number(process.env['FC_SEED']) } : {}) },
  );
  assert.ok(blocksSeen > 0, 'the generated data must have produced blocks');
  assert.ok(checked > 1000, `only ${checked} samples checked`);
  console.log(`property: ${checked} samples, ${blocksSeen} blocks`);
  void STALE_NAN;
});
