import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStaleNaN, labelsFromObject, labelsToObject, MatchType, newMatcher, seriesToString, type Labels } from '../model/index.js';
import { MemoryStorage } from '../storage/index.js';
import { nopLogger } from '../util/index.js';
import { AlertingRule } from './alerting.js';
import { Group, type OutgoingAlert } from './group.js';
import { RuleMetrics } from './metrics.js';
import { RecordingRule } from './recording.js';
import type { RuleSpec } from './rulefile.js';
import type { QueryFunc, VectorSample } from './types.js';

const MIN = 60_000;

function alertSpec(over: Partial<RuleSpec> = {}): RuleSpec {
  return { kind: 'alert', name: 'HighLoad', expr: 'load > 1', forMs: 2 * MIN, keepFiringForMs: 0, labels: { severity: 'page' }, annotations: {}, line: 1, ...over };
}

function vec(...items: Array<[Record<string, string>, number]>): (t: number) => VectorSample[] {
  return (t) => items.map(([l, v]) => ({ labels: labelsFromObject(l), t, v }));
}

/** A query function whose result is chosen per evaluation time by `fn`. */
function fakeQuery(fn: (t: number) => VectorSample[]): QueryFunc {
  return async (_expr, t) => fn(t);
}

const firingAt = (r: AlertingRule): string[] => r.activeAlerts().map((a) => `${a.state}:${labelsToObject(a.labels)['instance']}`);

test('alert goes pending, fires after `for`, resolves and is kept 15m, then dropped', async () => {
  const rule = new AlertingRule(alertSpec(), { externalLabels: [], externalURL: '', templater: null, restored: true });
  let up = true;
  const q = fakeQuery((t) => (up ? vec([{ __name__: 'load', instance: 'a' }, 3])(t) : []));
  let out = await rule.eval(0, 0, q, 0);
  assert.deepEqual(firingAt(rule), ['pending:a']);
  assert.equal(rule.state(), 'pending');
  assert.deepEqual(
    out.map((s) => `${seriesToString(s.labels)} ${s.v}`),
    ['ALERTS{alertname="HighLoad", alertstate="pending", instance="a", severity="page"} 1', 'ALERTS_FOR_STATE{alertname="HighLoad", instance="a", severity="page"} 0'],
  );
  out = await rule.eval(1 * MIN, 0, q, 0);
  assert.deepEqual(firingAt(rule), ['pending:a'], 'still pending before `for` has elapsed');
  out = await rule.eval(2 * MIN, 0, q, 0);
  assert.deepEqual(firingAt(rule), ['firing:a'], 'fires once now - activeAt >= for');
  assert.equal(rule.state(), 'firing');
  const a = rule.activeAlerts()[0]!;
  assert.equal(a.activeAt, 0);
  assert.equal(a.firedAt, 2 * MIN);
  assert.equal(a.value, 3);
  assert.equal(out[0]!.labels.find((l) => l.name === 'alertstate')!.value, 'firing');
  assert.equal(out[1]!.v, 0, 'ALERTS_FOR_STATE holds activeAt in seconds');

  up = false;
  out = await rule.eval(3 * MIN, 0, q, 0);
  assert.equal(out.length, 0, 'no ALERTS sample for a resolved alert');
  assert.deepEqual(rule.activeAlerts(), []);
  assert.equal(rule.state(), 'inactive');
  const resolved = [...rule.active.values()];
  assert.equal(resolved.length, 1, 'resolved alert kept for notification');
  assert.equal(resolved[0]!.resolvedAt, 3 * MIN);
  await rule.eval(3 * MIN + 15 * MIN, 0, q, 0);
  assert.equal(rule.active.size, 1, 'kept up to and including 15m after resolution');
  await rule.eval(3 * MIN + 16 * MIN, 0, q, 0);
  assert.equal(rule.active.size, 0, 'dropped after 15m');
});

