import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STALE_NAN, isStaleNaN } from '../model/index.js';
import { CHUNK_HEADER_BYTES, ChunkIterator, MAX_SAMPLE_BITS, chunkAppend, chunkBytes, encodeChunks, newChunkState } from './chunk.js';

const f = new Float64Array(1);
const u = new BigUint64Array(f.buffer);
function bits(v: number): bigint {
  f[0] = v;
  return u[0]!;
}
function fromBits(b: bigint): number {
  u[0] = b;
  return f[0]!;
}

function roundTrip(ts: number[], vs: Float64Array): { ts: number[]; vs: Float64Array } {
  const buf = new Uint8Array(CHUNK_HEADER_BYTES + Math.ceil((ts.length * MAX_SAMPLE_BITS) / 8) + 8);
  const st = newChunkState();
  for (let i = 0; i < ts.length; i++) chunkAppend(buf, 0, st, ts[i]!, vs[i]!);
  const it = new ChunkIterator().reset(buf, 0, chunkBytes(st));
  const ots: number[] = [];
  const ovs = new Float64Array(ts.length);
  while (it.next()) {
    ovs[ots.length] = it.v;
    ots.push(it.t);
  }
  assert.equal(it.corrupt, false);
  return { ts: ots, vs: ovs };
}

function assertBitsEqual(a: Float64Array, b: Float64Array): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.equal(bits(a[i]!), bits(b[i]!), `value ${i}: ${a[i]} vs ${b[i]}`);
}

describe('XOR chunk', () => {
  it('round-trips regular scrape data compactly', () => {
    const ts: number[] = [];
    const vs = new Float64Array(120);
    for (let i = 0; i < 120; i++) {
      ts.push(1_700_000_000_000 + i * 15_000);
      vs[i] = 1000 + i * 3;
    }
    const got = roundTrip(ts, vs);
    assert.deepEqual(got.ts, ts);
    assertBitsEqual(got.vs, vs);
    const [c] = encodeChunks(ts, vs, 0, ts.length);
    assert.ok(c!.data.length < 120 * 4, `regular counter should take < 4 bytes/sample, got ${c!.data.length}`);
  });

  it('keeps edge values bit-exact: NaN payloads, stale marker, ±Inf, ±0, denormals, extremes', () => {
    const specials = [
      0,
      -0,
      NaN,
      STALE_NAN,
      fromBits(0x7ff8000000000001n),
      fromBits(0xfff0000000000001n),
      Infinity,
      -Infinity,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.EPSILON,
      1,
      1,
      1,
      0.1,
      -123456.789,
      2 ** 53,
      STALE_NAN,
      STALE_NAN,
      NaN,
    ];
    const vs = Float64Array.from(specials);
    // Float64Array.from canonicalises nothing, but the literal array might have: set the NaNs explicitly.
    vs[3] = STALE_NAN;
    vs[4] = fromBits(0x7ff8000000000001n);
    vs[5] = fromBits(0xfff0000000000001n);
    vs[19] = STALE_NAN;
    vs[20] = STALE_NAN;
    const ts = specials.map((_, i) => i * 1000);
    const got = roundTrip(ts, vs);
    assert.deepEqual(got.ts, ts);
    assertBitsEqual(got.vs, vs);
    assert.ok(isStaleNaN(got.vs[3]!));
    assert.ok(!isStaleNaN(got.vs[2]!));
  });

  it('encodes every delta-of-delta bucket and huge/negative timestamps', () => {
    const deltas = [1, 1, 8192, -8191 + 8192, 65536, 1, 524288, 1, 2 ** 40, 1, 3, 2 ** 33, 1];
    const ts: number[] = [-5_000_000_000_000];
    for (const d of deltas) ts.push(ts[ts.length - 1]! + Math.abs(d));
    ts.push(ts[ts.length - 1]! + 2 ** 50);
    const vs = new Float64Array(ts.length).map((_, i) => i * 1.5);
    const got = roundTrip(ts, vs);
    assert.deepEqual(got.ts, ts);
    assertBitsEqual(got.vs, vs);
  });

  it('spreads samples evenly over floor(n/120) chunks, or caps at an explicit size', () => {
    const ts = Array.from({ length: 300 }, (_, i) => i * 10);
    const vs = new Float64Array(300).map((_, i) => Math.sin(i));
    assert.deepEqual(
      encodeChunks(ts, vs, 0, 300).map((c) => [c.mint, c.maxt]),
      [
        [0, 1490],
        [1500, 2990],
      ],
    );
    assert.deepEqual(
      encodeChunks(ts, vs, 0, 50).map((c) => [c.mint, c.maxt]),
      [[0, 490]],
    );
    const cs = encodeChunks(ts, vs, 0, 300, 120);
    assert.deepEqual(
      cs.map((c) => [c.mint, c.maxt]),
      [
        [0, 1190],
        [1200, 2390],
        [2400, 2990],
      ],
    );
    const it = new ChunkIterator();
    let n = 0;
    for (const c of cs) {
      it.reset(c.data, 0, c.data.length);
      while (it.next()) {
        assert.equal(it.t, ts[n]);
        assert.equal(it.v, vs[n]);
        n++;
      }
    }
    assert.equal(n, 300);
  });

  it('flags a truncated chunk as corrupt instead of reading garbage', () => {
    const ts = Array.from({ length: 50 }, (_, i) => i * 1000);
    const vs = new Float64Array(50).map((_, i) => Math.random() * i);
    const [c] = encodeChunks(ts, vs, 0, 50);
    const it = new ChunkIterator().reset(c!.data, 0, 20);
    let n = 0;
    while (it.next()) n++;
    assert.ok(n < 50);
    assert.equal(it.corrupt, true);
  });
});
