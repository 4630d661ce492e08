import { hashLabels, labelsKey, type Label, type Labels } from '../model/index.js';

/** Label-set hash cut to 30 bits so Map keys stay small integers (no boxed number per series). */
function smiHash(ls: Labels): number {
  return hashLabels(ls) % 0x40000000;
}
import { StorageError, type Appender, type SeriesRef } from '../storage/index.js';
import {
  CHUNK_HEADER_BYTES,
  MAX_SAMPLE_BITS,
  SAMPLES_PER_CHUNK,
  chunkAppend,
  newChunkState,
  type ChunkState,
} from './chunk.js';
import type { TsdbMetrics } from './metrics.js';
import type { Postings, PostingsSource } from './postings.js';

/**
 * The head: in-memory series with compressed chunks. Per-series state lives in
 * typed-array columns indexed by slot (ref = slot + 1), not in one JS object per
 * series, which keeps memory per series low and GC work small:
 *   - the open chunk of slot s occupies a fixed 256-byte cell in an arena page;
 *   - sealed chunks are copied, exactly sized, into append-only 1 MiB pages and
 *     listed in a chunk table (linked per series); a page is dropped once all of its
 *     chunks are truncated, and never overwritten, so queriers holding a page stay valid;
 *   - label strings are interned; label sets are symbol-id pairs in one Uint32Array.
 * Chunks are cut after 120 samples, when the cell is nearly full, or at a block-range
 * boundary (so every sealed chunk belongs to exactly one future block).
 * Slots of removed series are not reused (refs stay unique for the WAL).
 */
const CELL_BYTES = 256;
const CELLS_PER_PAGE = 1024;
const PAGE_BYTES = 1 << 20;

const F_LOGGED = 1; // series record written to the current WAL
const F_DELETED = 2;

const f64 = new Float64Array(2);
const u64 = new BigUint64Array(f64.buffer);
function sameBits(a: number, b: number): boolean {
  f64[0] = a;
  f64[1] = b;
  return u64[0] === u64[1];
}

/** WAL sink the appender writes to before making samples visible. */
export interface HeadWal {
  logSeries(refs: number[], labels: Labels[]): void;
  logSamples(refs: Int32Array, ts: Float64Array, vs: Float64Array, n: number): void;
}

/** A chunk as seen by a querier: immutable bytes (a page or a private copy). */
export interface ChunkView {
  mint: number;
  maxt: number;
  b: Uint8Array;
  off: number;
  len: number;
}

export class Head implements PostingsSource {
  // Interned strings.
  private syms: string[] = [];
  private symIds = new Map<string, number>();

  numSlots = 0;
  private cap = 0;
  lastT: Float64Array = new Float64Array(0);
  lastV: Float64Array = new Float64Array(0);
  private lastVU32: Uint32Array = new Uint32Array(0);
  private prevDelta: Float64Array = new Float64Array(0);
  chunkMint: Float64Array = new Float64Array(0);
  private lead: Uint8Array = new Uint8Array(0);
  private trail: Uint8Array = new Uint8Array(0);
  private bitPos: Uint16Array = new Uint16Array(0);
  cnt: Uint16Array = new Uint16Array(0);
  firstChunk: Int32Array = new Int32Array(0);
  private lastChunk: Int32Array = new Int32Array(0);
  private labStart: Uint32Array = new Uint32Array(0);
  private labLen: Uint16Array = new Uint16Array(0);
  flags: Uint8Array = new Uint8Array(0);
  batchT: Float64Array = new Float64Array(0);
  batchV: Float64Array = new Float64Array(0);
  batchOwner: Int32Array = new Int32Array(0);

  private labSlab: Uint32Array = new Uint32Array(1024);
  private labUsed = 0;
  private cells: Uint8Array[] = [];

  // Sealed chunk table.
  cMint: Float64Array = new Float64Array(0);
  cMaxt: Float64Array = new Float64Array(0);
  cPage: Int32Array = new Int32Array(0);
  cOff: Uint32Array = new Uint32Array(0);
  cLen: Uint16Array = new Uint16Array(0);
  cNext: Int32Array = new Int32Array(0);
  private cCap = 0;
  private cUsed = 0;
  private cFree = -1;
  pages: Array<Uint8Array | null> = [];
  private pageLive: number[] = [];
  private curOff = PAGE_BYTES;

