#!/usr/bin/env node
// Builds Vigil's optional native addons (native/<name>/build/Release/<name>.node) with
// npm's bundled node-gyp. Run by `npm run build`. It never fails the build: without a
// compiler, node-gyp or Node headers it prints one warning line and exits 0, and the
// feature that needs the addon reports itself as failed at run time instead
// (for timex: node_scrape_collector_success{collector="timex"} 0).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Addons and the platforms they exist on (adjtimex(2) is Linux-only, like node_exporter's timex collector). */
const ADDONS = [{ name: 'timex', platforms: ['linux'] }];

function warn(msg) {
  console.warn(`build-native: WARNING: ${msg}`);
}

/** Newest mtime of the addon's sources (everything in its folder but build/). */
function sourcesMtime(dir) {
  let newest = 0;
  for (const f of readdirSync(dir)) {
    if (f === 'build') continue;
    newest = Math.max(newest, statSync(join(dir, f)).mtimeMs);
  }
  return newest;
}

/**
 * npm's node-gyp: npm exports its path (its node_gyp setting) to scripts and that is
 * used as given; run outside npm, look next to the installed npm.
 */
function findNodeGyp() {
  const set = process.env.npm_config_node_gyp;
  if (set) return existsSync(set) ? set : undefined;
  const candidates = [];
  const npmCli = [];
  if (process.env.npm_execpath) npmCli.push(process.env.npm_execpath);
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (d && existsSync(join(d, 'npm'))) {
      try {
        npmCli.push(realpathSync(join(d, 'npm')));
      } catch {
        // dangling link: try the next one
      }
    }
  }
  for (const cli of npmCli) candidates.push(join(dirname(cli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => existsSync(c));
}

/** Headers of the running Node: npm's nodedir setting, else the ones installed next to the binary (no download). */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

/** The line of node-gyp's output that says what is missing (no Python, no make, no compiler, a compile error). */
function failureReason(output) {
  const lines = output.split('\n');
  for (const re of [/You need to install/, /not found|No such file/, /error:/, /gyp ERR! stack Error/, /gyp ERR!/]) {
    const hit = lines.find((l) => re.test(l));
    if (hit) return hit.replace(/^gyp ERR! (stack |find Python )?/, '').trim();
  }
  return undefined;
}

function buildAll() {
  let built = 0;
  for (const { name, platforms } of ADDONS) {
    const dir = join(root, 'native', name);
    const out = join(dir, 'build', 'Release', `${name}.node`);
    if (!platforms.includes(process.platform)) continue;
    if (existsSync(out) && statSync(out).mtimeMs >= sourcesMtime(dir)) continue;
    const gyp = findNodeGyp();
    if (!gyp) {
      warn(`node-gyp not found${process.env.npm_config_node_gyp ? ` at ${process.env.npm_config_node_gyp}` : ''}; native/${name} not built (the ${name} collector will report success 0). Build it with npm's node-gyp, a C compiler, make and python3.`);
      continue;
    }
    const [cmd, pre] = gyp.endsWith('.js') ? [process.execPath, [gyp]] : [gyp, []];
    const r = spawnSync(cmd, [...pre, 'rebuild', ...nodedirArgs()], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
    if (r.status !== 0) {
      const log = join(dir, 'build', 'node-gyp.log');
      mkdirSync(dirname(log), { recursive: true });
      writeFileSync(log, `${r.error ? String(r.error) + '\n' : ''}${r.stdout ?? ''}${r.stderr ?? ''}`);
      const reason = r.error ? r.error.message : failureReason(`${r.stdout ?? ''}\n${r.stderr ?? ''}`) ?? `node-gyp exited with ${r.status}`;
      warn(`native/${name} not built (${reason}); the ${name} collector will report success 0. Needs a C compiler, make and python3; log: native/${name}/build/node-gyp.log`);
      continue;
    }
    built++;
  }
  if (built > 0) console.log(`build-native: built ${built} addon(s)`);
}

// Whatever goes wrong here, the build goes on.
try {
  buildAll();
} catch (err) {
  warn(`native addons not built (${err instanceof Error ? err.message : String(err)})`);
}
