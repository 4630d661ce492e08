import { MatchType, Matcher, RegexError } from '../model/index.js';

/**
 * Parses a PromQL series selector such as `up{job="a", instance=~"x.*"}` or
 * `{__name__=~"node_.+"}` into matchers (for `vigil tsdb dump --match`).
 */
export function parseSelector(s: string): Matcher[] {
  const out: Matcher[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`invalid selector ${JSON.stringify(s)} at ${i + 1}: ${msg}`);
  };
  const ws = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  ws();
  const n0 = i;
  while (i < s.length && /[a-zA-Z0-9_:]/.test(s[i]!)) i++;
  if (i > n0) out.push(new Matcher(MatchType.Equal, '__name__', s.slice(n0, i)));
  ws();
  if (s[i] === '{') {
    i++;
    for (;;) {
      ws();
      if (s[i] === '}') {
        i++;
        break;
      }
      const ls = i;
      while (i < s.length && /[a-zA-Z0-9_]/.test(s[i]!)) i++;
      if (i === ls) fail('expected a label name');
      const name = s.slice(ls, i);
      ws();
      const op = ['=~', '!~', '!=', '='].find((o) => s.startsWith(o, i));
      if (!op) fail('expected =, !=, =~ or !~');
      i += op!.length;
      ws();
      const q = s[i];
      if (q !== '"' && q !== "'" && q !== '`') fail('expected a quoted value');
      i++;
      let v = '';
      while (i < s.length && s[i] !== q) {
        if (s[i] === '\\' && q !== '`') {
          const c = s[i + 1];
          v += c === 'n' ? '\n' : c === 't' ? '\t' : (c ?? '');
          i += 2;
        } else v += s[i++];
      }
      if (s[i] !== q) fail('unterminated string');
      i++;
      try {
        out.push(new Matcher(op as MatchType, name, v));
      } catch (err) {
        if (err instanceof RegexError) fail(err.message);
        throw err;
      }
      ws();
      if (s[i] === ',') i++;
      else if (s[i] !== '}') fail('expected "," or "}"');
    }
  }
  ws();
  if (i < s.length) fail('unexpected trailing text');
  if (out.length === 0) fail('empty selector');
  return out;
}
