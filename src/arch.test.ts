import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';

/**
 * Enforces the import directions of docs/design.md: a folder may import only the
 * folders listed for it, and only through their index.ts (tests may also use a
 * folder's contract.ts, the shared contract suite).
 */
const ALLOWED: Record<string, string[]> = {
  util: [],
  model: ['util'],
  textparse: ['model', 'util'],
  storage: ['model', 'util'],
  tsdb: ['storage', 'model', 'util'],
  promql: ['storage', 'model', 'util'],
  relabel: ['model', 'util'],
  discovery: ['model', 'util'],
  config: ['relabel', 'discovery', 'model', 'util'],
  scrape: ['config', 'textparse', 'storage', 'relabel', 'discovery', 'model', 'util'],
  template: ['model', 'util'],
  rules: ['promql', 'storage', 'template', 'config', 'model', 'util'],
  notifier: ['config', 'relabel', 'discovery', 'model', 'util'],
  alertmgr: ['template', 'model', 'util'],
  agent: ['textparse', 'model', 'util'],
  remote: ['storage', 'model', 'util'],
  logs: ['storage', 'model', 'util'],
  dashboards: ['util'],
  testutil: ['util'],
  web: ['*'],
  cli: ['*'],
};

const srcDir = join(import.meta.dirname, '..', 'src');

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('imports between src/ folders follow the allowed directions', () => {
  const problems: string[] = [];
  for (const file of walk(srcDir, [])) {
    const rel = relative(srcDir, file).split(sep);
    if (rel.length < 2) continue;
    const from = rel[0]!;
    const allowed = ALLOWED[from];
    if (!allowed) {
      problems.push(`${rel.join('/')}: folder "${from}" has no entry in the import rules (src/arch.test.ts)`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const isTest = file.endsWith('.test.ts') || file.endsWith('contract.ts');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.\.?\/[^']+)'/g)) {
      const target = relative(srcDir, join(file, '..', m[1]!)).split(sep);
      const to = target[0]!;
      if (to === from || target.length < 2) continue;
      if (to === 'testutil') {
        if (!isTest) problems.push(`${rel.join('/')}: only tests may import testutil`);
        continue;
      }
      if (!allowed.includes('*') && !allowed.includes(to)) problems.push(`${rel.join('/')}: imports ${to} (${from} may import ${allowed.join(', ') || 'nothing'})`);
      const entry = target.slice(1).join('/');
      if (entry !== 'index.js' && !(isTest && entry === 'contract.js')) problems.push(`${rel.join('/')}: imports ${to}/${entry}; use ${to}/index.js`);
    }
  }
  assert.deepEqual(problems, []);
});
