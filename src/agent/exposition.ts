import { escapeHelp, escapeLabelValue, formatGoFloat } from './format.js';

/** Metric types of the text exposition format. */
export type MetricType = 'counter' | 'gauge' | 'untyped' | 'summary' | 'histogram';

/**
 * One metric family being built. Sample lines are appended to a single string
 * (V8 keeps it as a rope, so appends are cheap) instead of one object per sample.
 * Label pairs are passed flat (name, value, name, value, …) already sorted by
 * name, which is the order client_golang prints them in.
 */
export class Family {
  text = '';
  samples = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
  ) {}

  /** Adds a sample with no labels. */
  add(value: number): void {
    this.text += this.name + ' ' + formatGoFloat(value) + '\n';
    this.samples++;
  }

  /** Adds a sample with one label. */
  add1(name: string, value: string, v: number): void {
    this.text += this.name + '{' + name + '="' + escapeLabelValue(value) + '"} ' + formatGoFloat(v) + '\n';
    this.samples++;
  }

  /** Adds a sample with labels given as alternating names and values, sorted by name. */
  addLabels(pairs: readonly string[], v: number): void {
    let s = this.name + '{';
    for (let i = 0; i < pairs.length; i += 2) {
      if (i > 0) s += ',';
      s += pairs[i]! + '="' + escapeLabelValue(pairs[i + 1]!) + '"';
    }
    this.text += s + '} ' + formatGoFloat(v) + '\n';
    this.samples++;
  }

  /** Adds a line already rendered as `{labels} value` (textfile pass-through). */
  addRaw(labelsAndValue: string): void {
    this.text += this.name + labelsAndValue + '\n';
    this.samples++;
  }
}

/**
 * Collects the families one collector emits during one scrape. Each collector gets
 * its own sink so that collectors can run concurrently; the sinks are merged and
 * sorted by family name when the page is rendered (client_golang sorts too).
 */
export class MetricSink {
  readonly families = new Map<string, Family>();

  /** Returns the family, creating it on first use. */
  family(name: string, help: string, type: MetricType): Family {
    let f = this.families.get(name);
    if (f === undefined) {
      f = new Family(name, help, type);
      this.families.set(name, f);
    }
    return f;
  }

  gauge(name: string, help: string): Family {
    return this.family(name, help, 'gauge');
  }

  counter(name: string, help: string): Family {
    return this.family(name, help, 'counter');
  }
}

/**
 * Renders families as Prometheus text format 0.0.4, empty ones skipped. Families are
 * sorted by name and series by label values, as client_golang gathers them, so a
 * page lines up with node_exporter's. Within a family every line starts with the
 * same name and sorted label names, so comparing whole lines orders by label values;
 * histogram/summary families keep their bucket order.
 */
export function renderFamilies(families: Iterable<Family>): string {
  const list: Family[] = [];
  for (const f of families) if (f.samples > 0) list.push(f);
  list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let out = '';
  for (const f of list) {
    let text = f.text;
    if (f.samples > 1 && f.type !== 'histogram' && f.type !== 'summary') {
      const ls = text.split('\n');
      ls.pop();
      ls.sort();
      text = ls.join('\n') + '\n';
    }
    out += '# HELP ' + f.name + ' ' + escapeHelp(f.help) + '\n# TYPE ' + f.name + ' ' + f.type + '\n' + text;
  }
  return out;
}
