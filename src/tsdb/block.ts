import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Label, Labels } from '../model/index.js';
import { ENCODING_XOR } from './chunk.js';
import { crc32c } from './crc32c.js';
import { Decbuf, Encbuf } from './encoding.js';
import type { ChunkView } from './head.js';
import { EMPTY_POSTINGS, type Postings, type PostingsSource } from './postings.js';
import { ulid as newUlid } from './ulid.js';

/**
 * Immutable on-disk blocks (format: docs/storage-format.md, version 1):
 *   <ulid>/meta.json      ulid, [minTime, maxTime), stats, compaction level/sources/parents
 *   <ulid>/index          series (labels as symbol refs + chunk metas), symbols,
 *                         postings per label pair, postings table, TOC
 *   <ulid>/chunks/000001  chunk records: len uvarint | encoding u8 | data | crc32c(encoding, data) u32
 * Blocks are written into `<ulid>.tmp-for-creation`, fsynced, then renamed, so a
 * half-written block never looks like a block. Readers keep only symbols and the
 * postings table in memory and read series and chunks on demand with positioned reads.
 */
export const BLOCK_FORMAT_VERSION = 1;
const INDEX_MAGIC = 'VGLIDX01';
const CHUNKS_MAGIC = 'VGLCHK01';
const TOC_BYTES = 32;
const MAX_CHUNK_FILE = 512 * 1024 * 1024;
const TWO32 = 4294967296;
/** Bytes read at once from a chunk segment when serving queries (see Block.chunkWindow). */
const CHUNK_READ_AHEAD = 512 * 1024;

export interface BlockMeta {
  ulid: string;
  minTime: number;
  /** Exclusive. */
  maxTime: number;
  stats: { numSamples: number; numSeries: number; numChunks: number };
  compaction: { level: number; sources: string[]; parents?: string[] };
  version: number;
}

export interface BlockSeries {
  labels: Labels;
  chunks: ChunkView[];
}

