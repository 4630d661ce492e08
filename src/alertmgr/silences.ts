/**
 * Silences (silence package): create, update in place when allowed, otherwise
 * expire and replace; expire; query; garbage collection after the retention;
 * persisted as a JSON snapshot written atomically (temp file + rename).
 */
import { randomUUID } from 'node:crypto';
import type { Matcher } from '../model/index.js';
import { MatchType, newAmMatcher, matchesLabels } from './matchers.js';
import { readSnapshot, writeSnapshot } from './snapshot.js';
import type { LabelSet } from './types.js';

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
}

export type SilenceState = 'active' | 'pending' | 'expired';

export class SilenceError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function silenceState(s: Silence, now: number): SilenceState {
  if (s.endsAt <= now) return 'expired';
  if (s.startsAt > now) return 'pending';
  return 'active';
}

function toMatcher(m: SilenceMatcher): Matcher {
  const type = m.isRegex ? (m.isEqual ? MatchType.Regexp : MatchType.NotRegexp) : m.isEqual ? MatchType.Equal : MatchType.NotEqual;
  return newAmMatcher(type, m.name, m.value);
}

interface Entry {
  s: Silence;
  compiled: Matcher[];
  /** Kept until endsAt + retention. */
  expiresAt: number;
}

export interface SilencesOptions {
  snapshotFile?: string;
  retention: number;
  now?: () => number;
  onChange?: () => void;
}

export class Silences {
  private readonly byId = new Map<string, Entry>();
  private readonly now: () => number;
  private dirty = false;

  constructor(private readonly opts: SilencesOptions) {
    this.now = opts.now ?? Date.now;
    if (opts.snapshotFile) {
      const data = readSnapshot<Silence[]>(opts.snapshotFile);
      for (const s of data ?? []) this.put(s);
      this.gc();
    }
  }

  private put(s: Silence): void {
    this.byId.set(s.id, { s, compiled: s.matchers.map(toMatcher), expiresAt: s.endsAt + this.opts.retention });
    this.dirty = true;
  }

  private validate(s: Silence): void {
    if (s.matchers.length === 0) throw new SilenceError('invalid silence: at least one matcher required');
    let allEmpty = true;
    for (const m of s.matchers) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name)) throw new SilenceError(`invalid silence: invalid label matcher: invalid name "${m.name}"`);
      let cm: Matcher;
      try {
        cm = toMatcher(m);
      } catch (err) {
        throw new SilenceError(`invalid silence: invalid label matcher: ${(err as Error).message}`);
      }
      if (!cm.matches('')) allEmpty = false;
    }
    if (allEmpty) throw new SilenceError('invalid silence: at least one matcher must not match the empty string');
    if (!Number.isFinite(s.startsAt) || !Number.isFinite(s.endsAt)) throw new SilenceError('invalid silence: invalid start or end time');
    if (s.endsAt < s.startsAt) throw new SilenceError('invalid silence: end time must not be before start time');
    if (s.createdBy === '') throw new SilenceError('invalid silence: creator information missing');
    if (s.comment === '') throw new SilenceError('invalid silence: comment missing');
  }

  /**
   * Creates or updates a silence (Silences.Set). An update keeps the ID when only
   * what may change in place changed; otherwise the old one is expired and a new ID issued.
   */
  set(input: Omit<Silence, 'id' | 'updatedAt'> & { id?: string }): string {
    const now = this.now();
    const s: Silence = { ...input, id: input.id ?? '', updatedAt: now };
    this.validate(s);
    if (s.id !== '') {
      const prev = this.byId.get(s.id);
      if (!prev) throw new SilenceError(`silence ${s.id} not found`, 404);
      if (this.canUpdate(prev.s, s, now)) {
        this.put(s);
        this.changed();
        return s.id;
      }
      // Expire the old one unless it is already expired.
      if (silenceState(prev.s, now) !== 'expired') this.expireEntry(prev.s, now);
    }
    if (s.endsAt <= now) throw new SilenceError('invalid silence: end time can\'t be in the past');
    if (s.startsAt < now) s.startsAt = now;
    s.id = randomUUID();
    this.put(s);
    this.changed();
    return s.id;
  }

  private canUpdate(a: Silence, b: Silence, now: number): boolean {
    if (JSON.stringify(a.matchers) !== JSON.stringify(b.matchers)) return false;
    switch (silenceState(a, now)) {
      case 'active':
        if (b.startsAt !== a.startsAt) return false;
        if (b.endsAt < now) return false;
        return true;
      case 'pending':
        return b.startsAt >= now;
      case 'expired':
        return false;
    }
  }

  private expireEntry(s: Silence, now: number): void {
    const upd: Silence = { ...s, updatedAt: now };
    if (silenceState(s, now) === 'pending') upd.startsAt = now;
    upd.endsAt = now;
    this.put(upd);
  }

  expire(id: string): void {
    const e = this.byId.get(id);
    if (!e) throw new SilenceError(`silence ${id} not found`, 404);
    const now = this.now();
    // Idempotent, as in Alertmanager: expiring an expired silence succeeds and changes nothing.
    if (silenceState(e.s, now) === 'expired') return;
    this.expireEntry(e.s, now);
    this.changed();
  }

  get(id: string): Silence | undefined {
    return this.byId.get(id)?.s;
  }

  list(): Silence[] {
    return [...this.byId.values()].map((e) => e.s);
  }

  /** IDs of active silences matching the labels, sorted (what the marker records). */
  mutedBy(ls: LabelSet): string[] {
    const now = this.now();
    const out: string[] = [];
    for (const e of this.byId.values()) {
      if (silenceState(e.s, now) !== 'active') continue;
      if (matchesLabels(e.compiled, ls)) out.push(e.s.id);
    }
    return out.sort();
  }

  matcherOf(id: string): Matcher[] {
    return this.byId.get(id)?.compiled ?? [];
  }

  countByState(): Record<SilenceState, number> {
    const now = this.now();
    const c: Record<SilenceState, number> = { active: 0, pending: 0, expired: 0 };
    for (const e of this.byId.values()) c[silenceState(e.s, now)]++;
    return c;
  }

  /** Drops silences expired longer than the retention ago. */
  gc(): number {
    const now = this.now();
    let n = 0;
    for (const [id, e] of this.byId) {
      if (e.expiresAt <= now) {
        this.byId.delete(id);
        n++;
        this.dirty = true;
      }
    }
    return n;
  }

  private changed(): void {
    this.opts.onChange?.();
    this.snapshot();
  }

  /** Writes the snapshot when something changed since the last write. */
  snapshot(): void {
    if (!this.opts.snapshotFile || !this.dirty) return;
    writeSnapshot(this.opts.snapshotFile, this.list());
    this.dirty = false;
  }
}
