import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { findBinary, tempDir } from '../../testutil/index.js';
import { parseFlags, type Logger } from '../../util/index.js';
import { MetricSink, renderFamilies } from '../exposition.js';
import { fixture, readPage } from '../fixture-tree.js';
import { collectorFlagSpecs, createNodeCollector, nodeCollectorOptionsFromFlags } from '../index.js';
import { addTimexFamilies, DEFAULT_TIMEX_ADDON, type TimexReading } from './timex.js';

const READING: TimexReading = {
  state: 0,
  errno: 0,
  offset: -1500,
  freq: 655360, // 10 ppm in 16.16 fixed point
  maxerror: 250000,
  esterror: 1200,
  status: 0x2001, // STA_PLL | STA_NANO
  constant: 7,
  precision: 1,
  tolerance: 32768000,
  tick: 10000,
  ppsfreq: 131072,
  jitter: 2500,
  shift: 4,
  stabil: 32768,
  jitcnt: 3,
  calcnt: 11,
  errcnt: 1,
  stbcnt: 2,
  tai: 37,
};

function page(t: TimexReading): ReturnType<typeof readPage> {
  const sink = new MetricSink();
  addTimexFamilies(sink, t);
  return readPage(renderFamilies(sink.families.values()));
}

function capture(): { logger: Logger; lines: Array<{ level: number; msg: string; err?: string }> } {
  const lines: Array<{ level: number; msg: string; err?: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) }) as unknown as Logger;
  return { logger, lines };
}

test('timex: adjtimex fields scaled like node_exporter (STA_NANO, 16.16 ppm, µs errors, TIME_ERROR)', () => {
  let p = page(READING);
  assert.equal([...p.families.keys()].filter((f) => f.startsWith('node_timex_')).length, 17);
  // STA_NANO set: offset and jitter are nanoseconds; maxerror/esterror/tick stay microseconds.
  assert.equal(p.value('node_timex_offset_seconds'), -1.5e-6);
  assert.equal(p.value('node_timex_pps_jitter_seconds'), 2.5e-6);
  assert.equal(p.value('node_timex_maxerror_seconds'), 0.25);
  assert.equal(p.value('node_timex_estimated_error_seconds'), 0.0012);
  assert.equal(p.value('node_timex_tick_seconds'), 0.01);
  assert.equal(p.value('node_timex_frequency_adjustment_ratio'), 1.00001);
  assert.equal(p.value('node_timex_pps_frequency_hertz'), 2e-6);
  assert.equal(p.value('node_timex_pps_stability_hertz'), 5e-7);
  assert.equal(p.value('node_timex_status'), 0x2001);
  assert.equal(p.value('node_timex_loop_time_constant'), 7);
  assert.equal(p.value('node_timex_pps_shift_seconds'), 4);
  assert.equal(p.value('node_timex_tai_offset_seconds'), 37);
  assert.equal(p.value('node_timex_sync_status'), 1);
  assert.equal(p.families.get('node_timex_pps_calibration_total')!.type, 'counter');
  assert.equal(p.value('node_timex_pps_calibration_total'), 11);
  assert.equal(p.families.get('node_timex_offset_seconds')!.type, 'gauge');
  // Without STA_NANO the same raw offset is microseconds; TIME_ERROR (5) means not synchronised.
  p = page({ ...READING, status: 0x0001, state: 5 });
  assert.equal(p.value('node_timex_offset_seconds'), -0.0015);
  assert.equal(p.value('node_timex_pps_jitter_seconds'), 0.0025);
  assert.equal(p.value('node_timex_sync_status'), 0);
  // TIME_OK..TIME_WAIT (0-4) all count as synchronised.
  assert.equal(page({ ...READING, state: 4 }).value('node_timex_sync_status'), 1);
});

test('timex: a missing or wrong addon gives success 0 with a clear error, and the rest of the scrape works', async () => {
  const fx = fixture({ 'proc/loadavg': '0.50 0.25 0.10 1/100 42\n' });
  const dir = tempDir('vigil-timex-');
  try {
    const { logger, lines } = capture();
    const c = createNodeCollector({ ...fx.opts, collectors: ['loadavg', 'timex'], timexAddon: join(dir.path, 'missing', 'timex.node'), logger });
    for (let i = 0; i < 2; i++) {
      const p = readPage(await c.render());
      assert.equal(p.value('node_scrape_collector_success', { collector: 'timex' }), 0);
      assert.equal(p.value('node_scrape_collector_success', { collector: 'loadavg' }), 1);
      assert.equal(p.value('node_load1'), 0.5);
      assert.equal([...p.families.keys()].filter((f) => f.startsWith('node_timex_')).length, 0);
    }
    // Logged as an error once (with what to do), then at debug level on later scrapes.
    const about = lines.filter((l) => (l.err ?? '').includes('timex'));
    assert.deepEqual(
      about.map((l) => l.level),
      [50, 20],
    );
    assert.match(about[0]!.err!, /cannot load the native addon .*missing\/timex\.node.*npm run build/);

    // A file that loads but is not the addon (no read()) is reported the same way.
    const wrong = join(dir.path, 'wrong.cjs');
    writeFileSync(wrong, 'module.exports = { hello: 1 };\n');
    const w = capture();
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['timex'], timexAddon: wrong, logger: w.logger }).render());
    assert.equal(p.value('node_scrape_collector_success', { collector: 'timex' }), 0);
    assert.match(w.lines.find((l) => l.level === 50)!.err!, /does not export read\(\)/);
  } finally {
    dir.cleanup();
    fx.cleanup();
  }
});

test('timex: default-on like node_exporter; --no-collector.timex and --collector.disable-defaults turn it off', () => {
  const specs = collectorFlagSpecs();
  const collectors = (argv: string[]): readonly string[] => nodeCollectorOptionsFromFlags(parseFlags(specs, argv)).collectors!;
  assert.ok(collectors([]).includes('timex'));
  assert.ok(!collectors(['--no-collector.timex']).includes('timex'));
  assert.ok(!collectors(['--collector.disable-defaults']).includes('timex'));
  assert.deepEqual(collectors(['--collector.disable-defaults', '--collector.timex']), ['timex']);
});

// `npm run build` only warns when it cannot compile the addon; with a C compiler present a missing addon is a build bug.
const CC = findBinary('cc', 'gcc', 'clang');
test(
  'timex: the addon built by npm run build reads the kernel clock state',
  { skip: process.platform !== 'linux' ? 'adjtimex is Linux-only' : !CC && !existsSync(DEFAULT_TIMEX_ADDON) ? 'no C compiler: native/timex is not built' : false },
  async () => {
    assert.ok(existsSync(DEFAULT_TIMEX_ADDON), `${DEFAULT_TIMEX_ADDON} missing although a C compiler (${CC}) exists: scripts/build-native.mjs did not build it`);
    const p = readPage(await createNodeCollector({ collectors: ['timex'] }).render());
    assert.equal(p.value('node_scrape_collector_success', { collector: 'timex' }), 1);
    assert.equal([...p.families.keys()].filter((f) => f.startsWith('node_timex_')).length, 17);
    const tick = p.value('node_timex_tick_seconds')!;
    assert.ok(tick > 0 && tick < 1, `tick ${tick}`);
    assert.ok([0, 1].includes(p.value('node_timex_sync_status')!));
    // The kernel caps maxerror at NTP_PHASE_LIMIT (16 s).
    const maxerr = p.value('node_timex_maxerror_seconds')!;
    assert.ok(maxerr >= 0 && maxerr <= 16, `maxerror ${maxerr}`);
  },
);
