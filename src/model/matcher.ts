import { compileMatchRegex, type RegexOptions, type RegexTester } from './regex.js';

export enum MatchType {
  Equal = '=',
  NotEqual = '!=',
  Regexp = '=~',
  NotRegexp = '!~',
}

/**
 * A label matcher (Prometheus labels.Matcher). Regex matchers are fully anchored.
 * A missing label matches as the empty string, as in Prometheus.
 */
export class Matcher {
  private readonly re: RegexTester | null;
  /** For regexes that are a plain alternation of literals ("a|b|c"): the set of literals. */
  readonly setMatches: ReadonlySet<string> | null;

  constructor(
    readonly type: MatchType,
    readonly name: string,
    readonly value: string,
    opts: RegexOptions = {},
  ) {
    if (type === MatchType.Regexp || type === MatchType.NotRegexp) {
      this.re = compileMatchRegex(value, opts);
      this.setMatches = literalAlternation(value);
    } else {
      this.re = null;
      this.setMatches = null;
    }
  }

  matches(v: string): boolean {
    switch (this.type) {
      case MatchType.Equal:
        return v === this.value;
      case MatchType.NotEqual:
        return v !== this.value;
      case MatchType.Regexp:
        return this.setMatches ? this.setMatches.has(v) : this.re!.test(v);
      case MatchType.NotRegexp:
        return this.setMatches ? !this.setMatches.has(v) : !this.re!.test(v);
    }
  }

  /** True when the matcher also matches the empty string (i.e. series without the label). */
  matchesEmpty(): boolean {
    return this.matches('');
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}

export function newMatcher(type: MatchType, name: string, value: string, opts?: RegexOptions): Matcher {
  return new Matcher(type, name, value, opts);
}

/** Returns the literals of "a|b|c" when the regex has no metacharacters, else null. */
function literalAlternation(re: string): Set<string> | null {
  if (re === '' || /[\\^$.*+?()[\]{}]/.test(re)) return null;
  return new Set(re.split('|'));
}

/** Whether a label set (as a lookup function) satisfies all matchers. */
export function matchAll(matchers: readonly Matcher[], get: (name: string) => string): boolean {
  for (const m of matchers) if (!m.matches(get(m.name))) return false;
  return true;
}