  private byHash = new Map<number, number>();
  private collisions = new Map<string, number>();
  private index = new Map<string, Map<string, number[]>>();
  private allSlots: number[] = [];

  numSeries = 0;
  numChunks = 0;
  minTime = Infinity;
  maxTime = -Infinity;
  /** Samples below this were persisted to blocks (or are outside the appendable window). */
  minValidTime = -Infinity;
  private nextAppenderId = 1;
  private scratch: ChunkState = newChunkState();
  wal: HeadWal | null = null;

  constructor(
    readonly blockRangeMs: number,
    readonly metrics: TsdbMetrics,
  ) {
    this.grow(1024);
    this.growChunks(1024);
  }

  private grow(cap: number): void {
    const g64 = (a: Float64Array): Float64Array => {
      const n = new Float64Array(cap);
      n.set(a);
      return n;
    };
    const g32 = <T extends Int32Array | Uint32Array | Uint16Array | Uint8Array>(a: T, C: new (n: number) => T): T => {
      const n = new C(cap);
      n.set(a);
      return n;
    };
    this.lastT = g64(this.lastT);
    this.lastV = g64(this.lastV);
    this.lastVU32 = new Uint32Array(this.lastV.buffer);
    this.prevDelta = g64(this.prevDelta);
    this.chunkMint = g64(this.chunkMint);
    this.batchT = g64(this.batchT);
    this.batchV = g64(this.batchV);
    this.lead = g32(this.lead, Uint8Array);
    this.trail = g32(this.trail, Uint8Array);
    this.bitPos = g32(this.bitPos, Uint16Array);
    this.cnt = g32(this.cnt, Uint16Array);
    this.firstChunk = g32(this.firstChunk, Int32Array);
    this.lastChunk = g32(this.lastChunk, Int32Array);
    this.labStart = g32(this.labStart, Uint32Array);
    this.labLen = g32(this.labLen, Uint16Array);
    this.flags = g32(this.flags, Uint8Array);
    this.batchOwner = g32(this.batchOwner, Int32Array);
    this.cap = cap;
  }

  private growChunks(cap: number): void {
    const f = (a: Float64Array): Float64Array => {
      const n = new Float64Array(cap);
      n.set(a);
      return n;
    };
    this.cMint = f(this.cMint);
    this.cMaxt = f(this.cMaxt);
    let n32 = new Int32Array(cap);
    n32.set(this.cPage);
    this.cPage = n32;
    n32 = new Int32Array(cap);
    n32.set(this.cNext);
    this.cNext = n32;
    const u = new Uint32Array(cap);
    u.set(this.cOff);
    this.cOff = u;
    const l = new Uint16Array(cap);
    l.set(this.cLen);
    this.cLen = l;
    this.cCap = cap;
  }

  // ---- symbols and labels ----

  private sym(s: string): number {
    let id = this.symIds.get(s);
    if (id === undefined) {
      id = this.syms.length;
      this.syms.push(s);
      this.symIds.set(s, id);
    }
    return id;
  }

  symbol(id: number): string {
    return this.syms[id]!;
  }

  labelsOf(slot: number): Labels {
    const out: Label[] = new Array<Label>(this.labLen[slot]!);
    const st = this.labStart[slot]!;
    for (let i = 0; i < out.length; i++) {
      out[i] = { name: this.syms[this.labSlab[st + 2 * i]!]!, value: this.syms[this.labSlab[st + 2 * i + 1]!]! };
    }
    return out;
  }

  /** Value of label `name` for a slot, '' when absent. */
  labelValue(slot: number, name: string): string {
    const st = this.labStart[slot]!;
    const n = this.labLen[slot]!;
    for (let i = 0; i < n; i++) if (this.syms[this.labSlab[st + 2 * i]!] === name) return this.syms[this.labSlab[st + 2 * i + 1]!]!;
    return '';
  }

  labelNamesOf(slot: number, out: Set<string>): void {
    const st = this.labStart[slot]!;
    const n = this.labLen[slot]!;
    for (let i = 0; i < n; i++) out.add(this.syms[this.labSlab[st + 2 * i]!]!);
  }

