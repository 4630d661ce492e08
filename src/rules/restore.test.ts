import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStaleNaN, labelsFromObject, MatchType, newMatcher } from '../model/index.js';
import { MemoryStorage, type Queryable } from '../storage/index.js';
import { nopLogger } from '../util/index.js';
import { AlertingRule } from './alerting.js';
import { ruleRestartContract } from './contract.js';
import { Group } from './group.js';
import { RuleMetrics } from './metrics.js';
import type { QueryFunc, VectorSample } from './types.js';

/**
 * For-state restore (Prometheus' RestoreForState) across restarts. These tests use
 * MemoryStorage kept across two rule manager instances; with the TSDB wired, run
 * ruleRestartContract (contract.ts) with a TSDB closed and reopened in between.
 */

const SEC = 1000;

/** `metric == 0`-style query over storage without PromQL: latest sample within 5m, not stale. */
function zeroValued(storage: Queryable, metric: string): QueryFunc {
  return async (_expr, t) => {
    const q = await storage.querier(t - 300_000, t);
    const out: VectorSample[] = [];
    for (const s of await q.select(null, [newMatcher(MatchType.Equal, '__name__', metric)])) {
      const it = s.iterator();
      let found = false;
      let v = 0;
      while (it.next()) {
        if (it.t > t) break;
        found = true;
        v = it.v;
      }
      if (found && !isStaleNaN(v) && v === 0) out.push({ labels: s.labels, t, v });
    }
    q.close();
    return out;
  };
}

async function seed(storage: MemoryStorage, t: number): Promise<void> {
  const app = storage.appender();
  app.append(0, labelsFromObject({ __name__: 'up', job: 'mysql-exporter', instance: 'db:9104' }), t, 0);
  await app.commit();
}

function group(storage: MemoryStorage, forMs: number, graceMs: number, restored: boolean): { g: Group; rule: AlertingRule } {
  const rule = new AlertingRule(
    { kind: 'alert', name: 'MySQLDown', expr: 'up{job="mysql-exporter"} == 0', forMs, keepFiringForMs: 0, labels: { severity: 'critical' }, annotations: {}, line: 1 },
    { externalLabels: [], externalURL: '', templater: null, restored },
  );
  const g = new Group('mysql', 'r.yml', 60 * SEC, 0, 0, [rule], {
    query: zeroValued(storage, 'up'),
    appendable: storage,
    queryable: storage,
    notify: () => undefined,
    externalURL: '',
    resendDelayMs: 60 * SEC,
    outageToleranceMs: 3600 * SEC,
    forGracePeriodMs: graceMs,
    metrics: new RuleMetrics(undefined),
    logger: nopLogger(),
    now: Date.now,
  });
  return { g, rule };
}

const T0 = 1_700_000_000_000; // a whole second

test('restore: time spent down does not count towards `for`', async () => {
  const storage = new MemoryStorage();
  for (let t = T0; t <= T0 + 20 * 60 * SEC; t += 60 * SEC) await seed(storage, t);
  // First life: pending from T0, evaluated every minute until T0+4m, then down.
  const a = group(storage, 10 * 60 * SEC, 2 * 60 * SEC, true);
  for (let t = T0; t <= T0 + 4 * 60 * SEC; t += 60 * SEC) await a.g.eval(t);
  assert.equal(a.rule.activeAlerts()[0]!.state, 'pending');
  // Restart at T0+7m (3m down): two evaluations, then restore.
  const b = group(storage, 10 * 60 * SEC, 2 * 60 * SEC, false);
  await b.g.eval(T0 + 7 * 60 * SEC);
  await b.g.eval(T0 + 8 * 60 * SEC);
  await b.g.restoreForState(T0 + 8 * 60 * SEC);
  assert.ok(b.rule.restored);
  // 4m pending before the outage, 6m left; outage 4m (T0+4m .. T0+8m) is added: activeAt T0+4m.
  assert.equal(b.rule.activeAlerts()[0]!.activeAt, T0 + 4 * 60 * SEC);
  await b.g.eval(T0 + 13 * 60 * SEC);
  assert.equal(b.rule.activeAlerts()[0]!.state, 'pending');
  await b.g.eval(T0 + 14 * 60 * SEC);
  assert.equal(b.rule.activeAlerts()[0]!.state, 'firing', 'fires 10m of pending time after the original activeAt');
});

