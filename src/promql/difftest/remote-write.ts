/**
 * A minimal remote-write client for the differential suite: encodes a
 * prometheus.WriteRequest by hand and wraps it in a snappy block made of literal
 * chunks only (valid snappy, no compression), so stale markers (which OpenMetrics
 * import cannot express) can be sent to Prometheus bit-exactly.
 */
import type { DataSeries } from './dataset.js';

class Writer {
  private buf = new Uint8Array(1 << 16);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  varint(v: number): void {
    this.ensure(10);
    // Non-negative values only (timestamps, lengths).
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  double(v: Float64Array, i: number): void {
    this.bytes(new Uint8Array(v.buffer, v.byteOffset + i * 8, 8));
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

const enc = new TextEncoder();

function field(w: Writer, num: number, body: Uint8Array): void {
  w.varint((num << 3) | 2);
  w.varint(body.length);
  w.bytes(body);
}

/** Encodes series (values from Float64Array, so NaN payloads survive) as a WriteRequest. */
export function encodeWriteRequest(series: DataSeries[]): Uint8Array {
  const w = new Writer();
  for (const s of series) {
    const ts = new Writer();
    for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const l = new Writer();
      field(l, 1, enc.encode(name));
      field(l, 2, enc.encode(value));
      field(ts, 1, l.result());
    }
    for (let i = 0; i < s.ts.length; i++) {
      const smp = new Writer();
      smp.varint((1 << 3) | 1); // value: fixed64 double
      smp.double(s.vs, i);
      smp.varint(2 << 3); // timestamp: varint
      smp.varint(s.ts[i]!);
      field(ts, 2, smp.result());
    }
    field(w, 1, ts.result());
  }
  return w.result();
}

/** Snappy block format using only literal elements. */
export function snappyLiteral(data: Uint8Array): Uint8Array {
  const w = new Writer();
  w.varint(data.length);
  for (let off = 0; off < data.length; off += 65536) {
    const chunk = data.subarray(off, Math.min(off + 65536, data.length));
    const n = chunk.length - 1;
    if (n < 60) w.bytes(new Uint8Array([n << 2]));
    else if (n < 256) w.bytes(new Uint8Array([60 << 2, n]));
    else w.bytes(new Uint8Array([61 << 2, n & 0xff, n >> 8]));
    w.bytes(chunk);
  }
  return w.result();
}

export async function remoteWrite(url: string, series: DataSeries[]): Promise<void> {
  const body = snappyLiteral(encodeWriteRequest(series));
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    body,
  });
  if (!res.ok) throw new Error(`remote write: HTTP ${res.status}: ${await res.text()}`);
}
