import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import { DEFAULTS, fields, flagRegex, lines } from '../collector.js';
import type { MetricSink } from '../exposition.js';
import { defaultStatfs, isNotExist, readText, type FsStats, type StatfsFn } from '../procfs.js';

interface Mount {
  device: string;
  mountPoint: string;
  fsType: string;
  options: string;
}

/** Undoes the octal escapes (\040 for space, …) the kernel writes in mounts files. */
export function unescapeMount(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses /proc/<pid>/mounts. */
export function parseMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of lines(text)) {
    const f = fields(line);
    if (f.length < 4) continue;
    out.push({ device: unescapeMount(f[0]!), mountPoint: unescapeMount(f[1]!), fsType: f[2]!, options: f[3]! });
  }
  return out;
}

const TIMED_OUT = Symbol('timeout');

/** File systems whose statfs can block on a network peer. */
const REMOTE_FS = /^(nfs4?|cifs|smb3?|smbfs|9p|ceph|glusterfs|lustre|afs|davfs|fuse\..*|fuse)$/;

/**
 * How many statfs calls may be stuck at once: each pins one libuv thread-pool
 * thread, and at least half the pool must stay free for the /proc and /sys reads
 * and, inside `vigil server`, for the TSDB's own file I/O.
 */
function maxStuck(): number {
  const pool = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4) || 4;
  return Math.max(1, Math.floor(pool / 2));
}

/**
 * node_filesystem_* via statfs(2) for each mount not excluded by mount point or fs
 * type. statfs runs on libuv's thread pool, where a hung NFS mount would pin a
 * thread forever: so each call races a timeout (--collector.filesystem.mount-timeout);
 * a mount whose call has not come back is "stuck", reported as device_error 1 and
 * not asked again until that call returns (node_exporter's stuckMounts).
 */
class FilesystemCollector implements Collector {
  private readonly stuck = new Set<string>();
  /** Remote mounts not asked this scrape because too many statfs calls are already stuck. */
  private readonly skipped = new Set<string>();

