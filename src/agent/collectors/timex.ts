import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CollectContext, Collector, CollectorDef, NodeCollectorOptions } from '../collector.js';
import { NoDataError } from '../collector.js';
import type { MetricSink } from '../exposition.js';

/**
 * What native/timex's read() returns: adjtimex(2)'s return value (`state`, -1 on
 * error with `errno`) and the raw fields of struct timex, unscaled.
 */
export interface TimexReading {
  state: number;
  errno: number;
  offset: number;
  freq: number;
  maxerror: number;
  esterror: number;
  status: number;
  constant: number;
  precision: number;
  tolerance: number;
  tick: number;
  ppsfreq: number;
  jitter: number;
  shift: number;
  stabil: number;
  jitcnt: number;
  calcnt: number;
  errcnt: number;
  stbcnt: number;
  tai: number;
}

interface TimexAddon {
  read(): TimexReading;
}

/** Where `npm run build` (scripts/build-native.mjs) puts the addon; the same relative path from src/ and dist/. */
export const DEFAULT_TIMEX_ADDON = fileURLToPath(new URL('../../../native/timex/build/Release/timex.node', import.meta.url));

/** adjtimex's TIME_ERROR: the clock is not synchronised. */
const TIME_ERROR = 5;
/** struct timex status bit: offset and jitter are in ns instead of µs. */
const STA_NANO = 0x2000;
/** freq, ppsfreq and stabil are ppm with a 16-bit binary fraction (adjtimex(2), NOTES). */
const PPM16 = 65536 * 1e6;

/**
 * Adds node_exporter 1.5's 17 node_timex_* families (names, types, HELP and units
 * as its collector/timex.go) for one adjtimex reading.
 */
export function addTimexFamilies(sink: MetricSink, t: TimexReading): void {
  const div = (t.status & STA_NANO) !== 0 ? 1e9 : 1e6;
  const g = (name: string, help: string, v: number): void => sink.gauge(`node_timex_${name}`, help).add(v);
  const c = (name: string, help: string, v: number): void => sink.counter(`node_timex_${name}`, help).add(v);
  g('sync_status', 'Is clock synchronized to a reliable server (1 = yes, 0 = no).', t.state === TIME_ERROR ? 0 : 1);
  g('offset_seconds', 'Time offset in between local system and reference clock.', t.offset / div);
  g('frequency_adjustment_ratio', 'Local clock frequency adjustment.', 1 + t.freq / PPM16);
  // maxerror, esterror and tick are always µs, whatever STA_NANO says.
  g('maxerror_seconds', 'Maximum error in seconds.', t.maxerror / 1e6);
  g('estimated_error_seconds', 'Estimated error in seconds.', t.esterror / 1e6);
  g('status', 'Value of the status array bits.', t.status);
  g('loop_time_constant', 'Phase-locked loop time constant.', t.constant);
  g('tick_seconds', 'Seconds between clock ticks.', t.tick / 1e6);
  g('pps_frequency_hertz', 'Pulse per second frequency.', t.ppsfreq / PPM16);
  g('pps_jitter_seconds', 'Pulse per second jitter.', t.jitter / div);
  g('pps_shift_seconds', 'Pulse per second interval duration.', t.shift);
  g('pps_stability_hertz', 'Pulse per second stability, average of recent frequency changes.', t.stabil / PPM16);
  c('pps_jitter_total', 'Pulse per second count of jitter limit exceeded events.', t.jitcnt);
  c('pps_calibration_total', 'Pulse per second count of calibration intervals.', t.calcnt);
  c('pps_error_total', 'Pulse per second count of calibration errors.', t.errcnt);
  c('pps_stability_exceeded_total', 'Pulse per second count of stability limit exceeded events.', t.stbcnt);
  g('tai_offset_seconds', 'International Atomic Time (TAI) offset.', t.tai);
}

function errnoName(n: number): string {
  for (const [name, v] of Object.entries(constants.errno)) if (v === n) return name;
  return `errno ${n}`;
}

/**
 * node_exporter's timex collector. Node.js cannot call adjtimex(2), so the values
 * come from the native addon native/timex, built by `npm run build`. Without it
 * (no C compiler at build time) the collector fails, so
 * node_scrape_collector_success{collector="timex"} is 0 while the rest of the
 * scrape goes on; the reason is logged at error level on the first scrape and at
 * debug level after that.
 */
class TimexCollector implements Collector {
  private addon: TimexAddon | Error | undefined;
  private reported = false;

  constructor(private readonly path: string) {}

  private load(): TimexAddon {
    if (this.addon === undefined) {
      try {
        const mod = createRequire(import.meta.url)(this.path) as Partial<TimexAddon>;
        if (typeof mod.read !== 'function') throw new Error('it does not export read()');
        this.addon = mod as TimexAddon;
      } catch (err) {
        this.addon = new Error(
          `timex: cannot load the native addon ${this.path} (${(err as Error).message.split('\n')[0]}); ` +
            'build it with `npm run build` on a machine with a C compiler, make and python3',
        );
      }
    }
    if (this.addon instanceof Error) {
      if (this.reported) throw new NoDataError(this.addon.message);
      this.reported = true;
      throw this.addon;
    }
    return this.addon;
  }

  async update(sink: MetricSink, _ctx: CollectContext): Promise<void> {
    const t = this.load().read();
    if (t.state < 0) {
      const name = errnoName(t.errno);
      const msg = `timex: adjtimex failed: ${name}`;
      // A sandbox (seccomp, gVisor) may forbid even the read-only call: no data rather than an error.
      throw name === 'EPERM' || name === 'ENOSYS' ? new NoDataError(msg) : new Error(msg);
    }
    addTimexFamilies(sink, t);
  }
}

export const timexCollectors: CollectorDef[] = [
  { name: 'timex', defaultEnabled: true, create: (opts: NodeCollectorOptions) => new TimexCollector(opts.timexAddon ?? DEFAULT_TIMEX_ADDON) },
];
