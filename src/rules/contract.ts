import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { labelsFromObject, labelsGet } from '../model/index.js';
import type { Storage } from '../storage/index.js';
import { eventually, tempDir } from '../testutil/index.js';
import { promqlQueryFunc } from './engine.js';
import type { OutgoingAlert } from './group.js';
import { RuleManager } from './manager.js';

/** How a storage survives a restart: MemoryStorage returns itself, a TSDB is closed and reopened. */
export interface RestartableStorage {
  open(): Promise<Storage>;
  restart(prev: Storage): Promise<Storage>;
}

/**
 * A Vigil restart in the middle of an alert's pending `for` window: the second
 * RuleManager restores the for-state from ALERTS_FOR_STATE and fires on time.
 * Run it for every storage: `ruleRestartContract('tsdb', { open, restart })`.
 */
export function ruleRestartContract(name: string, storage: RestartableStorage): void {
  describe(`rule for-state restart: ${name}`, () => {
    it('a restart during a pending `for` window still fires on time', async () => {
      const dir = tempDir();
      let db = await storage.open();
      const ruleFile = join(dir.path, 'mysql.yml');
      writeFileSync(
        ruleFile,
        'groups:\n  - name: mysql\n    interval: 500ms\n    rules:\n      - alert: MySQLDown\n        expr: up{job="mysql-exporter"} == 0\n        for: 6s\n        labels: {severity: critical}\n',
      );
      // The exporter keeps reporting "down" (every 200ms) while Vigil restarts.
      let feeding = true;
      const feed = async (): Promise<void> => {
        if (!feeding) return;
        const app = db.appender();
        app.append(0, labelsFromObject({ __name__: 'up', job: 'mysql-exporter', instance: 'db:9104' }), Date.now(), 0);
        await app.commit().catch(() => undefined);
      };
      await feed();
      const feeder = setInterval(() => void feed(), 200);
      const sent: OutgoingAlert[] = [];
      const mk = (s: Storage): RuleManager =>
        new RuleManager({ appendable: s, queryable: s, query: promqlQueryFunc(s), notify: (a) => sent.push(...a), forGracePeriodMs: 0, resendDelayMs: 60_000 });
      try {
        const m1 = mk(db);
        await m1.update([ruleFile], 60_000, {});
        const first = await eventually(async () => {
          const r = m1.groups()[0]?.alertingRules()[0];
          return r && r.restored && r.activeAlerts()[0];
        }, 10_000, 50);
        const activeAt = first.activeAt;
        await eventually(async () => Date.now() >= activeAt + 4000, 10_000, 50);
        assert.equal(first.state, 'pending');
        await m1.stop();
        feeding = false;
        const stoppedAt = Date.now();
        db = await storage.restart(db);
        feeding = true;
        await feed();
        const m2 = mk(db);
        await m2.update([ruleFile], 60_000, {});
        const restartedAt = Date.now();
        const fired = await eventually(async () => sent.find((a) => labelsGet(a.labels, 'alertname') === 'MySQLDown'), 15_000, 50);
        const restoredActiveAt = m2.groups()[0]!.alertingRules()[0]!.activeAlerts()[0]!.activeAt;
        await m2.stop();
        // A fresh start would fire 6s after the restart; restored, ~2s of pending time was left
        // (plus the downtime, in whole seconds as Prometheus rounds it).
        assert.ok(fired.startsAt < restartedAt + 6000 - 1500, `fired ${fired.startsAt - restartedAt}ms after the restart; a fresh start fires after 6000ms`);
        assert.ok(restoredActiveAt <= activeAt + (restartedAt - stoppedAt) + 3000, 'activeAt moved by about the downtime only');
        assert.ok(fired.startsAt - restoredActiveAt >= 6000, 'the full `for` of pending time was still observed');
      } finally {
        clearInterval(feeder);
        feeding = false;
        await db.close();
        dir.cleanup();
      }
    });
  });
}
