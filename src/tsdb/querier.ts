import { labelsCompare, labelsKey, type Labels, type Matcher } from '../model/index.js';
import type { LabelHints, Querier, SampleIterator, SelectHints, Series } from '../storage/index.js';
import { sortedUnique } from '../storage/index.js';
import type { BlockReader } from './block.js';
import type { ChunkView, Head } from './head.js';
import { ChunksIterator, EMPTY_ITERATOR, MergeIterator } from './iterators.js';
import { postingsForMatchers } from './postings.js';

/** One source's part of a series: its chunks, loaded lazily. */
interface Part {
  mint: number;
  maxt: number;
  load: () => ChunkView[];
}

interface Found {
  labels: Labels;
  parts: Part[];
}

/**
 * Reads [mint, maxt] across the persisted blocks and the head. Blocks are pinned
 * (reference counted) until close(), so retention and compaction never delete
 * files under a running query. Head data is captured at select(): sealed chunks
 * are immutable and the open chunk is copied, so later commits do not leak in.
 */
export class TsdbQuerier implements Querier {
  private closed = false;

  constructor(
    private readonly head: Head,
    private readonly blocks: BlockReader[],
    private readonly mint: number,
    private readonly maxt: number,
    private readonly onCorrupt: (msg: string) => void,
  ) {
    for (const b of blocks) b.acquire();
  }

  private collect(matchers: readonly Matcher[], mint: number, maxt: number, wantChunks: boolean): Found[] {
    const byKey = new Map<string, Found>();
    const out: Found[] = [];
    const add = (labels: Labels, part: Part | null): void => {
      const key = labelsKey(labels);
      let f = byKey.get(key);
      if (!f) {
        f = { labels, parts: [] };
        byKey.set(key, f);
        out.push(f);
      }
      if (part) f.parts.push(part);
    };
    for (const b of this.blocks) {
      if (!b.overlaps(mint, maxt)) continue;
      const ps = postingsForMatchers(b, matchers);
      for (let i = 0; i < ps.length; i++) {
        let s;
        try {
          s = b.series(ps[i]!);
        } catch (err) {
          this.onCorrupt(String(err));
          continue;
        }
        const metas = s.chunks.filter((c) => c.maxt >= mint && c.mint <= maxt);
        if (metas.length === 0) continue;
        add(
          s.labels,
          wantChunks ? { mint: metas[0]!.mint, maxt: metas[metas.length - 1]!.maxt, load: () => b.readChunks(metas, this.onCorrupt) } : null,
        );
      }
    }
    const h = this.head;
    if (h.numSeries > 0 && h.minTime <= maxt && h.maxTime >= mint) {
      const ps = postingsForMatchers(h, matchers);
      for (let i = 0; i < ps.length; i++) {
        const slot = ps[i]!;
        if (!h.isLive(slot) || !h.overlaps(slot, mint, maxt)) continue;
        if (wantChunks) {
          const cs = h.chunks(slot, mint, maxt);
          add(h.labelsOf(slot), { mint: cs[0]!.mint, maxt: cs[cs.length - 1]!.maxt, load: () => cs });
        } else add(h.labelsOf(slot), null);
      }
    }
    out.sort((a, b) => labelsCompare(a.labels, b.labels));
    return out;
  }

  async select(hints: SelectHints | null, matchers: readonly Matcher[]): Promise<Series[]> {
    if (this.closed) throw new Error('querier is closed');
    const mint = Math.max(this.mint, hints?.start ?? -Infinity);
    const maxt = Math.min(this.maxt, hints?.end ?? Infinity);
    let found = this.collect(matchers, mint, maxt, !hints?.seriesOnly);
    if (hints?.limit && hints.limit > 0) found = found.slice(0, hints.limit);
    return found.map((f) => ({ labels: f.labels, iterator: (): SampleIterator => iteratorFor(f.parts, mint, maxt) }));
  }

  async labelValues(name: string, matchers: readonly Matcher[], hints?: LabelHints): Promise<string[]> {
    const vals: string[] = [];
    if (matchers.length === 0) {
      for (const b of this.blocks) if (b.overlaps(this.mint, this.maxt)) vals.push(...b.values(name));
      const h = this.head;
      if (h.numSeries > 0 && h.minTime <= this.maxt && h.maxTime >= this.mint) vals.push(...h.values(name));
    } else {
      for (const f of this.collect(matchers, this.mint, this.maxt, false)) for (const l of f.labels) if (l.name === name) vals.push(l.value);
    }
    return sortedUnique(vals, hints?.limit);
  }

  async labelNames(matchers: readonly Matcher[], hints?: LabelHints): Promise<string[]> {
    const names: string[] = [];
    if (matchers.length === 0) {
      for (const b of this.blocks) if (b.overlaps(this.mint, this.maxt)) names.push(...b.labelNames());
      const h = this.head;
      if (h.numSeries > 0 && h.minTime <= this.maxt && h.maxTime >= this.mint) names.push(...h.labelNames());
    } else {
      for (const f of this.collect(matchers, this.mint, this.maxt, false)) for (const l of f.labels) names.push(l.name);
    }
    return sortedUnique(names, hints?.limit);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const b of this.blocks) b.release();
  }
}

function iteratorFor(parts: Part[], mint: number, maxt: number): SampleIterator {
  if (parts.length === 0) return EMPTY_ITERATOR;
  if (parts.length === 1) return new ChunksIterator(parts[0]!.load, mint, maxt);
  // Parts come from time-ordered sources; when they do not overlap, chain them.
  parts = parts.slice().sort((a, b) => a.mint - b.mint);
  let overlapping = false;
  for (let i = 1; i < parts.length; i++) if (parts[i]!.mint <= parts[i - 1]!.maxt) overlapping = true;
  if (!overlapping) {
    return new ChunksIterator(
      () => {
        const all: ChunkView[] = [];
        for (const p of parts) all.push(...p.load());
        return all;
      },
      mint,
      maxt,
    );
  }
  return new MergeIterator(parts.map((p) => new ChunksIterator(p.load, mint, maxt)));
}
