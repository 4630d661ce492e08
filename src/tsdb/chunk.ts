/**
 * Gorilla-style XOR chunk: delta-of-delta timestamps and XOR-compressed float
 * values, bit-packed MSB-first into a Uint8Array. Layout (docs/storage-format.md):
 *   bytes 0-1  sample count (uint16 big-endian)
 *   bits from byte 2:
 *     sample 0: t (zigzag varint: 8-bit groups, high bit = more), v (64 raw IEEE-754 bits)
 *     sample n: dod of t (dod = (t - prevT) - prevDelta, prevDelta = 0 for n = 1),
 *               XOR of v with the previous value's bits.
 * Values move as raw bits, so NaN payloads (the stale marker) survive bit-exactly.
 * The appender state lives outside the buffer (ChunkState) so the head can keep it
 * in typed-array columns instead of one object per series.
 */

/** Upper bound of bits one appended sample can take (4 + 64 + 2 + 5 + 6 + 64). */
export const MAX_SAMPLE_BITS = 145;
export const CHUNK_HEADER_BYTES = 2;
/** Chunks are cut after this many samples (as Prometheus does). */
export const SAMPLES_PER_CHUNK = 120;
export const ENCODING_XOR = 1;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LE ? 0 : 1;
const HI = LE ? 1 : 0;
const TWO32 = 4294967296;

/** Mutable appender state of one chunk (copied in/out of head columns). */
export interface ChunkState {
  /** Bit position of the next write, relative to the chunk start. */
  bitPos: number;
  count: number;
  t: number;
  delta: number;
  vhi: number;
  vlo: number;
  leading: number;
  trailing: number;
}

export function newChunkState(): ChunkState {
  return { bitPos: CHUNK_HEADER_BYTES * 8, count: 0, t: 0, delta: 0, vhi: 0, vlo: 0, leading: 0xff, trailing: 0 };
}

export function resetChunkState(s: ChunkState): void {
  s.bitPos = CHUNK_HEADER_BYTES * 8;
  s.count = 0;
  s.t = 0;
  s.delta = 0;
  s.vhi = 0;
  s.vlo = 0;
  s.leading = 0xff;
  s.trailing = 0;
}

/** Writes the low `n` (1..32) bits of `v` at bit `pos` of the chunk at `base`; buffer must be zeroed there. */
function writeBits(b: Uint8Array, base: number, pos: number, v: number, n: number): number {
  while (n > 0) {
    const byte = base + (pos >>> 3);
    const free = 8 - (pos & 7);
    const take = n < free ? n : free;
    const bits = (v >>> (n - take)) & ((1 << take) - 1);
    b[byte] = b[byte]! | (bits << (free - take));
    pos += take;
    n -= take;
  }
  return pos;
}

function writeInt64(b: Uint8Array, base: number, pos: number, x: number): number {
  const hi = Math.floor(x / TWO32);
  const lo = x - hi * TWO32;
  pos = writeBits(b, base, pos, hi >>> 0, 32);
  return writeBits(b, base, pos, lo >>> 0, 32);
}

