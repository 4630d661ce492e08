import type { Label, Labels } from '../model/index.js';
import { StorageError, type Appender } from '../storage/index.js';
import type { SeriesRefCache } from './refcache.js';

/**
 * Remote-write 1.0 WriteRequest protobuf (prompb), hand-written:
 *   WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; exemplars = 3; histograms = 4; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 * The decoder walks the bytes once and appends straight into an Appender: no
 * per-sample objects, label strings decoded once per series per request.
 */
export class ProtoError extends Error {}

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const dec = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos: number;
  constructor(
    readonly b: Uint8Array,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }
  /** Unsigned varint up to 2^56 (tags, lengths, non-negative ints). */
  varint(): number {
    const b = this.b;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new ProtoError(`truncated varint at byte ${this.pos}`);
      const c = b[this.pos++]!;
      v += (c & 0x7f) * mul;
      if (c < 128) return v;
      mul *= 128;
    }
    throw new ProtoError(`varint too large at byte ${this.pos}`);
  }
  /** int64 that may be negative (10-byte varint). */
  int64(): number {
    const start = this.pos;
    let n = 0;
    while (n < 10 && this.pos + n < this.end && this.b[this.pos + n]! >= 128) n++;
    if (n < 8) return this.varint();
    let big = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new ProtoError(`truncated varint at byte ${start}`);
      const c = this.b[this.pos++]!;
      big |= BigInt(c & 0x7f) << shift;
      shift += 7n;
      if (c < 128) break;
      if (shift > 70n) throw new ProtoError(`varint too long at byte ${start}`);
    }
    return Number(BigInt.asIntN(64, big));
  }
  fixed64(): number {
    if (this.pos + 8 > this.end) throw new ProtoError(`truncated double at byte ${this.pos}`);
    for (let i = 0; i < 8; i++) f64b[i] = this.b[this.pos + i]!;
    this.pos += 8;
    return f64[0]!;
  }
  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const n = this.varint();
        this.pos += n;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        throw new ProtoError(`unsupported wire type ${wire} at byte ${this.pos}`);
    }
    if (this.pos > this.end) throw new ProtoError('truncated field');
  }
  sub(): number {
    const n = this.varint();
    const e = this.pos + n;
    if (e > this.end) throw new ProtoError(`length ${n} at byte ${this.pos} runs past the end`);
    return e;
  }
  str(end: number): string {
    const b = this.b;
    let ascii = true;
    for (let i = this.pos; i < end; i++)
      if (b[i]! > 127) {
        ascii = false;
        break;
      }
    let s: string;
    if (ascii && end - this.pos < 64) {
      s = '';
      for (let i = this.pos; i < end; i++) s += String.fromCharCode(b[i]!);
    } else {
      try {
        s = dec.decode(b.subarray(this.pos, end));
      } catch {
        throw new ProtoError(`invalid UTF-8 in string at byte ${this.pos}`);
      }
    }
    this.pos = end;
    return s;
  }
}


export interface AppendResult {
  series: number;
  samples: number;
  /** Samples rejected, by StorageError code. */
  rejected: Record<string, number>;
  /** First rejection, as Prometheus reports it (message with series and timestamp). */
  firstError: string | null;
  /** True when the first error is a bad-data class (out of order, bounds, duplicate, labels). */
}

function cmpLabel(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function labelsString(ls: Labels): string {
  return '{' + ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ') + '}';
}

/**
 * Decodes a (decompressed) WriteRequest and appends every sample to `app`.
 * Samples the storage rejects are counted and skipped (the rest are kept, as
 * newer Prometheus versions do); malformed protobuf throws ProtoError.
 * The caller commits or rolls back.
 */
