/**
 * Differential test of Prometheus rule templates: annotations expanded by Vigil are
 * given to `promtool test rules` as the expected annotations of real Prometheus 2.x
 * alerting rules; promtool passes only if Prometheus renders exactly the same text.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { findBinary, skipUnless, tempDir } from '../testutil/index.js';
import { expandAlertTemplate } from './index.js';

const PROMTOOL = findBinary('promtool');

const VALUES = [0, 1, 0.5, 1234567, 0.0012, 1048576, 899.99, 90061, 0.25, -42.125, 1e20, 123456.789, 1.5e-7, 1435065584.128];
const TEMPLATES = [
  '{{ $value }}',
  '{{ $value | humanize }}',
  '{{ humanize1024 $value }}',
  '{{ humanizeDuration $value }}',
  '{{ humanizePercentage $value }}',
  '{{ if lt $value 1e12 }}{{ humanizeTimestamp $value }}{{ end }}',
  '{{ printf "%.2f|%g|%e|%8.3f|%v" $value $value $value $value $value }}',
  '{{ $labels.instance }} {{ $labels.instance | reReplaceAll ":.*" "" | toUpper }} {{ title "node down" }} {{ if gt $value 100.0 }}big{{ else }}small{{ end }}',
  '{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }} {{ len $labels }} {{ index $labels "job" }}',
  '{{- /* trimmed */ -}} {{ with $labels.missing }}has{{ else }}none{{ end }} {{ printf "%q %5s|%-5s|" $labels.job "ab" "cd" }}',
];

test('rule annotation templates expand exactly as Prometheus (promtool test rules)', { skip: skipUnless(PROMTOOL, 'prometheus'), timeout: 60_000 }, async () => {
  const dir = tempDir('tmpl-promtool-');
  try {
    const rules: unknown[] = [];
    const cases: unknown[] = [];
    VALUES.forEach((v, i) => {
      const annotations: Record<string, string> = {};
      const expected: Record<string, string> = {};
      const labels = { instance: 'web-1:9100', job: 'node' };
      TEMPLATES.forEach((t, j) => {
        annotations[`a${j}`] = t;
        expected[`a${j}`] = expandAlertTemplate(`__alert_T${i}`, t, { labels, value: v });
      });
      const expr = `label_replace(label_replace(vector(${v}), "instance", "web-1:9100", "", ""), "job", "node", "", "")`;
      rules.push({ alert: `T${i}`, expr, annotations });
      cases.push({ eval_time: '0m', alertname: `T${i}`, exp_alerts: [{ exp_labels: labels, exp_annotations: expected }] });
    });
    writeFileSync(join(dir.path, 'rules.yml'), stringify({ groups: [{ name: 'g', rules }] }));
    writeFileSync(
      join(dir.path, 'test.yml'),
      stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: [{ series: 'up{job="x"}', values: '1' }], alert_rule_test: cases }] }),
    );
    const r = await promisify(execFile)(PROMTOOL!, ['test', 'rules', 'test.yml'], { cwd: dir.path }).then(
      (x) => ({ code: 0, out: x.stdout + x.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: (e.stdout ?? '') + (e.stderr ?? '') }),
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS/);
  } finally {
    dir.cleanup();
  }
});