test('a pending alert that disappears is dropped at once; a returning alert starts over', async () => {
  const rule = new AlertingRule(alertSpec(), { externalLabels: [], externalURL: '', templater: null, restored: true });
  let up = true;
  const q = fakeQuery((t) => (up ? vec([{ instance: 'a' }, 3])(t) : []));
  await rule.eval(0, 0, q, 0);
  up = false;
  await rule.eval(MIN, 0, q, 0);
  assert.equal(rule.active.size, 0);
  up = true;
  await rule.eval(2 * MIN, 0, q, 0);
  assert.equal(rule.activeAlerts()[0]!.activeAt, 2 * MIN);
  await rule.eval(3 * MIN, 0, q, 0);
  assert.equal(rule.activeAlerts()[0]!.state, 'pending');
});

test('for: 0 fires on the first evaluation', async () => {
  const rule = new AlertingRule(alertSpec({ forMs: 0 }), { externalLabels: [], externalURL: '', templater: null, restored: true });
  await rule.eval(5000, 0, fakeQuery(vec([{ instance: 'a' }, 1])), 0);
  assert.deepEqual(firingAt(rule), ['firing:a']);
});

test('keep_firing_for keeps a firing alert firing after the condition clears', async () => {
  const rule = new AlertingRule(alertSpec({ forMs: 0, keepFiringForMs: 2 * MIN }), { externalLabels: [], externalURL: '', templater: null, restored: true });
  let up = true;
  const q = fakeQuery((t) => (up ? vec([{ instance: 'a' }, 7])(t) : []));
  await rule.eval(0, 0, q, 0);
  assert.deepEqual(firingAt(rule), ['firing:a']);
  up = false;
  let out = await rule.eval(MIN, 0, q, 0);
  assert.deepEqual(firingAt(rule), ['firing:a']);
  assert.equal(rule.activeAlerts()[0]!.keepFiringSince, MIN);
  assert.equal(out.length, 2, 'ALERTS still written while kept firing');
  out = await rule.eval(2 * MIN, 0, q, 0);
  assert.deepEqual(firingAt(rule), ['firing:a'], '1m < keep_firing_for');
  out = await rule.eval(3 * MIN, 0, q, 0);
  assert.deepEqual(firingAt(rule), [], 'resolved once keep_firing_for has elapsed');
  assert.equal([...rule.active.values()][0]!.resolvedAt, 3 * MIN);
  // Condition back before keep_firing_for ran out resets keepFiringSince.
  const r2 = new AlertingRule(alertSpec({ forMs: 0, keepFiringForMs: 2 * MIN }), { externalLabels: [], externalURL: '', templater: null, restored: true });
  up = true;
  await r2.eval(0, 0, q, 0);
  up = false;
  await r2.eval(MIN, 0, q, 0);
  up = true;
  await r2.eval(2 * MIN, 0, q, 0);
  assert.equal(r2.activeAlerts()[0]!.keepFiringSince, 0);
  assert.equal(r2.activeAlerts()[0]!.activeAt, 0, 'still the same alert');
});

test('keep_firing_for does not apply to pending alerts', async () => {
  const rule = new AlertingRule(alertSpec({ forMs: 5 * MIN, keepFiringForMs: 10 * MIN }), { externalLabels: [], externalURL: '', templater: null, restored: true });
  let up = true;
  const q = fakeQuery((t) => (up ? vec([{ instance: 'a' }, 7])(t) : []));
  await rule.eval(0, 0, q, 0);
  up = false;
  await rule.eval(MIN, 0, q, 0);
  assert.equal(rule.active.size, 0);
});

test('limit: too many alerts is an error and clears the active alerts', async () => {
  const rule = new AlertingRule(alertSpec(), { externalLabels: [], externalURL: '', templater: null, restored: true });
  const q = fakeQuery(vec([{ instance: 'a' }, 1], [{ instance: 'b' }, 1]));
  await assert.rejects(rule.eval(0, 0, q, 1), /exceeded limit of 1 with 2 alerts/);
  assert.equal(rule.active.size, 0);
  await rule.eval(0, 0, q, 2);
  assert.equal(rule.active.size, 2);
});

