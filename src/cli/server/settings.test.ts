import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { parseFlags, UserError } from '../../util/index.js';
import { SERVER_FLAGS } from '../commands/server.js';
import { formatPromDuration, retentionString, settingsFromFlags, type ServerSettings } from './settings.js';

const settings = (...argv: string[]): ServerSettings => settingsFromFlags(parseFlags(SERVER_FLAGS, argv), SERVER_FLAGS);

test('defaults follow Prometheus', () => {
  const s = settings();
  assert.equal(s.listenAddress, ':9090');
  assert.equal(s.configFile, null);
  assert.equal(s.routePrefix, '');
  assert.equal(s.externalUrl.href, `http://${hostname()}:9090/`);
  assert.equal(s.tsdbPath, './data');
  assert.equal(s.retentionTimeMs, 15 * 86_400_000);
  assert.equal(s.lookbackDeltaMs, 300_000);
  assert.equal(s.enableLifecycle || s.enableAdminApi || s.enableRemoteWriteReceiver, false);
  assert.equal(retentionString(s), '15d');
  assert.equal(s.flagValues['storage.tsdb.retention.time'], '15d');
  assert.equal(s.flagValues['web.enable-lifecycle'], 'false');
  assert.equal(s.flagValues['query.max-samples'], '50000000');
  assert.equal(Object.keys(s.flagValues).length, SERVER_FLAGS.length);
  assert.equal(s.flagValues['web.console.templates'], '');
});

test('external URL sets the route prefix unless one is given', () => {
  const s = settings('--web.external-url=https://proxy.example/vigil/');
  assert.equal(s.routePrefix, '/vigil');
  assert.equal(s.externalUrl.href, 'https://proxy.example/vigil');
  assert.equal(settings('--web.external-url=https://proxy.example/vigil/', '--web.route-prefix=/').routePrefix, '');
  assert.equal(settings('--web.route-prefix=inner/').routePrefix, '/inner');
  assert.throws(() => settings('--web.external-url=proxy.example'), /not an absolute URL/);
  assert.throws(() => settings('--web.external-url=ftp://x/'), /scheme must be http or https/);
  assert.throws(() => settings('--web.external-url="http://x/"'), /quotes/);
});

test('retention, features and validation', () => {
  const s = settings('--storage.tsdb.retention.size=512MB', '--storage.tsdb.retention.time=0s');
  assert.equal(s.retentionTimeMs, 0, 'size alone disables the time default');
  assert.equal(s.retentionSize, 512 * 1024 * 1024);
  assert.equal(retentionString(s), '512MiB');
  assert.equal(retentionString(settings('--storage.tsdb.retention.size=1GB')), '15d or 1GiB');
  assert.equal(settings('--enable-feature=a,remote-write-receiver').enableRemoteWriteReceiver, true);
  for (const bad of [['--log.level=verbose'], ['--log.format=xml'], ['--web.listen-address=9090'], ['--web.listen-address=:99999'], ['--storage.tsdb.retention.size=lots'], ['--query.max-concurrency=0'], ['--web.cors.origin=('], ['stray']]) {
    assert.throws(() => settings(...bad), UserError, bad.join(' '));
  }
});

test('durations print as Prometheus prints them', () => {
  const cases: Array<[number, string]> = [[0, '0s'], [15 * 86_400_000, '15d'], [14 * 86_400_000, '2w'], [365 * 86_400_000, '1y'], [90 * 86_400_000, '90d'], [5_400_000, '1h30m'], [1500, '1s500ms']];
  for (const [ms, want] of cases) assert.equal(formatPromDuration(ms), want);
});

test('Prometheus-only flags are accepted and reported as ignored; the deprecated retention flag still works', () => {
  const s = settings('--web.console.templates=/etc/prometheus/consoles', '--storage.tsdb.wal-compression', '--storage.tsdb.retention=30d');
  assert.deepEqual(s.ignoredFlags, ['web.console.templates', 'storage.tsdb.wal-compression']);
  assert.equal(s.retentionTimeMs, 30 * 86_400_000);
  assert.equal(settings('--storage.tsdb.retention=30d', '--storage.tsdb.retention.time=7d').retentionTimeMs, 7 * 86_400_000);
  assert.deepEqual(settings().ignoredFlags, []);
});

test('the lock file flags work: on by default, off with --storage.tsdb.no-lockfile or --no-storage.tsdb.use-lockfile', () => {
  assert.equal(settings().tsdbLockfile, true);
  assert.equal(settings('--storage.tsdb.use-lockfile').tsdbLockfile, true);
  for (const off of [['--storage.tsdb.no-lockfile'], ['--no-storage.tsdb.use-lockfile'], ['--storage.tsdb.use-lockfile=false'], ['--storage.tsdb.use-lockfile', '--storage.tsdb.no-lockfile']]) {
    const s = settings(...off);
    assert.equal(s.tsdbLockfile, false, off.join(' '));
    assert.deepEqual(s.ignoredFlags, [], `${off.join(' ')} is not an ignored flag`);
  }
});
