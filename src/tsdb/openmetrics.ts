import type { Label } from '../model/index.js';

/**
 * A small OpenMetrics / Prometheus-text sample reader for `vigil tsdb import
 * openmetrics`, line by line so files of any size stream through (the scrape
 * parser in src/textparse takes a whole body and sits on the other side of the
 * import rules). It reads
 *   name{label="value",...} value [timestamp]
 * lines, skips comments (# TYPE/HELP/UNIT) and exemplars, stops at "# EOF",
 * and reports errors with line and column. Timestamps are seconds (OpenMetrics);
 * samples without one are rejected, as promtool does for imports.
 */
export class ParseError extends Error {}

export interface ParsedSample {
  labels: Label[];
  t: number;
  v: number;
}

/** [a-zA-Z_:], and digits after the first character (metric and label names). */
function isNameChar(c: number, first: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (!first && c >= 48 && c <= 57);
}

export function parseOpenMetricsLine(line: string, lineNo: number, file: string): ParsedSample | 'eof' | null {
  if (line === '') return null;
  if (line.charCodeAt(0) === 35 /* # */) return line.startsWith('# EOF') ? 'eof' : null;
  if (line.trim() === '') return null;
  let i = 0;
  const fail = (msg: string): never => {
    throw new ParseError(`${file}:${lineNo}:${i + 1}: ${msg}`);
  };
  const len = line.length;
  while (i < len && isNameChar(line.charCodeAt(i), i === 0)) i++;
  if (i === 0) fail('expected a metric name');
  const name = line.slice(0, i);
  const labels: Label[] = [{ name: '__name__', value: name }];
  if (line.charCodeAt(i) === 123 /* { */) {
    i++;
    for (;;) {
      while (line.charCodeAt(i) === 32) i++;
      if (line.charCodeAt(i) === 125 /* } */) {
        i++;
        break;
      }
      const ls = i;
      while (i < len && isNameChar(line.charCodeAt(i), i === ls)) i++;
      if (i === ls) fail('expected a label name');
      const ln = line.slice(ls, i);
      if (line.charCodeAt(i) !== 61 /* = */) fail(`expected "=" after label name ${JSON.stringify(ln)}`);
      i++;
      if (line.charCodeAt(i) !== 34 /* " */) fail('expected a quoted label value');
      i++;
      // Fast path: no escapes in the value.
      const vs = i;
      while (i < len && line.charCodeAt(i) !== 34 && line.charCodeAt(i) !== 92) i++;
      let v = line.slice(vs, i);
      if (line.charCodeAt(i) === 92 /* \ */) {
        while (i < len && line.charCodeAt(i) !== 34) {
          if (line.charCodeAt(i) === 92) {
            const n = line[i + 1];
            if (n === 'n') v += '\n';
            else if (n === '\\' || n === '"') v += n;
            else fail(`invalid escape \\${n ?? ''}`);
            i += 2;
          } else v += line[i++];
        }
      }
      if (line.charCodeAt(i) !== 34) fail('unterminated label value');
      i++;
      for (const l of labels) if (l.name === ln) fail(`duplicate label ${JSON.stringify(ln)}`);
      if (v !== '') labels.push({ name: ln, value: v });
      while (line.charCodeAt(i) === 32) i++;
      if (line.charCodeAt(i) === 44 /* , */) i++;
      else if (line.charCodeAt(i) !== 125) fail('expected "," or "}"');
    }
  }
  if (line.charCodeAt(i) !== 32) fail('expected a space before the value');
  while (line.charCodeAt(i) === 32) i++;
  // value, then timestamp, separated by spaces; an exemplar ("# ...") may follow.
  const v0 = i;
  while (i < len && line.charCodeAt(i) !== 32) i++;
  const valueText = line.slice(v0, i);
  while (line.charCodeAt(i) === 32) i++;
  const t0 = i;
  while (i < len && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 35) i++;
  const tsText = line.slice(t0, i);
  const v = parseFloatStrict(valueText);
  if (v === null) fail(`invalid value ${JSON.stringify(valueText)}`);
  if (tsText === '') fail('sample has no timestamp (imports need one)');
  const ts = Number(tsText);
  if (!Number.isFinite(ts)) fail(`invalid timestamp ${JSON.stringify(tsText)}`);
  if (labels.length > 1) labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { labels, t: Math.round(ts * 1000), v: v! };
}

function parseFloatStrict(s: string): number | null {
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  return Number(s);
}
