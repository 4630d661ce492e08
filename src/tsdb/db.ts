import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { labelsCompare, type Labels } from '../model/index.js';
import { StorageError, topN, type Appender, type Querier, type SeriesRef, type Storage, type StorageStats } from '../storage/index.js';
import type { Logger } from '../util/index.js';
import { BlockReader, scanBlockDirs, writeBlock, writeBlockAsync, type BlockMeta, type BlockSeries } from './block.js';
import { encodeChunks, newChunkState, ChunkIterator, SAMPLES_PER_CHUNK } from './chunk.js';
import type { Decbuf, Encbuf } from './encoding.js';
import { Head, type ChunkView, type HeadAppender } from './head.js';
import { TsdbMetrics } from './metrics.js';
import { TsdbQuerier } from './querier.js';
import { REC_HEAD_SERIES, REC_SAMPLES, REC_SERIES, Wal, decodeSamples, decodeSeries } from './wal.js';

export const DEFAULT_BLOCK_RANGE_MS = 2 * 3600_000;
export const DEFAULT_RETENTION_MS = 15 * 24 * 3600_000;
const MAX_BLOCK_DURATION_MS = 31 * 24 * 3600_000;

export interface TsdbOptions {
  /** Data directory (created if missing). */
  dir: string;
  logger: Logger;
  /** Metrics are registered here (a private registry when absent). */
  registry?: Registry;
  /** Time retention in ms (default 15d; 0 disables). */
  retentionMs?: number;
  /** Size retention in bytes of blocks + WAL (default 0 = unlimited). */
  retentionBytes?: number;
  /** Head block range (default 2h); blocks are cut when the head spans 1.5x this. */
  blockRangeMs?: number;
  /** Largest compacted block (default min(10% of retention, 31d)). */
  maxBlockDurationMs?: number;
  walSegmentBytes?: number;
  /** WAL replay read window (tests). */
  walReplayWindowBytes?: number;
  /** Background fdatasync period of the WAL (default 10s). */
  walSyncIntervalMs?: number;
  /** fdatasync the WAL before every commit returns (default false). */
  fsyncPerCommit?: boolean;
  /** Period of the compaction/retention check (default 60s; 0 disables the timer). */
  compactionIntervalMs?: number;
  /**
   * Open for reading only (tools: dump, analyze): no lock, no WAL repair or new
   * segment, no compaction; appenders throw StorageError('read_only').
   */
  readOnly?: boolean;
  /**
   * Do not take the `lock` file in `dir` (--storage.tsdb.no-lockfile): nothing then stops
   * a second process from writing the same directory.
   */
  noLockfile?: boolean;
}

/** The TSDB: head + WAL + blocks + compaction + retention, implementing Storage. */
export class Tsdb implements Storage {
  readonly metrics: TsdbMetrics;
  readonly head: Head;
  private blocks: BlockReader[] = [];
  private wal: Wal;
  private timer: NodeJS.Timeout | null = null;
  private compacting: Promise<void> | null = null;
  private closed = false;
  private readonly blockRangeMs: number;
  private readonly retentionMs: number;
  private readonly retentionBytes: number;
  private readonly maxBlockDurationMs: number;
  private readonly logger: Logger;
  private corruptReported = new Set<string>();

  /** @internal use openTsdb */
  constructor(
    readonly opts: TsdbOptions,
    registry: Registry,
  ) {
    this.logger = opts.logger;
    this.metrics = new TsdbMetrics(registry);
    this.blockRangeMs = opts.blockRangeMs ?? DEFAULT_BLOCK_RANGE_MS;
    this.retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
    this.retentionBytes = opts.retentionBytes ?? 0;
    this.maxBlockDurationMs =
      opts.maxBlockDurationMs ?? Math.max(this.blockRangeMs, Math.min(MAX_BLOCK_DURATION_MS, this.retentionMs > 0 ? this.retentionMs / 10 : MAX_BLOCK_DURATION_MS));
    this.head = new Head(this.blockRangeMs, this.metrics);
    this.wal = new Wal(join(opts.dir, 'wal'), this.logger, this.metrics, {
      segmentBytes: opts.walSegmentBytes,
      replayWindowBytes: opts.walReplayWindowBytes,
      syncIntervalMs: opts.readOnly ? 0 : opts.walSyncIntervalMs,
      readOnly: opts.readOnly,
      fsyncPerCommit: opts.fsyncPerCommit,
    });
    this.metrics.retentionLimitBytes.set(this.retentionBytes);
    // Head gauges and the WAL size are read at scrape time; a closed TSDB keeps its last values.
    this.metrics.observeHead(this.head, () => (this.closed ? NaN : this.wal.sizeBytes()));
  }