  private sameLabels(slot: number, ls: Labels): boolean {
    const n = this.labLen[slot]!;
    if (n !== ls.length) return false;
    const st = this.labStart[slot]!;
    const syms = this.syms;
    for (let i = 0; i < n; i++) {
      const l = ls[i]!;
      if (syms[this.labSlab[st + 2 * i]!] !== l.name || syms[this.labSlab[st + 2 * i + 1]!] !== l.value) return false;
    }
    return true;
  }

  /** Finds a live series by labels; -1 when absent. */
  lookup(ls: Labels, h = smiHash(ls)): number {
    const s = this.byHash.get(h);
    if (s === undefined) return -1;
    if (this.sameLabels(s, ls)) return s;
    return this.collisions.get(labelsKey(ls)) ?? -1;
  }

  getOrCreate(ls: Labels): number {
    const h = smiHash(ls);
    const s = this.lookup(ls, h);
    if (s >= 0) return s;
    validateLabels(ls);
    return this.create(ls, h);
  }

  private create(ls: Labels, h: number): number {
    const slot = this.numSlots;
    if (slot >= this.cap) this.grow(this.cap * 2);
    this.numSlots++;
    if (this.labUsed + ls.length * 2 > this.labSlab.length) {
      const n = new Uint32Array(Math.max(this.labSlab.length * 2, this.labUsed + ls.length * 2));
      n.set(this.labSlab);
      this.labSlab = n;
    }
    this.labStart[slot] = this.labUsed;
    this.labLen[slot] = ls.length;
    for (const l of ls) {
      const n = this.sym(l.name);
      const v = this.sym(l.value);
      this.labSlab[this.labUsed++] = n;
      this.labSlab[this.labUsed++] = v;
      let byValue = this.index.get(l.name);
      if (!byValue) this.index.set(l.name, (byValue = new Map()));
      const p = byValue.get(l.value);
      if (p) p.push(slot);
      else byValue.set(l.value, [slot]);
    }
    this.allSlots.push(slot);
    this.lastT[slot] = -Infinity;
    this.chunkMint[slot] = Infinity;
    this.bitPos[slot] = CHUNK_HEADER_BYTES * 8;
    this.cnt[slot] = 0;
    this.lead[slot] = 0xff;
    this.trail[slot] = 0;
    this.prevDelta[slot] = 0;
    this.firstChunk[slot] = -1;
    this.lastChunk[slot] = -1;
    this.flags[slot] = 0;
    this.batchOwner[slot] = 0;
    const page = slot >>> 10;
    while (this.cells.length <= page) this.cells.push(new Uint8Array(CELLS_PER_PAGE * CELL_BYTES));
    if (this.byHash.has(h)) this.collisions.set(labelsKey(ls), slot);
    else this.byHash.set(h, slot);
    this.numSeries++;
    this.metrics.headSeriesCreated.inc();
    return slot;
  }

  isLive(slot: number): boolean {
    return slot >= 0 && slot < this.numSlots && (this.flags[slot]! & F_DELETED) === 0;
  }

  markLogged(slot: number): boolean {
    if (this.flags[slot]! & F_LOGGED) return false;
    this.flags[slot]! |= F_LOGGED;
    return true;
  }

  unmarkLogged(slot: number): void {
    this.flags[slot] = this.flags[slot]! & ~F_LOGGED;
  }

  /** After a WAL restart every series must be logged again before its next sample. */
  clearLogged(): void {
    for (let s = 0; s < this.numSlots; s++) this.unmarkLogged(s);
  }

  // ---- appending ----

  /** Lowest timestamp an append may carry (Prometheus' appendableMinValidTime). */
  appendableMinValidTime(): number {
    if (this.maxTime === -Infinity) return this.minValidTime;
    return Math.max(this.minValidTime, this.maxTime - this.blockRangeMs / 2);
  }

  appender(): HeadAppender {
    return new HeadAppender(this);
  }

  newAppenderId(): number {
    const id = this.nextAppenderId++;
    if (this.nextAppenderId > 0x7fffffff) this.nextAppenderId = 1;
    return id;
  }