  constructor(
    private readonly mpExclude: RegExp,
    private readonly fsExclude: RegExp,
    private readonly timeoutMs: number,
    private readonly statfs: StatfsFn,
  ) {}

  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    let text: string;
    try {
      text = await readText(ctx.proc('1/mounts'));
    } catch (err) {
      if (!isNotExist(err)) throw err;
      text = await readText(ctx.proc('self/mounts'));
    }
    const rootfs = ctx.rootfs;
    const seen = new Set<string>();
    const mounts: Mount[] = [];
    for (const m of parseMounts(text)) {
      // Inside a container with the host's / at --path.rootfs, strip that prefix from labels.
      if (rootfs !== '/' && rootfs !== '') {
        if (m.mountPoint === rootfs) m.mountPoint = '/';
        else if (m.mountPoint.startsWith(rootfs + '/')) m.mountPoint = m.mountPoint.slice(rootfs.length);
      }
      if (this.mpExclude.test(m.mountPoint) || this.fsExclude.test(m.fsType)) continue;
      const key = m.device + '\u0000' + m.mountPoint + '\u0000' + m.fsType;
      if (seen.has(key)) continue;
      seen.add(key);
      mounts.push(m);
    }
    this.skipped.clear();
    // Local mounts concurrently; remote ones one at a time, so that a dead server
    // pins at most one more thread per scrape before the stuck-mount budget stops it.
    const stats: Array<FsStats | undefined> = new Array(mounts.length);
    const local: Array<Promise<void>> = [];
    const remote: number[] = [];
    mounts.forEach((m, i) => {
      if (REMOTE_FS.test(m.fsType)) remote.push(i);
      else local.push(this.statMount(ctx, m.mountPoint, m.fsType).then((st) => void (stats[i] = st)));
    });
    for (const i of remote) stats[i] = await this.statMount(ctx, mounts[i]!.mountPoint, mounts[i]!.fsType);
    await Promise.all(local);
    const devErr = sink.gauge('node_filesystem_device_error', 'Whether an error occurred while getting statistics for the given device.');
    const size = sink.gauge('node_filesystem_size_bytes', 'Filesystem size in bytes.');
    const free = sink.gauge('node_filesystem_free_bytes', 'Filesystem free space in bytes.');
    const avail = sink.gauge('node_filesystem_avail_bytes', 'Filesystem space available to non-root users in bytes.');
    const files = sink.gauge('node_filesystem_files', 'Filesystem total file nodes.');
    const filesFree = sink.gauge('node_filesystem_files_free', 'Filesystem total free file nodes.');
    const ro = sink.gauge('node_filesystem_readonly', 'Filesystem read-only status.');
    for (let i = 0; i < mounts.length; i++) {
      const m = mounts[i]!;
      const st = stats[i];
      const labels = ['device', m.device, 'fstype', m.fsType, 'mountpoint', m.mountPoint];
      devErr.addLabels(labels, st === undefined ? 1 : 0);
      if (st === undefined) continue;
      size.addLabels(labels, st.blocks * st.bsize);
      free.addLabels(labels, st.bfree * st.bsize);
      avail.addLabels(labels, st.bavail * st.bsize);
      files.addLabels(labels, st.files);
      filesFree.addLabels(labels, st.ffree);
      ro.addLabels(labels, m.options.split(',').includes('ro') ? 1 : 0);
    }
    // Every other mount is reported above; a hung one also fails the collector so
    // node_scrape_collector_success{collector="filesystem"} shows it (node_exporter keeps 1 here).
    const hung = mounts.filter((m) => this.stuck.has(m.mountPoint) || this.skipped.has(m.mountPoint)).map((m) => m.mountPoint);
    if (hung.length > 0) throw new Error(`statfs did not return within ${this.timeoutMs}ms for: ${hung.join(', ')}`);
  }

  /** statfs with the stuck-mount guard; undefined means device_error 1. */
  private async statMount(ctx: CollectContext, mountPoint: string, fsType: string): Promise<FsStats | undefined> {
    if (this.stuck.has(mountPoint)) {
      ctx.logger.debug({ collector: 'filesystem', mountpoint: mountPoint }, 'Mount point is in an unresponsive state');
      return undefined;
    }
    if (this.stuck.size >= maxStuck() && REMOTE_FS.test(fsType)) {
      // Another hang would leave no thread-pool thread for the rest of the scrape.
      this.skipped.add(mountPoint);
      return undefined;
    }
    const call = this.statfs(ctx.root(mountPoint.slice(1)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), this.timeoutMs);
    });
    try {
      const r = await Promise.race([call, timeout]);
      if (r === TIMED_OUT) {
        this.stuck.add(mountPoint);
        ctx.logger.error({ collector: 'filesystem', mountpoint: mountPoint }, 'Mount point timed out, it is being labeled as stuck and will not be monitored');
        call.then(
          () => this.recover(ctx, mountPoint),
          () => this.recover(ctx, mountPoint),
        );
        return undefined;
      }
      return r;
    } catch (err) {
      ctx.logger.debug({ collector: 'filesystem', mountpoint: mountPoint, err: (err as Error).message }, 'Error on statfs() system call');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private recover(ctx: CollectContext, mountPoint: string): void {
    this.stuck.delete(mountPoint);
    ctx.logger.info({ collector: 'filesystem', mountpoint: mountPoint }, 'Mount point has recovered, monitoring will resume');
  }
}

export const filesystemCollectors: CollectorDef[] = [
  {
    name: 'filesystem',
    defaultEnabled: true,
    create: (o) =>
      new FilesystemCollector(
        flagRegex('collector.filesystem.mount-points-exclude', o.filesystemMountPointsExclude ?? DEFAULTS.filesystemMountPointsExclude),
        flagRegex('collector.filesystem.fs-types-exclude', o.filesystemFsTypesExclude ?? DEFAULTS.filesystemFsTypesExclude),
        o.filesystemMountTimeoutMs ?? DEFAULTS.filesystemMountTimeoutMs,
        o.statfs ?? defaultStatfs,
      ),
  },
];
