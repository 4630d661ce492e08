import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { labelsFromPairs, type Label } from '../model/index.js';
import type { Logger } from '../util/index.js';
import { expandGlob } from './glob.js';
import { aborted, type Discoverer, type FileSDConfig, type TargetGroup } from './types.js';

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const FILEPATH_LABEL = '__meta_filepath';

/** Parses the content of one file_sd file into target groups (Prometheus' fileSD readFile). */
export function parseTargetGroupsFile(text: string, filename: string): TargetGroup[] {
  const ext = extname(filename).toLowerCase();
  let data: unknown;
  if (ext === '.json') data = JSON.parse(text) as unknown;
  else data = parseYaml(text, { strict: true, uniqueKeys: true }) as unknown;
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) throw new Error('expected a list of target groups');
  return data.map((item: unknown, i: number): TargetGroup => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new Error(`target group ${i}: nil target group item found`);
    const obj = item as Record<string, unknown>;
    if (ext !== '.json') {
      for (const k of Object.keys(obj)) if (k !== 'targets' && k !== 'labels') throw new Error(`target group ${i}: field ${k} not found in type struct { Targets []string; Labels model.LabelSet }`);
    }
    const targets: string[] = [];
    if (obj['targets'] !== undefined && obj['targets'] !== null) {
      if (!Array.isArray(obj['targets'])) throw new Error(`target group ${i}: targets must be a list of strings`);
      for (const t of obj['targets'] as unknown[]) {
        if (typeof t !== 'string') throw new Error(`target group ${i}: target ${JSON.stringify(t)} is not a string`);
        targets.push(t);
      }
    }
    const labels: Label[] = [];
    const rawLabels = obj['labels'];
    if (rawLabels !== undefined && rawLabels !== null) {
      if (typeof rawLabels !== 'object' || Array.isArray(rawLabels)) throw new Error(`target group ${i}: labels must be a map`);
      for (const [name, v] of Object.entries(rawLabels as Record<string, unknown>)) {
        if (!LABEL_NAME_RE.test(name)) throw new Error(`"${name}" is not a valid label name`);
        if (typeof v !== 'string') throw new Error(`label ${name}: value must be a string`);
        if (name !== FILEPATH_LABEL) labels.push({ name, value: v });
      }
    }
    labels.push({ name: FILEPATH_LABEL, value: filename });
    return {
      targets: targets.map((t) => labelsFromPairs([{ name: '__address__', value: t }])),
      labels: labelsFromPairs(labels),
      source: `${filename}:${i}`,
    };
  });
}

/**
 * file_sd: re-reads the matching files on fs.watch events and every
 * refresh_interval. A file that fails to read or parse keeps its last good
 * groups (and the error is logged), as in Prometheus; a deleted file's groups
 * are sent once with no targets.
 */
export class FileDiscoverer implements Discoverer {
  private last = new Map<string, TargetGroup[]>();
  private watchers: FSWatcher[] = [];
  /** Count of failed file reads, for metrics and tests. */
  readErrors = 0;

  constructor(
    private readonly cfg: FileSDConfig,
    private readonly logger: Logger,
    private readonly onReadError: () => void = () => undefined,
  ) {}

  async refresh(): Promise<TargetGroup[]> {
    const files = new Set<string>();
    for (const p of this.cfg.files) for (const f of expandGlob(p)) files.add(f);
    const next = new Map<string, TargetGroup[]>();
    for (const f of files) {
      let text: string;
      try {
        text = await readFile(f, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // literal path that does not exist (yet)
        this.readErrors++;
        this.onReadError();
        this.logger.error({ file: f, err: (err as Error).message }, 'Error reading file');
        const prev = this.last.get(f);
        if (prev) next.set(f, prev);
        continue;
      }
      try {
        next.set(f, parseTargetGroupsFile(text, f));
      } catch (err) {
        this.readErrors++;
        this.onReadError();
        this.logger.error({ file: f, err: (err as Error).message }, 'Error reading file_sd file, keeping its last good targets');
        const prev = this.last.get(f);
        if (prev) next.set(f, prev);
      }
    }
    const out: TargetGroup[] = [];
    for (const groups of next.values()) out.push(...groups);
    // Files (or groups) that disappeared are announced as empty groups.
    for (const [f, groups] of this.last) {
      const now = next.get(f) ?? [];
      for (const g of groups) if (!now.some((n) => n.source === g.source)) out.push({ targets: [], labels: g.labels, source: g.source });
    }
    this.last = next;
    return out;
  }

  async run(signal: AbortSignal, send: (groups: TargetGroup[]) => void): Promise<void> {
    if (signal.aborted) return;
    let pending: NodeJS.Timeout | null = null;
    let running = Promise.resolve();
    const trigger = (): void => {
      if (pending || signal.aborted) return;
      // Editors write files in several steps; coalesce bursts of events.
      pending = setTimeout(() => {
        pending = null;
        running = running.then(async () => {
          if (signal.aborted) return;
          send(await this.refresh());
        });
      }, 50);
    };
    const dirs = new Set(this.cfg.files.map((p) => dirname(p)));
    for (const d of dirs) {
      try {
        const w = watch(d, { persistent: false }, () => trigger());
        w.on('error', (err) => this.logger.warn({ dir: d, err: err.message }, 'file_sd watcher failed; relying on refresh_interval'));
        this.watchers.push(w);
      } catch (err) {
        this.logger.warn({ dir: d, err: (err as Error).message }, 'cannot watch directory; relying on refresh_interval');
      }
    }
    send(await this.refresh());
    const timer = setInterval(trigger, Math.max(this.cfg.refreshInterval, 100));
    await aborted(signal);
    clearInterval(timer);
    if (pending) clearTimeout(pending);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    await running;
  }
}
