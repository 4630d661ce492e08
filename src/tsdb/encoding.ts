/**
 * Growable byte encoder and bounds-checked decoder for the WAL, index and
 * checkpoint formats. Varints are unsigned LEB128 over JS numbers up to 2^53;
 * signed values use zigzag. All multi-byte fixed ints are big-endian.
 */
const TWO32 = 4294967296;
const enc = new TextEncoder();
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

export class EncodeError extends Error {}

export class Encbuf {
  b: Uint8Array;
  len = 0;
  constructor(cap = 4096) {
    this.b = new Uint8Array(cap);
  }
  reset(): void {
    this.len = 0;
  }
  private ensure(n: number): void {
    if (this.len + n <= this.b.length) return;
    let cap = this.b.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.b.subarray(0, this.len));
    this.b = nb;
  }
  u8(v: number): void {
    this.ensure(1);
    this.b[this.len++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    const b = this.b;
    const o = this.len;
    b[o] = v >>> 24;
    b[o + 1] = v >>> 16;
    b[o + 2] = v >>> 8;
    b[o + 3] = v;
    this.len += 4;
  }
  /** Patches a big-endian u32 at an earlier offset. */
  putU32At(off: number, v: number): void {
    const b = this.b;
    b[off] = v >>> 24;
    b[off + 1] = v >>> 16;
    b[off + 2] = v >>> 8;
    b[off + 3] = v;
  }
  u64(v: number): void {
    const hi = Math.floor(v / TWO32);
    this.u32(hi >>> 0);
    this.u32((v - hi * TWO32) >>> 0);
  }
  uvarint(v: number): void {
    this.ensure(10);
    const b = this.b;
    while (v >= 128) {
      b[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    b[this.len++] = v;
  }
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  /** Raw IEEE-754 bits (little-endian as stored by the platform's Float64Array). */
  f64(v: number): void {
    this.ensure(8);
    f64[0] = v;
    this.b.set(f64b, this.len);
    this.len += 8;
  }
  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.b.set(src, this.len);
    this.len += src.length;
  }
  str(s: string): void {
    // Fast path for ASCII, the common case for label names and values.
    let ascii = true;
    for (let i = 0; i < s.length; i++)
      if (s.charCodeAt(i) > 127) {
        ascii = false;
        break;
      }
    if (ascii) {
      this.uvarint(s.length);
      this.ensure(s.length);
      for (let i = 0; i < s.length; i++) this.b[this.len++] = s.charCodeAt(i);
      return;
    }
    const u = enc.encode(s);
    this.uvarint(u.length);
    this.bytes(u);
  }
  get(): Uint8Array {
    return this.b.subarray(0, this.len);
  }
}

const dec = new TextDecoder('utf-8', { fatal: false });

export class DecodeError extends Error {}

export class Decbuf {
  pos: number;
  constructor(
    readonly b: Uint8Array,
    start = 0,
    readonly end = b.length,
  ) {
    this.pos = start;
  }
  remaining(): number {
    return this.end - this.pos;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new DecodeError(`unexpected end of data at byte ${this.pos} (need ${n})`);
  }
  u8(): number {
    this.need(1);
    return this.b[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    const b = this.b;
    const o = this.pos;
    this.pos += 4;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
  u64(): number {
    const hi = this.u32();
    return hi * TWO32 + this.u32();
  }
  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      this.need(1);
      const c = this.b[this.pos++]!;
      v += (c & 0x7f) * mul;
      if (c < 128) return v;
      mul *= 128;
    }
    throw new DecodeError(`varint too long at byte ${this.pos}`);
  }
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  f64(): number {
    this.need(8);
    for (let i = 0; i < 8; i++) f64b[i] = this.b[this.pos + i]!;
    this.pos += 8;
    return f64[0]!;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  str(): string {
    const n = this.uvarint();
    this.need(n);
    const b = this.b;
    let s = '';
    const end = this.pos + n;
    if (n < 64) {
      let ascii = true;
      for (let i = this.pos; i < end; i++)
        if (b[i]! > 127) {
          ascii = false;
          break;
        }
      if (ascii) {
        for (let i = this.pos; i < end; i++) s += String.fromCharCode(b[i]!);
        this.pos = end;
        return s;
      }
    }
    s = dec.decode(b.subarray(this.pos, end));
    this.pos = end;
    return s;
  }
}