test('restore: less than the grace period left means firing exactly one grace period after the restart', async () => {
  const storage = new MemoryStorage();
  for (let t = T0; t <= T0 + 20 * 60 * SEC; t += 60 * SEC) await seed(storage, t);
  const a = group(storage, 10 * 60 * SEC, 5 * 60 * SEC, true);
  for (let t = T0; t <= T0 + 8 * 60 * SEC; t += 60 * SEC) await a.g.eval(t);
  const b = group(storage, 10 * 60 * SEC, 5 * 60 * SEC, false);
  await b.g.eval(T0 + 9 * 60 * SEC);
  await b.g.eval(T0 + 10 * 60 * SEC);
  await b.g.restoreForState(T0 + 10 * 60 * SEC);
  // 2m left < 5m grace: activeAt = restore + grace - for.
  assert.equal(b.rule.activeAlerts()[0]!.activeAt, T0 + 10 * 60 * SEC + 5 * 60 * SEC - 10 * 60 * SEC);
  await b.g.eval(T0 + 15 * 60 * SEC);
  assert.equal(b.rule.activeAlerts()[0]!.state, 'firing');
});

test('restore: an alert that was firing fires again at once; `for` shorter than the grace period is not restored', async () => {
  const storage = new MemoryStorage();
  for (let t = T0; t <= T0 + 30 * 60 * SEC; t += 60 * SEC) await seed(storage, t);
  const a = group(storage, 2 * 60 * SEC, 60 * SEC, true);
  for (let t = T0; t <= T0 + 3 * 60 * SEC; t += 60 * SEC) await a.g.eval(t);
  assert.equal(a.rule.activeAlerts()[0]!.state, 'firing');
  const b = group(storage, 2 * 60 * SEC, 60 * SEC, false);
  await b.g.eval(T0 + 5 * 60 * SEC);
  await b.g.eval(T0 + 6 * 60 * SEC);
  await b.g.restoreForState(T0 + 6 * 60 * SEC);
  assert.equal(b.rule.activeAlerts()[0]!.activeAt, T0, 'original activeAt kept');
  await b.g.eval(T0 + 7 * 60 * SEC);
  assert.equal(b.rule.activeAlerts()[0]!.state, 'firing');

  const c = group(storage, 2 * 60 * SEC, 10 * 60 * SEC, false);
  await c.g.eval(T0 + 8 * 60 * SEC);
  await c.g.restoreForState(T0 + 8 * 60 * SEC);
  assert.ok(c.rule.restored);
  assert.equal(c.rule.activeAlerts()[0]!.activeAt, T0 + 8 * 60 * SEC, 'for < grace period: waits the full `for` again');
});

test('restore: nothing is restored past the outage tolerance', async () => {
  const storage = new MemoryStorage();
  for (let t = T0; t <= T0 + 3 * 3600 * SEC; t += 60 * SEC) await seed(storage, t);
  const a = group(storage, 10 * 60 * SEC, 0, true);
  for (let t = T0; t <= T0 + 2 * 60 * SEC; t += 60 * SEC) await a.g.eval(t);
  const b = group(storage, 10 * 60 * SEC, 0, false);
  const late = T0 + 2 * 3600 * SEC;
  await b.g.eval(late);
  await b.g.restoreForState(late);
  assert.equal(b.rule.activeAlerts()[0]!.activeAt, late, 'older than --rules.alert.for-outage-tolerance (1h): not restored');
});

// The same restart scenario every storage runs (see contract.ts); the TSDB runs it with a real close/reopen.
ruleRestartContract('MemoryStorage kept across two RuleManager instances', {
  open: async () => new MemoryStorage(),
  restart: async (prev) => prev,
});
