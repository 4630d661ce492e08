/**
 * Alertmanager label matchers (pkg/labels): the `matchers:` syntax
 * (`foo="bar"`, `foo=~"a|b"`, `{a!="x", b!~y}`, unquoted values), their
 * string form (used in route keys and so in group keys), and sorting.
 * Regexes are anchored and `.` does not match newline, as in Go's regexp.
 */
import { MatchType, Matcher } from '../model/index.js';
import type { LabelSet } from './types.js';

export { MatchType, Matcher };

const TYPE_ORDER: Record<MatchType, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };

export function newAmMatcher(type: MatchType, name: string, value: string): Matcher {
  return new Matcher(type, name, value, { dotAll: false });
}

export class MatcherParseError extends Error {
  override name = 'MatcherParseError';
}

/** openMetricsEscape: backslash, newline and double quote. */
function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** labels.Matcher.String(): name, operator, then the value in double quotes. */
export function matcherString(m: Matcher): string {
  return `${m.name}${m.type}"${escapeValue(m.value)}"`;
}

/** labels.Matchers.String(): `{a="1",b=~"x"}`. */
export function matchersString(ms: readonly Matcher[]): string {
  return '{' + ms.map(matcherString).join(',') + '}';
}

/** labels.Matchers sort order: name, value, then operator. */
export function sortMatchers(ms: Matcher[]): Matcher[] {
  return ms.sort((a, b) => {
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    if (a.value !== b.value) return a.value < b.value ? -1 : 1;
    return TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
  });
}

export function matchesLabels(ms: readonly Matcher[], ls: LabelSet): boolean {
  for (const m of ms) if (!m.matches(ls[m.name] ?? '')) return false;
  return true;
}

const OPS: MatchType[] = [MatchType.Regexp, MatchType.NotRegexp, MatchType.NotEqual, MatchType.Equal];

/**
 * Parses one matcher: `name<op>value` where value may be double-quoted (with
 * Go escapes) or bare. Mirrors labels.ParseMatcher.
 */
export function parseMatcher(s: string): Matcher {
  const src = s.trim();
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*|"(?:[^"\\]|\\.)*")\s*(=~|!~|!=|=)\s*(.*)$/s.exec(src);
  if (!m) throw new MatcherParseError(`bad matcher format: ${s}`);
  let name = m[1]!;
  if (name.startsWith('"')) name = JSON.parse(name) as string;
  const op = OPS.find((o) => o === m[2]) ?? MatchType.Equal;
  let raw = m[3]!.trim();
  let value: string;
  if (raw.startsWith('"')) {
    try {
      value = unquoteGo(raw);
    } catch {
      throw new MatcherParseError(`bad matcher format: ${s}`);
    }
  } else {
    // Bare values: Alertmanager 0.25 accepts them as-is (escapes of " and \ kept literally).
    raw = raw.replace(/^'(.*)'$/s, '$1');
    value = raw;
  }
  try {
    return newAmMatcher(op, name, value);
  } catch (err) {
    throw new MatcherParseError(`${(err as Error).message}`);
  }
}

function unquoteGo(raw: string): string {
  if (!raw.endsWith('"') || raw.length < 2) throw new Error('unterminated');
  const body = raw.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') throw new Error('unescaped quote');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === 'n') out += '\n';
    else if (n === 't') out += '\t';
    else if (n === '\\' || n === '"') out += n;
    else if (n === undefined) throw new Error('trailing backslash');
    else out += '\\' + n;
  }
  return out;
}

/**
 * Parses a matcher list as in `matchers:` entries and amtool filters:
 * `a="1", b=~"x"` optionally wrapped in braces. Commas inside quotes are kept.
 */
export function parseMatchers(s: string): Matcher[] {
  let t = s.trim();
  if (t.startsWith('{')) {
    if (!t.endsWith('}')) throw new MatcherParseError(`bad matcher format: ${s}`);
    t = t.slice(1, -1);
  }
  const parts: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '\\' && inQ) {
      cur += c + (t[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inQ = !inQ;
    if (c === ',' && !inQ) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (inQ) throw new MatcherParseError(`bad matcher format: ${s}`);
  if (cur.trim() !== '' || parts.length > 0) parts.push(cur);
  return parts.filter((p) => p.trim() !== '').map(parseMatcher);
}