  /** Appends a validated sample (t > lastT) to a series' open chunk, cutting chunks as needed. */
  appendSample(slot: number, t: number, v: number): void {
    let c = this.cnt[slot]!;
    if (c > 0) {
      const boundary = Math.floor(this.chunkMint[slot]! / this.blockRangeMs) * this.blockRangeMs + this.blockRangeMs;
      if (c >= SAMPLES_PER_CHUNK || this.bitPos[slot]! + MAX_SAMPLE_BITS > CELL_BYTES * 8 || t >= boundary) {
        this.seal(slot);
        c = 0;
      }
    }
    const st = this.scratch;
    st.bitPos = this.bitPos[slot]!;
    st.count = c;
    st.t = this.lastT[slot]!;
    st.delta = this.prevDelta[slot]!;
    st.vhi = this.lastVU32[slot * 2 + 1]!;
    st.vlo = this.lastVU32[slot * 2]!;
    st.leading = this.lead[slot]!;
    st.trailing = this.trail[slot]!;
    chunkAppend(this.cells[slot >>> 10]!, (slot & (CELLS_PER_PAGE - 1)) * CELL_BYTES, st, t, v);
    this.bitPos[slot] = st.bitPos;
    this.cnt[slot] = st.count;
    this.prevDelta[slot] = st.delta;
    this.lead[slot] = st.leading;
    this.trail[slot] = st.trailing;
    this.lastT[slot] = t;
    this.lastV[slot] = v;
    if (c === 0) {
      this.chunkMint[slot] = t;
      this.numChunks++;
    }
    if (t < this.minTime) this.minTime = t;
    if (t > this.maxTime) this.maxTime = t;
  }

  private allocChunk(): number {
    let id = this.cFree;
    if (id >= 0) {
      this.cFree = this.cNext[id]!;
      return id;
    }
    if (this.cUsed >= this.cCap) this.growChunks(this.cCap * 2);
    id = this.cUsed++;
    return id;
  }

  /** Moves the open chunk of a slot into the sealed pages. */
  private seal(slot: number): void {
    const len = (this.bitPos[slot]! + 7) >>> 3;
    const cell = this.cells[slot >>> 10]!;
    const base = (slot & (CELLS_PER_PAGE - 1)) * CELL_BYTES;
    this.addSealed(slot, this.chunkMint[slot]!, this.lastT[slot]!, cell, base, len);
    cell.fill(0, base, base + len);
    this.cnt[slot] = 0;
    this.bitPos[slot] = CHUNK_HEADER_BYTES * 8;
    this.lead[slot] = 0xff;
    this.trail[slot] = 0;
    this.prevDelta[slot] = 0;
    this.chunkMint[slot] = Infinity;
  }

  private addSealed(slot: number, mint: number, maxt: number, src: Uint8Array, off: number, len: number): void {
    if (this.curOff + len > PAGE_BYTES) {
      this.pages.push(new Uint8Array(PAGE_BYTES));
      this.pageLive.push(0);
      this.curOff = 0;
    }
    const p = this.pages.length - 1;
    this.pages[p]!.set(src.subarray(off, off + len), this.curOff);
    const id = this.allocChunk();
    this.cMint[id] = mint;
    this.cMaxt[id] = maxt;
    this.cPage[id] = p;
    this.cOff[id] = this.curOff;
    this.cLen[id] = len;
    this.cNext[id] = -1;
    this.curOff += len;
    this.pageLive[p]!++;
    if (this.lastChunk[slot]! >= 0) this.cNext[this.lastChunk[slot]!] = id;
    else this.firstChunk[slot] = id;
    this.lastChunk[slot] = id;
  }

  /** Restores a sealed chunk from a checkpoint. */
  restoreSealed(slot: number, mint: number, maxt: number, data: Uint8Array): void {
    this.addSealed(slot, mint, maxt, data, 0, data.length);
    this.numChunks++;
    if (mint < this.minTime) this.minTime = mint;
    if (maxt > this.maxTime) this.maxTime = maxt;
    if (maxt > this.lastT[slot]!) this.lastT[slot] = maxt;
  }

  /** Restores the open chunk and its appender state from a checkpoint. */
  restoreOpen(slot: number, st: ChunkState, chunkMint: number, lastV: number, data: Uint8Array): void {
    const cell = this.cells[slot >>> 10]!;
    const base = (slot & (CELLS_PER_PAGE - 1)) * CELL_BYTES;
    cell.fill(0, base, base + CELL_BYTES);
    cell.set(data.subarray(0, Math.min(data.length, CELL_BYTES)), base);
    this.bitPos[slot] = st.bitPos;
    this.cnt[slot] = st.count;
    this.prevDelta[slot] = st.delta;
    this.lead[slot] = st.leading;
    this.trail[slot] = st.trailing;
    this.lastT[slot] = st.t;
    this.lastV[slot] = lastV;
    this.chunkMint[slot] = chunkMint;
    if (st.count > 0) {
      this.numChunks++;
      if (chunkMint < this.minTime) this.minTime = chunkMint;
      if (st.t > this.maxTime) this.maxTime = st.t;
    }
  }