export function appendWriteRequest(buf: Uint8Array, app: Appender, cache?: SeriesRefCache): AppendResult {
  const res: AppendResult = { series: 0, samples: 0, rejected: {}, firstError: null };
  const r = new Reader(buf, 0, buf.length);
  const labelsAt: number[] = [];
  const samplesAt: number[] = [];
  const sr = new Reader(buf, 0, buf.length);
  // Sample positions of the current series are remembered and replayed after its labels
  // are known (fields may come in any order).
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field !== 1 || wire !== 2) {
      r.skip(wire);
      continue;
    }
    const tsEnd = r.sub();
    labelsAt.length = 0;
    samplesAt.length = 0;
    // Pass 1: where the labels and samples are, and a 74-bit hash of the label bytes.
    let h1 = 0x811c9dc5;
    let h2 = 0x5bd1e995;
    let h3 = 0x27d4eb2f;
    while (r.pos < tsEnd) {
      const t2 = r.varint();
      const f2 = t2 >>> 3;
      const w2 = t2 & 7;
      if (f2 === 1 && w2 === 2) {
        const lEnd = r.sub();
        for (let i = r.pos; i < lEnd; i++) {
          const c = buf[i]!;
          h1 = Math.imul(h1 ^ c, 0x01000193);
          h2 = Math.imul(h2 ^ c, 0x5bd1e995);
          h3 = Math.imul(h3 ^ c, 0x85ebca6b);
        }
        h1 = Math.imul(h1 ^ 0xff, 0x01000193);
        labelsAt.push(r.pos, lEnd);
        r.pos = lEnd;
      } else if (f2 === 2 && w2 === 2) {
        const sEnd = r.sub();
        samplesAt.push(r.pos, sEnd);
        r.pos = sEnd;
      } else r.skip(w2);
    }
    r.pos = tsEnd;
    res.series++;
    if (samplesAt.length === 0) continue;
    h1 >>>= 0;
    h2 >>>= 0;
    h3 >>>= 0;
    let ref = cache ? cache.get(h1, h2, h3) : 0;
    let ls: Labels = EMPTY;
    if (ref === 0) {
      ls = decodeLabels(buf, labelsAt, res, samplesAt.length / 2);
      if (ls.length === 0) continue;
    }
    for (let k = 0; k < samplesAt.length; k += 2) {
      sr.pos = samplesAt[k]!;
      sr.end = samplesAt[k + 1]!;
      let v = 0;
      let t = 0;
      while (sr.pos < sr.end) {
        const t4 = sr.varint();
        if (t4 === 0x09) v = sr.fixed64();
        else if (t4 === 0x10) t = sr.int64();
        else sr.skip(t4 & 7);
      }
      try {
        const got = app.append(ref, ls, t, v);
        if (cache && got !== ref) cache.set(h1, h2, h3, got);
        ref = got;
        res.samples++;
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        if (ls === EMPTY) {
          // A cached ref the storage no longer knows (series garbage-collected): decode the labels and retry.
          cache?.delete(h1, h2, h3);
          ls = decodeLabels(buf, labelsAt, res, samplesAt.length / 2);
          if (ls.length === 0) break;
          ref = 0;
          k -= 2;
          continue;
        }
        if (ls.length === 0) ls = decodeLabels(buf, labelsAt, res, 0);
        reject(res, err.code, `${err.message} for series ${labelsString(ls)} timestamp ${t}`, 1);
      }
    }
  }
  return res;
}

const EMPTY: Labels = Object.freeze([]) as Labels;

/** Decodes the Label messages at the recorded positions; [] (and a rejection) when invalid. */
function decodeLabels(buf: Uint8Array, at: number[], res: AppendResult, nSamples: number): Labels {
  const labels: Label[] = [];
  const r = new Reader(buf, 0, buf.length);
  for (let i = 0; i < at.length; i += 2) {
    r.pos = at[i]!;
    const lEnd = at[i + 1]!;
    let name = '';
    let value = '';
    while (r.pos < lEnd) {
      const t3 = r.varint();
      if (t3 === 0x0a) name = r.str(r.sub());
      else if (t3 === 0x12) value = r.str(r.sub());
      else r.skip(t3 & 7);
    }
    if (value !== '') labels.push({ name, value });
  }
  // Prometheus requires sorted, unique label names; sort leniently, reject duplicates and empty sets.
  let sorted = true;
  for (let i = 1; i < labels.length; i++) if (labels[i - 1]!.name >= labels[i]!.name) sorted = false;
  if (sorted) return labels;
  labels.sort(cmpLabel);
  for (let i = 1; i < labels.length; i++) {
    if (labels[i - 1]!.name === labels[i]!.name) {
      reject(res, 'invalid_labels', `invalid labels ${labelsString(labels)}: duplicate label name ${JSON.stringify(labels[i]!.name)}`, nSamples);
      return EMPTY;
    }
  }
  return labels;
}