  /** @internal */
  open(): void {
    const dir = this.opts.dir;
    const ro = this.opts.readOnly === true;
    const { blocks, removed } = scanBlockDirs(dir, ro);
    for (const r of removed) this.logger.warn({ dir: r }, 'removed leftover of an interrupted block write or deletion');
    const readers: BlockReader[] = [];
    for (const b of blocks) {
      try {
        readers.push(new BlockReader(b));
      } catch (err) {
        this.logger.error({ block: b, err: String(err) }, 'block cannot be read; skipped (move it away to silence this)');
      }
    }
    // Blocks already merged into a compacted block (crash before their deletion) go now.
    const parents = new Set<string>();
    for (const r of readers) for (const p of r.meta.compaction.parents ?? []) parents.add(p);
    for (const r of readers) {
      if (parents.has(r.ulid)) {
        if (ro) {
          r.close();
          continue;
        }
        this.logger.info({ block: r.ulid }, 'deleting block already compacted into another');
        r.markDeleted();
      } else this.blocks.push(r);
    }
    this.sortBlocks();
    const lastMax = this.blocks.reduce((m, b) => Math.max(m, b.meta.maxTime), -Infinity);
    this.head.minValidTime = lastMax;
    this.replayWal();
    this.updateBlockMetrics();
    if (ro) return;
    this.wal.start();
    this.head.wal = this.wal;
    const interval = this.opts.compactionIntervalMs ?? 60_000;
    if (interval > 0) {
      this.timer = setInterval(() => void this.compact(), interval);
      this.timer.unref();
    }
  }

  private replayWal(): void {
    const h = this.head;
    const refMap = new Map<number, number>();
    let unknown = 0;
    let skipped = 0;
    const st = newChunkState();
    this.wal.replay({
      record: (type: number, d: Decbuf) => {
        if (type === REC_SERIES) {
          decodeSeries(d, (ref, ls) => {
            try {
              refMap.set(ref, h.getOrCreate(ls));
            } catch {
              skipped++;
            }
          });
        } else if (type === REC_SAMPLES) {
          decodeSamples(d, (ref, t, v) => {
            const slot = refMap.get(ref);
            if (slot === undefined) unknown++;
            else if (t >= h.minValidTime && t > h.lastT[slot]!) h.appendSample(slot, t, v);
          });
        } else if (type === REC_HEAD_SERIES) {
          const ref = d.uvarint();
          const n = d.uvarint();
          const ls: Array<{ name: string; value: string }> = [];
          for (let i = 0; i < n; i++) ls.push({ name: d.str(), value: d.str() });
          const slot = h.getOrCreate(ls);
          refMap.set(ref, slot);
          const hasLast = d.u8();
          const lastT = hasLast ? d.varint() : -Infinity;
          const lastV = d.f64();
          const nc = d.uvarint();
          for (let i = 0; i < nc; i++) {
            const mint = d.varint();
            const maxt = d.varint();
            // restoreSealed copies the bytes into the head's pages.
            const data = d.bytes(d.uvarint());
            if (maxt >= h.minValidTime && maxt > h.lastT[slot]!) h.restoreSealed(slot, mint, maxt, data);
          }
          const cnt = d.uvarint();
          if (cnt > 0) {
            const chunkMint = d.varint();
            st.bitPos = d.uvarint();
            st.count = cnt;
            st.t = d.varint();
            st.delta = d.varint();
            st.leading = d.u8();
            st.trailing = d.u8();
            const data = d.bytes(d.uvarint());
            if (st.t >= h.minValidTime && chunkMint > h.lastT[slot]!) h.restoreOpen(slot, st, chunkMint, lastV, data);
          } else if (lastT > h.lastT[slot]! && lastT >= h.minValidTime) {
            h.lastT[slot] = lastT;
            h.lastV[slot] = lastV;
          }
        }
      },
    });
    if (unknown > 0) {
      this.logger.warn({ samples: unknown }, 'WAL samples for unknown series dropped (their series record was lost)');
      this.metrics.walRecordsDropped.inc(unknown);
    }
    if (skipped > 0) this.logger.warn({ series: skipped }, 'WAL series with invalid labels dropped');
    this.logger.info({ series: h.numSeries, chunks: h.numChunks, minTime: h.minTime, maxTime: h.maxTime }, 'head loaded from WAL');
  }

