import type { SampleIterator } from '../storage/index.js';
import { ChunkIterator } from './chunk.js';
import type { ChunkView } from './head.js';

/**
 * Iterates a time-ordered, non-overlapping list of chunks, restricted to
 * [mint, maxt]. Chunks are fetched lazily (block reads happen on first use) and
 * skipped whole by seek() when they end before the target.
 */
export class ChunksIterator implements SampleIterator {
  private chunks: ChunkView[] | null = null;
  private ci = -1;
  private readonly it = new ChunkIterator();
  private positioned = false;
  private done = false;
  t = 0;
  v = 0;

  constructor(
    private readonly load: () => ChunkView[],
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  private list(): ChunkView[] {
    if (!this.chunks) this.chunks = this.load();
    return this.chunks;
  }

  private nextChunk(): boolean {
    const cs = this.list();
    this.ci++;
    if (this.ci >= cs.length) return false;
    const c = cs[this.ci]!;
    this.it.reset(c.b, c.off, c.len);
    return true;
  }

  next(): boolean {
    if (this.done) return false;
    for (;;) {
      if (this.ci >= 0 && this.it.next()) {
        const t = this.it.t;
        if (t < this.mint) continue;
        if (t > this.maxt) break;
        this.t = t;
        this.v = this.it.v;
        this.positioned = true;
        return true;
      }
      if (!this.nextChunk()) break;
    }
    this.done = true;
    this.positioned = false;
    return false;
  }

  seek(t: number): boolean {
    if (this.done) return false;
    if (this.positioned && this.t >= t) return true;
    const cs = this.list();
    // Skip whole chunks that end before t.
    let j = this.ci < 0 ? 0 : this.ci;
    while (j < cs.length && cs[j]!.maxt < t) j++;
    if (j >= cs.length) {
      this.done = true;
      this.positioned = false;
      return false;
    }
    if (j !== this.ci) {
      this.ci = j;
      const c = cs[j]!;
      this.it.reset(c.b, c.off, c.len);
    }
    while (this.next()) if (this.t >= t) return true;
    return false;
  }
}

/** Merges several sample iterators by timestamp; equal timestamps yield one sample (the first source's). */
export class MergeIterator implements SampleIterator {
  private valid: boolean[];
  private started = false;
  private has = false;
  t = 0;
  v = 0;

  constructor(private readonly its: SampleIterator[]) {
    this.valid = its.map(() => false);
  }

  private pick(): boolean {
    let best = -1;
    for (let i = 0; i < this.its.length; i++) {
      if (this.valid[i] && (best < 0 || this.its[i]!.t < this.its[best]!.t)) best = i;
    }
    if (best < 0) {
      this.has = false;
      return false;
    }
    this.t = this.its[best]!.t;
    this.v = this.its[best]!.v;
    this.has = true;
    return true;
  }

  next(): boolean {
    if (!this.started) {
      this.started = true;
      for (let i = 0; i < this.its.length; i++) this.valid[i] = this.its[i]!.next();
      return this.pick();
    }
    if (!this.has) return false;
    const cur = this.t;
    for (let i = 0; i < this.its.length; i++) {
      if (this.valid[i] && this.its[i]!.t <= cur) this.valid[i] = this.its[i]!.next();
    }
    return this.pick();
  }

  seek(t: number): boolean {
    if (this.started && this.has && this.t >= t) return true;
    if (this.started && !this.has) return false;
    this.started = true;
    for (let i = 0; i < this.its.length; i++) this.valid[i] = this.its[i]!.seek(t);
    return this.pick();
  }
}

export const EMPTY_ITERATOR: SampleIterator = {
  next: () => false,
  seek: () => false,
  t: 0,
  v: 0,
};
