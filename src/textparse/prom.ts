import { isDigit, isMetricNameStart, parseGoFloat } from './float.js';
import { BaseParser, NL, SP, TAB, unescapeHelp } from './base.js';
import type { Entry, MetricType } from './types.js';

const TEXT_TYPES: Record<string, MetricType> = { counter: 'counter', gauge: 'gauge', histogram: 'histogram', summary: 'summary', untyped: 'unknown' };

/**
 * Prometheus text format 0.0.4 (the grammar of Prometheus' promlex.l): lenient
 * whitespace, free-form comments, `untyped`, optional commas between labels,
 * integer millisecond timestamps.
 */
export class PromParser extends BaseParser {
  next(): Entry {
    const s = this.s;
    for (;;) {
      if (this.pos >= s.length) return 'eof';
      const c = s.charCodeAt(this.pos);
      this.entryLine = this.lineNo;
      if (c === NL) {
        this.pos++;
        this.lineNo++;
        continue;
      }
      if (c === SP || c === TAB) {
        const ws = this.pos;
        this.skipBlanks();
        // Prometheus 2.42's series token starts at the blanks, so the metric name
        // includes them and the sample is later rejected as an invalid metric name.
        if (this.pos < s.length && isMetricNameStart(s.charCodeAt(this.pos))) return this.series(ws);
        continue;
      }
      if (c === 35 /* # */) return this.comment();
      if (isMetricNameStart(c)) return this.series();
      this.fail(`${this.got()} is not a valid start token`);
    }
  }

  private endOfLine(): number {
    const i = this.s.indexOf('\n', this.pos);
    return i < 0 ? this.s.length : i;
  }

  private finishLine(eol: number): void {
    this.pos = eol < this.s.length ? eol + 1 : eol;
    if (eol < this.s.length) this.lineNo++;
  }

  private comment(): Entry {
    const s = this.s;
    const eol = this.endOfLine();
    let i = this.pos + 1;
    const afterHash = i;
    while (i < eol && (s.charCodeAt(i) === SP || s.charCodeAt(i) === TAB)) i++;
    let kind: 'help' | 'type' | null = null;
    if (i > afterHash && i + 4 < eol + 1) {
      const w = s.slice(i, i + 4);
      const sep = s.charCodeAt(i + 4);
      if ((w === 'HELP' || w === 'TYPE') && (sep === SP || sep === TAB)) kind = w === 'HELP' ? 'help' : 'type';
    }
    if (kind === null) {
      this.text = s.slice(this.pos, eol);
      this.finishLine(eol);
      return 'comment';
    }
    i += 4;
    while (i < eol && (s.charCodeAt(i) === SP || s.charCodeAt(i) === TAB)) i++;
    this.pos = i;
    const ne = this.readMetricName();
    if (ne === i || !isMetricNameStart(s.charCodeAt(i))) this.fail(`expected metric name after ${kind === 'help' ? 'HELP' : 'TYPE'}, got ${this.got(i)}`);
    this.mName = s.slice(i, ne);
    // The lexer's text token includes the separator after the name; Prometheus drops its first byte.
    let text = ne + 1 <= eol ? s.slice(ne + 1, eol) : '';
    if (kind === 'type') {
      const t = TEXT_TYPES[text];
      if (t === undefined) this.fail(`invalid metric type "${text}"`);
      this.mType = t;
    } else {
      if (this.bytesMode) text = this.utf8(text, 'help text is not a valid utf8 string');
      this.text = unescapeHelp(text);
    }
    this.finishLine(eol);
    return kind;
  }

  private series(start = this.pos): Entry {
    const s = this.s;
    this.start = start;
    this.nLabels = 0;
    this.nameEnd = this.readMetricName();
    this.pos = this.nameEnd;
    this.seriesEnd = this.nameEnd;
    this.skipBlanks();
    if (s.charCodeAt(this.pos) === 123 /* { */) {
      this.pos++;
      this.labelBlock();
      this.seriesEnd = this.pos;
      this.skipBlanks();
    }
    // Value: any run of characters up to a blank, '{' or newline.
    const vs = this.pos;
    let i = vs;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === SP || c === TAB || c === NL || c === 123) break;
      i++;
    }
    if (i === vs) this.fail(`expected value after metric, got ${this.got(i)}`);
    const v = parseGoFloat(s, vs, i);
    if (v === undefined) this.fail(`invalid value "${s.slice(vs, i)}" while parsing "${s.slice(this.start, i)}"`);
    this.val = v;
    this.pos = i;
    this.ts = null;
    this.skipBlanks();
    if (this.pos >= s.length || s.charCodeAt(this.pos) === NL) {
      this.finishLine(this.pos);
      return 'series';
    }
    if (!isDigit(s.charCodeAt(this.pos))) this.fail(`expected timestamp or new record, got ${this.got()}`);
    const tsStart = this.pos;
    while (this.pos < s.length && isDigit(s.charCodeAt(this.pos))) this.pos++;
    const tsText = s.slice(tsStart, this.pos);
    const ts = Number(tsText);
    if (tsText.length > 19 || ts > 9223372036854775807) this.fail(`invalid timestamp "${tsText}"`);
    this.ts = ts;
    this.skipBlanks();
    if (this.pos < s.length && s.charCodeAt(this.pos) !== NL) this.fail(`expected next entry after timestamp, got ${this.got()}`);
    this.finishLine(this.pos);
    return 'series';
  }

  /** After '{': label pairs, commas optional (as Prometheus' parser), trailing comma allowed. */
  private labelBlock(): void {
    const s = this.s;
    this.skipBlanks();
    for (;;) {
      if (s.charCodeAt(this.pos) === 125 /* } */) {
        this.pos++;
        return;
      }
      const ns = this.pos;
      const ne = this.labelName();
      this.pos = ne;
      this.skipBlanks();
      if (s.charCodeAt(this.pos) !== 61 /* = */) this.fail(`expected equal, got ${this.got()}`);
      this.pos++;
      this.skipBlanks();
      const q = this.quoted(true);
      if (this.bytesMode) this.utf8(s.slice(this.pos + 1, q - 1), 'invalid UTF-8 label value');
      this.pushLabel(ns, ne, this.pos + 1, q - 1);
      this.pos = q;
      this.skipBlanks();
      if (s.charCodeAt(this.pos) === 44 /* , */) {
        this.pos++;
        this.skipBlanks();
      }
    }
  }
}
