import { isMetricNameStart, parseGoFloat } from './float.js';
import { BaseParser, NL, SP, unescapeHelp } from './base.js';
import type { Entry, MetricType } from './types.js';

const OM_TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);

/**
 * OpenMetrics 1.0 text (the grammar of Prometheus 2.42's openmetricslex.l): single
 * spaces between tokens, only HELP/TYPE/UNIT/EOF comments, no blank lines, float
 * second timestamps, optional exemplars (validated, then dropped), and a mandatory
 * `# EOF` with nothing after it. `_created` samples are ordinary series, as in 2.42.
 */
export class OpenMetricsParser extends BaseParser {
  private sawEOF = false;

  next(): Entry {
    const s = this.s;
    if (this.sawEOF) return 'eof';
    this.entryLine = this.lineNo;
    if (this.pos >= s.length) this.fail('data does not end with # EOF');
    const c = s.charCodeAt(this.pos);
    if (c === 35 /* # */) return this.meta();
    if (isMetricNameStart(c)) return this.series();
    this.fail(`${this.got()} is not a valid start token`);
  }

  private meta(): Entry {
    const s = this.s;
    const p = this.pos;
    if (s.charCodeAt(p + 1) !== SP) this.fail(`${this.got(p)} is not a valid start token`);
    if (s.startsWith('EOF', p + 2) && (p + 5 === s.length || s.charCodeAt(p + 5) === NL)) {
      const end = p + 5 === s.length ? p + 5 : p + 6;
      if (end < s.length) this.fail('unexpected data after # EOF');
      this.pos = end;
      this.sawEOF = true;
      return 'eof';
    }
    const kw = s.slice(p + 2, p + 6);
    let kind: 'help' | 'type' | 'unit';
    if (kw === 'HELP') kind = 'help';
    else if (kw === 'TYPE') kind = 'type';
    else if (kw === 'UNIT') kind = 'unit';
    else this.fail(`"#" is not a valid start token (expected HELP, TYPE, UNIT or EOF), got ${this.got(p + 2)}`);
    if (s.charCodeAt(p + 6) !== SP) this.fail(`expected a space after ${kw}, got ${this.got(p + 6)}`);
    this.pos = p + 7;
    const ns = this.pos;
    const ne = this.readMetricName();
    if (ne === ns || !isMetricNameStart(s.charCodeAt(ns))) this.fail(`expected metric name after ${kw}, got ${this.got(ns)}`);
    this.mName = s.slice(ns, ne);
    const eol = s.indexOf('\n', ne);
    if (s.charCodeAt(ne) !== SP || eol < 0) this.fail(`expected text in ${kw}`);
    let text = s.slice(ne + 1, eol);
    if (kind === 'type') {
      if (!OM_TYPES.has(text as MetricType)) this.fail(`invalid metric type "${text}"`);
      this.mType = text as MetricType;
    } else if (kind === 'help') {
      if (this.bytesMode) text = this.utf8(text, 'help text is not a valid utf8 string');
      this.text = unescapeHelp(text);
    } else {
      const m = this.mName;
      if (text.length > 0 && (!m.endsWith(text) || m.length < text.length + 1 || m[m.length - text.length - 1] !== '_')) {
        this.fail(`unit not a suffix of metric "${m}"`);
      }
      this.text = text;
    }
    this.pos = eol + 1;
    this.lineNo++;
    return kind;
  }

  private series(): Entry {
    const s = this.s;
    this.start = this.pos;
    this.nLabels = 0;
    this.nameEnd = this.readMetricName();
    this.pos = this.nameEnd;
    this.seriesEnd = this.nameEnd;
    if (s.charCodeAt(this.pos) === 123 /* { */) {
      this.pos++;
      this.labelBlock(true);
      this.seriesEnd = this.pos;
    }
    this.val = this.spacedFloat('expected value after metric', 'value');
    this.ts = null;
    if (this.atLineEnd()) return 'series';
    // Either " <timestamp>" or " # {exemplar}".
    if (s.charCodeAt(this.pos) === SP && s.charCodeAt(this.pos + 1) === 35 && s.charCodeAt(this.pos + 2) === SP) {
      this.exemplar();
      return 'series';
    }
    const ts = this.spacedFloat('expected timestamp or # symbol', 'timestamp');
    if (Number.isNaN(ts) || !Number.isFinite(ts)) this.fail(`invalid timestamp ${ts}`);
    this.ts = Math.trunc(ts * 1000);
    if (this.atLineEnd()) return 'series';
    if (s.charCodeAt(this.pos) === SP && s.charCodeAt(this.pos + 1) === 35 && s.charCodeAt(this.pos + 2) === SP) {
      this.exemplar();
      return 'series';
    }
    this.fail(`expected next entry after timestamp, got ${this.got()}`);
  }

  /** Consumes "\n" if at one; fails at end of data (no # EOF). */
  private atLineEnd(): boolean {
    if (this.pos >= this.s.length) this.fail('data does not end with # EOF');
    if (this.s.charCodeAt(this.pos) !== NL) return false;
    this.pos++;
    this.lineNo++;
    return true;
  }

  /** " <float>" where the float runs to the next space or newline. */
  private spacedFloat(expected: string, what: string): number {
    const s = this.s;
    if (s.charCodeAt(this.pos) !== SP || this.pos + 1 >= s.length || s.charCodeAt(this.pos + 1) === SP || s.charCodeAt(this.pos + 1) === NL) {
      this.fail(`${expected}, got ${this.got()}`);
    }
    const vs = this.pos + 1;
    let i = vs;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === SP || c === NL) break;
      i++;
    }
    const v = parseGoFloat(s, vs, i);
    if (v === undefined) this.fail(`invalid ${what} "${s.slice(vs, i)}" while parsing "${s.slice(this.start, i)}"`);
    this.pos = i;
    return v;
  }

  /** ` # {labels} value [timestamp]` up to the newline; exemplars are validated and dropped. */
  private exemplar(): void {
    const s = this.s;
    this.pos += 3;
    if (s.charCodeAt(this.pos) !== 123) this.fail(`expected label set of exemplar, got ${this.got()}`);
    this.pos++;
    const saved = this.nLabels;
    this.labelBlock(false);
    this.nLabels = saved;
    this.spacedFloat('expected value after exemplar labels', 'exemplar value');
    if (this.atLineEnd()) return;
    const ts = this.spacedFloat('expected timestamp or comment', 'exemplar timestamp');
    if (!Number.isFinite(ts)) this.fail(`invalid exemplar timestamp ${ts}`);
    if (!this.atLineEnd()) this.fail(`expected next entry after exemplar timestamp, got ${this.got()}`);
  }

  private labelBlock(keep: boolean): void {
    const s = this.s;
    for (;;) {
      if (s.charCodeAt(this.pos) === 125 /* } */) {
        this.pos++;
        return;
      }
      const ns = this.pos;
      const ne = this.labelName();
      this.pos = ne;
      if (s.charCodeAt(this.pos) !== 61 /* = */) this.fail(`expected equal, got ${this.got()}`);
      this.pos++;
      const q = this.quoted(false);
      if (this.bytesMode) this.utf8(s.slice(this.pos + 1, q - 1), 'invalid UTF-8 label value');
      if (keep) this.pushLabel(ns, ne, this.pos + 1, q - 1);
      this.pos = q;
      const c = s.charCodeAt(this.pos);
      if (c === 44 /* , */) this.pos++;
      else if (c !== 125) this.fail(`expected comma or brace close, got ${this.got()}`);
    }
  }
}
