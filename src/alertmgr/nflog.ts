/**
 * Notification log (nflog): per (receiver group, integration, group key) the
 * hashes of the firing and resolved alerts last notified and when. The dedup
 * stage reads it; entries expire after the retention; persisted as a snapshot.
 */
import { readSnapshot, writeSnapshot } from './snapshot.js';

export interface NflogEntry {
  /** receiverName/integration/index */
  receiver: string;
  groupKey: string;
  timestamp: number;
  firing: string[];
  resolved: string[];
  expiresAt: number;
}

export interface NflogOptions {
  snapshotFile?: string;
  retention: number;
  now?: () => number;
}

export class NotificationLog {
  private readonly entries = new Map<string, NflogEntry>();
  private readonly now: () => number;
  private dirty = false;

  constructor(private readonly opts: NflogOptions) {
    this.now = opts.now ?? Date.now;
    if (opts.snapshotFile) {
      for (const e of readSnapshot<NflogEntry[]>(opts.snapshotFile) ?? []) this.entries.set(key(e.receiver, e.groupKey), e);
      this.gc();
    }
  }

  query(receiver: string, groupKey: string): NflogEntry | undefined {
    const e = this.entries.get(key(receiver, groupKey));
    if (e && e.expiresAt <= this.now()) return undefined;
    return e;
  }

  log(receiver: string, groupKey: string, firing: string[], resolved: string[]): void {
    const now = this.now();
    this.entries.set(key(receiver, groupKey), { receiver, groupKey, timestamp: now, firing, resolved, expiresAt: now + this.opts.retention });
    this.dirty = true;
    this.snapshot();
  }

  gc(): number {
    const now = this.now();
    let n = 0;
    for (const [k, e] of this.entries) {
      if (e.expiresAt <= now) {
        this.entries.delete(k);
        n++;
        this.dirty = true;
      }
    }
    return n;
  }

  size(): number {
    return this.entries.size;
  }

  snapshot(): void {
    if (!this.opts.snapshotFile || !this.dirty) return;
    writeSnapshot(this.opts.snapshotFile, [...this.entries.values()]);
    this.dirty = false;
  }
}

function key(receiver: string, groupKey: string): string {
  return receiver + '\xff' + groupKey;
}