test('labels that collapse two samples into one alert are an error', async () => {
  const rule = new AlertingRule(alertSpec({ labels: {} }), { externalLabels: [], externalURL: '', templater: null, restored: true });
  const q = fakeQuery(vec([{ __name__: 'a', instance: 'x' }, 1], [{ __name__: 'b', instance: 'x' }, 1]));
  await assert.rejects(rule.eval(0, 0, q, 0), /same labelset after applying alert labels/);
});

test('no ALERTS output until the for-state is restored', async () => {
  const rule = new AlertingRule(alertSpec(), { externalLabels: [], externalURL: '', templater: null, restored: false });
  const out = await rule.eval(0, 0, fakeQuery(vec([{ instance: 'a' }, 1])), 0);
  assert.equal(out.length, 0);
  assert.equal(rule.active.size, 1);
});

test('templates see $labels, $value and $externalLabels; errors become the annotation text', async () => {
  const calls: string[] = [];
  const rule = new AlertingRule(
    alertSpec({ labels: { severity: 'x-{{ $labels.instance }}' }, annotations: { summary: 'S {{ $value }}', bad: 'B {{ fail }}', plain: 'no template' } }),
    {
      externalLabels: labelsFromObject({ cluster: 'c1' }),
      externalURL: 'http://vigil:9090',
      restored: true,
      templater: {
        check: () => null,
        async expand(text, name, data) {
          calls.push(name);
          if (text.includes('fail')) throw new Error('boom');
          return text
            .replace('{{ $labels.instance }}', data.labels['instance']!)
            .replace('{{ $value }}', String(data.value) + '/' + data.externalLabels['cluster'] + '/' + data.externalURL);
        },
      },
    },
  );
  await rule.eval(0, 0, fakeQuery(vec([{ instance: 'a' }, 2.5])), 0);
  const a = rule.activeAlerts()[0]!;
  assert.equal(labelsToObject(a.labels)['severity'], 'x-a');
  assert.deepEqual(labelsToObject(a.annotations), { summary: 'S 2.5/c1/http://vigil:9090', bad: '<error expanding template: boom>', plain: 'no template' });
  assert.ok(calls.every((n) => n === '__alert_HighLoad'));
});

test('alerts are sent when firing, re-sent after the resend delay, and once when resolved', async () => {
  const store = new MemoryStorage();
  let up = true;
  const sent: OutgoingAlert[][] = [];
  const rule = new AlertingRule(alertSpec({ forMs: MIN }), { externalLabels: [], externalURL: '', templater: null, restored: true });
  const g = new Group('g', 'f.yml', MIN, 0, 0, [rule], {
    query: fakeQuery((t) => (up ? vec([{ instance: 'a' }, 1])(t) : [])),
    appendable: store,
    queryable: store,
    notify: (a) => sent.push(a),
    externalURL: 'http://x',
    resendDelayMs: 2 * MIN,
    outageToleranceMs: 3600_000,
    forGracePeriodMs: 600_000,
    metrics: new RuleMetrics(undefined),
    logger: nopLogger(),
    now: Date.now,
  });
  await g.eval(0); // pending: nothing sent
  assert.equal(sent.length, 0);
  await g.eval(MIN); // firing
  assert.equal(sent.length, 1);
  assert.equal(sent[0]![0]!.startsAt, MIN);
  assert.equal(sent[0]![0]!.endsAt, MIN + 4 * 2 * MIN, 'validUntil = 4 x max(resend delay, interval)');
  assert.equal(sent[0]![0]!.generatorURL, 'http://x/graph?g0.expr=load+%3E+1&g0.tab=1');
  await g.eval(2 * MIN);
  await g.eval(3 * MIN);
  assert.equal(sent.length, 1, 'not re-sent within the resend delay');
  await g.eval(4 * MIN);
  assert.equal(sent.length, 2, 're-sent after the resend delay');
  up = false;
  await g.eval(5 * MIN);
  assert.equal(sent.length, 3, 'resolution sent at once');
  assert.equal(sent[2]![0]!.endsAt, 5 * MIN);
  await g.eval(6 * MIN);
  assert.equal(sent.length, 3);
});