  /** Open chunk state of a slot (for checkpoints). */
  openState(slot: number): { st: ChunkState; chunkMint: number; lastV: number; data: Uint8Array } {
    const st = newChunkState();
    st.bitPos = this.bitPos[slot]!;
    st.count = this.cnt[slot]!;
    st.t = this.lastT[slot]!;
    st.delta = this.prevDelta[slot]!;
    st.leading = this.lead[slot]!;
    st.trailing = this.trail[slot]!;
    const len = (st.bitPos + 7) >>> 3;
    const base = (slot & (CELLS_PER_PAGE - 1)) * CELL_BYTES;
    return { st, chunkMint: this.chunkMint[slot]!, lastV: this.lastV[slot]!, data: this.cells[slot >>> 10]!.slice(base, base + len) };
  }

  // ---- reading ----

  /**
   * Chunks of a slot overlapping [mint, maxt], oldest first. Sealed chunks are
   * shared views of immutable pages; the open chunk is copied so later appends
   * do not leak into a querier.
   */
  chunks(slot: number, mint: number, maxt: number): ChunkView[] {
    const out: ChunkView[] = [];
    for (let id = this.firstChunk[slot]!; id >= 0; id = this.cNext[id]!) {
      if (this.cMaxt[id]! < mint || this.cMint[id]! > maxt) continue;
      out.push({ mint: this.cMint[id]!, maxt: this.cMaxt[id]!, b: this.pages[this.cPage[id]!]!, off: this.cOff[id]!, len: this.cLen[id]! });
    }
    const c = this.cnt[slot]!;
    if (c > 0 && this.chunkMint[slot]! <= maxt && this.lastT[slot]! >= mint) {
      const len = (this.bitPos[slot]! + 7) >>> 3;
      const base = (slot & (CELLS_PER_PAGE - 1)) * CELL_BYTES;
      out.push({ mint: this.chunkMint[slot]!, maxt: this.lastT[slot]!, b: this.cells[slot >>> 10]!.slice(base, base + len), off: 0, len });
    }
    return out;
  }

  /** Whether a slot has any chunk overlapping [mint, maxt]. */
  overlaps(slot: number, mint: number, maxt: number): boolean {
    if (this.cnt[slot]! > 0 && this.chunkMint[slot]! <= maxt && this.lastT[slot]! >= mint) return true;
    for (let id = this.firstChunk[slot]!; id >= 0; id = this.cNext[id]!) {
      if (this.cMaxt[id]! >= mint && this.cMint[id]! <= maxt) return true;
    }
    return false;
  }

  /** Oldest sample time of a slot (Infinity when empty). */
  seriesMinTime(slot: number): number {
    const f = this.firstChunk[slot]!;
    if (f >= 0) return this.cMint[f]!;
    return this.cnt[slot]! > 0 ? this.chunkMint[slot]! : Infinity;
  }

  // PostingsSource over head slots.
  all(): Postings {
    return this.allSlots;
  }
  get(name: string, value: string): Postings {
    return this.index.get(name)?.get(value) ?? [];
  }
  values(name: string): readonly string[] {
    const m = this.index.get(name);
    if (!m) return [];
    return [...m.keys()].sort(cmpStr);
  }
  labelNames(): string[] {
    return [...this.index.keys()].sort(cmpStr);
  }
  /** name → value → series count, for stats. */
  indexEntries(): IterableIterator<[string, Map<string, number[]>]> {
    return this.index.entries();
  }

  // ---- truncation ----

