import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** One dashboard found on disk. */
export interface DashboardEntry {
  uid: string;
  title: string;
  tags: string[];
  /** Path of the file it was read from. */
  file: string;
  /** True when it lives in the writable (import) folder. */
  writable: boolean;
  dashboard: Record<string, unknown>;
}

/** A file that could not be provisioned, with the reason (shown in the list response). */
export interface ProvisioningProblem {
  file: string;
  error: string;
}

export class DashboardValidationError extends Error {
  override name = 'DashboardValidationError';
}

/** Grafana's uid rule: up to 40 characters of letters, digits, '-' and '_'. */
const UID_RE = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * Accepts a dashboard model or the Grafana API export wrapper `{dashboard: {...}, meta?, overwrite?}`
 * and returns the dashboard model after checking the fields the UI relies on.
 * `where` prefixes error messages (file name or "request body").
 */
export function unwrapDashboard(value: unknown, where: string): Record<string, unknown> {
  if (!isObject(value)) throw new DashboardValidationError(`${where}: dashboard must be a JSON object`);
  let d: Record<string, unknown> = value;
  if (isObject(value['dashboard'])) d = value['dashboard'];
  if (typeof d['title'] !== 'string' || d['title'].trim() === '') throw new DashboardValidationError(`${where}: dashboard "title" must be a non-empty string`);
  if (d['uid'] !== undefined && d['uid'] !== null && d['uid'] !== '') {
    if (typeof d['uid'] !== 'string' || !UID_RE.test(d['uid'])) {
      throw new DashboardValidationError(`${where}: dashboard "uid" must be 1-40 characters of letters, digits, '-' or '_', got ${JSON.stringify(d['uid'])}`);
    }
  }
  if (d['panels'] !== undefined && !Array.isArray(d['panels'])) throw new DashboardValidationError(`${where}: dashboard "panels" must be an array`);
  const panels = (d['panels'] as unknown[] | undefined) ?? [];
  panels.forEach((p, i) => {
    if (!isObject(p)) throw new DashboardValidationError(`${where}: panels[${i}] must be an object`);
    if (p['type'] !== undefined && typeof p['type'] !== 'string') throw new DashboardValidationError(`${where}: panels[${i}].type must be a string`);
    if (p['targets'] !== undefined && !Array.isArray(p['targets'])) throw new DashboardValidationError(`${where}: panels[${i}].targets must be an array`);
  });
  const templating = d['templating'];
  if (templating !== undefined && (!isObject(templating) || (templating['list'] !== undefined && !Array.isArray(templating['list'])))) {
    throw new DashboardValidationError(`${where}: dashboard "templating.list" must be an array`);
  }
  if (d['tags'] !== undefined && (!Array.isArray(d['tags']) || d['tags'].some((t) => typeof t !== 'string'))) {
    throw new DashboardValidationError(`${where}: dashboard "tags" must be an array of strings`);
  }
  return d;
}

/** A uid for a provisioned file without one: stable across restarts (derived from the file name). */
function uidFromFile(file: string): string {
  const base = file.replace(/^.*[\\/]/, '').replace(/\.json$/i, '');
  const slug = base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return slug === '' ? 'dashboard' : slug;
}

/** A new random uid for imports, 9 characters like Grafana's short uids. */
export function newUid(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(9);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function listJsonFiles(dir: string, out: string[], depth = 0): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    // Grafana's file provider walks sub-folders too; keep a depth bound against symlink loops.
    if (st.isDirectory()) {
      if (depth < 8) listJsonFiles(p, out, depth + 1);
    } else if (name.toLowerCase().endsWith('.json') && st.isFile()) out.push(p);
  }
}

/**
 * Dashboards provisioned from folders of JSON files (like Grafana's file provider) plus an
 * optional writable folder that receives imports. The folders are re-read on each call so that
 * edits to provisioned files show without a restart; the files are small, and this keeps no
 * state that could go stale.
 */
export class DashboardStore {
  readonly dirs: string[];
  readonly writableDir: string | undefined;

  constructor(opts: { dirs: string[]; writableDir?: string }) {
    this.dirs = opts.dirs.map((d) => resolve(d));
    this.writableDir = opts.writableDir === undefined ? undefined : resolve(opts.writableDir);
  }

  /** All dashboards; the first file claiming a uid wins, later ones are reported as problems. */
  load(): { dashboards: DashboardEntry[]; problems: ProvisioningProblem[] } {
    const dashboards: DashboardEntry[] = [];
    const problems: ProvisioningProblem[] = [];
    const seen = new Map<string, string>();
    const dirs = [...this.dirs];
    if (this.writableDir !== undefined && !dirs.includes(this.writableDir)) dirs.push(this.writableDir);
    for (const dir of dirs) {
      const files: string[] = [];
      listJsonFiles(dir, files);
      for (const file of files) {
        let d: Record<string, unknown>;
        try {
          const text = readFileSync(file, 'utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch (err) {
            throw new DashboardValidationError(`${file}: invalid JSON: ${(err as Error).message}`);
          }
          d = unwrapDashboard(parsed, file);
        } catch (err) {
          problems.push({ file, error: (err as Error).message });
          continue;
        }
        const uid = typeof d['uid'] === 'string' && d['uid'] !== '' ? d['uid'] : uidFromFile(relative(dir, file));
        const prev = seen.get(uid);
        if (prev !== undefined) {
          problems.push({ file, error: `${file}: uid "${uid}" is already used by ${prev}; ignored` });
          continue;
        }
        seen.set(uid, file);
        dashboards.push({
          uid,
          title: String(d['title']),
          tags: Array.isArray(d['tags']) ? (d['tags'] as string[]) : [],
          file,
          writable: this.writableDir !== undefined && file.startsWith(this.writableDir + '/'),
          dashboard: { ...d, uid },
        });
      }
    }
    return { dashboards, problems };
  }

  get(uid: string): DashboardEntry | undefined {
    return this.load().dashboards.find((d) => d.uid === uid);
  }

  /**
   * Saves an imported dashboard into the writable folder as `<uid>.json` (written to a temp
   * file and renamed, so a crash never leaves half a file). Refuses to replace a provisioned
   * dashboard, and replaces an imported one only with `overwrite`.
   */
  save(value: unknown, overwrite: boolean): DashboardEntry {
    if (this.writableDir === undefined) throw new DashboardValidationError('importing is disabled: no writable dashboards folder is configured');
    const d = { ...unwrapDashboard(value, 'request body') };
    if (typeof d['uid'] !== 'string' || d['uid'] === '') d['uid'] = newUid();
    const uid = d['uid'] as string;
    delete d['id'];
    const existing = this.get(uid);
    if (existing && !existing.writable) throw new DashboardConflictError(`dashboard uid "${uid}" is provisioned from ${existing.file} and cannot be replaced by an import`);
    if (existing && !overwrite) throw new DashboardConflictError(`a dashboard with uid "${uid}" already exists; send "overwrite": true to replace it`);
    mkdirSync(this.writableDir, { recursive: true });
    const file = existing?.file ?? join(this.writableDir, `${uid}.json`);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(d, null, 2) + '\n', { mode: 0o644 });
    renameSync(tmp, file);
    return { uid, title: String(d['title']), tags: Array.isArray(d['tags']) ? (d['tags'] as string[]) : [], file, writable: true, dashboard: d };
  }
}

export class DashboardConflictError extends Error {
  override name = 'DashboardConflictError';
}
