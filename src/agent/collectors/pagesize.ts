import type { CollectContext } from '../collector.js';
import { readText } from '../procfs.js';

let cached: Promise<number> | undefined;

/**
 * The kernel page size (Node has no getpagesize): read once from the first
 * KernelPageSize line of /proc/self/smaps, 4096 when that is not available.
 */
export function pageSize(ctx: CollectContext): Promise<number> {
  cached ??= readText(ctx.proc('self/smaps'))
    .then((t) => {
      const m = /KernelPageSize:\s+(\d+) kB/.exec(t);
      return m ? Number(m[1]) * 1024 : 4096;
    })
    .catch(() => 4096);
  return cached;
}
