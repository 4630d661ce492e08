import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { formatValue, labelsCompare, labelsKey, labelsToString, MatchType, Matcher, type Label } from '../model/index.js';
import { nopLogger, type Logger } from '../util/index.js';
import { BlockReader, scanBlockDirs, writeBlock, type BlockMeta, type BlockSeries } from './block.js';
import { encodeChunks } from './chunk.js';
import { DEFAULT_BLOCK_RANGE_MS, openTsdb } from './db.js';
import { parseOpenMetricsLine } from './openmetrics.js';

/** Offline tools behind `vigil tsdb import|analyze|dump` (promtool tsdb equivalents). */

interface ImportSeries {
  labels: Label[];
  ts: number[];
  vs: Float64Array;
  n: number;
}

export interface ImportResult {
  samples: number;
  series: number;
  blocks: BlockMeta[];
  duplicatesDropped: number;
}

/**
 * Reads an OpenMetrics file (samples with timestamps, `# EOF`-terminated) and
 * writes it as blocks of `blockDurationMs` (aligned like head blocks) into `dir`.
 * The file is held in memory per series (compactly) before writing.
 */
export async function importOpenMetrics(
  file: string,
  dir: string,
  opts: { blockDurationMs?: number; progress?: (done: number, total: number) => void } = {},
): Promise<ImportResult> {
  const total = statSync(file).size;
  const stream = createReadStream(file);
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  const byKey = new Map<string, ImportSeries>();
  let lineNo = 0;
  let samples = 0;
  let sawEof = false;
  let lastProgress = 0;
  for await (const line of rl) {
    lineNo++;
    if (sawEof) {
      if (line.trim() !== '') throw new Error(`${file}:${lineNo}: data after # EOF`);
      continue;
    }
    const p = parseOpenMetricsLine(line, lineNo, file);
    if (p === null) continue;
    if (p === 'eof') {
      sawEof = true;
      continue;
    }
    const key = labelsKey(p.labels);
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { labels: p.labels, ts: [], vs: new Float64Array(16), n: 0 }));
    if (s.n === s.vs.length) {
      const nv = new Float64Array(s.n * 2);
      nv.set(s.vs);
      s.vs = nv;
    }
    s.vs[s.n++] = p.v;
    s.ts.push(p.t);
    samples++;
    if (opts.progress && lineNo - lastProgress >= 10_000) {
      lastProgress = lineNo;
      opts.progress(stream.bytesRead, total);
    }
  }
  opts.progress?.(total, total);
  if (!sawEof) throw new Error(`${file}: missing "# EOF" at the end (OpenMetrics requires it)`);
  const range = opts.blockDurationMs ?? DEFAULT_BLOCK_RANGE_MS;
  // Sort each series by time; drop repeated timestamps (first value wins).
  let dups = 0;
  let minT = Infinity;
  let maxT = -Infinity;
  const all = [...byKey.values()].sort((a, b) => labelsCompare(a.labels, b.labels));
  for (const s of all) {
    const idx = Array.from({ length: s.n }, (_, i) => i).sort((a, b) => s.ts[a]! - s.ts[b]! || a - b);
    const ts: number[] = [];
    const vs = new Float64Array(s.n);
    for (const i of idx) {
      if (ts.length > 0 && ts[ts.length - 1] === s.ts[i]) {
        dups++;
        continue;
      }
      vs[ts.length] = s.vs[i]!;
      ts.push(s.ts[i]!);
    }
    s.ts = ts;
    s.vs = vs;
    s.n = ts.length;
    if (s.n > 0) {
      minT = Math.min(minT, ts[0]!);
      maxT = Math.max(maxT, ts[s.n - 1]!);
    }
  }
  const blocks: BlockMeta[] = [];
  if (samples > 0) {
    const cursor = new Array<number>(all.length).fill(0);
    for (let w = Math.floor(minT / range) * range; w <= maxT; w += range) {
      const end = w + range;
      const series: BlockSeries[] = [];
      for (let k = 0; k < all.length; k++) {
        const s = all[k]!;
        const from = cursor[k]!;
        let to = from;
        while (to < s.n && s.ts[to]! < end) to++;
        cursor[k] = to;
        if (to > from) {
          series.push({ labels: s.labels, chunks: encodeChunks(s.ts, s.vs, from, to).map((c) => ({ mint: c.mint, maxt: c.maxt, b: c.data, off: 0, len: c.data.length })) });
        }
      }
      if (series.length > 0) blocks.push(writeBlock(dir, { minTime: w, maxTime: end }, series, { level: 1 }));
    }
  }
  return { samples: samples - dups, series: byKey.size, blocks, duplicatesDropped: dups };
}

/** What the cardinality report reads: a block's index or the head's. */
interface IndexView {
  labelNames(): string[];
  values(name: string): readonly string[];
  get(name: string, value: string): ArrayLike<number>;
}

/** The data directory must exist: a mistyped path is an error, not an empty report (promtool exits 1 too). */
function requireDataDir(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new Error(`${dir}: no such data directory`);
  }
  if (!st.isDirectory()) throw new Error(`${dir}: not a directory`);
}

/**
 * promtool-style cardinality report of one block (the newest unless `block` names
 * one). With no block at all, the head is analyzed from the WAL instead: the TSDB
 * does not cut a block when it stops (close() only syncs the WAL), it cuts one once
 * the head spans 1.5 block ranges (3h with the default 2h), so a young data
 * directory holds only a WAL. Throws when `dir` is missing or holds no data.
 */
