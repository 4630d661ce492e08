import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Discoverer, TargetGroup } from './types.js';

export interface DiscovererFixture {
  discoverer: Discoverer;
  /** The __address__ values the first update must contain. */
  expectedAddresses: string[];
  cleanup(): Promise<void> | void;
}

/**
 * The shared contract every Discoverer implementation must pass (run it from the
 * implementation's test file with a fixture factory).
 */
export function discovererContract(name: string, setup: () => Promise<DiscovererFixture>): void {
  test(`${name}: first update holds every target with __address__ and unique sources`, { timeout: 10_000 }, async () => {
    const f = await setup();
    const ac = new AbortController();
    let running: Promise<void> = Promise.resolve();
    try {
      const first = await new Promise<TargetGroup[]>((resolve, reject) => {
        running = f.discoverer.run(ac.signal, (g) => {
          resolve(g);
          // Aborting inside the first send must still end run().
          ac.abort();
        });
        running.catch(reject);
      });
      await running;
      const addrs = first.flatMap((g) => g.targets.map((t) => t.find((l) => l.name === '__address__')?.value));
      assert.deepEqual([...addrs].sort(), [...f.expectedAddresses].sort());
      const sources = first.map((g) => g.source);
      assert.ok(sources.every((s) => s !== ''));
      assert.equal(new Set(sources).size, sources.length);
      for (const g of first) for (const t of g.targets) assert.ok(t.every((l, i) => i === 0 || t[i - 1]!.name < l.name), 'target labels sorted');
    } finally {
      ac.abort();
      await f.cleanup();
    }
  });

  test(`${name}: run() resolves after abort and sends nothing when already aborted`, { timeout: 10_000 }, async () => {
    const f = await setup();
    try {
      const ac = new AbortController();
      let sent = 0;
      const running = f.discoverer.run(ac.signal, () => sent++);
      await new Promise((r) => setTimeout(r, 50));
      ac.abort();
      await running;
      assert.ok(sent >= 1);
      const pre = new AbortController();
      pre.abort();
      let late = 0;
      await f.discoverer.run(pre.signal, () => late++);
      assert.equal(late, 0);
    } finally {
      await f.cleanup();
    }
  });
}
