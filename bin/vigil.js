#!/usr/bin/env node
// Entry point installed as `vigil`. The TypeScript sources are compiled to dist/ by `npm run build`.
// More libuv threads than Node's default 4: a hung NFS statfs in the host collectors
// may pin some, and the TSDB's file I/O shares the pool. Must be set before first use.
process.env.UV_THREADPOOL_SIZE ??= '16';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('vigil: dist/ is missing; run `npm run build` first (npm start does it for you)\n');
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