  private writeCheckpoint(): void {
    const h = this.head;
    this.wal.checkpoint((emit) => {
      for (const slot of h.liveSlots()) {
        emit(REC_HEAD_SERIES, (e: Encbuf) => {
          e.uvarint(slot + 1);
          const ls = h.labelsOf(slot);
          e.uvarint(ls.length);
          for (const l of ls) {
            e.str(l.name);
            e.str(l.value);
          }
          const lastT = h.lastT[slot]!;
          e.u8(lastT === -Infinity ? 0 : 1);
          if (lastT !== -Infinity) e.varint(lastT);
          e.f64(h.lastV[slot]!);
          const sealed: ChunkView[] = [];
          for (let id = h.firstChunk[slot]!; id >= 0; id = h.cNext[id]!) {
            sealed.push({ mint: h.cMint[id]!, maxt: h.cMaxt[id]!, b: h.pages[h.cPage[id]!]!, off: h.cOff[id]!, len: h.cLen[id]! });
          }
          e.uvarint(sealed.length);
          for (const c of sealed) {
            e.varint(c.mint);
            e.varint(c.maxt);
            e.uvarint(c.len);
            e.bytes(c.b.subarray(c.off, c.off + c.len));
          }
          const open = h.openState(slot);
          e.uvarint(open.st.count);
          if (open.st.count > 0) {
            e.varint(open.chunkMint);
            e.uvarint(open.st.bitPos);
            e.varint(open.st.t);
            e.varint(open.st.delta);
            e.u8(open.st.leading);
            e.u8(open.st.trailing);
            e.uvarint(open.data.length);
            e.bytes(open.data);
          }
        });
      }
    });
    // Every series was written to the checkpoint under its current ref.
    for (const slot of h.liveSlots()) h.markLogged(slot);
  }

  // ---- Storage ----

  appender(): Appender {
    if (this.closed) throw new StorageError('closed', 'TSDB is closed');
    if (this.opts.readOnly) throw new StorageError('read_only', 'TSDB is open read-only');
    return new DbAppender(this, this.head.appender());
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    if (this.closed) throw new StorageError('closed', 'TSDB is closed');
    return new TsdbQuerier(
      this.head,
      this.blocks.filter((b) => b.overlaps(mint, maxt)),
      mint,
      maxt,
      (msg) => this.reportCorrupt(msg),
    );
  }

  private reportCorrupt(msg: string): void {
    if (this.corruptReported.has(msg)) return;
    this.corruptReported.add(msg);
    this.logger.error({ err: msg }, 'corrupt data skipped while reading a block');
  }

  startTime(): number {
    const b = this.blocks.length > 0 ? this.blocks[0]!.meta.minTime : Infinity;
    return Math.min(b, this.head.minTime);
  }

  stats(limit = 10): StorageStats {
    const h = this.head;
    const byName = new Map<string, number>();
    const valueCount = new Map<string, number>();
    const memBytes = new Map<string, number>();
    const byPair = new Map<string, number>();
    let pairs = 0;
    for (const [name, values] of h.indexEntries()) {
      valueCount.set(name, values.size);
      let bytes = 0;
      for (const [value, p] of values) {
        pairs++;
        bytes += value.length * p.length;
        byPair.set(`${name}=${value}`, p.length);
        if (name === '__name__') byName.set(value, p.length);
      }
      memBytes.set(name, bytes);
    }
    return {
      numSeries: h.numSeries,
      numLabelPairs: pairs,
      chunkCount: h.numChunks,
      minTime: h.minTime,
      maxTime: h.maxTime,
      seriesCountByMetricName: topN(byName, limit),
      labelValueCountByLabelName: topN(valueCount, limit),
      memoryInBytesByLabelName: topN(memBytes, limit),
      seriesCountByLabelValuePair: topN(byPair, limit),
    };
  }

