#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with Node's built-in test runner.
// Optional arguments narrow the run to paths starting with one of them, e.g.
//   node scripts/run-tests.mjs dist/tsdb dist/promql/parser
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2).map((f) => f.replace(/^\.\//, '').replace(/\/$/, ''));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(relative(root, p));
  }
  return out;
}

let files = walk(join(root, 'dist'), []).sort();
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.startsWith(x)));
if (files.length === 0) {
  console.error('run-tests: no test files found' + (filters.length ? ` under ${filters.join(', ')}` : ''));
  process.exit(1);
}
const args = ['--enable-source-maps', '--test', '--test-reporter=spec', ...files];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, VIGIL_TEST: '1' } });
process.exit(r.status ?? 1);
