/**
 * RE2 (Go regexp) patterns compiled to JavaScript RegExp, fully anchored as
 * Prometheus anchors label matchers (`^(?:pattern)$`).
 *
 * Handled differences between RE2 and JS:
 * - leading inline flags `(?i)`, `(?s)`, `(?m)`, `(?U)` are not JS syntax: i/s/m become RegExp flags
 *   (`(?U)`, ungreedy, is rejected as unsupported);
 * - POSIX classes `[[:alpha:]]` etc. inside brackets are expanded;
 * - `\z` (end of text) becomes `$` (we never use the m flag for anchoring);
 * - `\Q...\E` literal quoting is expanded;
 * - `.` matches newline in Prometheus 3.x (the `s` flag); `dotAll: false` reproduces 2.x.
 * - Unicode classes `\pL`, `\p{Greek}` need the `u` flag, which is always set.
 * Anything else JS and RE2 both accept is passed through; syntax RE2 rejects but JS
 * accepts (backreferences `\1`, lookaround `(?=`, `(?!`, `(?<=`) is rejected here to keep
 * RE2's linear-time guarantee and Prometheus' error behaviour.
 */
import { RE2JS } from 're2js';

export class RegexError extends Error {
  override name = 'RegexError';
}

export interface RegexOptions {
  /** `.` matches `\n` (Prometheus 3.x default). */
  dotAll?: boolean;
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const cache = new Map<string, RegExp>();

/** Compiles an RE2 pattern anchored at both ends. Results are cached. */
export function compileAnchoredRegex(pattern: string, opts: RegexOptions = {}): RegExp {
  const dotAll = opts.dotAll ?? true;
  const key = (dotAll ? 's' : '-') + pattern;
  let re = cache.get(key);
  if (re) return re;
  let { source, flags } = translate(pattern);
  if (dotAll && !flags.includes('s')) flags += 's';
  try {
    re = new RegExp('^(?:' + source + ')$', flags + 'u');
  } catch (err) {
    throw new RegexError(`error parsing regexp: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  if (cache.size > 10000) cache.clear();
  cache.set(key, re);
  return re;
}

function translate(pattern: string): { source: string; flags: string } {
  let flags = '';
  let p = pattern;
  // Leading inline flag groups like (?i) or (?is).
  for (;;) {
    const m = /^\(\?([imsU]+)\)/.exec(p);
    if (!m) break;
    for (const f of m[1]!) {
      if (f === 'U') throw new RegexError('error parsing regexp: ungreedy flag (?U) is not supported');
      if (!flags.includes(f)) flags += f;
    }
    p = p.slice(m[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) throw new RegexError('error parsing regexp: trailing backslash at end of expression: ``');
      if (n === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const lit = end < 0 ? p.slice(i + 2) : p.slice(i + 2, end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? p.length : end + 1;
        continue;
      }
      if (n === 'z' && !inClass) {
        out += '$';
        i++;
        continue;
      }
      if (/[1-9]/.test(n)) throw new RegexError(`error parsing regexp: invalid escape sequence: \`\\${n}\``);
      out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2);
        if (end > 0) {
          let name = p.slice(i + 2, end);
          const negated = name.startsWith('^');
          if (negated) name = name.slice(1);
          const cls = POSIX[name];
          if (cls === undefined) throw new RegexError(`error parsing regexp: invalid character class range: \`[:${name}:]\``);
          if (negated) throw new RegexError('error parsing regexp: negated POSIX classes are not supported');
          out += cls;
          i = end + 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '/' ? '\\/' : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') {
        out += '^';
        i++;
      }
      // A leading ']' is literal in RE2.
      if (p[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) {
        throw new RegexError('error parsing regexp: invalid or unsupported Perl syntax: `(?' + rest[0] + '`');
      }
    }
    out += c;
  }
  return { source: out, flags };
}

/** What label matching needs of a compiled regex. */
export interface RegexTester {
  test(s: string): boolean;
}

/**
 * Compiles a label-matcher regex (anchored, RE2 syntax) for matching only. JavaScript's
 * backtracking engine takes exponential time on patterns such as `(a+)+b` and a single
 * match cannot be interrupted by the query timeout, so patterns with a quantified group
 * that itself repeats or alternates run on RE2JS (linear time, RE2's own semantics);
 * everything else stays on the much faster native RegExp. Errors are those of
 * compileAnchoredRegex either way.
 */
export function compileMatchRegex(pattern: string, opts: RegexOptions = {}): RegexTester {
  const native = compileAnchoredRegex(pattern, opts);
  if (!hasNestedRepetition(pattern)) return native;
  const dotAll = opts.dotAll ?? true;
  const key = (dotAll ? 'S' : '_') + pattern;
  let t = linearCache.get(key);
  if (t) return t;
  try {
    const re = RE2JS.compile((dotAll ? '^(?s:' : '^(?:') + pattern + ')$');
    t = { test: (s: string): boolean => re.matches(s) };
  } catch {
    // Syntax RE2JS does not take but the translation does (rare): keep the native one.
    t = native;
  }
  if (linearCache.size > 10000) linearCache.clear();
  linearCache.set(key, t);
  return t;
}

const linearCache = new Map<string, RegexTester>();

/** True when a quantifier applies to a group that contains a quantifier or an alternation. */
export function hasNestedRepetition(p: string): boolean {
  const stack: { rep: boolean }[] = [{ rep: false }];
  const isQuant = (c: string | undefined): boolean => c === '*' || c === '+' || c === '?' || c === '{';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      // Skip the class: a leading ']' (or '^]') is literal, escapes are skipped.
      i++;
      if (p[i] === '^') i++;
      if (p[i] === ']') i++;
      while (i < p.length && p[i] !== ']') {
        if (p[i] === '\\') i++;
        else if (p[i] === '[' && p[i + 1] === ':') {
          const end = p.indexOf(':]', i + 2);
          if (end > 0) i = end + 1;
        }
        i++;
      }
      continue;
    }
    if (c === '(') {
      stack.push({ rep: false });
      continue;
    }
    if (c === ')') {
      const f = stack.length > 1 ? stack.pop()! : { rep: false };
      if (isQuant(p[i + 1]) && f.rep) return true;
      if (f.rep || isQuant(p[i + 1])) stack[stack.length - 1]!.rep = true;
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.rep = true;
      continue;
    }
    // '?' right after '(' opens a flag or named group, not a repetition.
    if (isQuant(c) && !(c === '?' && p[i - 1] === '(')) stack[stack.length - 1]!.rep = true;
  }
  return false;
}