  /** Metas of the loaded blocks, oldest first. */
  blockMetas(): BlockMeta[] {
    return this.blocks.map((b) => b.meta);
  }

  // ---- compaction and retention ----

  /** @internal called after commits */
  maybeCompactSoon(): void {
    const h = this.head;
    if (this.compacting || this.closed) return;
    if (!this.opts.readOnly && h.numSeries > 0 && h.maxTime - h.minTime > (this.blockRangeMs / 2) * 3) {
      void this.startCompaction(true);
    }
  }

  private startCompaction(deferred: boolean): Promise<void> {
    const p: Promise<void> = (deferred ? new Promise<void>((resolve) => setImmediate(resolve)) : Promise.resolve())
      .then(() => this.runCompaction())
      .finally(() => {
        if (this.compacting === p) this.compacting = null;
      });
    this.compacting = p;
    return p;
  }

  /** Cuts the head into blocks if it spans 1.5x the block range, merges blocks, applies retention. */
  async compact(): Promise<void> {
    if (this.closed || this.opts.readOnly) return;
    while (this.compacting) await this.compacting;
    await this.startCompaction(false);
  }

  private async runCompaction(): Promise<void> {
    try {
      if (this.closed) return;
      const h = this.head;
      let cut = false;
      while (h.numSeries > 0 && h.maxTime - h.minTime > (this.blockRangeMs / 2) * 3) {
        const a = Math.floor(h.minTime / this.blockRangeMs) * this.blockRangeMs;
        await this.persistHeadRange(a, a + this.blockRangeMs);
        cut = true;
      }
      if (cut) this.writeCheckpoint();
      await this.compactBlocks();
      this.applyRetention();
    } catch (err) {
      this.metrics.compactionsFailed.inc();
      this.logger.error({ err: String(err), stack: (err as Error).stack }, 'compaction failed');
    }
  }

  /**
   * Persists all head data (even if it spans less than 1.5 block ranges) into
   * blocks and truncates the head; later appends must be newer than the last
   * persisted range. For imports, benchmarks and tests.
   */
  async flushHead(): Promise<void> {
    while (this.compacting) await this.compacting;
    const h = this.head;
    let cut = false;
    while (h.numSeries > 0 && h.minTime !== Infinity) {
      const a = Math.floor(h.minTime / this.blockRangeMs) * this.blockRangeMs;
      await this.persistHeadRange(a, a + this.blockRangeMs);
      cut = true;
    }
    if (cut) this.writeCheckpoint();
    await this.compactBlocks();
    this.applyRetention();
  }

  /**
   * Head series with data in [a, b), sorted by labels. Chunks are produced lazily,
   * one series at a time, so writing a block does not materialise every re-cut
   * chunk of the head at once.
   */
  private *headSeriesInRange(a: number, b: number): Generator<BlockSeries> {
    const h = this.head;
    const list: Array<{ slot: number; labels: Labels }> = [];
    for (const slot of h.liveSlots()) {
      if (h.overlaps(slot, a, b - 1)) list.push({ slot, labels: h.labelsOf(slot) });
    }
    list.sort((x, y) => labelsCompare(x.labels, y.labels));
    for (const e of list) yield { labels: e.labels, chunks: rechunk(h.chunks(e.slot, a, b - 1)) };
  }

  private async persistHeadRange(a: number, b: number): Promise<void> {
    const started = Date.now();
    const meta = await writeBlockAsync(this.opts.dir, { minTime: a, maxTime: b }, this.headSeriesInRange(a, b), { level: 1 });
    if (meta.stats.numSeries === 0) {
      // Nothing in range: drop the empty block.
      rmSync(join(this.opts.dir, meta.ulid), { recursive: true, force: true });
    } else {
      this.addBlock(new BlockReader(join(this.opts.dir, meta.ulid)));
      this.metrics.compactionsTotal.inc();
      this.metrics.compactionDuration.observe((Date.now() - started) / 1000);
      this.logger.info({ ulid: meta.ulid, mint: meta.minTime, maxt: meta.maxTime, series: meta.stats.numSeries, durationMs: Date.now() - started }, 'head persisted to block');
    }
    this.head.truncate(b);
    this.metrics.headTruncations.inc();
  }

