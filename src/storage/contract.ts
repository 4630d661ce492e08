import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelsFromStrings, MatchType, Matcher, STALE_NAN, isStaleNaN, type Labels } from '../model/index.js';
import { StorageError, type Storage, type Series } from './interface.js';

/**
 * The contract every Storage implementation must satisfy. Run it from each
 * implementation's tests: `storageContract('tsdb', () => openTestTsdb())`.
 */
export function storageContract(name: string, open: () => Promise<Storage>): void {
  describe(`storage contract: ${name}`, () => {
    it('reads back committed samples in order, bit-exact, and hides uncommitted ones', async () => {
      const db = await open();
      try {
        const ls = labelsFromStrings('__name__', 'up', 'job', 'a');
        const app = db.appender();
        let ref = app.append(0, ls, 1000, 1);
        ref = app.append(ref, ls, 2000, NaN);
        ref = app.append(ref, ls, 3000, STALE_NAN);
        app.append(ref, ls, 4000, -Infinity);
        await app.commit();
        const pending = db.appender();
        pending.append(0, ls, 5000, 5);
        const q = await db.querier(0, 10_000);
        const got = await read(await q.select(null, [new Matcher(MatchType.Equal, '__name__', 'up')]));
        q.close();
        await pending.rollback();
        assert.equal(got.length, 1);
        assert.deepEqual(got[0]!.ts, [1000, 2000, 3000, 4000]);
        assert.ok(Number.isNaN(got[0]!.vs[1]) && !isStaleNaN(got[0]!.vs[1]!));
        assert.ok(isStaleNaN(got[0]!.vs[2]!));
        assert.equal(got[0]!.vs[3], -Infinity);
      } finally {
        await db.close();
      }
    });

    it('rejects out-of-order and conflicting duplicate samples, accepts identical duplicates', async () => {
      const db = await open();
      try {
        const ls = labelsFromStrings('__name__', 'm');
        const app = db.appender();
        app.append(0, ls, 2000, 1);
        await app.commit();
        const app2 = db.appender();
        assert.throws(() => app2.append(0, ls, 1000, 1), (e: unknown) => e instanceof StorageError && e.code === 'out_of_order');
        assert.throws(() => app2.append(0, ls, 2000, 2), (e: unknown) => e instanceof StorageError && e.code === 'duplicate_sample');
        app2.append(0, ls, 2000, 1);
        await app2.commit();
        const q = await db.querier(0, 10_000);
        const got = await read(await q.select(null, []));
        assert.deepEqual(got[0]!.ts, [2000]);
        q.close();
      } finally {
        await db.close();
      }
    });

    it('selects with every matcher type, sorted by labels, within the time range', async () => {
      const db = await open();
      try {
        const app = db.appender();
        const mk = (job: string, inst: string): Labels => labelsFromStrings('__name__', 'x', 'job', job, 'instance', inst);
        app.append(0, mk('b', '1'), 1000, 1);
        app.append(0, mk('a', '2'), 1000, 2);
        app.append(0, mk('a', '1'), 1000, 3);
        app.append(0, labelsFromStrings('__name__', 'y', 'job', 'a'), 9000, 4);
        await app.commit();
        const q = await db.querier(0, 5000);
        const sel = async (...ms: Matcher[]): Promise<string[]> =>
          (await q.select(null, ms)).map((s) => s.labels.map((l) => `${l.name}=${l.value}`).join(','));
        assert.deepEqual(await sel(new Matcher(MatchType.Equal, 'job', 'a')), ['__name__=x,instance=1,job=a', '__name__=x,instance=2,job=a']);
        assert.deepEqual((await sel(new Matcher(MatchType.NotEqual, 'job', 'a'))).length, 1);
        assert.deepEqual((await sel(new Matcher(MatchType.Regexp, 'instance', '1|3'))).length, 2);
        assert.deepEqual((await sel(new Matcher(MatchType.NotRegexp, 'job', 'a.*'))).length, 1);
        // y has no sample inside [0, 5000].
        assert.deepEqual(await sel(new Matcher(MatchType.Equal, '__name__', 'y')), []);
        assert.deepEqual(await q.labelValues('job', []), ['a', 'b']);
        assert.deepEqual(await q.labelNames([new Matcher(MatchType.Equal, 'job', 'b')]), ['__name__', 'instance', 'job']);
        q.close();
      } finally {
        await db.close();
      }
    });

    it('iterator seek lands on the first sample at or after the target', async () => {
      const db = await open();
      try {
        const ls = labelsFromStrings('__name__', 's');
        const app = db.appender();
        let ref = 0;
        for (let t = 0; t < 1000; t++) ref = app.append(ref, ls, t * 15_000, t);
        await app.commit();
        const q = await db.querier(0, 1000 * 15_000);
        const [s] = await q.select(null, []);
        const it = s!.iterator();
        assert.ok(it.seek(15_000 * 500 + 1));
        assert.equal(it.t, 15_000 * 501);
        assert.equal(it.v, 501);
        assert.ok(it.next());
        assert.equal(it.v, 502);
        assert.ok(!it.seek(15_000 * 1000));
        q.close();
      } finally {
        await db.close();
      }
    });
  });
}

async function read(series: Series[]): Promise<Array<{ ts: number[]; vs: Float64Array }>> {
  return series.map((s) => {
    const it = s.iterator();
    const ts: number[] = [];
    // A Float64Array keeps the stale-NaN bit pattern; a plain number[] would canonicalise it.
    let vs = new Float64Array(16);
    while (it.next()) {
      if (ts.length === vs.length) {
        const grown = new Float64Array(vs.length * 2);
        grown.set(vs);
        vs = grown;
      }
      vs[ts.length] = it.v;
      ts.push(it.t);
    }
    return { ts, vs: vs.subarray(0, ts.length) };
  });
}
