import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Expands a file_sd pattern the way Go's filepath.Glob does for the shapes
 * Prometheus allows (wildcards only in the last path element): `*`, `?` and
 * `[...]` classes. Returns sorted absolute paths; a missing directory yields none.
 */
export function expandGlob(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (!/[*?[]/.test(base)) return [pattern];
  const re = globToRegExp(base);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => re.test(n))
    .sort()
    .map((n) => join(dir, n));
}

function globToRegExp(g: string): RegExp {
  let out = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = g.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        let cls = g.slice(i + 1, end);
        if (cls.startsWith('^')) cls = '^' + cls.slice(1);
        out += '[' + cls.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else out += c.replace(/[\\^$.+(){}|]/g, '\\$&');
  }
  return new RegExp('^' + out + '$');
}
