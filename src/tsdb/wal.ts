import { closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Labels } from '../model/index.js';
import type { Logger } from '../util/index.js';
import { crc32c } from './crc32c.js';
import { Decbuf, DecodeError, Encbuf } from './encoding.js';
import type { HeadWal } from './head.js';
import type { TsdbMetrics } from './metrics.js';

/**
 * Write-ahead log. A directory of numbered segment files (00000000, 00000001, …),
 * each a sequence of records framed as
 *   type u8 | payload length u32 BE | CRC32C(payload) u32 BE | payload
 * plus at most one `checkpoint.NNNNNNNN/` directory holding the head state as of
 * segment NNNNNNNN. Durability policy (docs/storage-format.md):
 *   - commit returns after write(2) of its records: a process crash (kill -9) loses
 *     nothing committed; a power loss may lose up to `syncIntervalMs` of commits;
 *   - segments are fsynced when closed and every `syncIntervalMs` when dirty;
 *   - with `fsyncPerCommit`, every commit is fdatasync'ed before returning.
 * On replay a torn or corrupt tail of the last segment is truncated, and a corrupt
 * region inside an older segment is skipped up to the next valid record; both are
 * logged and counted, never fatal.
 */
export const REC_SERIES = 1;
export const REC_SAMPLES = 2;
export const REC_HEAD_SERIES = 3; // checkpoint only: labels + chunks + open chunk state

const HEADER = 9;
const MAX_RECORD = 256 * 1024 * 1024;

export interface WalOptions {
  segmentBytes?: number;
  syncIntervalMs?: number;
  fsyncPerCommit?: boolean;
  /** Replay without repairing anything on disk. */
  readOnly?: boolean;
  /** Bytes read at once during replay (default 16 MiB; tests use small windows). */
  replayWindowBytes?: number;
}

export interface ReplayHandler {
  record(type: number, payload: Decbuf): void;
}

export function segmentName(n: number): string {
  return String(n).padStart(8, '0');
}

function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .filter((f) => /^\d{8}$/.test(f))
    .map(Number)
    .sort((a, b) => a - b);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not all platforms allow fsync on directories.
  }
}

/** A commit could not be written to the WAL (disk full, I/O error): nothing of it is stored. */
export class WalWriteError extends Error {
  override name = 'WalWriteError';
}

