import type { MetricType } from './exposition.js';

/**
 * A strict parser for Prometheus text format 0.0.4, used by the textfile collector
 * (which must reject what node_exporter rejects) and by tests that read exposition
 * pages back. Errors carry the source name and line.
 */
export interface ParsedSample {
  /** The sample's own name (e.g. x_bucket for a histogram family x). */
  name: string;
  /** Label pairs in file order. */
  labels: Array<[string, string]>;
  value: number;
  timestampMs?: number;
}

export interface ParsedFamily {
  name: string;
  help?: string;
  type: MetricType;
  samples: ParsedSample[];
}

export class TextParseError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    message: string,
  ) {
    super(`${source}:${line}: ${message}`);
    this.name = 'TextParseError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'untyped', 'summary', 'histogram']);

/** Parses a float the way Go's strconv.ParseFloat does for exposition values; undefined when invalid. */
export function parseGoFloat(s: string): number | undefined {
  switch (s) {
    case '+Inf':
    case 'Inf':
    case '+inf':
    case 'inf':
      return Infinity;
    case '-Inf':
    case '-inf':
      return -Infinity;
    case 'NaN':
    case 'nan':
      return NaN;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** The family a sample name belongs to, given the histogram/summary families declared so far. */
function familyOf(name: string, declared: Map<string, ParsedFamily>): ParsedFamily | undefined {
  const f = declared.get(name);
  if (f) return f;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = declared.get(name.slice(0, -suffix.length));
    if (base && (base.type === 'histogram' || (base.type === 'summary' && suffix !== '_bucket'))) return base;
  }
  return undefined;
}

export function parseTextFormat(text: string, source = 'input'): ParsedFamily[] {
  const families = new Map<string, ParsedFamily>();
  const order: ParsedFamily[] = [];
  const seenSeries = new Set<string>();
  const lines = text.split('\n');
  const get = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
      order.push(f);
    }
    return f;
  };
  for (let ln = 0; ln < lines.length; ln++) {
    const lineNo = ln + 1;
    let line = lines[ln]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    const err = (msg: string): TextParseError => new TextParseError(source, lineNo, msg);
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) continue; // plain comment
      const [, kw, name, rest = ''] = m as unknown as [string, string, string, string | undefined];
      if (!METRIC_NAME.test(name)) throw err(`invalid metric name ${JSON.stringify(name)} in ${kw} line`);
      const fam = get(name);
      if (kw === 'HELP') {
        if (fam.help !== undefined) throw err(`second HELP line for metric name ${JSON.stringify(name)}`);
        fam.help = rest.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      } else {
        const t = rest.trim();
        if (!TYPES.has(t)) throw err(`unknown metric type ${JSON.stringify(t)}`);
        if (fam.samples.length > 0) throw err(`TYPE line for ${JSON.stringify(name)} after its samples`);
        if ((fam as { typed?: boolean }).typed) throw err(`second TYPE line for metric name ${JSON.stringify(name)}`);
        (fam as { typed?: boolean }).typed = true;
        fam.type = t as MetricType;
      }
      continue;
    }
    // Sample line: name [{labels}] value [timestamp]
    let i = 0;
    while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!)) i++;
    const name = line.slice(0, i);
    if (!METRIC_NAME.test(name)) throw err(`invalid metric name at column 1`);
    const labels: Array<[string, string]> = [];
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '{') {
      i++;
      for (;;) {
        while (line[i] === ' ' || line[i] === '\t') i++;
        if (line[i] === '}') {
          i++;
          break;
        }
        const ls = i;
        while (i < line.length && /[a-zA-Z0-9_]/.test(line[i]!)) i++;
        const lname = line.slice(ls, i);
        if (!LABEL_NAME.test(lname)) throw err(`invalid label name for metric ${JSON.stringify(name)} at column ${ls + 1}`);
        while (line[i] === ' ' || line[i] === '\t') i++;
        if (line[i] !== '=') throw err(`expected "=" after label name ${JSON.stringify(lname)} at column ${i + 1}`);
        i++;
        while (line[i] === ' ' || line[i] === '\t') i++;
        if (line[i] !== '"') throw err(`expected '"' to start the value of label ${JSON.stringify(lname)} at column ${i + 1}`);
        i++;
        let v = '';
        for (;;) {
          if (i >= line.length) throw err(`unterminated value of label ${JSON.stringify(lname)}`);
          const c = line[i]!;
          if (c === '"') {
            i++;
            break;
          }
          if (c === '\\') {
            const n = line[i + 1];
            if (n === 'n') v += '\n';
            else if (n === '\\' || n === '"') v += n;
            else throw err(`invalid escape sequence "\\${n ?? ''}" in label value at column ${i + 1}`);
            i += 2;
            continue;
          }
          v += c;
          i++;
        }
        if (labels.some(([k]) => k === lname)) throw err(`duplicate label name ${JSON.stringify(lname)}`);
        labels.push([lname, v]);
        while (line[i] === ' ' || line[i] === '\t') i++;
        if (line[i] === ',') {
          i++;
          continue;
        }
        if (line[i] === '}') {
          i++;
          break;
        }
        throw err(`expected "," or "}" after label value at column ${i + 1}`);
      }
    }
    const rest = line.slice(i).trim().split(/[ \t]+/);
    if (rest.length === 0 || rest[0] === '') throw err(`missing value for metric ${JSON.stringify(name)}`);
    if (rest.length > 2) throw err(`unexpected text after value and timestamp: ${JSON.stringify(rest.slice(2).join(' '))}`);
    const value = parseGoFloat(rest[0]!);
    if (value === undefined) throw err(`invalid value ${JSON.stringify(rest[0])}`);
    const sample: ParsedSample = { name, labels, value };
    if (rest.length === 2) {
      if (!/^-?\d+$/.test(rest[1]!)) throw err(`invalid timestamp ${JSON.stringify(rest[1])}`);
      sample.timestampMs = Number(rest[1]);
    }
    const fam = familyOf(name, families) ?? get(name);
    const key = name + '\u0000' + [...labels].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => k + '\u0001' + v).join('\u0000');
    if (seenSeries.has(key)) throw err(`duplicate sample for ${JSON.stringify(name)} with the same labels`);
    seenSeries.add(key);
    fam.samples.push(sample);
  }
  for (const f of order) delete (f as { typed?: boolean }).typed;
  return order.filter((f) => f.samples.length > 0 || f.help !== undefined);
}