/** Zigzag varint in 8-bit groups (7 data bits + continuation), for the first timestamp. */
function writeVarBits(b: Uint8Array, base: number, pos: number, x: number): number {
  let z = x >= 0 ? x * 2 : -x * 2 - 1;
  while (z >= 128) {
    pos = writeBits(b, base, pos, 0x80 | z % 128, 8);
    z = Math.floor(z / 128);
  }
  return writeBits(b, base, pos, z, 8);
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * Appends (t, v) to the chunk at b[base..]. The caller guarantees room for
 * MAX_SAMPLE_BITS and that t is greater than the previous timestamp.
 */
export function chunkAppend(b: Uint8Array, base: number, s: ChunkState, t: number, v: number): void {
  f64[0] = v;
  const vhi = u32[HI]!;
  const vlo = u32[LO]!;
  let pos = s.bitPos;
  if (s.count === 0) {
    pos = writeVarBits(b, base, pos, t);
    pos = writeBits(b, base, pos, vhi, 32);
    pos = writeBits(b, base, pos, vlo, 32);
    s.delta = 0;
  } else {
    const delta = t - s.t;
    const dod = delta - s.delta;
    if (dod === 0) pos = writeBits(b, base, pos, 0, 1);
    else if (dod >= -8191 && dod <= 8192) {
      pos = writeBits(b, base, pos, 0b10, 2);
      pos = writeBits(b, base, pos, dod & 0x3fff, 14);
    } else if (dod >= -65535 && dod <= 65536) {
      pos = writeBits(b, base, pos, 0b110, 3);
      pos = writeBits(b, base, pos, dod & 0x1ffff, 17);
    } else if (dod >= -524287 && dod <= 524288) {
      pos = writeBits(b, base, pos, 0b1110, 4);
      pos = writeBits(b, base, pos, dod & 0xfffff, 20);
    } else {
      pos = writeBits(b, base, pos, 0b1111, 4);
      pos = writeInt64(b, base, pos, dod);
    }
    s.delta = delta;
    const xhi = (vhi ^ s.vhi) >>> 0;
    const xlo = (vlo ^ s.vlo) >>> 0;
    if (xhi === 0 && xlo === 0) pos = writeBits(b, base, pos, 0, 1);
    else {
      let leading = xhi !== 0 ? Math.clz32(xhi) : 32 + Math.clz32(xlo);
      const trailing = xlo !== 0 ? ctz32(xlo) : 32 + ctz32(xhi);
      if (leading >= 32) leading = 31; // 5-bit field, as in Gorilla/Prometheus
      let sig: number;
      let tr: number;
      if (s.leading !== 0xff && leading >= s.leading && trailing >= s.trailing) {
        pos = writeBits(b, base, pos, 0b10, 2);
        sig = 64 - s.leading - s.trailing;
        tr = s.trailing;
      } else {
        s.leading = leading;
        s.trailing = trailing;
        sig = 64 - leading - trailing;
        pos = writeBits(b, base, pos, 0b11, 2);
        pos = writeBits(b, base, pos, leading, 5);
        pos = writeBits(b, base, pos, sig & 63, 6); // 64 is written as 0
        tr = trailing;
      }
      // Shift the XOR right by `tr` and write its low `sig` bits.
      let hi = xhi;
      let lo = xlo;
      if (tr >= 32) {
        lo = hi >>> (tr - 32);
        hi = 0;
      } else if (tr > 0) {
        lo = ((lo >>> tr) | (hi << (32 - tr))) >>> 0;
        hi = hi >>> tr;
      }
      if (sig > 32) {
        pos = writeBits(b, base, pos, hi, sig - 32);
        pos = writeBits(b, base, pos, lo, 32);
      } else pos = writeBits(b, base, pos, lo, sig);
    }
  }
  s.t = t;
  s.vhi = vhi;
  s.vlo = vlo;
  s.bitPos = pos;
  s.count++;
  b[base] = s.count >>> 8;
  b[base + 1] = s.count & 0xff;
}

/** Bytes used by a chunk whose appender state is `s`. */
export function chunkBytes(s: ChunkState): number {
  return (s.bitPos + 7) >>> 3;
}

/** Reads the sample count from a chunk header. */
export function chunkCount(b: Uint8Array, base: number): number {
  return (b[base]! << 8) | b[base + 1]!;
}

/**
 * Iterates one chunk. `reset` points it at bytes; afterwards call next() until
 * false and read t/v. Allocation-free; reusable.
 */
export class ChunkIterator {
  private b: Uint8Array = new Uint8Array(0);
  private base = 0;
  private end = 0; // byte end, for bounds checks
  private pos = 0;
  private n = 0;
  private i = 0;
  private delta = 0;
  private vhi = 0;
  private vlo = 0;
  private leading = 0;
  private trailing = 0;
  t = 0;
  v = 0;
  /** Set when the bytes ran out before `count` samples were read (corrupt chunk). */
  corrupt = false;

  reset(b: Uint8Array, base: number, len: number, count = -1): this {
    this.b = b;
    this.base = base;
    this.end = len;
    this.pos = CHUNK_HEADER_BYTES * 8;
    this.n = count >= 0 ? count : len >= 2 ? chunkCount(b, base) : 0;
    this.i = 0;
    this.delta = 0;
    this.leading = 0;
    this.trailing = 0;
    this.corrupt = false;
    return this;
  }

  private readBits(n: number): number {
    if (this.pos + n > this.end * 8) {
      this.corrupt = true;
      this.pos = this.end * 8;
      return 0;
    }
    let out = 0;
    const b = this.b;
    let pos = this.pos;
    const base = this.base;
    while (n > 0) {
      const byte = b[base + (pos >>> 3)]!;
      const avail = 8 - (pos & 7);
      const take = n < avail ? n : avail;
      const bits = (byte >>> (avail - take)) & ((1 << take) - 1);
      out = out * (1 << take) + bits;
      pos += take;
      n -= take;
    }
    this.pos = pos;
    return out;
  }

  private readBit(): number {
    if (this.pos >= this.end * 8) {
      this.corrupt = true;
      return 0;
    }
    const byte = this.b[this.base + (this.pos >>> 3)]!;
    const bit = (byte >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit;
  }

  private readInt64(): number {
    const hi = this.readBits(32) | 0; // signed high word
    const lo = this.readBits(32);
    return hi * TWO32 + lo;
  }

  next(): boolean {
    if (this.i >= this.n || this.corrupt) return false;
    if (this.i === 0) {
      let z = 0;
      let mul = 1;
      for (let k = 0; k < 9; k++) {
        const g = this.readBits(8);
        z += (g & 0x7f) * mul;
        if (g < 128) break;
        mul *= 128;
      }
      this.t = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      this.vhi = this.readBits(32);
      this.vlo = this.readBits(32);
    } else {
      let dod = 0;
      if (this.readBit() === 0) dod = 0;
      else if (this.readBit() === 0) {
        dod = this.readBits(14);
        if (dod > 8192) dod -= 16384;
      } else if (this.readBit() === 0) {
        dod = this.readBits(17);
        if (dod > 65536) dod -= 131072;
      } else if (this.readBit() === 0) {
        dod = this.readBits(20);
        if (dod > 524288) dod -= 1048576;
      } else dod = this.readInt64();
      this.delta += dod;
      this.t += this.delta;
      if (this.readBit() === 1) {
        let sig: number;
        if (this.readBit() === 0) {
          sig = 64 - this.leading - this.trailing;
        } else {
          this.leading = this.readBits(5);
          sig = this.readBits(6);
          if (sig === 0) sig = 64;
          this.trailing = 64 - this.leading - sig;
          if (this.trailing < 0) {
            this.corrupt = true;
            return false;
          }
        }
        let hi = 0;
        let lo: number;
        if (sig > 32) {
          hi = this.readBits(sig - 32);
          lo = this.readBits(32);
        } else lo = this.readBits(sig);
        const tr = this.trailing;
        if (tr >= 32) {
          hi = (lo << (tr - 32)) >>> 0;
          lo = 0;
        } else if (tr > 0) {
          hi = ((hi << tr) | (lo >>> (32 - tr))) >>> 0;
          lo = (lo << tr) >>> 0;
        }
        this.vhi = (this.vhi ^ hi) >>> 0;
        this.vlo = (this.vlo ^ lo) >>> 0;
      }
    }
    if (this.corrupt) return false;
    u32[HI] = this.vhi;
    u32[LO] = this.vlo;
    this.v = f64[0]!;
    this.i++;
    return true;
  }
}

/**
 * Encodes samples into fresh chunks for blocks: floor(n / 120) chunks (at least
 * one) with the samples spread evenly, so every chunk holds 120..239 samples like
 * Prometheus' evenly-cut chunks, instead of a short tail chunk.
 */
export function encodeChunks(
  ts: ArrayLike<number>,
  vs: Float64Array,
  from: number,
  to: number,
  perChunk = Math.ceil((to - from) / Math.max(1, Math.floor((to - from) / SAMPLES_PER_CHUNK))),
): Array<{ mint: number; maxt: number; data: Uint8Array }> {
  const out: Array<{ mint: number; maxt: number; data: Uint8Array }> = [];
  const s = newChunkState();
  let buf = new Uint8Array(CHUNK_HEADER_BYTES + Math.ceil((Math.min(perChunk, to - from) * MAX_SAMPLE_BITS) / 8) + 1);
  let mint = 0;
  for (let i = from; i < to; i++) {
    if (s.count === 0) mint = ts[i]!;
    chunkAppend(buf, 0, s, ts[i]!, vs[i]!);
    if (s.count >= perChunk || i === to - 1) {
      out.push({ mint, maxt: ts[i]!, data: buf.slice(0, chunkBytes(s)) });
      buf.fill(0);
      resetChunkState(s);
    }
  }
  return out;
}