export class Wal implements HeadWal {
  private fd = -1;
  private seg = -1;
  private size = 0;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly enc = new Encbuf(64 * 1024);
  private readonly segmentBytes: number;
  private readonly replayWindow: number;
  private readonly fsyncPerCommit: boolean;
  private closed = false;
  private readonly readOnly: boolean;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly metrics: TsdbMetrics,
    opts: WalOptions = {},
  ) {
    this.segmentBytes = opts.segmentBytes ?? 128 * 1024 * 1024;
    this.replayWindow = opts.replayWindowBytes ?? REPLAY_WINDOW;
    this.fsyncPerCommit = opts.fsyncPerCommit ?? false;
    this.readOnly = opts.readOnly ?? false;
    if (!this.readOnly) mkdirSync(dir, { recursive: true });
    const interval = opts.syncIntervalMs ?? 10_000;
    if (interval > 0 && !this.fsyncPerCommit) {
      this.timer = setInterval(() => this.backgroundSync(), interval);
      this.timer.unref();
    }
  }

  /**
   * Replays the latest checkpoint and every later segment. Returns nothing; the
   * handler sees records in log order. Call before `start()`.
   */
  replay(handler: ReplayHandler): void {
    if (!existsSync(this.dir)) return;
    for (const f of readdirSync(this.dir)) {
      if (!this.readOnly && f.startsWith('checkpoint.') && f.endsWith('.tmp')) rmSync(join(this.dir, f), { recursive: true, force: true });
    }
    const cps = readdirSync(this.dir)
      .filter((f) => /^checkpoint\.\d{8}$/.test(f))
      .map((f) => Number(f.slice(11)))
      .sort((a, b) => a - b);
    let from = 0;
    const started = Date.now();
    if (cps.length > 0) {
      const k = cps[cps.length - 1]!;
      const cpDir = join(this.dir, `checkpoint.${segmentName(k)}`);
      for (const s of listSegments(cpDir)) this.replayFile(join(cpDir, segmentName(s)), false, handler, `checkpoint ${k}`);
      this.logger.info({ checkpoint: k, durationMs: Date.now() - started }, 'WAL checkpoint loaded');
      from = k + 1;
    }
    const segs = listSegments(this.dir).filter((s) => s >= from);
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      if (i > 0 && s !== segs[i - 1]! + 1) this.logger.warn({ after: segs[i - 1], next: s }, 'WAL segments missing; data in the gap is lost');
      this.replayFile(join(this.dir, segmentName(s)), i === segs.length - 1, handler, `segment ${s}`);
      this.logger.info({ segment: s, maxSegment: segs[segs.length - 1] }, 'WAL segment loaded');
    }
    this.logger.info({ durationMs: Date.now() - started, segments: segs.length }, 'WAL replay completed');
  }

  /**
   * Replays one segment or checkpoint file through a bounded read window (16 MiB, grown
   * only for a larger record) rather than reading it whole: a checkpoint of a big head
   * can exceed what one Buffer may hold, and a whole-file read would set the restart's
   * peak memory. Handlers copy what they keep, so the window can be reused.
   */
  private replayFile(path: string, isLast: boolean, handler: ReplayHandler, what: string): void {
    let fd: number;
    let size: number;
    try {
      fd = openSync(path, 'r');
      size = fstatSync(fd).size;
    } catch (err) {
      this.logger.warn({ file: path, err: String(err) }, 'WAL file unreadable; skipped');
      this.metrics.walCorruptions.inc();
      return;
    }
    const r = new WindowReader(fd, size, this.replayWindow);
    try {
      while (r.more()) {
        const len = r.record();
        if (len >= 0) {
          const type = r.buf[r.pos]!;
          try {
            handler.record(type, new Decbuf(r.buf, r.pos + HEADER, r.pos + HEADER + len));
          } catch (err) {
            this.logger.warn({ file: path, offset: r.offset(), err: String(err) }, `WAL ${what}: undecodable record dropped`);
            this.metrics.walRecordsDropped.inc();
          }
          r.pos += HEADER + len;
          continue;
        }
        const at = r.offset();
        if (isLast) {
          this.logger.warn({ file: path, offset: at, droppedBytes: size - at }, `WAL ${what}: torn or corrupt tail truncated`);
          this.metrics.walCorruptions.inc();
          if (this.readOnly) return;
          const wfd = openSync(path, 'r+');
          try {
            ftruncateSync(wfd, at);
            fsyncSync(wfd);
          } finally {
            closeSync(wfd);
          }
          return;
        }
        // Middle segment: skip to the next position where a valid record starts.
        r.pos++;
        while (r.more() && r.record() < 0) r.pos++;
        this.logger.warn({ file: path, offset: at, droppedBytes: r.offset() - at }, `WAL ${what}: corrupt region skipped`);
        this.metrics.walCorruptions.inc();
        this.metrics.walRecordsDropped.inc();
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Opens a fresh segment after the last existing one. */
  start(): void {
    const segs = listSegments(this.dir);
    const cps = readdirSync(this.dir).filter((f) => /^checkpoint\.\d{8}$/.test(f)).map((f) => Number(f.slice(11)));
    const last = Math.max(segs.length ? segs[segs.length - 1]! : -1, cps.length ? Math.max(...cps) : -1);
    this.openSegment(last + 1);
  }

  private openSegment(n: number): void {
    this.fd = openSync(join(this.dir, segmentName(n)), 'a');
    this.size = fstatSync(this.fd).size;
    this.seg = n;
    this.metrics.walSegmentCurrent.set(n);
    fsyncDir(this.dir);
  }

  private closeSegment(): void {
    if (this.fd < 0) return;
    fdatasyncSync(this.fd);
    this.metrics.walFsyncs.inc();
    closeSync(this.fd);
    this.fd = -1;
    this.dirty = false;
  }

  currentSegment(): number {
    return this.seg;
  }

  private backgroundSync(): void {
    if (!this.dirty || this.fd < 0) return;
    this.dirty = false;
    const fd = this.fd;
    fdatasync(fd, (err) => {
      if (err && (err as NodeJS.ErrnoException).code !== 'EBADF') this.logger.error({ err: String(err) }, 'WAL fsync failed');
      else this.metrics.walFsyncs.inc();
    });
  }

  private writeRecords(buf: Uint8Array): void {
    if (this.closed) throw new Error('WAL is closed');
    let off = 0;
    try {
      if (this.fd < 0 || (this.size > 0 && this.size + buf.length > this.segmentBytes)) {
        // (fd < 0: an earlier rotation failed to create the next segment; try again.)
        const next = this.seg + 1;
        this.closeSegment();
        this.openSegment(next);
      }
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
      if (this.fsyncPerCommit) {
        fdatasyncSync(this.fd);
        this.metrics.walFsyncs.inc();
      } else this.dirty = true;
    } catch (err) {
      // A disk-full (or I/O) error can leave part of the record written. Cut it off so the
      // segment ends at the last whole record: otherwise replay would stop at the torn
      // record and drop every later commit that was acknowledged.
      this.metrics.walWritesFailed.inc();
      try {
        if (off > 0) ftruncateSync(this.fd, this.size);
      } catch (truncErr) {
        this.logger.error({ err: String(truncErr) }, 'could not cut a partly written WAL record; replay will drop it');
      }
      const code = (err as NodeJS.ErrnoException).code;
      throw new WalWriteError(`WAL write failed${code ? ` (${code})` : ''}: ${(err as Error).message}; the commit was refused and none of its samples were stored`);
    }
    this.size += buf.length;
  }

  private beginRecord(type: number): number {
    const e = this.enc;
    const start = e.len;
    e.u8(type);
    e.u32(0);
    e.u32(0);
    return start;
  }

  private endRecord(start: number): void {
    const e = this.enc;
    const len = e.len - start - HEADER;
    e.putU32At(start + 1, len);
    e.putU32At(start + 5, crc32c(e.b, start + HEADER, e.len));
  }

  logSeries(refs: number[], labels: Labels[]): void {
    const e = this.enc;
    e.reset();
    const start = this.beginRecord(REC_SERIES);
    encodeSeries(e, refs, labels);
    this.endRecord(start);
    this.writeRecords(e.get());
  }

  logSamples(refs: Int32Array, ts: Float64Array, vs: Float64Array, n: number): void {
    const e = this.enc;
    e.reset();
    // Split huge batches so one record stays well below MAX_RECORD.
    for (let from = 0; from < n; from += 1_000_000) {
      const to = Math.min(n, from + 1_000_000);
      const start = this.beginRecord(REC_SAMPLES);
      encodeSamples(e, refs, ts, vs, from, to);
      this.endRecord(start);
    }
    this.writeRecords(e.get());
  }

  /**
   * Writes a checkpoint of the head: closes the current segment (K), starts K+1,
   * lets `write` emit the head state (everything appended up to now), publishes
   * it atomically as checkpoint.K, then deletes segments <= K and older checkpoints.
   * Replay = checkpoint.K + segments > K.
   */
  checkpoint(write: (emit: (type: number, fill: (e: Encbuf) => void) => void) => void): number {
    const k = this.seg;
    this.closeSegment();
    this.openSegment(k + 1);
    const final = join(this.dir, `checkpoint.${segmentName(k)}`);
    const tmp = final + '.tmp';
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    const fd = openSync(join(tmp, segmentName(0)), 'w');
    const e = new Encbuf(1 << 20);
    const flush = (): void => {
      let off = 0;
      const b = e.get();
      while (off < b.length) off += writeSync(fd, b, off, b.length - off);
      e.reset();
    };
    try {
      write((type, fill) => {
        const start = e.len;
        e.u8(type);
        e.u32(0);
        e.u32(0);
        fill(e);
        const len = e.len - start - HEADER;
        e.putU32At(start + 1, len);
        e.putU32At(start + 5, crc32c(e.b, start + HEADER, e.len));
        if (e.len > 1 << 20) flush();
      });
      flush();
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, final);
    fsyncDir(this.dir);
    for (const f of readdirSync(this.dir)) {
      if (/^\d{8}$/.test(f) && Number(f) <= k) rmSync(join(this.dir, f), { force: true });
      else if (/^checkpoint\.\d{8}$/.test(f) && Number(f.slice(11)) < k) rmSync(join(this.dir, f), { recursive: true, force: true });
    }
    this.metrics.checkpointCreations.inc();
    this.metrics.walTruncations.inc();
    this.metrics.walStorageSize.set(this.sizeBytes());
    return k;
  }

  /** Bytes of segments and checkpoint on disk. */
  sizeBytes(): number {
    return dirBytes(this.dir);
  }

  /** fsyncs and closes the current segment. */
  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.closeSegment();
    this.closed = true;
  }
}

export function dirBytes(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const f of names) {
    const p = join(dir, f);
    try {
      const st = statSync(p);
      total += st.isDirectory() ? dirBytes(p) : st.size;
    } catch {
      // raced with a deletion
    }
  }
  return total;
}