  /**
   * Drops everything older than `mint` (persisted to a block): sealed chunks ending
   * before it, and series left without samples at or after it.
   */
  truncate(mint: number): void {
    let removed = 0;
    let newMin = Infinity;
    for (let s = 0; s < this.numSlots; s++) {
      if (this.flags[s]! & F_DELETED) continue;
      let id = this.firstChunk[s]!;
      while (id >= 0 && this.cMaxt[id]! < mint) {
        const next = this.cNext[id]!;
        this.freeChunk(id);
        id = next;
      }
      this.firstChunk[s] = id;
      if (id < 0) this.lastChunk[s] = -1;
      if (this.cnt[s]! > 0 && this.lastT[s]! < mint) {
        // The open chunk was persisted whole: drop it.
        const base = (s & (CELLS_PER_PAGE - 1)) * CELL_BYTES;
        this.cells[s >>> 10]!.fill(0, base, base + CELL_BYTES);
        this.cnt[s] = 0;
        this.bitPos[s] = CHUNK_HEADER_BYTES * 8;
        this.lead[s] = 0xff;
        this.trail[s] = 0;
        this.prevDelta[s] = 0;
        this.chunkMint[s] = Infinity;
        this.numChunks--;
      }
      if (id < 0 && this.cnt[s] === 0 && this.batchOwner[s] === 0) {
        this.removeSeries(s);
        removed++;
        continue;
      }
      const m = this.seriesMinTime(s);
      if (m < newMin) newMin = m;
    }
    if (removed > 0) this.rebuildIndex();
    for (let p = 0; p < this.pages.length - 1; p++) if (this.pages[p] && this.pageLive[p] === 0) this.pages[p] = null;
    this.minValidTime = Math.max(this.minValidTime, mint);
    this.minTime = newMin;
    if (this.numSeries === 0 || newMin === Infinity) {
      this.minTime = Infinity;
    }
    this.metrics.headSeriesRemoved.inc(removed);
  }

  private freeChunk(id: number): void {
    this.pageLive[this.cPage[id]!]!--;
    this.cNext[id] = this.cFree;
    this.cFree = id;
    this.numChunks--;
  }

  private removeSeries(s: number): void {
    this.flags[s] = this.flags[s]! | F_DELETED;
    const ls = this.labelsOf(s);
    const h = smiHash(ls);
    if (this.byHash.get(h) === s) {
      this.byHash.delete(h);
      // Promote a colliding series with the same hash, if any.
      for (const [k, v] of this.collisions) {
        if (smiHash(this.labelsOf(v)) === h) {
          this.byHash.set(h, v);
          this.collisions.delete(k);
          break;
        }
      }
    } else this.collisions.delete(labelsKey(ls));
    this.lastT[s] = -Infinity;
    this.numSeries--;
  }

  private rebuildIndex(): void {
    const live = (s: number): boolean => (this.flags[s]! & F_DELETED) === 0;
    for (const [name, byValue] of this.index) {
      for (const [value, p] of byValue) {
        const kept = p.filter(live);
        if (kept.length === 0) byValue.delete(value);
        else byValue.set(value, kept);
      }
      if (byValue.size === 0) this.index.delete(name);
    }
    this.allSlots = this.allSlots.filter(live);
  }

  /** Live slots in creation order. */
  liveSlots(): readonly number[] {
    return this.allSlots;
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Prometheus rejects empty label sets, unsorted/duplicate names and empty names or values. */
function validateLabels(ls: Labels): void {
  if (ls.length === 0) throw new StorageError('invalid_labels', 'empty label set');
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (l.name === '') throw new StorageError('invalid_labels', 'empty label name');
    if (l.value === '') throw new StorageError('invalid_labels', `label ${l.name} has an empty value`);
    if (i > 0 && ls[i - 1]!.name >= l.name) throw new StorageError('invalid_labels', `labels not sorted or duplicate name ${JSON.stringify(l.name)}`);
  }
}

/**
 * Batches samples in typed arrays; commit() writes them to the WAL and then
 * applies them to the head in one synchronous step, so a querier sees either
 * none or all of a batch. Ordering is validated at append time against the
 * committed data and this batch (per-series columns tagged with the appender id,
 * no per-sample Map), and again at commit against appenders that committed since.
 */
export class HeadAppender implements Appender {
  private id: number;
  private slots: Int32Array = new Int32Array(256);
  private ts: Float64Array = new Float64Array(256);
  private vs: Float64Array = new Float64Array(256);
  private n = 0;
  /** Samples dropped at commit because a concurrent appender committed newer ones. */
  droppedAtCommit = 0;

