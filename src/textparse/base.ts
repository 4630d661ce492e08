import { isUtf8 } from 'node:buffer';
import { labelsFromPairs, type Label, type Labels } from '../model/index.js';
import { describe, isLabelNameChar, isLabelNameStart, isMetricNameChar } from './float.js';
import { ParseError, type Entry, type MetricType, type Parser } from './types.js';

export const NL = 10;
export const SP = 32;
export const TAB = 9;
export const QUOTE = 34;
export const BACKSLASH = 92;

/**
 * State and helpers shared by the text and OpenMetrics parsers. The body is a JS
 * string; when it is not valid UTF-8 it is decoded as latin1 (one char per byte)
 * and the places where Prometheus requires UTF-8 (label values, help text) are
 * re-decoded and checked, so invalid bytes elsewhere (comments) are tolerated as
 * in Prometheus.
 */
export abstract class BaseParser implements Parser {
  protected pos = 0;
  protected lineNo = 1;
  protected entryLine = 1;
  protected start = 0;
  protected seriesEnd = 0;
  protected nameEnd = 0;
  protected val = 0;
  protected ts: number | null = null;
  protected mName = '';
  protected text = '';
  protected mType: MetricType = 'unknown';
  /** Per label: name start, name end, value start, value end (value without quotes). */
  protected offs = new Int32Array(64);
  protected nLabels = 0;

  constructor(
    protected readonly s: string,
    /** True when `s` holds latin1-decoded bytes because the body is not valid UTF-8. */
    protected readonly bytesMode: boolean,
  ) {}

  abstract next(): Entry;

  line(): number {
    return this.entryLine;
  }
  seriesText(): string {
    return this.s.slice(this.start, this.seriesEnd);
  }
  metricName(): string {
    return this.s.slice(this.start, this.nameEnd);
  }
  value(): number {
    return this.val;
  }
  timestamp(): number | null {
    return this.ts;
  }
  metaName(): string {
    return this.mName;
  }
  helpText(): string {
    return this.text;
  }
  unitText(): string {
    return this.text;
  }
  commentText(): string {
    return this.text;
  }
  metricType(): MetricType {
    return this.mType;
  }

  labels(): Labels {
    const out: Label[] = [{ name: '__name__', value: this.metricName() }];
    const o = this.offs;
    for (let i = 0; i < this.nLabels; i++) {
      const b = i * 4;
      const name = this.s.slice(o[b]!, o[b + 1]!);
      let value = this.s.slice(o[b + 2]!, o[b + 3]!);
      if (value.indexOf('\\') >= 0) value = unescapeLabelValue(value);
      if (this.bytesMode) value = this.utf8(value, 'invalid UTF-8 label value');
      out.push({ name, value });
    }
    return labelsFromPairs(out);
  }

  protected fail(detail: string, line = this.lineNo): never {
    throw new ParseError(line, detail);
  }

  protected got(i = this.pos): string {
    return describe(this.s, i);
  }

  /** Re-decodes latin1-held bytes as UTF-8, failing on invalid sequences. */
  protected utf8(v: string, msg: string): string {
    const b = Buffer.from(v, 'latin1');
    if (!isValidUtf8(b)) this.fail(msg);
    return b.toString('utf8');
  }

  protected skipBlanks(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c !== SP && c !== TAB) break;
      this.pos++;
    }
  }

  protected readMetricName(): number {
    const s = this.s;
    let i = this.pos;
    while (i < s.length && isMetricNameChar(s.charCodeAt(i))) i++;
    return i;
  }

  protected pushLabel(ns: number, ne: number, vs: number, ve: number): void {
    const b = this.nLabels * 4;
    if (b + 4 > this.offs.length) {
      const n = new Int32Array(this.offs.length * 2);
      n.set(this.offs);
      this.offs = n;
    }
    this.offs[b] = ns;
    this.offs[b + 1] = ne;
    this.offs[b + 2] = vs;
    this.offs[b + 3] = ve;
    this.nLabels++;
  }

  /** Reads a label name at pos; returns its end, or fails with `expected label name`. */
  protected labelName(): number {
    const s = this.s;
    if (this.pos >= s.length || !isLabelNameStart(s.charCodeAt(this.pos))) this.fail(`expected label name, got ${this.got()}`);
    let i = this.pos + 1;
    while (i < s.length && isLabelNameChar(s.charCodeAt(i))) i++;
    return i;
  }

  /**
   * Reads a quoted label value at pos (pos on the opening quote); returns the index
   * after the closing quote. Any escaped character is accepted by the lexer, as in
   * Prometheus; raw newlines inside the quotes are too (text format).
   */
  protected quoted(allowNewline: boolean): number {
    const s = this.s;
    if (s.charCodeAt(this.pos) !== QUOTE) this.fail(`expected label value, got ${this.got()}`);
    let i = this.pos + 1;
    for (;;) {
      if (i >= s.length) this.fail('unterminated label value');
      const c = s.charCodeAt(i);
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) {
        if (i + 1 >= s.length || s.charCodeAt(i + 1) === NL) this.fail('invalid escape at end of label value');
        i += 2;
        continue;
      }
      if (c === NL) {
        if (!allowNewline) this.fail('unexpected newline in label value');
        this.lineNo++;
      }
      i++;
    }
  }
}

/** Prometheus' lvalReplacer: \" \\ \n are unescaped, any other escape is kept verbatim. */
export function unescapeLabelValue(v: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < v.length; i++) {
    if (v.charCodeAt(i) !== BACKSLASH || i + 1 >= v.length) continue;
    const n = v[i + 1];
    const rep = n === '"' ? '"' : n === '\\' ? '\\' : n === 'n' ? '\n' : null;
    if (rep !== null) {
      out += v.slice(last, i) + rep;
      last = i + 2;
    }
    i++;
  }
  return last === 0 ? v : out + v.slice(last);
}

/** Help text escapes: \\ and \n (Prometheus' helpReplacer). */
export function unescapeHelp(v: string): string {
  if (v.indexOf('\\') < 0) return v;
  let out = '';
  let last = 0;
  for (let i = 0; i < v.length; i++) {
    if (v.charCodeAt(i) !== BACKSLASH || i + 1 >= v.length) continue;
    const n = v[i + 1];
    if (n === '\\' || n === 'n') {
      out += v.slice(last, i) + (n === 'n' ? '\n' : '\\');
      last = i + 2;
    }
    i++;
  }
  return out + v.slice(last);
}

export function isValidUtf8(b: Uint8Array): boolean {
  return isUtf8(b);
}
