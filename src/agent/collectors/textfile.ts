import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import { escapeLabelValue, formatGoFloat } from '../format.js';
import type { MetricSink } from '../exposition.js';
import { readDir, readText, statPath } from '../procfs.js';
import { parseTextFormat, type ParsedFamily } from '../textformat.js';

/**
 * Metrics from *.prom files in --collector.textfile.directory. Each file is parsed
 * and validated as a whole; a file that fails (syntax, client-side timestamps,
 * a family whose type clashes with another file) is skipped and sets
 * node_textfile_scrape_error 1, the others are still exposed. As in
 * client_golang, every sample of a family carries the union of the family's label
 * names (missing ones empty) and samples are sorted by label values.
 */
class TextfileCollector implements Collector {
  constructor(private readonly dir: string) {}

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    let error = 0;
    const mtimes: Array<[string, number]> = [];
    const merged = new Map<string, ParsedFamily>();
    if (this.dir !== '') {
      let names: string[] = [];
      try {
        names = (await readDir(this.dir)).filter((n) => n.endsWith('.prom')).sort();
      } catch (err) {
        ctx.logger.error({ collector: 'textfile', path: this.dir, err: (err as Error).message }, 'failed to read textfile collector directory');
        error = 1;
      }
      const results = await Promise.all(
        names.map(async (n) => {
          const path = `${this.dir}/${n}`;
          try {
            const [st, text] = await Promise.all([statPath(path), readText(path)]);
            const fams = parseTextFormat(text, path);
            for (const f of fams) {
              if (f.samples.some((s) => s.timestampMs !== undefined)) throw new Error(`textfile ${JSON.stringify(path)} contains unsupported client-side timestamps, skipping entire file`);
              f.help ??= `Metric read from ${path}`;
            }
            return { path, mtime: Math.floor(st.mtimeMs / 1000), fams };
          } catch (err) {
            ctx.logger.error({ collector: 'textfile', file: n, err: (err as Error).message }, 'failed to collect textfile data');
            error = 1;
            return undefined;
          }
        }),
      );
      for (const r of results) {
        if (!r) continue;
        const clash = r.fams.find((f) => {
          const prev = merged.get(f.name);
          return prev !== undefined && prev.type !== f.type;
        });
        if (clash) {
          ctx.logger.error({ collector: 'textfile', file: r.path, metric: clash.name }, 'metric type conflicts with another textfile');
          error = 1;
          continue;
        }
        for (const f of r.fams) {
          const prev = merged.get(f.name);
          if (prev) prev.samples.push(...f.samples);
          else merged.set(f.name, { ...f, samples: [...f.samples] });
        }
        mtimes.push([r.path, r.mtime]);
      }
    }
    for (const f of merged.values()) emitFamily(sink, f);
    const mt = sink.gauge('node_textfile_mtime_seconds', 'Unixtime mtime of textfiles successfully read.');
    for (const [path, t] of mtimes) mt.add1('file', path, t);
    sink.gauge('node_textfile_scrape_error', '1 if there was an error opening or reading a file, 0 otherwise').add(error);
  }
}

function emitFamily(sink: MetricSink, f: ParsedFamily): void {
  const special = f.type === 'histogram' ? 'le' : f.type === 'summary' ? 'quantile' : '';
  const names = new Set<string>();
  for (const s of f.samples) for (const [k] of s.labels) if (k !== special) names.add(k);
  const sorted = [...names].sort();
  const rows = f.samples.map((s) => {
    const m = new Map(s.labels);
    const base = sorted.map((k) => m.get(k) ?? '');
    return { s, base, key: base.join('\u0000'), extra: special ? m.get(special) : undefined };
  });
  // Stable sort by label values keeps bucket/sum/count order inside one series.
  rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const fam = sink.family(f.name, f.help ?? '', f.type);
  for (const r of rows) {
    const parts: string[] = [];
    for (let i = 0; i < sorted.length; i++) parts.push(sorted[i] + '="' + escapeLabelValue(r.base[i]!) + '"');
    if (r.extra !== undefined) parts.push(special + '="' + escapeLabelValue(r.extra) + '"');
    const suffix = r.s.name.slice(f.name.length);
    fam.text += f.name + suffix + (parts.length ? '{' + parts.join(',') + '}' : '') + ' ' + formatGoFloat(r.s.value) + '\n';
    fam.samples++;
  }
}

export const textfileCollectors: CollectorDef[] = [
  { name: 'textfile', defaultEnabled: true, create: (o) => new TextfileCollector(o.textfileDirectory ?? '') },
];
