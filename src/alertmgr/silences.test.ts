import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../testutil/index.js';
import { NotificationLog } from './nflog.js';
import { SilenceError, Silences, silenceState } from './silences.js';

const H = 3600_000;

test('silences: create, match (regex, negative), update in place vs replace, expire, retention', () => {
  let now = Date.UTC(2024, 0, 1);
  const dir = tempDir('am-sil-');
  const file = join(dir.path, 'silences.json');
  try {
    const s = new Silences({ retention: 2 * H, snapshotFile: file, now: () => now });
    const base = { startsAt: now, endsAt: now + H, createdBy: 'me', comment: 'c' };
    const id = s.set({ ...base, matchers: [{ name: 'job', value: 'node|api', isRegex: true, isEqual: true }, { name: 'env', value: 'dev', isRegex: false, isEqual: false }] });
    assert.deepEqual(s.mutedBy({ job: 'api', env: 'prod' }), [id]);
    assert.deepEqual(s.mutedBy({ job: 'api', env: 'dev' }), []);
    assert.deepEqual(s.mutedBy({ job: 'apiserver' }), [], 'regex is anchored');
    // Extending an active silence keeps its ID.
    assert.equal(s.set({ ...base, id, endsAt: now + 2 * H, matchers: s.get(id)!.matchers }), id);
    // Changing matchers replaces it: the old one is expired, a new ID issued.
    const id2 = s.set({ ...base, id, matchers: [{ name: 'job', value: 'db', isRegex: false, isEqual: true }] });
    assert.notEqual(id2, id);
    assert.equal(silenceState(s.get(id)!, now), 'expired');
    // Persisted: a new instance reads the snapshot.
    const again = new Silences({ retention: 2 * H, snapshotFile: file, now: () => now });
    assert.deepEqual(again.mutedBy({ job: 'db' }), [id2]);
    s.expire(id2);
    const endedAt = s.get(id2)!.endsAt;
    now += 1000;
    s.expire(id2); // idempotent
    assert.equal(s.get(id2)!.endsAt, endedAt);
    assert.throws(() => s.expire('nope'), (e: unknown) => e instanceof SilenceError && e.status === 404);
    // Validation.
    assert.throws(() => s.set({ ...base, matchers: [{ name: 'a', value: '.*', isRegex: true, isEqual: true }] }), /must not match the empty string/);
    assert.throws(() => s.set({ ...base, matchers: [] }), /at least one matcher/);
    assert.throws(() => s.set({ ...base, endsAt: now - 1, matchers: [{ name: 'a', value: 'b', isRegex: false, isEqual: true }] }), /end time/);
    // Expired silences are garbage-collected after the retention.
    now += 3 * H;
    assert.equal(s.gc(), 2);
    assert.equal(s.list().length, 0);
  } finally {
    dir.cleanup();
  }
});

test('notification log: persisted entries expire after the retention', () => {
  let now = 1_000_000;
  const dir = tempDir('am-nflog-');
  const file = join(dir.path, 'nflog.json');
  try {
    const l = new NotificationLog({ retention: 1000, snapshotFile: file, now: () => now });
    l.log('r/webhook/0', '{}:{a="b"}', ['fp1'], []);
    const l2 = new NotificationLog({ retention: 1000, snapshotFile: file, now: () => now });
    assert.deepEqual(l2.query('r/webhook/0', '{}:{a="b"}')?.firing, ['fp1']);
    now += 1500;
    assert.equal(l2.query('r/webhook/0', '{}:{a="b"}'), undefined);
    assert.equal(l2.gc(), 1);
  } finally {
    dir.cleanup();
  }
});

test('fingerprintHex equals the BigInt FNV-1a reference (model.LabelSet.Fingerprint)', async () => {
  const { fingerprint, fingerprintHex } = await import('./types.js');
  const sets: Array<Record<string, string>> = [{}, { a: 'b' }, { alertname: 'HighCPU', instance: 'a', severity: 'critical' }, { ünï: 'cødé ✓', z: '' }];
  for (let i = 0; i < 200; i++) {
    const ls: Record<string, string> = {};
    for (let j = 0; j < 1 + (i % 6); j++) ls[`l${(i * 7 + j) % 11}`] = String.fromCharCode(...Array.from({ length: 1 + ((i + j) % 9) }, (_, k) => 32 + ((i * 31 + j * 17 + k * 13) % 400)));
    sets.push(ls);
  }
  for (const ls of sets) assert.equal(fingerprintHex(ls), fingerprint(ls).toString(16).padStart(16, '0'), JSON.stringify(ls));
  // Known value from Alertmanager (the differential test's webhook payloads).
  assert.equal(fingerprintHex({ alertname: 'HighCPU', instance: 'a', severity: 'critical' }), '23563e67c9b496b2');
});

test('silence edited through the API round trip keeps its ID, as in Alertmanager 0.25', async () => {
  const { apiTime } = await import('./api.js');
  let now = Date.UTC(2024, 0, 1, 12);
  const s = new Silences({ retention: H, now: () => now });
  const matchers = [{ name: 'a', value: 'b', isRegex: false, isEqual: true }];
  const id = s.set({ matchers, startsAt: now - 5000, endsAt: now + H, createdBy: 'me', comment: 'c' });
  now += 1000;
  const shown = s.get(id)!;
  const roundTrip = Date.parse(apiTime(shown.startsAt));
  const id2 = s.set({ id, matchers, startsAt: roundTrip, endsAt: now + 2 * H, createdBy: 'me', comment: 'edited' });
  assert.equal(id2, id);
  assert.equal(s.get(id)!.comment, 'edited');
  assert.equal(silenceState(s.get(id)!, now), 'active');
});
