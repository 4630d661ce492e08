import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../config/index.js';
import { eventually, tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { AlertmanagerDiscovery, resolveAlertmanagerSet, type ResolvedAlertmanagers } from './index.js';

test('static Alertmanager targets get __scheme__ and __alerts_path__ and go through relabel_configs as in Prometheus', () => {
  const cfg = parseConfig(
    `alerting:
  alertmanagers:
    - scheme: https
      path_prefix: /am/
      static_configs:
        - targets: ['am-1:9093', 'am-2:9093', 'skip-me:9093']
          labels: {dc: west}
      relabel_configs:
        - source_labels: [__address__]
          regex: 'skip-me:.*'
          action: drop
        - source_labels: [dc, __address__]
          regex: 'west;am-2:(.*)'
          target_label: __address__
          replacement: 'am-2.west:$1'
`,
    join(tempDir('vigil-amsd-').path, 'vigil.yml'),
  );
  const am = cfg.alerting.alertmanagers[0]!;
  const groups = am.staticConfigs.map((sc, i) => ({ targets: sc.targets.map((t) => [{ name: '__address__', value: t }]), labels: sc.labels, source: String(i) }));
  const r = resolveAlertmanagerSet(am, groups);
  assert.deepEqual(r.urls, ['https://am-1:9093/am/api/v2/alerts', 'https://am-2.west:9093/am/api/v2/alerts']);
  assert.deepEqual(r.dropped, ['https://skip-me:9093/am/api/v2/alerts']);
});

test('file_sd_configs for alertmanagers are followed: a changed file changes where alerts go', { timeout: 20_000 }, async () => {
  const dir = tempDir('vigil-amsd-');
  try {
    const sd = join(dir.path, 'am.json');
    writeFileSync(sd, JSON.stringify([{ targets: ['127.0.0.1:19093'] }]));
    const cfg = parseConfig(
      `alerting:
  alertmanagers:
    - static_configs:
        - targets: ['static:9093']
      file_sd_configs:
        - files: ['am.json']
          refresh_interval: 1s
`,
      join(dir.path, 'vigil.yml'),
    );
    let last: ResolvedAlertmanagers | null = null;
    const d = new AlertmanagerDiscovery(nopLogger(), (r) => (last = r));
    const first = d.apply(cfg.alerting.alertmanagers);
    try {
      assert.deepEqual(first.urls, [['http://static:9093/api/v2/alerts']], 'static targets are there at once');
      await eventually(async () => last !== null && (last as ResolvedAlertmanagers).urls[0]!.includes('http://127.0.0.1:19093/api/v2/alerts'), 10_000, 50);
      writeFileSync(sd, JSON.stringify([{ targets: ['127.0.0.2:19093', '127.0.0.3:19093'] }]));
      await eventually(async () => {
        const u = (last as ResolvedAlertmanagers | null)?.urls[0] ?? [];
        return u.length === 3 && u.includes('http://127.0.0.3:19093/api/v2/alerts') && !u.includes('http://127.0.0.1:19093/api/v2/alerts');
      }, 10_000, 50);
    } finally {
      d.stop();
    }
  } finally {
    dir.cleanup();
  }
});