const REPLAY_WINDOW = 16 * 1024 * 1024;

/** Sequential reads of a WAL file through a window that slides (and grows for a big record). */
class WindowReader {
  buf: Buffer;
  /** Index in buf of the next byte to look at. */
  pos = 0;
  /** File offset of buf[0], and valid bytes in buf. */
  private base = 0;
  private len = 0;

  constructor(
    private readonly fd: number,
    private readonly size: number,
    window: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(HEADER, Math.min(size, window)));
  }

  offset(): number {
    return this.base + this.pos;
  }

  more(): boolean {
    return this.base + this.pos < this.size;
  }

  /** Makes at least `n` bytes from pos available if the file has them; false if it does not. */
  private ensure(n: number): boolean {
    if (this.pos + n <= this.len) return true;
    if (this.base + this.pos + n > this.size) return false;
    if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.len);
      this.base += this.pos;
      this.len -= this.pos;
      this.pos = 0;
    }
    if (n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(this.size - this.base, Math.max(n, this.buf.length * 2)));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    while (this.len < n) {
      const got = readSync(this.fd, this.buf, this.len, this.buf.length - this.len, this.base + this.len);
      if (got === 0) return false;
      this.len += got;
    }
    return true;
  }

  /** The length of the valid record starting at pos, or -1 (bad type, length, checksum or truncated). */
  record(): number {
    if (!this.ensure(HEADER)) return -1;
    const b = this.buf;
    const type = b[this.pos]!;
    if (type !== REC_SERIES && type !== REC_SAMPLES && type !== REC_HEAD_SERIES) return -1;
    const len = b.readUInt32BE(this.pos + 1);
    if (len > MAX_RECORD || !this.ensure(HEADER + len)) return -1;
    const at = this.pos;
    if (crc32c(this.buf, at + HEADER, at + HEADER + len) !== this.buf.readUInt32BE(at + 5)) return -1;
    return len;
  }
}

