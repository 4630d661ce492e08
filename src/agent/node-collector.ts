import { nopLogger } from '../util/index.js';
import { buildInfo } from '../util/index.js';
import type { CollectContext, Collector, NodeCollectorOptions } from './collector.js';
import { DEFAULTS, NoDataError } from './collector.js';
import { Family, MetricSink, renderFamilies } from './exposition.js';
import { readText } from './procfs.js';
import { COLLECTORS, defaultCollectors } from './registry.js';

/** The host collectors as one unit: what `vigil agent` serves and `vigil server` mounts at /metrics/node. */
export interface NodeCollector {
  /** Names of the enabled collectors, sorted. */
  readonly enabled: readonly string[];
  /**
   * Runs the enabled collectors concurrently and returns the exposition text
   * (format 0.0.4). `only` restricts the run like node_exporter's ?collect[]=
   * parameter; naming a collector that is not enabled throws UnknownCollectorError.
   */
  render(only?: readonly string[]): Promise<string>;
}

export class UnknownCollectorError extends Error {
  override name = 'UnknownCollectorError';
}

function joinRoot(root: string): (p: string) => string {
  const base = root.endsWith('/') ? root.slice(0, -1) : root;
  return (p) => (p === '' ? root : `${base}/${p}`);
}

/** Builds the collectors once (validating regex flags up front); throws on bad options. */
export function createNodeCollector(opts: NodeCollectorOptions = {}): NodeCollector {
  const names = [...(opts.collectors ?? defaultCollectors())];
  const byName = new Map(COLLECTORS.map((c) => [c.name, c]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0) throw new UnknownCollectorError(`unknown collector(s): ${unknown.join(', ')}`);
  const rootfs = opts.rootfs ?? '/';
  const base: Omit<CollectContext, 'shared'> = {
    proc: joinRoot(opts.procfs ?? '/proc'),
    sys: joinRoot(opts.sysfs ?? '/sys'),
    root: joinRoot(rootfs),
    rootfs: rootfs.length > 1 && rootfs.endsWith('/') ? rootfs.slice(0, -1) : rootfs,
    udevData: opts.udevData ?? DEFAULTS.udevData,
    logger: opts.logger ?? nopLogger(),
  };
  const instances = new Map<string, Collector>();
  for (const n of [...new Set(names)].sort()) instances.set(n, byName.get(n)!.create(opts));
  const withBuildInfo = opts.buildInfo ?? true;
  const timeoutMs = opts.collectorTimeoutMs ?? 10_000;

  async function render(only?: readonly string[]): Promise<string> {
    let run = [...instances.keys()];
    if (only && only.length > 0) {
      const missing = only.filter((n) => !instances.has(n));
      if (missing.length > 0) throw new UnknownCollectorError(`missing collector: ${missing.join(', ')}`);
      run = run.filter((n) => only.includes(n));
    }
    const reads = new Map<string, Promise<string>>();
    const ctx: CollectContext = {
      ...base,
      shared: (path) => {
        let r = reads.get(path);
        if (r === undefined) reads.set(path, (r = readText(path, true)));
        return r;
      },
    };
    const sinks = await Promise.all(
      run.map(async (name) => {
        let sink = new MetricSink();
        const start = performance.now();
        let ok = 1;
        let timer: NodeJS.Timeout | undefined;
        try {
          const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
          if ((await Promise.race([instances.get(name)!.update(sink, ctx), timedOut])) === 'timeout') {
            sink = new MetricSink();
            throw new Error(`collector did not finish within ${timeoutMs}ms`);
          }
        } catch (err) {
          ok = 0;
          const noData = err instanceof NoDataError || (err as NodeJS.ErrnoException).code === 'ENOENT';
          if (noData) ctx.logger.debug({ name, err: (err as Error).message }, 'collector returned no data');
          else ctx.logger.error({ name, err: (err as Error).message }, 'collector failed');
        } finally {
          clearTimeout(timer);
        }
        return { name, sink, seconds: (performance.now() - start) / 1000, ok };
      }),
    );
    const all = new Map<string, Family>();
    const dur = new Family('node_scrape_collector_duration_seconds', 'node_exporter: Duration of a collector scrape.', 'gauge');
    const success = new Family('node_scrape_collector_success', 'node_exporter: Whether a collector succeeded.', 'gauge');
    for (const s of sinks) {
      dur.add1('collector', s.name, s.seconds);
      success.add1('collector', s.name, s.ok);
      for (const f of s.sink.families.values()) {
        const prev = all.get(f.name);
        if (prev === undefined) all.set(f.name, f);
        else if (prev.type === f.type) {
          // Two collectors (or a textfile) exposing one family: merge the samples under one HELP/TYPE.
          prev.text += f.text;
          prev.samples += f.samples;
        } else {
          ctx.logger.error({ metric: f.name, collector: s.name }, 'metric family exposed by two collectors with different types; dropping the second');
        }
      }
    }
    all.set(dur.name, dur);
    all.set(success.name, success);
    if (withBuildInfo) {
      const b = buildInfo();
      const bi = new Family(
        'node_exporter_build_info',
        "A metric with a constant '1' value labeled by version, revision, branch, goversion from which node_exporter was built, and the goos and goarch for the build.",
        'gauge',
      );
      bi.addLabels(['branch', b.branch, 'goarch', process.arch === 'x64' ? 'amd64' : process.arch, 'goos', process.platform, 'goversion', b.goVersion, 'revision', b.revision, 'version', b.version], 1);
      all.set(bi.name, bi);
    }
    return renderFamilies(all.values());
  }

  return { enabled: [...instances.keys()], render };
}
