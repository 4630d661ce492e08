import { analyzeBlock, dumpSamples, importOpenMetrics, parseSelector } from '../../tsdb/index.js';
import { createLogger, errorMessage, formatFlagHelp, parseDuration, parseFlags, UserError, type FlagSpec } from '../../util/index.js';
import type { Command } from '../main.js';

/**
 * `vigil tsdb import openmetrics FILE [DATADIR]`, `vigil tsdb analyze [DATADIR]`,
 * `vigil tsdb dump [DATADIR]` — promtool tsdb's create-blocks-from, analyze and dump.
 */
const USAGE = `usage:
  vigil tsdb import openmetrics FILE [DATADIR]   write blocks from an OpenMetrics file (default DATADIR ./data)
  vigil tsdb analyze [DATADIR]                   cardinality report of the newest block (of the head, from the WAL, when there is no block yet)
  vigil tsdb dump [DATADIR]                      print samples as "{labels} value timestamp"
`;

const IMPORT_FLAGS: FlagSpec[] = [
  { name: 'max-block-duration', kind: 'string', default: '2h', help: 'duration of the written blocks' },
  { name: 'quiet', kind: 'bool', help: 'no progress bar' },
  { name: 'help', kind: 'bool', help: 'show help' },
];
const ANALYZE_FLAGS: FlagSpec[] = [
  { name: 'block', kind: 'string', default: '', help: 'block ULID to analyze (default: the newest)' },
  { name: 'limit', kind: 'int', default: 20, help: 'rows per table' },
  { name: 'help', kind: 'bool', help: 'show help' },
];
const DUMP_FLAGS: FlagSpec[] = [
  { name: 'min-time', kind: 'string', default: '', help: 'lowest timestamp (ms since epoch or RFC 3339)' },
  { name: 'max-time', kind: 'string', default: '', help: 'highest timestamp (ms since epoch or RFC 3339)' },
  { name: 'match', kind: 'strings', help: 'series selector, repeatable (default {__name__=~".+"})' },
  { name: 'help', kind: 'bool', help: 'show help' },
];

function parseTime(s: string, def: number, flag: string): number {
  if (s === '') return def;
  if (/^-?\d+$/.test(s)) return Number(s);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UserError(`--${flag}: expected milliseconds since the epoch or an RFC 3339 time, got "${s}"`);
  return t;
}

/** A data directory that cannot be read (missing, empty, corrupt): exit 1 like promtool, not 2 (usage). */
function failed(sub: string, err: unknown): number {
  process.stderr.write(`vigil tsdb ${sub}: ${errorMessage(err)}\n`);
  return 1;
}

export const command: Command = {
  summary: 'storage tools: import, analyze, dump',
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      process.stdout.write(USAGE);
      return sub === undefined ? 2 : 0;
    }
    if (sub === 'import') {
      const f = parseFlags(IMPORT_FLAGS, rest);
      if (f.bool('help')) {
        process.stdout.write(USAGE + '\n' + formatFlagHelp(IMPORT_FLAGS) + '\n');
        return 0;
      }
      const [format, file, dir = 'data'] = f.positional;
      if (format !== 'openmetrics') throw new UserError(`import: unsupported format ${JSON.stringify(format ?? '')} (supported: openmetrics)`);
      if (!file) throw new UserError('import openmetrics: FILE is required');
      let blockMs: number;
      try {
        blockMs = parseDuration(f.string('max-block-duration'));
      } catch (err) {
        throw new UserError(`--max-block-duration: ${(err as Error).message}`);
      }
      const quiet = f.bool('quiet') || !process.stderr.isTTY;
      const started = Date.now();
      const res = await importOpenMetrics(file, dir, {
        blockDurationMs: blockMs,
        progress: quiet
          ? undefined
          : (done, total) => {
              const pct = total > 0 ? done / total : 1;
              const bar = '#'.repeat(Math.round(pct * 30)).padEnd(30, '.');
              process.stderr.write(`\r[${bar}] ${(pct * 100).toFixed(0).padStart(3)}% ${(done / 2 ** 20).toFixed(1)} MiB`);
            },
      }).catch((err: unknown) => {
        if (!quiet) process.stderr.write('\n');
        throw new UserError((err as Error).message);
      });
      if (!quiet) process.stderr.write('\n');
      process.stdout.write(
        `imported ${res.samples} samples of ${res.series} series into ${res.blocks.length} block(s) in ${dir} (${((Date.now() - started) / 1000).toFixed(1)}s)` +
          (res.duplicatesDropped ? `; ${res.duplicatesDropped} duplicate timestamps dropped` : '') +
          '\n',
      );
      for (const b of res.blocks) process.stdout.write(`  ${b.ulid} ${new Date(b.minTime).toISOString()} .. ${new Date(b.maxTime).toISOString()} series=${b.stats.numSeries} samples=${b.stats.numSamples}\n`);
      return 0;
    }
    if (sub === 'analyze') {
      const f = parseFlags(ANALYZE_FLAGS, rest);
      if (f.bool('help')) {
        process.stdout.write(USAGE + '\n' + formatFlagHelp(ANALYZE_FLAGS) + '\n');
        return 0;
      }
      const dir = f.positional[0] ?? 'data';
      try {
        process.stdout.write(await analyzeBlock(dir, { block: f.optString('block'), limit: f.int('limit'), logger: createLogger({ level: 'warn' }) }));
      } catch (err) {
        return failed('analyze', err);
      }
      return 0;
    }
    if (sub === 'dump') {
      const f = parseFlags(DUMP_FLAGS, rest);
      if (f.bool('help')) {
        process.stdout.write(USAGE + '\n' + formatFlagHelp(DUMP_FLAGS) + '\n');
        return 0;
      }
      const dir = f.positional[0] ?? 'data';
      let matchers;
      try {
        matchers = f.strings('match').map(parseSelector);
      } catch (err) {
        throw new UserError((err as Error).message);
      }
      const logger = createLogger({ level: 'warn' });
      const range = { minTime: parseTime(f.string('min-time'), -Infinity, 'min-time'), maxTime: parseTime(f.string('max-time'), Infinity, 'max-time') };
      try {
        await dumpSamples(dir, { ...range, matchers, logger }, (s) => process.stdout.write(s));
      } catch (err) {
        return failed('dump', err);
      }
      return 0;
    }
    throw new UserError(`unknown tsdb subcommand "${sub}"\n${USAGE}`);
  },
};
