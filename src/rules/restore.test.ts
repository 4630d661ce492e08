import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isStaleNaN, labelsFromObject, labelsGet, MatchType, newMatcher } from '../model/index.js';
import { MemoryStorage, type Queryable } from '../storage/index.js';
import { eventually, tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { AlertingRule } from './alerting.js';
import { Group, type OutgoingAlert } from './group.js';
import { RuleManager } from './manager.js';
import { RuleMetrics } from './metrics.js';
import type { QueryFunc, VectorSample } from './types.js';

/**
 * For-state restore (Prometheus' RestoreForState) across restarts. These tests use
 * MemoryStorage kept across two rule manager instances; once the TSDB is wired the
 * lead should re-run the "restart" test with a TSDB that is closed and reopened
 * between the two managers (see docs/rules.md).
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

test('a RuleManager restart during a pending `for` window still fires on time (MemoryStorage kept across instances)', async () => {
  const dir = tempDir();
  const storage = new MemoryStorage();
  const ruleFile = join(dir.path, 'mysql.yml');
  writeFileSync(
    ruleFile,
    'groups:\n  - name: mysql\n    interval: 500ms\n    rules:\n      - alert: MySQLDown\n        expr: up{job="mysql-exporter"} == 0\n        for: 6s\n        labels: {severity: critical}\n',
  );
  // The exporter keeps reporting down.
  const feeder = setInterval(() => void seed(storage, Date.now()), 200);
  await seed(storage, Date.now());
  const sent: OutgoingAlert[] = [];
  const mk = (): RuleManager =>
    new RuleManager({
      appendable: storage,
      queryable: storage,
      query: zeroValued(storage, 'up'),
      notify: (a) => sent.push(...a),
      forGracePeriodMs: 0,
      resendDelayMs: 60_000,
    });
  try {
    const m1 = mk();
    await m1.update([ruleFile], 60_000, {});
    const first = await eventually(async () => {
      const r = m1.groups()[0]?.alertingRules()[0];
      return r && r.restored && r.activeAlerts()[0];
    }, 10_000, 50);
    const activeAt = first.activeAt;
    // Let it stay pending ~4s of its 6s, then "restart".
    await eventually(async () => Date.now() >= activeAt + 4 * SEC, 10_000, 50);
    assert.equal(first.state, 'pending');
    await m1.stop();
    const stoppedAt = Date.now();
    const m2 = mk();
    await m2.update([ruleFile], 60_000, {});
    const restartedAt = Date.now();
    const fired = await eventually(async () => sent.find((a) => labelsGet(a.labels, 'alertname') === 'MySQLDown'), 15_000, 50);
    const rule = m2.groups()[0]!.alertingRules()[0]!;
    const restoredActiveAt = rule.activeAlerts()[0]!.activeAt;
    await m2.stop();
    // Without restore it would fire 6s after the restart; restored it fires ~2s of pending time
    // later (plus the short downtime, rounded to seconds as Prometheus does).
    const freshFire = restartedAt + 6 * SEC;
    assert.ok(fired.startsAt < freshFire - 1500, `fired at +${fired.startsAt - restartedAt}ms after restart; a fresh start would fire at +6000ms`);
    assert.ok(restoredActiveAt <= activeAt + (restartedAt - stoppedAt) + 3 * SEC, 'activeAt moved by about the downtime only');
    assert.ok(fired.startsAt - restoredActiveAt >= 6 * SEC, 'still waited the full `for` of pending time');
  } finally {
    clearInterval(feeder);
    dir.cleanup();
  }
});
