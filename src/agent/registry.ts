import type { CollectorDef } from './collector.js';
import { cpuCollectors } from './collectors/cpu.js';
import { diskCollectors } from './collectors/disk.js';
import { filesystemCollectors } from './collectors/filesystem.js';
import { hardwareCollectors } from './collectors/hardware.js';
import { kernelCollectors } from './collectors/kernel.js';
import { mdadmCollectors } from './collectors/mdadm.js';
import { memoryCollectors } from './collectors/memory.js';
import { networkCollectors } from './collectors/network.js';
import { systemdCollectors } from './collectors/systemd.js';
import { textfileCollectors } from './collectors/textfile.js';
import { timexCollectors } from './collectors/timex.js';

/** Every collector Vigil implements, sorted by name (the order of node_scrape_collector_* series). */
export const COLLECTORS: readonly CollectorDef[] = [
  ...cpuCollectors,
  ...diskCollectors,
  ...filesystemCollectors,
  ...hardwareCollectors,
  ...kernelCollectors,
  ...mdadmCollectors,
  ...memoryCollectors,
  ...networkCollectors,
  ...systemdCollectors,
  ...textfileCollectors,
  ...timexCollectors,
].sort((a, b) => (a.name < b.name ? -1 : 1));

/** Names of the collectors that run unless disabled. */
export function defaultCollectors(): string[] {
  return COLLECTORS.filter((c) => c.defaultEnabled).map((c) => c.name);
}

export function collectorNames(): string[] {
  return COLLECTORS.map((c) => c.name);
}