  private addBlock(r: BlockReader): void {
    this.blocks.push(r);
    this.sortBlocks();
    this.updateBlockMetrics();
  }

  private sortBlocks(): void {
    this.blocks.sort((x, y) => x.meta.minTime - y.meta.minTime || x.meta.maxTime - y.meta.maxTime);
  }

  private compactionRanges(): number[] {
    const out: number[] = [];
    for (let r = this.blockRangeMs * 3; r <= this.maxBlockDurationMs; r *= 3) out.push(r);
    return out;
  }

  private async compactBlocks(): Promise<void> {
    const frontier = this.head.minValidTime;
    for (let guard = 0; guard < 1000; guard++) {
      let plan: BlockReader[] | null = null;
      for (const r of this.compactionRanges()) {
        const groups = new Map<number, BlockReader[]>();
        for (const b of this.blocks) {
          const w = Math.floor(b.meta.minTime / r) * r;
          if (b.meta.maxTime > w + r) continue; // straddles the window
          let g = groups.get(w);
          if (!g) groups.set(w, (g = []));
          g.push(b);
        }
        for (const [w, g] of [...groups].sort((x, y) => x[0] - y[0])) {
          if (g.length >= 2 && w + r <= frontier) {
            plan = g;
            break;
          }
        }
        if (plan) break;
      }
      if (!plan) return;
      await this.compactGroup(plan);
    }
  }

  private async compactGroup(group: BlockReader[]): Promise<void> {
    const started = Date.now();
    const minTime = Math.min(...group.map((b) => b.meta.minTime));
    const maxTime = Math.max(...group.map((b) => b.meta.maxTime));
    const level = Math.max(...group.map((b) => b.meta.compaction.level)) + 1;
    const sources = [...new Set(group.flatMap((b) => b.meta.compaction.sources))].sort();
    const parents = group.map((b) => b.ulid);
    for (const b of group) b.acquire();
    let meta: BlockMeta;
    try {
      meta = await writeBlockAsync(this.opts.dir, { minTime, maxTime }, mergeBlockSeries(group, (m) => this.reportCorrupt(m)), { level, sources, parents });
    } finally {
      for (const b of group) b.release();
    }
    const reader = new BlockReader(join(this.opts.dir, meta.ulid));
    this.blocks = this.blocks.filter((b) => !group.includes(b));
    this.addBlock(reader);
    for (const b of group) b.markDeleted();
    this.updateBlockMetrics();
    this.metrics.compactionsTotal.inc();
    this.metrics.compactionDuration.observe((Date.now() - started) / 1000);
    this.logger.info({ ulid: meta.ulid, level, sources: parents.length, durationMs: Date.now() - started }, 'blocks compacted');
  }

  /**
   * Deletes whole blocks: by time when the newest block's maxTime minus a block's
   * maxTime exceeds the retention (Prometheus' rule), and by size — oldest first —
   * while blocks + WAL exceed the byte limit.
   */
  applyRetention(): void {
    if (this.blocks.length === 0) return;
    const newest = this.blocks.reduce((m, b) => Math.max(m, b.meta.maxTime), -Infinity);
    const doomed = new Set<BlockReader>();
    if (this.retentionMs > 0) {
      for (const b of this.blocks) {
        if (newest - b.meta.maxTime > this.retentionMs) {
          doomed.add(b);
          this.metrics.timeRetentions.inc();
        }
      }
    }
    if (this.retentionBytes > 0) {
      let size = this.wal.sizeBytes();
      const byAgeDesc = [...this.blocks].sort((x, y) => y.meta.maxTime - x.meta.maxTime);
      for (const b of byAgeDesc) {
        if (doomed.has(b)) continue;
        size += b.sizeBytes;
        if (size > this.retentionBytes) {
          doomed.add(b);
          this.metrics.sizeRetentions.inc();
        }
      }
    }
    if (doomed.size === 0) return;
    this.blocks = this.blocks.filter((b) => !doomed.has(b));
    for (const b of doomed) {
      this.logger.info({ ulid: b.ulid, mint: b.meta.minTime, maxt: b.meta.maxTime }, 'deleting block past retention');
      b.markDeleted();
    }
    this.updateBlockMetrics();
  }

