import type { Label } from '../model/index.js';

/**
 * A deliberately minimal OpenMetrics / Prometheus-text sample reader for
 * `vigil tsdb import openmetrics` (the full parser lives in src/textparse on
 * another branch; switch to it once merged). It reads
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

export function parseOpenMetricsLine(line: string, lineNo: number, file: string): ParsedSample | 'eof' | null {
  if (line === '' || line.trim() === '') return null;
  if (line.startsWith('#')) return line.startsWith('# EOF') ? 'eof' : null;
  let i = 0;
  const fail = (msg: string): never => {
    throw new ParseError(`${file}:${lineNo}:${i + 1}: ${msg}`);
  };
  const isNameChar = (c: string, first: boolean): boolean => /[a-zA-Z_:]/.test(c) || (!first && /[0-9]/.test(c));
  const start = i;
  while (i < line.length && isNameChar(line[i]!, i === start)) i++;
  if (i === start) fail('expected a metric name');
  const name = line.slice(start, i);
  const labels: Label[] = [{ name: '__name__', value: name }];
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const ls = i;
      while (i < line.length && isNameChar(line[i]!, i === ls)) i++;
      if (i === ls) fail('expected a label name');
      const ln = line.slice(ls, i);
      if (line[i] !== '=') fail(`expected "=" after label name ${JSON.stringify(ln)}`);
      i++;
      if (line[i] !== '"') fail('expected a quoted label value');
      i++;
      let v = '';
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\') {
          const n = line[i + 1];
          if (n === 'n') v += '\n';
          else if (n === '\\' || n === '"') v += n;
          else fail(`invalid escape \\${n ?? ''}`);
          i += 2;
        } else v += line[i++];
      }
      if (line[i] !== '"') fail('unterminated label value');
      i++;
      if (labels.some((l) => l.name === ln)) fail(`duplicate label ${JSON.stringify(ln)}`);
      if (v !== '') labels.push({ name: ln, value: v });
      while (line[i] === ' ') i++;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') fail('expected "," or "}"');
    }
  }
  if (line[i] !== ' ') fail('expected a space before the value');
  while (line[i] === ' ') i++;
  const rest = line.slice(i).split('#')[0]!.trim().split(/\s+/);
  const v = parseFloatStrict(rest[0] ?? '');
  if (v === null) fail(`invalid value ${JSON.stringify(rest[0] ?? '')}`);
  if (rest.length < 2) fail('sample has no timestamp (imports need one)');
  const ts = Number(rest[1]);
  if (!Number.isFinite(ts)) fail(`invalid timestamp ${JSON.stringify(rest[1])}`);
  labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
