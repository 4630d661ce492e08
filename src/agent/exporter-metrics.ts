import { Family, renderFamilies } from './exposition.js';
import { readDir, readText } from './procfs.js';

const TICKS = 100;
const UNLIMITED = 18446744073709551616; // 2^64, what client_golang reports for "unlimited"
let bootTime: Promise<number> | undefined;
// Limits change only through prlimit(2); re-read once a minute rather than every scrape.
let limitsCache: { at: number; text: Promise<string> } | undefined;

function limit(limits: string, name: string): number | undefined {
  const line = limits.split('\n').find((l) => l.startsWith(name));
  if (!line) return undefined;
  const soft = line.slice(name.length).trim().split(/\s+/)[0];
  return soft === 'unlimited' ? UNLIMITED : Number(soft);
}

/**
 * The exporter's own process_* families, as client_golang's process collector
 * reports them for node_exporter, read from /proc/self (never the configured
 * --path.procfs, which may be another host's).
 */
export async function renderProcessMetrics(): Promise<string> {
  bootTime ??= readText('/proc/stat', true).then((t) => Number(/^btime (\d+)/m.exec(t)?.[1] ?? 0));
  if (limitsCache === undefined || Date.now() - limitsCache.at > 60_000) limitsCache = { at: Date.now(), text: readText('/proc/self/limits', true) };
  const [stat, limits, fds, btime] = await Promise.all([readText('/proc/self/stat', true), limitsCache.text, readDir('/proc/self/fd'), bootTime]);
  // Fields after the parenthesised command name, which may contain spaces.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const fams: Family[] = [];
  const add = (name: string, help: string, type: 'gauge' | 'counter', v: number | undefined): void => {
    if (v === undefined || Number.isNaN(v)) return;
    const fam = new Family(name, help, type);
    fam.add(v);
    fams.push(fam);
  };
  add('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', 'counter', (Number(f[11]) + Number(f[12])) / TICKS);
  add('process_max_fds', 'Maximum number of open file descriptors.', 'gauge', limit(limits, 'Max open files'));
  add('process_open_fds', 'Number of open file descriptors.', 'gauge', fds.length);
  add('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', process.memoryUsage.rss());
  add('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', 'gauge', btime + Number(f[19]) / TICKS);
  add('process_virtual_memory_bytes', 'Virtual memory size in bytes.', 'gauge', Number(f[20]));
  add('process_virtual_memory_max_bytes', 'Maximum amount of virtual memory available in bytes.', 'gauge', limit(limits, 'Max address space'));
  return renderFamilies(fams);
}

/** promhttp_metric_handler_* counters for the telemetry handler. */
export class HandlerMetrics {
  inFlight = 0;
  private readonly codes = new Map<string, number>([
    ['200', 0],
    ['500', 0],
    ['503', 0],
  ]);
  errorsGathering = 0;
  errorsEncoding = 0;

  count(code: number): void {
    const k = String(code);
    this.codes.set(k, (this.codes.get(k) ?? 0) + 1);
  }

  uncount(code: number): void {
    const k = String(code);
    this.codes.set(k, Math.max(0, (this.codes.get(k) ?? 0) - 1));
  }

  render(): string {
    const errors = new Family('promhttp_metric_handler_errors_total', 'Total number of internal errors encountered by the promhttp metric handler.', 'counter');
    errors.add1('cause', 'encoding', this.errorsEncoding);
    errors.add1('cause', 'gathering', this.errorsGathering);
    const inflight = new Family('promhttp_metric_handler_requests_in_flight', 'Current number of scrapes being served.', 'gauge');
    inflight.add(this.inFlight);
    const total = new Family('promhttp_metric_handler_requests_total', 'Total number of scrapes by HTTP status code.', 'counter');
    for (const [code, n] of [...this.codes].sort()) total.add1('code', code, n);
    return renderFamilies([errors, inflight, total]);
  }
}