/** Samples as {t, v} objects (plain number arrays would lose the stale NaN bits). */
async function series(store: MemoryStorage, name: string): Promise<Array<{ labels: Labels; samples: Array<{ t: number; v: number }> }>> {
  const q = await store.querier(-Infinity, Infinity);
  const out = [];
  for (const s of await q.select(null, [newMatcher(MatchType.Equal, '__name__', name)])) {
    const it = s.iterator();
    const samples: Array<{ t: number; v: number }> = [];
    while (it.next()) samples.push({ t: it.t, v: it.v });
    out.push({ labels: s.labels, samples });
  }
  return out;
}

const pairs = (ss: Array<{ t: number; v: number }>): Array<[number, number]> => ss.map((s) => [s.t, s.v]);

test('group writes ALERTS and ALERTS_FOR_STATE and marks vanished series stale', async () => {
  const store = new MemoryStorage();
  let items: Array<[Record<string, string>, number]> = [[{ __name__: 'load', instance: 'a' }, 5], [{ __name__: 'load', instance: 'b' }, 6]];
  const q = fakeQuery((t) => vec(...items)(t));
  const rule = new AlertingRule(alertSpec({ forMs: MIN }), { externalLabels: [], externalURL: '', templater: null, restored: true });
  const rec = new RecordingRule({ kind: 'record', name: 'instance:load', expr: 'load', forMs: 0, keepFiringForMs: 0, labels: { team: 'ops' }, annotations: {}, line: 1 });
  const g = new Group('g', 'f.yml', MIN, 0, 0, [rec, rule], {
    query: q,
    appendable: store,
    queryable: store,
    notify: () => undefined,
    externalURL: '',
    resendDelayMs: MIN,
    outageToleranceMs: 3600_000,
    forGracePeriodMs: 600_000,
    metrics: new RuleMetrics(undefined),
    logger: nopLogger(),
    now: Date.now,
  });
  await g.eval(0);
  await g.eval(MIN);
  items = [[{ __name__: 'load', instance: 'a' }, 5]];
  await g.eval(2 * MIN);

  const recorded = await series(store, 'instance:load');
  assert.deepEqual(recorded.map((s) => seriesToString(s.labels)), ['instance:load{instance="a", team="ops"}', 'instance:load{instance="b", team="ops"}']);
  assert.deepEqual(pairs(recorded[0]!.samples), [[0, 5], [MIN, 5], [2 * MIN, 5]]);
  assert.equal(recorded[1]!.samples.length, 3);
  assert.ok(isStaleNaN(recorded[1]!.samples[2]!.v), 'vanished recording series gets a staleness marker');

  const alerts = await series(store, 'ALERTS');
  const byName = new Map(alerts.map((s) => [seriesToString(s.labels), s.samples]));
  assert.deepEqual(pairs(byName.get('ALERTS{alertname="HighLoad", alertstate="pending", instance="a", severity="page"}')!.slice(0, 1)), [[0, 1]]);
  const pendingA = byName.get('ALERTS{alertname="HighLoad", alertstate="pending", instance="a", severity="page"}')!;
  assert.ok(isStaleNaN(pendingA[1]!.v), 'pending series goes stale when the alert fires');
  assert.deepEqual(pairs(byName.get('ALERTS{alertname="HighLoad", alertstate="firing", instance="a", severity="page"}')!), [[MIN, 1], [2 * MIN, 1]]);
  const firingB = byName.get('ALERTS{alertname="HighLoad", alertstate="firing", instance="b", severity="page"}')!;
  assert.equal(firingB[0]!.v, 1);
  assert.ok(isStaleNaN(firingB[1]!.v), 'resolved alert series goes stale');

  const forState = await series(store, 'ALERTS_FOR_STATE');
  assert.deepEqual(pairs(forState[0]!.samples), [[0, 0], [MIN, 0], [2 * MIN, 0]]);
  assert.equal(rec.health, 'ok');
  assert.equal(rule.health, 'ok');
});

