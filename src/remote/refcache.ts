/**
 * Remembers the storage ref of each remote-write series by a 96-bit hash of its
 * raw label bytes (three 32-bit lanes), so repeat senders — every request repeats
 * all labels — skip UTF-8 decoding, label hashing and the series lookup.
 * An open-addressing table in typed arrays: 16 bytes per slot, no object per
 * series. A false match needs two label sets agreeing on 96 hash bits
 * (~10^-19 at 10^5 series). Stale refs are detected by the storage (it throws
 * for an unknown ref given without labels) and re-resolved. One cache per storage.
 */
const EMPTY = 0;
const TOMBSTONE = 0xffffffff;

export class SeriesRefCache {
  private a = new Uint32Array(0);
  private b = new Uint32Array(0);
  private c = new Uint32Array(0);
  private r = new Uint32Array(0);
  private mask = 0;
  private used = 0; // live + tombstones
  size = 0;

  constructor(readonly maxEntries = 4_000_000) {
    this.alloc(1024);
  }

  private alloc(cap: number): void {
    this.a = new Uint32Array(cap);
    this.b = new Uint32Array(cap);
    this.c = new Uint32Array(cap);
    this.r = new Uint32Array(cap);
    this.mask = cap - 1;
    this.used = 0;
    this.size = 0;
  }

  /** The cached ref, or 0. */
  get(h1: number, h2: number, h3: number): number {
    const m = this.mask;
    for (let i = h1 & m; ; i = (i + 1) & m) {
      const ref = this.r[i]!;
      if (ref === EMPTY) return 0;
      if (ref !== TOMBSTONE && this.a[i] === h1 && this.b[i] === h2 && this.c[i] === h3) return ref;
    }
  }

  set(h1: number, h2: number, h3: number, ref: number): void {
    if (ref <= 0 || ref >= TOMBSTONE) return;
    if (this.size >= this.maxEntries) this.alloc(1024);
    if ((this.used + 1) * 2 > this.r.length) this.rehash();
    const m = this.mask;
    let free = -1;
    for (let i = h1 & m; ; i = (i + 1) & m) {
      const cur = this.r[i]!;
      if (cur === EMPTY) {
        if (free < 0) {
          free = i;
          this.used++;
        }
        break;
      }
      if (cur === TOMBSTONE) {
        if (free < 0) free = i;
      } else if (this.a[i] === h1 && this.b[i] === h2 && this.c[i] === h3) {
        this.r[i] = ref;
        return;
      }
    }
    this.a[free] = h1;
    this.b[free] = h2;
    this.c[free] = h3;
    this.r[free] = ref;
    this.size++;
  }

  delete(h1: number, h2: number, h3: number): void {
    const m = this.mask;
    for (let i = h1 & m; ; i = (i + 1) & m) {
      const ref = this.r[i]!;
      if (ref === EMPTY) return;
      if (ref !== TOMBSTONE && this.a[i] === h1 && this.b[i] === h2 && this.c[i] === h3) {
        this.r[i] = TOMBSTONE;
        this.size--;
        return;
      }
    }
  }

  clear(): void {
    this.alloc(1024);
  }

  private rehash(): void {
    const { a, b, c, r } = this;
    const cap = this.size * 4 > r.length ? r.length * 2 : r.length;
    this.alloc(Math.max(1024, cap));
    for (let i = 0; i < r.length; i++) {
      const ref = r[i]!;
      if (ref !== EMPTY && ref !== TOMBSTONE) this.set(a[i]!, b[i]!, c[i]!, ref);
    }
  }
}
