/**
 * Go's regexp.Expand template semantics for relabel replacements: `$1`, `${1}`,
 * `$name`, `${name}`, `$$` for a literal dollar. A name is the longest run of
 * letters, digits and underscores, so `$1x` means the (missing) group "1x" and
 * expands to nothing, exactly as in Prometheus. A malformed `$` is copied as is.
 */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  if (template.indexOf('$') < 0) return template;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf('$', i);
    if (d < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, d);
    i = d + 1;
    if (i < template.length && template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name = '';
    let end = i;
    if (template[i] === '{') {
      const close = template.indexOf('}', i + 1);
      if (close < 0) {
        out += '$';
        continue;
      }
      name = template.slice(i + 1, close);
      if (!isName(name)) {
        out += '$';
        continue;
      }
      end = close + 1;
    } else {
      while (end < template.length && isNameChar(template.charCodeAt(end), template[end]!)) end++;
      name = template.slice(i, end);
      if (name === '') {
        out += '$';
        continue;
      }
    }
    i = end;
    out += groupValue(name, match);
  }
  return out;
}

function groupValue(name: string, m: RegExpExecArray): string {
  let num = -1;
  if (/^[0-9]+$/.test(name) && !(name.length > 1 && name[0] === '0') && name.length <= 8) num = Number(name);
  if (num >= 0) return num < m.length ? (m[num] ?? '') : '';
  return m.groups?.[name] ?? '';
}

function isName(s: string): boolean {
  if (s === '') return false;
  for (let i = 0; i < s.length; i++) if (!isNameChar(s.charCodeAt(i), s[i]!)) return false;
  return true;
}

function isNameChar(c: number, ch: string): boolean {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) return true;
  return c > 127 && /[\p{L}\p{Nd}]/u.test(ch);
}
