import { existsSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve, sep } from 'node:path';
import type { FallbackHandler } from './server.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The package root (…/vigil), from dist/web/static-ui.js. */
export const PACKAGE_ROOT = resolve(new URL('../../', import.meta.url).pathname);

/** Resolves --web.ui-path: relative paths are taken from the package root, not the working directory. */
export function resolveUiPath(p: string): string {
  return resolve(PACKAGE_ROOT, p);
}

const NOT_BUILT = (dir: string): string => `<!doctype html>
<html><head><meta charset="utf-8"><title>Vigil</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Vigil is running, but its UI is not built</h1>
<p>No UI files were found in <code>${escapeHtml(dir)}</code>. Build the front end, or point
<code>--web.ui-path</code> at a built UI directory.</p>
<p>The HTTP API works without it: try <a href="api/v1/targets">api/v1/targets</a>,
<a href="api/v1/status/buildinfo">api/v1/status/buildinfo</a> or <a href="metrics">metrics</a>.</p>
</body></html>
`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * The UI's client-side routes (the `case`s of `Page` in ui/src/app.tsx; a test keeps the
 * two in step). Pages are one path segment deep, because the UI's asset and API URLs are
 * relative to the page's folder.
 */
export const UI_PAGES: readonly string[] = ['graph', 'query', 'targets', 'alerts', 'alertmanager', 'silences', 'rules', 'status', 'tsdb-status', 'flags', 'config', 'dashboards', 'dashboard'];
const UI_PAGE_SET = new Set(UI_PAGES);

/**
 * Whether `path` (below the route prefix) is a page of the UI: "/" or "/<page>". Like
 * Prometheus, which serves its React app only on its own routes, anything else is a 404
 * (so a typo such as /metrics/foo or /-/healty is not answered 200 with the UI).
 */
export function isUiRoute(path: string): boolean {
  if (path === '' || path === '/') return true;
  const m = /^\/([a-z-]+)$/.exec(path);
  return m !== null && UI_PAGE_SET.has(m[1]!);
}

/**
 * Serves a built single-page app: existing files as they are, the UI's own routes
 * (isUiRoute) as index.html (client-side routing); everything else is left to the
 * server's 404. Paths can never leave the UI directory.
 */
export function staticUiHandler(dir: string): FallbackHandler {
  const root = resolve(dir);
  return async (ctx, path) => {
    const built = existsSync(join(root, 'index.html'));
    if (!built) {
      if (!isUiRoute(path)) return false;
      ctx.send(200, 'text/html; charset=utf-8', NOT_BUILT(root), { 'Cache-Control': 'no-cache' });
      return true;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(path);
    } catch {
      return false;
    }
    if (rel.includes('\0')) return false;
    const file = resolve(root, '.' + (rel.startsWith('/') ? rel : '/' + rel));
    if (file !== root && !file.startsWith(root + sep)) return false;
    let target = file;
    const st = await stat(file).catch(() => null);
    if (st?.isDirectory()) target = join(file, 'index.html');
    else if (!st) {
      // Only the UI's own routes get index.html; a missing asset or an unknown path is a real 404.
      if (!isUiRoute(rel)) return false;
      target = join(root, 'index.html');
    }
    const tst = target === file ? st : await stat(target).catch(() => null);
    if (!tst?.isFile()) return false;
    // Weak validator from size and mtime: a rebuilt UI changes it, an unchanged file answers 304.
    const etag = `W/"${tst.size.toString(16)}-${Math.floor(tst.mtimeMs).toString(16)}"`;
    if (ctx.req.headers['if-none-match'] === etag) {
      ctx.res.writeHead(304, { ETag: etag }).end();
      return true;
    }
    let body: Buffer;
    try {
      body = await readFile(target);
    } catch {
      return false;
    }
    const type = TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream';
    // index.html must be revalidated so new builds are picked up; hashed assets can be cached.
    // Bundlers (Vite) name assets "<name>-<8+ char hash>.<ext>": those never change content.
    const cache = target.endsWith('index.html') ? 'no-cache' : /[.-][A-Za-z0-9_]{8,}\.[a-z0-9]+$/.test(basename(target)) && /\d/.test(basename(target)) ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
    ctx.send(200, type, body, { 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff', ETag: etag });
    return true;
  };
}

/** Whether `dir` holds a built UI (for the startup log line). */
export function uiBuilt(dir: string): boolean {
  try {
    return statSync(join(dir, 'index.html')).isFile();
  } catch {
    return false;
  }
}