test('query errors set rule health and last error without stopping the group', async () => {
  const store = new MemoryStorage();
  const rec = new RecordingRule({ kind: 'record', name: 'r1', expr: 'x', forMs: 0, keepFiringForMs: 0, labels: {}, annotations: {}, line: 1 });
  const rec2 = new RecordingRule({ kind: 'record', name: 'r2', expr: 'y', forMs: 0, keepFiringForMs: 0, labels: {}, annotations: {}, line: 2 });
  const metrics = new RuleMetrics(undefined);
  const g = new Group('g', 'f.yml', MIN, 0, 0, [rec, rec2], {
    query: async (expr, t) => {
      if (expr === 'x') throw new Error('query timed out');
      return vec([{}, 1])(t);
    },
    appendable: store,
    queryable: store,
    notify: () => undefined,
    externalURL: '',
    resendDelayMs: MIN,
    outageToleranceMs: 0,
    forGracePeriodMs: 0,
    metrics,
    logger: nopLogger(),
    now: Date.now,
  });
  await g.eval(0);
  assert.equal(rec.health, 'err');
  assert.equal(rec.lastError, 'query timed out');
  assert.equal(rec2.health, 'ok');
  assert.equal((await series(store, 'r2')).length, 1);
  const failures = await metrics.evalFailures.get();
  assert.equal(failures.values[0]!.value, 1);
});

test('recording rules: labels override, duplicate label sets and limit are errors, query_offset shifts the query and the sample time', async () => {
  const asked: number[] = [];
  const q: QueryFunc = async (_e, t) => {
    asked.push(t);
    return vec([{ __name__: 'x', instance: 'a', team: 'dev' }, 1], [{ __name__: 'x', instance: 'b', team: 'dev' }, 2])(t);
  };
  const spec = { kind: 'record' as const, name: 'y', expr: 'x', forMs: 0, keepFiringForMs: 0, labels: { team: 'ops' }, annotations: {}, line: 1 };
  const out = await new RecordingRule(spec).eval(10 * MIN, MIN, q, 0);
  assert.deepEqual(asked, [9 * MIN]);
  assert.deepEqual(out.map((s) => `${seriesToString(s.labels)}@${s.t}=${s.v}`), [`y{instance="a", team="ops"}@${9 * MIN}=1`, `y{instance="b", team="ops"}@${9 * MIN}=2`]);
  await assert.rejects(new RecordingRule(spec).eval(0, 0, q, 1), /exceeded limit 1 with 2 series/);
  await assert.rejects(new RecordingRule({ ...spec, labels: { instance: 'same' } }).eval(0, 0, q, 0), /same labelset after applying rule labels/);
});

test('missed evaluation slots are skipped and counted', async () => {
  const store = new MemoryStorage();
  const metrics = new RuleMetrics(undefined);
  let calls = 0;
  const rec = new RecordingRule({ kind: 'record', name: 'slow', expr: 'x', forMs: 0, keepFiringForMs: 0, labels: {}, annotations: {}, line: 1 });
  const g = new Group('slow', 'f.yml', 100, 0, 0, [rec], {
    query: async (_e, t) => {
      calls++;
      // The first evaluation takes 3.5 intervals.
      if (calls === 1) await new Promise((r) => setTimeout(r, 350));
      return vec([{}, 1])(t);
    },
    appendable: store,
    queryable: store,
    notify: () => undefined,
    externalURL: '',
    resendDelayMs: MIN,
    outageToleranceMs: 0,
    forGracePeriodMs: 0,
    metrics,
    logger: nopLogger(),
    now: Date.now,
  });
  g.start();
  await new Promise((r) => setTimeout(r, 900));
  await g.stop();
  const missed = (await metrics.iterationsMissed.get()).values[0]?.value ?? 0;
  assert.ok(missed >= 2, `missed ${missed}`);
  // Evaluation timestamps stay on the group's slots.
  const q = await store.querier(0, Date.now() + 1000);
  const [s] = await q.select(null, [newMatcher(MatchType.Equal, '__name__', 'slow')]);
  const it = s!.iterator();
  const offset = g.evalTimestamp(0);
  while (it.next()) assert.equal((((it.t - offset) % 100) + 100) % 100, 0);
});
