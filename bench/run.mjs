#!/usr/bin/env node
// Runs the benchmarks one after the other (never in parallel: they measure CPU).
//   npm run bench                     # all suites at their default (full) scale
//   npm run bench -- tsdb             # one suite
//   npm run bench -- tsdb --series 10000 --hours 1   # extra flags go to the suite
// Each suite starts Vigil and its reference peers (Prometheus, VictoriaMetrics,
// node_exporter from Debian's packages) itself and prints its own ratios.
import { spawnSync } from 'node:child_process';

const SUITES = {
  tsdb: 'bench/tsdb/run.mjs',
  promql: 'bench/promql/run.mjs',
  agent: 'bench/agent/scrape.mjs',
};

const args = process.argv.slice(2);
const picked = args.filter((a) => a in SUITES);
const extra = args.filter((a) => !(a in SUITES));
const names = picked.length > 0 ? picked : Object.keys(SUITES);
let failed = 0;
for (const name of names) {
  console.log(`\n=== bench: ${name} (${SUITES[name]} ${extra.join(' ')})`);
  const r = spawnSync(process.execPath, [SUITES[name], ...extra], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`=== bench: ${name} exited with ${r.status ?? r.signal}`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