  constructor(private readonly head: Head) {
    this.id = head.newAppenderId();
  }

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    const h = this.head;
    let slot = ref - 1;
    if (!(ref > 0 && h.isLive(slot))) slot = h.getOrCreate(labels);
    if (!Number.isFinite(t)) throw new StorageError('out_of_bounds', `invalid timestamp ${t}`);
    if (t < h.appendableMinValidTime()) {
      h.metrics.outOfBoundSamples.inc();
      throw new StorageError('out_of_bounds', 'out of bounds');
    }
    const mine = h.batchOwner[slot] === this.id;
    const prevT = mine ? h.batchT[slot]! : h.lastT[slot]!;
    if (t <= prevT) {
      if (t === prevT) {
        const prevV = mine ? h.batchV[slot]! : h.lastV[slot]!;
        if (sameBits(prevV, v)) return slot + 1; // identical duplicate: accepted, dropped
        h.metrics.duplicateSamples.inc();
        throw new StorageError('duplicate_sample', 'duplicate sample for timestamp');
      }
      h.metrics.outOfOrderSamples.inc();
      throw new StorageError('out_of_order', 'out of order sample');
    }
    if (this.n === this.slots.length) this.growBatch();
    this.slots[this.n] = slot;
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
    h.batchOwner[slot] = this.id;
    h.batchT[slot] = t;
    h.batchV[slot] = v;
    return slot + 1;
  }

  private growBatch(): void {
    const cap = this.slots.length * 2;
    const s = new Int32Array(cap);
    s.set(this.slots);
    this.slots = s;
    const t = new Float64Array(cap);
    t.set(this.ts);
    this.ts = t;
    const v = new Float64Array(cap);
    v.set(this.vs);
    this.vs = v;
  }

  async commit(): Promise<void> {
    this.commitSync();
  }

  /** The synchronous body of commit (the WAL write is a write(2), not an fsync unless configured). */
  commitSync(): void {
    const h = this.head;
    const n = this.n;
    try {
      if (n === 0) return;
      // Series that were never logged (or whose slot was removed meanwhile) first.
      const newRefs: number[] = [];
      const newLabels: Labels[] = [];
      for (let i = 0; i < n; i++) {
        const slot = this.slots[i]!;
        if (!h.isLive(slot)) continue;
        if (h.markLogged(slot)) {
          newRefs.push(slot + 1);
          newLabels.push(h.labelsOf(slot));
        }
      }
      if (h.wal) {
        try {
          if (newRefs.length > 0) h.wal.logSeries(newRefs, newLabels);
        } catch (err) {
          // Not in the WAL after all: log these series again with their next commit.
          for (const ref of newRefs) h.unmarkLogged(ref - 1);
          throw err;
        }
        // WAL refs are slot + 1.
        for (let i = 0; i < n; i++) this.slots[i] = this.slots[i]! + 1;
        try {
          h.wal.logSamples(this.slots, this.ts, this.vs, n);
        } finally {
          for (let i = 0; i < n; i++) this.slots[i] = this.slots[i]! - 1;
        }
      }
      let appended = 0;
      for (let i = 0; i < n; i++) {
        const slot = this.slots[i]!;
        if (h.batchOwner[slot] === this.id) h.batchOwner[slot] = 0;
        if (!h.isLive(slot)) {
          this.droppedAtCommit++;
          continue;
        }
        const t = this.ts[i]!;
        if (t <= h.lastT[slot]!) {
          // Another appender committed a newer sample for this series in between.
          if (t < h.lastT[slot]!) h.metrics.outOfOrderSamples.inc();
          this.droppedAtCommit++;
          continue;
        }
        h.appendSample(slot, t, this.vs[i]!);
        appended++;
      }
      h.metrics.headSamplesAppended.inc(appended);
    } finally {
      this.reset();
    }
  }

  private reset(): void {
    const h = this.head;
    for (let i = 0; i < this.n; i++) {
      const slot = this.slots[i]!;
      if (h.batchOwner[slot] === this.id) h.batchOwner[slot] = 0;
    }
    this.n = 0;
    this.id = h.newAppenderId();
    if (this.slots.length > 65536) {
      this.slots = new Int32Array(256);
      this.ts = new Float64Array(256);
      this.vs = new Float64Array(256);
    }
  }

  async rollback(): Promise<void> {
    this.reset();
  }

  /** Number of samples waiting for commit. */
  pending(): number {
    return this.n;
  }
}