export async function analyzeBlock(dir: string, opts: { block?: string; limit?: number; logger?: Logger } = {}): Promise<string> {
  requireDataDir(dir);
  const limit = opts.limit ?? 20;
  const readers = scanBlockDirs(dir, true).blocks.map((p) => new BlockReader(p));
  try {
    if (opts.block) {
      const f = readers.find((x) => x.ulid === opts.block);
      if (!f) throw new Error(`block ${opts.block} not found in ${dir}`);
      return cardinalityReport(f, header(f.meta, f.sizeBytes), limit);
    }
    if (readers.length > 0) {
      const r = readers.reduce((a, b) => (b.meta.maxTime > a.meta.maxTime ? b : a));
      return cardinalityReport(r, header(r.meta, r.sizeBytes), limit);
    }
  } finally {
    for (const x of readers) x.close();
  }
  const db = await openTsdb({ dir, logger: opts.logger ?? nopLogger(), readOnly: true, compactionIntervalMs: 0 });
  try {
    const h = db.head;
    if (h.numSeries === 0 || !Number.isFinite(h.minTime)) {
      throw new Error(`no data in ${dir}: no blocks, and no samples in the WAL`);
    }
    const lines = [
      `No blocks yet in ${dir}: analyzing the head, read from the WAL (blocks are cut every ${formatMs(DEFAULT_BLOCK_RANGE_MS)} of data, once the head spans ${formatMs(DEFAULT_BLOCK_RANGE_MS * 1.5)}; stopping the server does not cut one).`,
      `Head: ${formatMs(h.maxTime - h.minTime)} (${new Date(h.minTime).toISOString()} .. ${new Date(h.maxTime).toISOString()})`,
      `Series: ${h.numSeries}  Chunks: ${h.numChunks}  WAL size: ${db.diskBytes().wal} bytes`,
    ];
    return cardinalityReport(h, lines, limit);
  } finally {
    await db.close();
  }
}

function header(m: BlockMeta, sizeBytes: number): string[] {
  return [
    `Block ID: ${m.ulid}`,
    `Duration: ${formatMs(m.maxTime - m.minTime)} (${new Date(m.minTime).toISOString()} .. ${new Date(m.maxTime).toISOString()})`,
    `Series: ${m.stats.numSeries}  Chunks: ${m.stats.numChunks}  Samples: ${m.stats.numSamples}  Size: ${sizeBytes} bytes`,
  ];
}

function cardinalityReport(r: IndexView, lines: string[], limit: number): string {
  const names = r.labelNames();
  let pairs = 0;
  const cardinality: Array<[string, number]> = [];
  const pairCounts: Array<[string, number]> = [];
  for (const n of names) {
    const vals = r.values(n);
    pairs += vals.length;
    cardinality.push([n, vals.length]);
    for (const v of vals) pairCounts.push([`${n}=${v}`, r.get(n, v).length]);
  }
  lines.push(`Label names: ${names.length}`);
  lines.push(`Postings (unique label pairs): ${pairs}`);
  const top = (title: string, rows: Array<[string, number]>): void => {
    lines.push('', title + ':');
    for (const [k, v] of rows.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit)) lines.push(`${String(v).padStart(8)} ${k}`);
  };
  top('Highest cardinality labels', cardinality);
  top(
    'Highest cardinality metric names',
    r.values('__name__').map((v) => [v, r.get('__name__', v).length] as [string, number]),
  );
  top('Most common label pairs', pairCounts);
  return lines.join('\n') + '\n';
}

function formatMs(ms: number): string {
  const h = Math.floor(ms / 3600_000);
  const m = Math.floor((ms % 3600_000) / 60_000);
  return `${h}h${m}m`;
}

/**
 * Writes every sample matching any selector within [minTime, maxTime] as
 * `{labels} value timestamp` lines (promtool tsdb dump format), from blocks and
 * the WAL, opening the directory read-only.
 */
export async function dumpSamples(
  dir: string,
  opts: { minTime: number; maxTime: number; matchers: Matcher[][]; logger?: Logger },
  write: (s: string) => void,
): Promise<number> {
  requireDataDir(dir);
  // A directory with neither blocks nor a WAL is not a TSDB (promtool fails on it too).
  if (scanBlockDirs(dir, true).blocks.length === 0 && !existsSync(join(dir, 'wal'))) throw new Error(`${dir}: no TSDB data here (no blocks and no wal/ directory)`);
  const db = await openTsdb({ dir, logger: opts.logger ?? nopLogger(), readOnly: true, compactionIntervalMs: 0 });
  let n = 0;
  try {
    const q = await db.querier(opts.minTime, opts.maxTime);
    const sets = opts.matchers.length > 0 ? opts.matchers : [[new Matcher(MatchType.Regexp, '__name__', '.+')]];
    for (const ms of sets) {
      for (const s of await q.select(null, ms)) {
        const prefix = labelsToString(s.labels) + ' ';
        const it = s.iterator();
        let buf = '';
        while (it.next()) {
          buf += `${prefix}${formatValue(it.v)} ${it.t}\n`;
          n++;
          if (buf.length > 1 << 16) {
            write(buf);
            buf = '';
          }
        }
        if (buf) write(buf);
      }
    }
    q.close();
  } finally {
    await db.close();
  }
  return n;
}

