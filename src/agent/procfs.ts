import { close, open, read, readdir, readlink, realpath, stat, statfs, type Dirent, type StatsFs, type Stats } from 'node:fs';

/**
 * Async file access for collectors. /proc and /sys files report size 0, so they
 * are read with open + read-until-EOF + close into pooled buffers (three thread
 * pool hops instead of fs.promises.readFile's five), and decoded once.
 */
const POOL: Buffer[] = [];
const BUF_SIZE = 64 * 1024;

function takeBuffer(): Buffer {
  return POOL.pop() ?? Buffer.allocUnsafe(BUF_SIZE);
}

function giveBuffer(b: Buffer): void {
  if (b.length === BUF_SIZE && POOL.length < 16) POOL.push(b);
}

/**
 * Reads a whole text file (procfs seq files included), looping until read returns 0:
 * seq_file hands out at most a page of records per read. Pass singleRecord for
 * procfs files built with single_open (stat, meminfo, net/snmp, pressure/…),
 * which return everything in one read when the buffer is large enough, to save
 * the final empty read. Rejects with the fs error.
 */
export function readText(path: string, singleRecord = false): Promise<string> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (err, fd) => {
      if (err) return reject(err);
      let buf = takeBuffer();
      let len = 0;
      const finish = (e: Error | null): void => {
        close(fd, () => {
          if (e) {
            giveBuffer(buf);
            reject(e);
            return;
          }
          const s = buf.toString('utf8', 0, len);
          giveBuffer(buf);
          resolve(s);
        });
      };
      const step = (): void => {
        if (len === buf.length) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, len);
          giveBuffer(buf);
          buf = bigger;
        }
        read(fd, buf, len, buf.length - len, null, (e, n) => {
          if (e) return finish(e);
          if (n === 0) return finish(null);
          len += n;
          if (singleRecord && len < buf.length) return finish(null);
          step();
        });
      };
      step();
    });
  });
}

const ATTR_SIZE = 4096;
const ATTR_POOL: Buffer[] = [];

/**
 * Reads a sysfs attribute and trims the trailing newline. sysfs returns a whole
 * attribute (at most one page) in one read, so this is open + one read, and the
 * close is not waited for: three thread-pool hops instead of four.
 */
export function readAttr(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (err, fd) => {
      if (err) return reject(err);
      const buf = ATTR_POOL.pop() ?? Buffer.allocUnsafe(ATTR_SIZE);
      read(fd, buf, 0, ATTR_SIZE, 0, (e, n) => {
        if (e || n === ATTR_SIZE) {
          if (ATTR_POOL.length < 64) ATTR_POOL.push(buf);
          close(fd, () => {
            // A full page (or an error) means this is no plain attribute: fall back to the general reader.
            if (e) reject(e);
            else readText(path).then((s) => resolve(trimNl(s)), reject);
          });
          return;
        }
        close(fd, noop);
        const s = buf.toString('utf8', 0, n);
        if (ATTR_POOL.length < 64) ATTR_POOL.push(buf);
        resolve(trimNl(s));
      });
    });
  });
}

function noop(): void {}

function trimNl(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

/** Reads a sysfs attribute, or undefined when it is missing or unreadable (EINVAL on a down link). */
export async function tryAttr(path: string): Promise<string | undefined> {
  try {
    return await readAttr(path);
  } catch {
    return undefined;
  }
}

export function readDir(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => readdir(path, (err, names) => (err ? reject(err) : resolve(names))));
}

export function readDirents(path: string): Promise<Dirent[]> {
  return new Promise((resolve, reject) =>
    readdir(path, { withFileTypes: true }, (err, ents) => (err ? reject(err) : resolve(ents))),
  );
}

export function statPath(path: string): Promise<Stats> {
  return new Promise((resolve, reject) => stat(path, (err, st) => (err ? reject(err) : resolve(st))));
}

export function readLink(path: string): Promise<string> {
  return new Promise((resolve, reject) => readlink(path, (err, s) => (err ? reject(err) : resolve(s))));
}

export function realPath(path: string): Promise<string> {
  return new Promise((resolve, reject) => realpath(path, (err, s) => (err ? reject(err) : resolve(s))));
}

/** The fields of statfs(2) the filesystem collector needs. */
export interface FsStats {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

/** statfs(2) as an injectable function, so tests can simulate a mount that never answers. */
export type StatfsFn = (path: string) => Promise<FsStats>;

export const defaultStatfs: StatfsFn = (path) =>
  new Promise((resolve, reject) => statfs(path, (err: NodeJS.ErrnoException | null, st: StatsFs) => (err ? reject(err) : resolve(st))));

/** True for "file or directory does not exist" errors. */
export function isNotExist(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
