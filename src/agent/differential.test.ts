import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findBinary, freePort, skipUnless, startProcess, tempDir } from '../testutil/index.js';
import { readPage, seriesKey, type Page } from './fixture-tree.js';
import { DEFAULT_TIMEX_ADDON } from './collectors/timex.js';
import { collectorNames, createNodeCollector, HandlerMetrics, renderProcessMetrics } from './index.js';

/**
 * Differential test against Debian's prometheus-node-exporter 1.5 on this host:
 * both expose the same collectors; every family node_exporter shows must exist in
 * Vigil with the same TYPE, HELP and label names and the same series, and stable
 * values must agree.
 */
const NE = findBinary('/usr/bin/prometheus-node-exporter', 'prometheus-node-exporter', 'node_exporter');

/** Families node_exporter has and Vigil deliberately does not (documented in docs/agent.md). */
const GAPS: Array<[RegExp, string]> = [[/^go_/, 'Go runtime metrics: Vigil runs on Node.js']];

/**
 * timex needs the native addon `npm run build` compiles; on a machine without a C
 * compiler it is a gap here (timex.test.ts fails instead when a compiler exists
 * but the addon was not built).
 */
const TIMEX_BUILT = existsSync(DEFAULT_TIMEX_ADDON);
if (!TIMEX_BUILT) GAPS.push([/^node_timex_/, 'timex: native/timex addon not built (npm run build without a C compiler)']);

/** Default-off families switched on in both, so they are compared too. */
const OPTIONAL_FLAGS = ['--collector.cpu.info', '--collector.cpu.info.flags-include=^(aes|avx.*|sse.*)$', '--collector.cpu.info.bugs-include=.*', '--collector.stat.softirq'];
const OPTIONAL = { cpuInfo: true, cpuInfoFlagsInclude: '^(aes|avx.*|sse.*)$', cpuInfoBugsInclude: '.*', statSoftirq: true };

/** Series whose label values legitimately differ (promhttp codes appear as requests are counted). */
const DIFFERENT_LABEL_VALUES = new Set(['node_exporter_build_info', 'promhttp_metric_handler_requests_total', 'node_tcp_connection_states']);

function labelNames(p: Page, fam: string): string {
  const names = new Set<string>();
  for (const s of p.families.get(fam)!.samples) for (const [k] of s.labels) names.add(k);
  return [...names].sort().join(',');
}

async function scrape(url: string): Promise<string> {
  const r = await fetch(url);
  assert.equal(r.status, 200);
  return r.text();
}