export function encodeSeries(e: Encbuf, refs: number[], labels: Labels[]): void {
  e.uvarint(refs.length);
  for (let i = 0; i < refs.length; i++) {
    e.uvarint(refs[i]!);
    const ls = labels[i]!;
    e.uvarint(ls.length);
    for (const l of ls) {
      e.str(l.name);
      e.str(l.value);
    }
  }
}

export function decodeSeries(d: Decbuf, fn: (ref: number, labels: Labels) => void): void {
  const n = d.uvarint();
  for (let i = 0; i < n; i++) {
    const ref = d.uvarint();
    const k = d.uvarint();
    const ls: Array<{ name: string; value: string }> = [];
    for (let j = 0; j < k; j++) ls.push({ name: d.str(), value: d.str() });
    fn(ref, ls);
  }
}

/** Samples: count, then per sample ref delta (zigzag), t delta (zigzag) and raw value bits. */
function encodeSamples(e: Encbuf, refs: Int32Array, ts: Float64Array, vs: Float64Array, from: number, to: number): void {
  e.uvarint(to - from);
  let pr = 0;
  let pt = 0;
  for (let i = from; i < to; i++) {
    const r = refs[i]!;
    const t = ts[i]!;
    e.varint(r - pr);
    e.varint(t - pt);
    e.f64(vs[i]!);
    pr = r;
    pt = t;
  }
}

export function decodeSamples(d: Decbuf, fn: (ref: number, t: number, v: number) => void): void {
  const n = d.uvarint();
  // The replay hot loop (a third of startup time through Decbuf's methods): varints and
  // the value bits are read inline; a sample running past the record is still an error.
  const b = d.b;
  const end = d.end;
  let pos = d.pos;
  let r = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    r += zigzagAt(b, pos, end);
    pos = VARINT_END;
    t += zigzagAt(b, pos, end);
    pos = VARINT_END;
    if (pos + 8 > end) throw new DecodeError(`unexpected end of data at byte ${pos} (samples record)`);
    // Byte copy into a Float64Array alias keeps NaN payloads (the staleness marker) exact.
    F64B[0] = b[pos]!;
    F64B[1] = b[pos + 1]!;
    F64B[2] = b[pos + 2]!;
    F64B[3] = b[pos + 3]!;
    F64B[4] = b[pos + 4]!;
    F64B[5] = b[pos + 5]!;
    F64B[6] = b[pos + 6]!;
    F64B[7] = b[pos + 7]!;
    pos += 8;
    fn(r, t, F64[0]!);
  }
  d.pos = pos;
}

const F64 = new Float64Array(1);
const F64B = new Uint8Array(F64.buffer);
/** Where the varint read by zigzagAt ended (a module slot instead of an allocated pair). */
let VARINT_END = 0;

/** A zigzag varint at b[pos] (at most 8 bytes, as Decbuf reads them); sets VARINT_END. */
function zigzagAt(b: Uint8Array, pos: number, end: number): number {
  let u = 0;
  let mul = 1;
  let c: number;
  do {
    if (pos >= end || mul >= 2 ** 56) throw new DecodeError(`bad varint at byte ${pos} (samples record)`);
    c = b[pos++]!;
    u += (c & 0x7f) * mul;
    mul *= 128;
  } while (c >= 128);
  VARINT_END = pos;
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}