  private updateBlockMetrics(): void {
    this.metrics.blocksLoaded.set(this.blocks.length);
    this.metrics.storageBlocksBytes.set(this.blocks.reduce((s, b) => s + b.sizeBytes, 0));
    const st = this.startTime();
    if (Number.isFinite(st)) this.metrics.lowestTimestamp.set(st);
  }

  // ---- snapshot ----

  /**
   * Writes a consistent copy of the database into `dir` (which must not exist or be
   * empty): blocks are hard-linked (copied across filesystems); with `withHead` the
   * head's current data is written as an extra block. A server started on `dir`
   * sees everything committed before the call.
   */
  async snapshot(dir: string, withHead: boolean): Promise<string[]> {
    while (this.compacting) await this.compacting;
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    const blocks = this.blocks.slice();
    for (const b of blocks) b.acquire();
    try {
      for (const b of blocks) {
        linkTree(b.dir, join(dir, b.ulid));
        written.push(b.ulid);
      }
      const h = this.head;
      if (withHead && h.numSeries > 0 && Number.isFinite(h.minTime)) {
        const meta = writeBlock(dir, { minTime: h.minTime, maxTime: h.maxTime + 1 }, this.headSeriesInRange(h.minTime, h.maxTime + 1), { level: 1 });
        written.push(meta.ulid);
      }
    } finally {
      for (const b of blocks) b.release();
    }
    return written;
  }

  /** Bytes on disk: blocks and WAL. */
  diskBytes(): { blocks: number; wal: number } {
    return { blocks: this.blocks.reduce((s, b) => s + b.sizeBytes, 0), wal: this.wal.sizeBytes() };
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Stops background work, fsyncs and closes the WAL, closes blocks. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.compacting) await this.compacting;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.wal.close();
    for (const b of this.blocks) b.close();
    if (takesLock(this.opts)) releaseLock(this.opts.dir);
  }
}

function linkTree(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const f of readdirSync(src)) {
    const s = join(src, f);
    const d = join(dst, f);
    if (statSync(s).isDirectory()) linkTree(s, d);
    else {
      try {
        linkSync(s, d);
      } catch {
        copyFileSync(s, d);
      }
    }
  }
}

/**
 * Merges the series of several blocks (each sorted by labels) into one sorted
 * stream; chunks of equal series are concatenated, or merged sample by sample
 * and re-encoded where blocks overlap in time.
 */
function* mergeBlockSeries(group: BlockReader[], onCorrupt: (m: string) => void): Generator<BlockSeries> {
  const cursors = group.map((b) => ({ b, ps: b.all(), i: 0, cur: null as null | { labels: Labels; chunks: ReturnType<BlockReader['series']>['chunks'] } }));
  const advance = (c: (typeof cursors)[number]): void => {
    c.cur = null;
    while (c.i < c.ps.length) {
      try {
        c.cur = c.b.series(c.ps[c.i++]!);
        return;
      } catch (err) {
        onCorrupt(String(err));
      }
    }
  };
  for (const c of cursors) advance(c);
  for (;;) {
    let min: Labels | null = null;
    for (const c of cursors) if (c.cur && (!min || labelsCompare(c.cur.labels, min) < 0)) min = c.cur.labels;
    if (!min) return;
    const chunks: ChunkView[] = [];
    for (const c of cursors) {
      if (c.cur && labelsCompare(c.cur.labels, min) === 0) {
        chunks.push(...c.b.readChunks(c.cur.chunks, onCorrupt));
        advance(c);
      }
    }
    chunks.sort((x, y) => x.mint - y.mint);
    let overlap = false;
    for (let i = 1; i < chunks.length; i++) if (chunks[i]!.mint <= chunks[i - 1]!.maxt) overlap = true;
    yield { labels: min, chunks: overlap ? reencode(chunks) : chunks };
  }
}

/**
 * Head chunks can be short (a 256-byte cell fills before 120 samples for noisy
 * values, and a block boundary leaves a partial chunk); before they go to a block
 * they are re-encoded into floor(n/120) evenly filled chunks, which saves chunk
 * headers and index entries.
 */