test('differential: Vigil collectors vs prometheus-node-exporter 1.5', { skip: skipUnless(NE, 'prometheus-node-exporter'), timeout: 60_000 }, async () => {
  const dir = tempDir('vigil-agent-diff-');
  const tf = join(dir.path, 'textfile');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(tf);
  writeFileSync(join(tf, 'app.prom'), '# HELP app_jobs_total Jobs.\n# TYPE app_jobs_total counter\napp_jobs_total{queue="a"} 5\napp_jobs_total{kind="x"} 1e+06\nplain_gauge 0.25\n');
  writeFileSync(join(tf, 'broken.prom'), 'broken{ 1\n');
  // systemd needs D-Bus in node_exporter and is opt-in in Vigil: compared by fixture tests only.
  // (default-off interrupts is enabled in both and compared too.)
  const collectors = collectorNames().filter((c) => c !== 'systemd');
  const port = await freePort();
  const ne = await startProcess(
    NE!,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      '--collector.disable-defaults',
      ...collectors.map((c) => `--collector.${c}`),
      `--collector.textfile.directory=${tf}`,
      ...OPTIONAL_FLAGS,
    ],
    { readyUrl: `http://127.0.0.1:${port}/metrics` },
  );
  try {
    const vigil = createNodeCollector({ collectors, textfileDirectory: tf, ...OPTIONAL });
    const neUrl = `http://127.0.0.1:${port}/metrics`;
    const t0 = Date.now();
    const a1 = readPage(await scrape(neUrl));
    // The agent appends its own process_* and promhttp_* families to the collectors' page.
    const exporterPage = async (): Promise<string> => (await vigil.render()) + (await renderProcessMetrics()) + new HandlerMetrics().render();
    const v1 = readPage(await exporterPage());
    const a2 = readPage(await scrape(neUrl));
    const v2 = readPage(await exporterPage());
    const elapsed = (Date.now() - t0) / 1000;

    // Which Vigil collector produces which family (for the coverage table).
    const owner = new Map<string, string>();
    for (const c of collectors) {
      const p = readPage(await createNodeCollector({ collectors: [c], textfileDirectory: tf, buildInfo: false, ...OPTIONAL }).render());
      for (const f of p.families.keys()) if (!f.startsWith('node_scrape_collector_')) owner.set(f, c);
    }

    const problems: string[] = [];
    const gaps: Array<[string, string]> = [];
    for (const [name, fam] of a1.families) {
      const gap = GAPS.find(([re]) => re.test(name));
      if (gap) {
        if (name.startsWith('node_')) gaps.push([name, gap[1]]);
        continue;
      }
      const mine = v1.families.get(name);
      if (!mine) {
        problems.push(`missing family ${name}`);
        continue;
      }
      if (mine.type !== fam.type) problems.push(`${name}: TYPE ${mine.type}, node_exporter ${fam.type}`);
      if (mine.help !== fam.help) problems.push(`${name}: HELP ${JSON.stringify(mine.help)}, node_exporter ${JSON.stringify(fam.help)}`);
      if (labelNames(v1, name) !== labelNames(a1, name)) problems.push(`${name}: labels {${labelNames(v1, name)}}, node_exporter {${labelNames(a1, name)}}`);
      if (!DIFFERENT_LABEL_VALUES.has(name)) {
        const theirs = [...a1.series(name).keys()].filter((k) => TIMEX_BUILT || k !== 'collector=timex').sort();
        const ours = [...v1.series(name).keys()].sort();
        if (theirs.join('\n') !== ours.join('\n')) problems.push(`${name}: series differ\n  vigil: ${ours.join(' | ')}\n  node_exporter: ${theirs.join(' | ')}`);
      }
    }
    for (const name of v1.families.keys()) if (!a1.families.has(name)) problems.push(`extra family ${name} (node_exporter does not expose it here)`);

    // Stable values agree exactly.
    const exact = ['node_cpu_info', 'node_cpu_flag_info', 'node_cpu_bug_info', 'node_memory_MemTotal_bytes', 'node_memory_SwapTotal_bytes', 'node_boot_time_seconds', 'node_filesystem_size_bytes', 'node_filesystem_files', 'node_filesystem_readonly', 'node_filefd_maximum', 'node_entropy_pool_size_bits', 'node_network_mtu_bytes', 'node_network_iface_id', 'node_os_version', 'node_scrape_collector_success', 'node_textfile_scrape_error', 'app_jobs_total', 'plain_gauge'];
    for (const name of exact) {
      for (const [k, v] of a1.series(name)) {
        if (!TIMEX_BUILT && k === 'collector=timex') continue;
        if (v1.series(name).get(k) !== v) problems.push(`${name}{${k}}: vigil ${v1.series(name).get(k)}, node_exporter ${v}`);
      }
    }
    // adjtimex: the clock-state words agree exactly; the offset being slewed and the
    // maximum error (the kernel grows it by 500 µs per second while unsynchronised) may move between the reads.
    if (TIMEX_BUILT) {
      for (const name of ['node_timex_sync_status', 'node_timex_status', 'node_timex_tick_seconds', 'node_timex_tai_offset_seconds', 'node_timex_loop_time_constant']) {
        if (v1.value(name, {}) !== a1.value(name, {})) problems.push(`${name}: vigil ${v1.value(name, {})}, node_exporter ${a1.value(name, {})}`);
      }
      const within = (name: string, tol: number): void => {
        const [mine, theirs] = [v1.value(name, {}), a1.value(name, {})];
        if (mine === undefined || theirs === undefined || Math.abs(mine - theirs) > tol) problems.push(`${name}: vigil ${mine}, node_exporter ${theirs} (tolerance ${tol})`);
      };
      within('node_timex_offset_seconds', 0.01);
      within('node_timex_maxerror_seconds', 0.0005 * (elapsed + 1));
      within('node_timex_frequency_adjustment_ratio', 1e-6);
    } else {
      console.log('\ntimex not compared: native/timex addon not built');
    }
    // CPU seconds: a CPU accrues at most the wall time that passed between the scrapes.
    for (const [k, v] of a1.series('node_cpu_seconds_total')) {
      const mine = v1.series('node_cpu_seconds_total').get(k)!;
      if (Math.abs(mine - v) > elapsed + 0.02) problems.push(`node_cpu_seconds_total{${k}}: vigil ${mine}, node_exporter ${v} (tolerance ${elapsed + 0.02}s)`);
    }
    // Counters never decrease between two Vigil scrapes, and node_exporter's agree with that.
    for (const [name, fam] of v1.families) {
      if (fam.type !== 'counter') continue;
      for (const [k, v] of v1.series(name)) {
        const later = v2.series(name).get(k);
        if (later !== undefined && later < v) problems.push(`counter ${name}{${k}} went backwards: ${v} -> ${later}`);
        const theirsLater = a2.series(name).get(k);
        // Host counters read before node_exporter's later scrape cannot be ahead of it (own-process counters differ by nature).
        if (theirsLater !== undefined && name.startsWith('node_') && !name.startsWith('node_cpu') && v > theirsLater) {
          problems.push(`counter ${name}{${k}}: vigil ${v} ahead of node_exporter's later scrape ${theirsLater}`);
        }
      }
    }

    // Coverage table (pasted into docs/agent.md).
    const rows = new Map<string, { ne: number; vigil: number; missing: string[] }>();
    for (const name of new Set([...a1.families.keys(), ...v1.families.keys()])) {
      if (/^go_/.test(name)) continue;
      const c = owner.get(name) ?? (name.startsWith('node_timex_') ? 'timex' : /^(node_scrape_|node_exporter_build_info|process_|promhttp_)/.test(name) ? '(exporter)' : '?');
      const r = rows.get(c) ?? { ne: 0, vigil: 0, missing: [] };
      if (a1.families.has(name)) r.ne++;
      if (v1.families.has(name)) r.vigil++;
      if (a1.families.has(name) && !v1.families.has(name)) r.missing.push(name);
      rows.set(c, r);
    }
    const lines = ['| collector | families (node_exporter) | families (Vigil) | missing in Vigil |', '|---|---|---|---|'];
    for (const [c, r] of [...rows].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      lines.push(`| ${c} | ${r.ne} | ${r.vigil} | ${r.missing.length === 0 ? '' : r.missing.length > 3 ? `${r.missing.length} (${r.missing[0]}, …)` : r.missing.join(', ')} |`);
    }
    console.log('\nCoverage on this host (same collectors enabled in both):\n' + lines.join('\n'));
    console.log('\nDeliberate gaps:\n| family | reason |\n|---|---|\n' + gaps.map(([f, why]) => `| ${f} | ${why} |`).join('\n'));
    console.log(`\nnode_scrape_collector_success (node_exporter / vigil): ${collectors.map((c) => `${c}=${a1.value('node_scrape_collector_success', { collector: c })}/${v1.value('node_scrape_collector_success', { collector: c })}`).join(' ')}`);

    assert.deepEqual(problems, []);
    assert.ok(a1.families.has('node_memory_MemTotal_bytes') && a1.families.has('node_cpu_seconds_total'), 'node_exporter page looks complete');
    assert.equal(seriesKey([]), '');
  } finally {
    await ne.stop();
    dir.cleanup();
  }
});