function reject(res: AppendResult, code: string, msg: string, n: number): void {
  res.rejected[code] = (res.rejected[code] ?? 0) + n;
  if (res.firstError === null) res.firstError = msg;
}

// ---- object form (tests, tools) ----

export interface WriteSample {
  t: number;
  v: number;
}

export interface WriteSeries {
  labels: Labels;
  samples: WriteSample[];
}

/** Decodes a WriteRequest into objects (allocates per sample; not for the ingest path). */
export function decodeWriteRequest(buf: Uint8Array): WriteSeries[] {
  const out: WriteSeries[] = [];
  appendWriteRequest(buf, {
    append(_ref, labels, t, v) {
      let last = out[out.length - 1];
      if (!last || last.labels !== labels) {
        last = { labels, samples: [] };
        out.push(last);
      }
      last.samples.push({ t, v });
      return 0;
    },
    commit: async () => {},
    rollback: async () => {},
  });
  return out;
}

/** A growable protobuf writer. */
class Writer {
  b = new Uint8Array(64 * 1024);
  len = 0;
  ensure(n: number): void {
    if (this.len + n <= this.b.length) return;
    let cap = this.b.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.b.subarray(0, this.len));
    this.b = nb;
  }
  varint(v: number): void {
    this.ensure(10);
    if (v < 0) {
      // int64 two's complement: always 10 bytes.
      let big = BigInt.asUintN(64, BigInt(v));
      for (let i = 0; i < 10; i++) {
        const c = Number(big & 0x7fn);
        big >>= 7n;
        this.b[this.len++] = big > 0n ? c | 0x80 : c;
        if (big === 0n) break;
      }
      return;
    }
    while (v >= 128) {
      this.b[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.b[this.len++] = v;
  }
  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.b.set(src, this.len);
    this.len += src.length;
  }
  double(v: number): void {
    this.ensure(8);
    f64[0] = v;
    this.b.set(f64b, this.len);
    this.len += 8;
  }
}

function varintSize(v: number): number {
  if (v < 0) return 10;
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

const enc = new TextEncoder();

/** Encodes the Label messages of a label set once (reuse across requests for the same series). */
export function encodeLabels(ls: Labels): Uint8Array {
  const w = new Writer();
  for (const l of ls) {
    const n = enc.encode(l.name);
    const v = enc.encode(l.value);
    const inner = 1 + varintSize(n.length) + n.length + 1 + varintSize(v.length) + v.length;
    w.varint(0x0a);
    w.varint(inner);
    w.varint(0x0a);
    w.varint(n.length);
    w.bytes(n);
    w.varint(0x12);
    w.varint(v.length);
    w.bytes(v);
  }
  return w.b.slice(0, w.len);
}

/**
 * Streaming WriteRequest encoder: add series with pre-encoded labels and their
 * samples, then finish(). Used by the bench and (later) the remote-write client.
 */
export class WriteRequestEncoder {
  private w = new Writer();

  addSeries(encodedLabels: Uint8Array, ts: ArrayLike<number>, vs: Float64Array, from = 0, to = ts.length): void {
    let size = encodedLabels.length;
    for (let i = from; i < to; i++) {
      const s = 9 + 1 + varintSize(ts[i]!);
      size += 1 + varintSize(s) + s;
    }
    const w = this.w;
    w.varint(0x0a);
    w.varint(size);
    w.bytes(encodedLabels);
    for (let i = from; i < to; i++) {
      const t = ts[i]!;
      w.varint(0x12);
      w.varint(9 + 1 + varintSize(t));
      w.varint(0x09);
      w.double(vs[i]!);
      w.varint(0x10);
      w.varint(t);
    }
  }

  finish(): Uint8Array {
    const out = this.w.b.slice(0, this.w.len);
    this.w.len = 0;
    return out;
  }
}

/** Encodes a whole WriteRequest (uncompressed protobuf). */
export function encodeWriteRequest(series: readonly WriteSeries[]): Uint8Array {
  const e = new WriteRequestEncoder();
  for (const s of series) {
    const ts = s.samples.map((x) => x.t);
    const vs = new Float64Array(s.samples.length);
    for (let i = 0; i < s.samples.length; i++) vs[i] = s.samples[i]!.v;
    e.addSeries(encodeLabels(s.labels), ts, vs);
  }
  return e.finish();
}