const rechunkIt = new ChunkIterator();
let rechunkTs = new Float64Array(1024);
let rechunkVs = new Float64Array(1024);
function rechunk(chunks: ChunkView[]): ChunkView[] {
  if (chunks.length < 2) return chunks;
  let total = 0;
  for (const c of chunks) total += (c.b[c.off]! << 8) | c.b[c.off + 1]!;
  if (chunks.length <= Math.max(1, Math.floor(total / SAMPLES_PER_CHUNK))) return chunks;
  if (rechunkTs.length < total) {
    rechunkTs = new Float64Array(total * 2);
    rechunkVs = new Float64Array(total * 2);
  }
  let n = 0;
  for (const c of chunks) {
    rechunkIt.reset(c.b, c.off, c.len);
    while (rechunkIt.next()) {
      rechunkTs[n] = rechunkIt.t;
      rechunkVs[n] = rechunkIt.v;
      n++;
    }
  }
  return encodeChunks(rechunkTs, rechunkVs, 0, n).map((c) => ({ mint: c.mint, maxt: c.maxt, b: c.data, off: 0, len: c.data.length }));
}

function reencode(chunks: ChunkView[]): ChunkView[] {
  const ts: number[] = [];
  let vs = new Float64Array(1024);
  const it = new ChunkIterator();
  const all: Array<{ t: number; i: number }> = [];
  for (const c of chunks) {
    it.reset(c.b, c.off, c.len);
    while (it.next()) {
      if (ts.length === vs.length) {
        const n = new Float64Array(vs.length * 2);
        n.set(vs);
        vs = n;
      }
      vs[ts.length] = it.v;
      all.push({ t: it.t, i: ts.length });
      ts.push(it.t);
    }
  }
  all.sort((a, b) => a.t - b.t || a.i - b.i);
  const ots: number[] = [];
  const ovs = new Float64Array(all.length);
  for (const s of all) {
    if (ots.length > 0 && ots[ots.length - 1] === s.t) continue; // duplicate timestamp: keep the first
    ovs[ots.length] = vs[s.i]!;
    ots.push(s.t);
  }
  return encodeChunks(ots, ovs, 0, ots.length).map((c) => ({ mint: c.mint, maxt: c.maxt, b: c.data, off: 0, len: c.data.length }));
}

function acquireLock(dir: string): void {
  const p = join(dir, 'lock');
  if (existsSync(p)) {
    const pid = Number(readFileSync(p, 'utf8').trim());
    if (pid > 0 && pid !== process.pid) {
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
      if (alive) throw new Error(`${dir} is locked by process ${pid} (another Vigil using the same data directory?)`);
    }
  }
  writeFileSync(p, String(process.pid));
}

function releaseLock(dir: string): void {
  try {
    const p = join(dir, 'lock');
    if (readFileSync(p, 'utf8').trim() === String(process.pid)) rmSync(p, { force: true });
  } catch {
    // already gone
  }
}

/** Opens (or creates) a TSDB in opts.dir: loads blocks, replays the WAL, starts background compaction. */
export async function openTsdb(opts: TsdbOptions): Promise<Tsdb> {
  if (opts.readOnly) {
    if (!existsSync(opts.dir)) throw new Error(`${opts.dir}: no such data directory`);
  } else {
    mkdirSync(opts.dir, { recursive: true });
    if (takesLock(opts)) acquireLock(opts.dir);
  }
  const db = new Tsdb(opts, opts.registry ?? new Registry());
  try {
    db.open();
  } catch (err) {
    if (takesLock(opts)) releaseLock(opts.dir);
    throw err;
  }
  return db;
}

/** Writers take the lock file unless told not to; read-only tools never do. */
function takesLock(opts: TsdbOptions): boolean {
  return opts.readOnly !== true && opts.noLockfile !== true;
}

class DbAppender implements Appender {
  constructor(
    private readonly db: Tsdb,
    private readonly app: HeadAppender,
  ) {}

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    if (this.db.isClosed()) throw new StorageError('closed', 'TSDB is closed');
    return this.app.append(ref, labels, t, v);
  }

  async commit(): Promise<void> {
    if (this.db.isClosed()) {
      await this.app.rollback();
      throw new StorageError('closed', 'TSDB is closed');
    }
    this.app.commitSync();
    this.db.maybeCompactSoon();
  }

  async rollback(): Promise<void> {
    await this.app.rollback();
  }
}