function fsyncPath(p: string): void {
  try {
    const fd = openSync(p, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // directories cannot be fsynced everywhere
  }
}

class FileWriter {
  private fd: number;
  private buf = new Uint8Array(1 << 20);
  private used = 0;
  offset = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  write(b: Uint8Array): void {
    if (this.used + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) {
      writeAll(this.fd, b);
    } else {
      this.buf.set(b, this.used);
      this.used += b.length;
    }
    this.offset += b.length;
  }
  flush(): void {
    if (this.used > 0) writeAll(this.fd, this.buf.subarray(0, this.used));
    this.used = 0;
  }
  close(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
  /** Closes the file without writing what is buffered (the write failed; the file is removed). */
  abandon(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      // already unusable
    }
    this.fd = -1;
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}

type BlockRange = { minTime: number; maxTime: number };
type BlockCompaction = { level: number; sources?: string[]; parents?: string[] };

/**
 * Writes a block from series sorted by labels. Chunks must be sorted by time and
 * lie inside [minTime, maxTime). Returns the meta of the published block.
 */
export function writeBlock(parentDir: string, range: BlockRange, series: Iterable<BlockSeries>, compaction: BlockCompaction = { level: 1 }): BlockMeta {
  const steps = writeBlockSteps(parentDir, range, series, compaction);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * writeBlock for a running server: gives the event loop back every
 * WRITE_SLICE_SERIES series, so scrapes, remote writes and queries keep being
 * served while a head range or a compaction of 100k series is written.
 */
export async function writeBlockAsync(parentDir: string, range: BlockRange, series: Iterable<BlockSeries>, compaction: BlockCompaction = { level: 1 }): Promise<BlockMeta> {
  const steps = writeBlockSteps(parentDir, range, series, compaction);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const WRITE_SLICE_SERIES = 2000;

function* writeBlockSteps(parentDir: string, range: BlockRange, series: Iterable<BlockSeries>, compaction: BlockCompaction): Generator<void, BlockMeta> {
  const id = newUlid();
  const tmp = join(parentDir, `${id}.tmp-for-creation`);
  mkdirSync(join(tmp, 'chunks'), { recursive: true });
  const writers: FileWriter[] = [];
  const create = (path: string): FileWriter => {
    const w = new FileWriter(path);
    writers.push(w);
    return w;
  };
  try {
    let seq = 1;
    let cw = create(join(tmp, 'chunks', String(seq).padStart(6, '0')));
    cw.write(new TextEncoder().encode(CHUNKS_MAGIC));
    const iw = create(join(tmp, 'index'));
    iw.write(new TextEncoder().encode(INDEX_MAGIC));
    const syms = new Map<string, number>();
    const symList: string[] = [];
    const sym = (s: string): number => {
      let id2 = syms.get(s);
      if (id2 === undefined) {
        id2 = symList.length;
        symList.push(s);
        syms.set(s, id2);
      }
      return id2;
    };
    const postings = new Map<string, Map<string, number[]>>();
    const all: number[] = [];
    const e = new Encbuf(1 << 16);
    const rec = new Encbuf(4096);
    const stats = { numSamples: 0, numSeries: 0, numChunks: 0 };
    const seriesStart = iw.offset;
    let minT = Infinity;
    let maxT = -Infinity;
    for (const s of series) {
      if (s.chunks.length === 0) continue;
      const off = iw.offset;
      if (off >= TWO32) throw new Error('block index larger than 4 GiB is not supported by format version 1');
      e.reset();
      e.uvarint(s.labels.length);
      for (const l of s.labels) {
        e.uvarint(sym(l.name));
        e.uvarint(sym(l.value));
        let byValue = postings.get(l.name);
        if (!byValue) postings.set(l.name, (byValue = new Map()));
        const p = byValue.get(l.value);
        if (p) p.push(off);
        else byValue.set(l.value, [off]);
      }
      all.push(off);
      e.uvarint(s.chunks.length);
      // Chunk metas are delta-encoded: times against the block start / previous chunk,
      // positions against the end of the previous chunk record (usually 0).
      let prevMaxt = range.minTime;
      let prevSeq = 0;
      let prevEnd = 0;
      for (let i = 0; i < s.chunks.length; i++) {
        const c = s.chunks[i]!;
        if (cw.offset + c.len + 16 > MAX_CHUNK_FILE) {
          cw.close();
          seq++;
          cw = create(join(tmp, 'chunks', String(seq).padStart(6, '0')));
          cw.write(new TextEncoder().encode(CHUNKS_MAGIC));
        }
        const cOff = cw.offset;
        rec.reset();
        rec.uvarint(c.len);
        const encAt = rec.len;
        rec.u8(ENCODING_XOR);
        rec.bytes(c.b.subarray(c.off, c.off + c.len));
        rec.u32(crc32c(rec.b, encAt, rec.len));
        cw.write(rec.get());
        e.varint(c.mint - prevMaxt);
        e.uvarint(c.maxt - c.mint);
        e.uvarint(c.len);
        if (i === 0 || seq !== prevSeq) {
          e.uvarint(seq);
          e.uvarint(cOff);
        } else {
          e.uvarint(0);
          e.uvarint(cOff - prevEnd);
        }
        prevMaxt = c.maxt;
        prevSeq = seq;
        prevEnd = cw.offset;
        stats.numChunks++;
        stats.numSamples += (c.b[c.off]! << 8) | c.b[c.off + 1]!;
        if (c.mint < minT) minT = c.mint;
        if (c.maxt > maxT) maxT = c.maxt;
      }
      stats.numSeries++;
      const payload = e.get();
      rec.reset();
      rec.uvarint(payload.length);
      rec.bytes(payload);
      rec.u32(crc32c(payload));
      iw.write(rec.get());
      if (stats.numSeries % WRITE_SLICE_SERIES === 0) yield;
    }
    cw.close();
    // Symbols.
    const symbolsOff = iw.offset;
    e.reset();
    e.u32(symList.length);
    for (const s of symList) e.str(s);
    const symbolsCrc = crc32c(e.get());
    iw.write(e.get());
    // Postings lists, sorted by name then value; the all-series list has the key ("", "").
    const postingsOff = iw.offset;
    const tableEntries: Array<[string, string, number]> = [];
    const writeList = (name: string, value: string, list: number[]): void => {
      tableEntries.push([name, value, iw.offset]);
      e.reset();
      e.u32(list.length);
      for (const x of list) e.u32(x);
      iw.write(e.get());
    };
    writeList('', '', all);
    for (const name of [...postings.keys()].sort(cmp)) {
      const byValue = postings.get(name)!;
      for (const value of [...byValue.keys()].sort(cmp)) writeList(name, value, byValue.get(value)!);
    }
    const tableOff = iw.offset;
    e.reset();
    e.u32(tableEntries.length);
    for (const [n, v, o] of tableEntries) {
      e.str(n);
      e.str(v);
      e.u32(o);
    }
    const tableCrc = crc32c(e.get());
    iw.write(e.get());
    e.reset();
    e.u32(seriesStart);
    e.u32(symbolsOff);
    e.u32(postingsOff);
    e.u32(tableOff);
    e.u32(symbolsCrc);
    e.u32(tableCrc);
    e.u32(BLOCK_FORMAT_VERSION);
    e.u32(crc32c(e.get()));
    iw.write(e.get());
    iw.close();
    const meta: BlockMeta = {
      ulid: id,
      // The chunk-meta deltas are relative to this value: it must stay range.minTime.
      minTime: range.minTime,
      maxTime: range.maxTime,
      stats,
      compaction: { level: compaction.level, sources: compaction.sources ?? [id], ...(compaction.parents ? { parents: compaction.parents } : {}) },
      version: BLOCK_FORMAT_VERSION,
    };
    if (minT < range.minTime) throw new Error(`chunk data at ${minT} outside block range [${range.minTime}, ${range.maxTime})`);
    if (maxT >= range.maxTime) throw new Error(`chunk data at ${maxT} outside block range [${range.minTime}, ${range.maxTime})`);
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
    fsyncPath(join(tmp, 'meta.json'));
    fsyncPath(join(tmp, 'chunks'));
    fsyncPath(tmp);
    renameSync(tmp, join(parentDir, id));
    fsyncPath(parentDir);
    return meta;
  } catch (err) {
    // A failed write (disk full, I/O error) must not leave a half-written block taking
    // space, nor its files open.
    for (const w of writers) w.abandon();
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ChunkMeta {
  mint: number;
  maxt: number;
  seq: number;
  off: number;
  len: number;
}

export class BlockError extends Error {}

/** Reads one block; safe to share between queriers (reference counted by the DB). */
export class BlockReader implements PostingsSource {
  readonly meta: BlockMeta;
  readonly sizeBytes: number;
  private indexFd: number;
  private chunkFds = new Map<number, number>();
  private window: { seq: number; start: number; b: Buffer; got: number } | null = null;
  private syms: string[] = [];
  private table = new Map<string, { values: string[]; offs: number[] }>();
  private refs = 0;
  private pendingDelete = false;
  private closed = false;
  onDeleted: (() => void) | null = null;

  constructor(readonly dir: string) {
    let meta: BlockMeta;
    try {
      meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as BlockMeta;
    } catch (err) {
      throw new BlockError(`${dir}/meta.json: ${String(err)}`);
    }
    if (meta.version !== BLOCK_FORMAT_VERSION) throw new BlockError(`${dir}: unsupported block format version ${meta.version}`);
    this.meta = meta;
    const indexPath = join(dir, 'index');
    const size = statSync(indexPath).size;
    this.indexFd = openSync(indexPath, 'r');
    try {
      const toc = this.readIndex(size - TOC_BYTES, TOC_BYTES);
      const d = new Decbuf(toc);
      if (crc32c(toc, 0, 28) !== new Decbuf(toc, 28).u32()) throw new BlockError(`${indexPath}: TOC checksum mismatch`);
      d.u32();
      const symbolsOff = d.u32();
      d.u32();
      const tableOff = d.u32();
      const symbolsCrc = d.u32();
      const tableCrc = d.u32();
      const version = d.u32();
      if (version !== BLOCK_FORMAT_VERSION) throw new BlockError(`${indexPath}: unsupported index version ${version}`);
      const postingsOff = new Decbuf(toc, 8).u32();
      const symBytes = this.readIndex(symbolsOff, postingsOff - symbolsOff);
      if (crc32c(symBytes) !== symbolsCrc) throw new BlockError(`${indexPath}: symbols checksum mismatch`);
      const sd = new Decbuf(symBytes);
      const ns = sd.u32();
      for (let i = 0; i < ns; i++) this.syms.push(sd.str());
      const tableBytes = this.readIndex(tableOff, size - TOC_BYTES - tableOff);
      if (crc32c(tableBytes) !== tableCrc) throw new BlockError(`${indexPath}: postings table checksum mismatch`);
      const td = new Decbuf(tableBytes);
      const nt = td.u32();
      for (let i = 0; i < nt; i++) {
        const n = td.str();
        const v = td.str();
        const o = td.u32();
        let e = this.table.get(n);
        if (!e) this.table.set(n, (e = { values: [], offs: [] }));
        e.values.push(v);
        e.offs.push(o);
      }
    } catch (err) {
      closeSync(this.indexFd);
      throw err instanceof BlockError ? err : new BlockError(`${indexPath}: ${String(err)}`);
    }
    let total = 0;
    const walk = (p: string): void => {
      for (const f of readdirSync(p)) {
        const st = statSync(join(p, f));
        if (st.isDirectory()) walk(join(p, f));
        else total += st.size;
      }
    };
    walk(dir);
    this.sizeBytes = total;
  }

  private readIndex(off: number, len: number): Uint8Array {
    const b = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.indexFd, b, got, len - got, off + got);
      if (n === 0) throw new BlockError(`${this.dir}/index: unexpected end of file at ${off + got}`);
      got += n;
    }
    return b;
  }

  get ulid(): string {
    return this.meta.ulid;
  }

  overlaps(mint: number, maxt: number): boolean {
    return this.meta.minTime <= maxt && this.meta.maxTime > mint;
  }

  // PostingsSource: series ids are byte offsets of series entries in the index.
  all(): Postings {
    return this.get('', '');
  }
  get(name: string, value: string): Postings {
    const e = this.table.get(name);
    if (!e) return EMPTY_POSTINGS;
    const i = bsearch(e.values, value);
    if (i < 0) return EMPTY_POSTINGS;
    const off = e.offs[i]!;
    const n = new Decbuf(this.readIndex(off, 4)).u32();
    const raw = this.readIndex(off + 4, n * 4);
    const out = new Uint32Array(n);
    for (let k = 0; k < n; k++) out[k] = ((raw[k * 4]! << 24) | (raw[k * 4 + 1]! << 16) | (raw[k * 4 + 2]! << 8) | raw[k * 4 + 3]!) >>> 0;
    return out;
  }
  values(name: string): readonly string[] {
    return name === '' ? [] : this.table.get(name)?.values ?? [];
  }
  labelNames(): string[] {
    return [...this.table.keys()].filter((n) => n !== '').sort(cmp);
  }

  /** Reads a series entry; `wantChunks` false skips chunk metas. */
  series(off: number): { labels: Labels; chunks: ChunkMeta[] } {
    let b = this.readIndex(off, Math.min(512, this.indexSizeFrom(off)));
    let d = new Decbuf(b);
    const len = d.uvarint();
    const hdr = d.pos;
    if (hdr + len + 4 > b.length) {
      b = this.readIndex(off, hdr + len + 4);
      d = new Decbuf(b, hdr);
    }
    const payloadEnd = hdr + len;
    if (crc32c(b, hdr, payloadEnd) !== new Decbuf(b, payloadEnd).u32()) throw new BlockError(`${this.dir}/index: series at ${off}: checksum mismatch`);
    d = new Decbuf(b, hdr, payloadEnd);
    const nl = d.uvarint();
    const labels: Label[] = [];
    for (let i = 0; i < nl; i++) labels.push({ name: this.syms[d.uvarint()]!, value: this.syms[d.uvarint()]! });
    const nc = d.uvarint();
    const chunks: ChunkMeta[] = [];
    let prevMaxt = this.meta.minTime;
    let prevSeq = 0;
    let prevEnd = 0;
    for (let i = 0; i < nc; i++) {
      const mint = prevMaxt + d.varint();
      const maxt = mint + d.uvarint();
      const len = d.uvarint();
      let seq = d.uvarint();
      let off = d.uvarint();
      if (i > 0 && seq === 0) {
        seq = prevSeq;
        off += prevEnd;
      }
      chunks.push({ mint, maxt, seq, off, len });
      prevMaxt = maxt;
      prevSeq = seq;
      prevEnd = off + uvarintSize(len) + 1 + len + 4;
    }
    return { labels, chunks };
  }

  private indexSize = -1;
  private indexSizeFrom(off: number): number {
    if (this.indexSize < 0) this.indexSize = statSync(join(this.dir, 'index')).size;
    return this.indexSize - off;
  }

  private chunkFd(seq: number): number {
    let fd = this.chunkFds.get(seq);
    if (fd === undefined) {
      fd = openSync(join(this.dir, 'chunks', String(seq).padStart(6, '0')), 'r');
      this.chunkFds.set(seq, fd);
    }
    return fd;
  }

  /**
   * Reads chunks (contiguous per series, so usually one read). A chunk whose
   * checksum fails is left out and reported through `onCorrupt`.
   */
  readChunks(metas: ChunkMeta[], onCorrupt?: (msg: string) => void): ChunkView[] {
    const out: ChunkView[] = [];
    let i = 0;
    while (i < metas.length) {
      let j = i;
      while (j + 1 < metas.length && metas[j + 1]!.seq === metas[i]!.seq) j++;
      const seq = metas[i]!.seq;
      const start = metas[i]!.off;
      const end = metas[j]!.off + metas[j]!.len + 5 + uvarintSize(metas[j]!.len);
      const w = this.chunkWindow(seq, start, end);
      for (let k = i; k <= j; k++) {
        const m = metas[k]!;
        const o = m.off - w.start;
        const vs = uvarintSize(m.len);
        const enc = o + vs;
        if (enc + m.len + 5 > w.got || readUvarint(w.b, o) !== m.len || w.b[enc] !== ENCODING_XOR || crc32c(w.b, enc, enc + 1 + m.len) !== w.b.readUInt32BE(enc + 1 + m.len)) {
          onCorrupt?.(`${this.dir}/chunks/${String(m.seq).padStart(6, '0')}: chunk at ${m.off} is corrupt`);
          continue;
        }
        out.push({ mint: m.mint, maxt: m.maxt, b: w.b, off: enc + 1, len: m.len });
      }
      i = j + 1;
    }
    return out;
  }

  /**
   * Chunk bytes [start, end) of segment `seq`, from a read-ahead window: a query walks
   * series in index order and their chunks lie one after the other in the segment, so
   * one 512 KiB read serves many series instead of one read(2) each. Views handed out
   * keep their window alive; the window itself is dropped on the next miss.
   */
  private chunkWindow(seq: number, start: number, end: number): { b: Buffer; start: number; got: number } {
    const w = this.window;
    if (w !== null && w.seq === seq && start >= w.start && end <= w.start + w.got) return w;
    const b = Buffer.allocUnsafe(Math.max(end - start, CHUNK_READ_AHEAD));
    const fd = this.chunkFd(seq);
    let got = 0;
    while (got < end - start) {
      const n = readSync(fd, b, got, b.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    this.window = { seq, start, b, got };
    return this.window;
  }

  acquire(): void {
    this.refs++;
  }

  release(): void {
    this.refs--;
    if (this.refs <= 0 && this.pendingDelete) this.deleteNow();
  }

  /** Deletes the block once no querier uses it. */
  markDeleted(): void {
    this.pendingDelete = true;
    if (this.refs <= 0) this.deleteNow();
  }

  private deleteNow(): void {
    this.close();
    const tmp = this.dir + '.tmp-for-deletion';
    try {
      renameSync(this.dir, tmp);
      rmSync(tmp, { recursive: true, force: true });
    } catch {
      rmSync(this.dir, { recursive: true, force: true });
    }
    this.onDeleted?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.indexFd);
    for (const fd of this.chunkFds.values()) closeSync(fd);
    this.chunkFds.clear();
    this.window = null;
  }
}

function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function readUvarint(b: Uint8Array, o: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    const c = b[o + i]!;
    v += (c & 0x7f) * mul;
    if (c < 128) return v;
    mul *= 128;
  }
  return -1;
}

function bsearch(a: string[], v: string): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[mid]!;
    if (x === v) return mid;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Removes leftovers of interrupted block writes/deletions and lists block dirs. */
export function scanBlockDirs(dir: string, readOnly = false): { blocks: string[]; removed: string[] } {
  const blocks: string[] = [];
  const removed: string[] = [];
  if (!existsSync(dir)) return { blocks, removed };
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (f.endsWith('.tmp-for-creation') || f.endsWith('.tmp-for-deletion')) {
      if (readOnly) continue;
      rmSync(p, { recursive: true, force: true });
      removed.push(f);
    } else if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(f) && existsSync(join(p, 'meta.json'))) blocks.push(p);
  }
  return { blocks, removed };
}
