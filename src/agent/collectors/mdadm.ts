import type { CollectContext, Collector, CollectorDef } from '../collector.js';
import { NoDataError, fields } from '../collector.js';
import type { MetricSink } from '../exposition.js';
import { isNotExist, readText } from '../procfs.js';

export interface MdDevice {
  name: string;
  /** active, inactive, recovering, resyncing or checking. */
  state: string;
  disksActive: number;
  disksTotal: number;
  disksFailed: number;
  disksSpare: number;
  blocksTotal: number;
  blocksSynced: number;
}

const STATUS_LINE = /(\d+) blocks .*\[(\d+)\/(\d+)\] \[([U_]+)\]/;
const SYNCED_BLOCKS = /\((\d+)\/\d+\)/;

function count(s: string, sub: string): number {
  return s.split(sub).length - 1;
}

/**
 * Parses /proc/mdstat (https://raid.wiki.kernel.org/index.php/Mdstat) the way
 * node_exporter's procfs does: a device line, a status line with [total/active],
 * an optional bitmap line, and a sync line while recovering/resyncing/checking.
 */
export function parseMdstat(text: string): MdDevice[] {
  const out: MdDevice[] = [];
  const ls = text.split('\n');
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i]!;
    if (line.trim() === '' || line[0] === ' ' || line[0] === '\t' || line.startsWith('Personalities') || line.startsWith('unused')) continue;
    const f = fields(line);
    if (f.length < 3) throw new Error(`mdstat line ${i + 1}: not enough fields in md line (expected at least 3): ${JSON.stringify(line)}`);
    const name = f[0]!;
    let state = f[2]!;
    if (ls.length <= i + 3) throw new Error(`mdstat: too few lines for md device ${name}`);
    const status = ls[i + 1]!;
    const blocksTotal = Number(fields(status)[0]);
    if (!Number.isInteger(blocksTotal)) throw new Error(`mdstat line ${i + 2}: unexpected status line ${JSON.stringify(status)}`);
    let active = 0;
    let total = 0;
    if (line.includes('raid0') || line.includes('linear')) {
      // Only member disks carry a [n] index on the device line.
      total = active = count(line, '[');
    } else if (!line.includes('inactive')) {
      const m = STATUS_LINE.exec(status);
      if (!m) throw new Error(`mdstat line ${i + 2}: no [total/active] in status line ${JSON.stringify(status)}`);
      total = Number(m[2]);
      active = Number(m[3]);
    }
    let syncIdx = i + 2;
    if (ls[i + 2]!.includes('bitmap')) syncIdx++;
    const sync = ls[syncIdx] ?? '';
    let blocksSynced = blocksTotal;
    const recovering = sync.includes('recovery');
    const resyncing = sync.includes('resync');
    const checking = sync.includes('check');
    if (recovering || resyncing || checking) {
      state = recovering ? 'recovering' : checking ? 'checking' : 'resyncing';
      if (sync.includes('PENDING') || sync.includes('DELAYED')) blocksSynced = 0;
      else {
        const m = SYNCED_BLOCKS.exec(sync);
        if (!m) throw new Error(`mdstat line ${syncIdx + 1}: unexpected sync line ${JSON.stringify(sync)}`);
        blocksSynced = Number(m[1]);
      }
    }
    out.push({ name, state, disksActive: active, disksTotal: total, disksFailed: count(line, '(F)'), disksSpare: count(line, '(S)'), blocksTotal, blocksSynced });
  }
  return out;
}

/** Label value of node_md_state for each parsed activity state. */
const STATES: Array<[string, string]> = [
  ['active', 'active'],
  ['check', 'checking'],
  ['inactive', 'inactive'],
  ['recovering', 'recovering'],
  ['resync', 'resyncing'],
];

class MdadmCollector implements Collector {
  async update(sink: MetricSink, ctx: CollectContext): Promise<void> {
    let text: string;
    try {
      text = await readText(ctx.proc('mdstat'));
    } catch (err) {
      if (isNotExist(err)) throw new NoDataError('no /proc/mdstat');
      throw err;
    }
    const devs = parseMdstat(text);
    const state = sink.gauge('node_md_state', 'Indicates the state of md-device.');
    const disks = sink.gauge('node_md_disks', 'Number of active/failed/spare disks of device.');
    const required = sink.gauge('node_md_disks_required', 'Total number of disks of device.');
    const blocks = sink.gauge('node_md_blocks', 'Total number of blocks on device.');
    const synced = sink.gauge('node_md_blocks_synced', 'Number of blocks synced on device.');
    for (const d of devs) {
      for (const [label, parsed] of STATES) state.addLabels(['device', d.name, 'state', label], d.state === parsed ? 1 : 0);
      disks.addLabels(['device', d.name, 'state', 'active'], d.disksActive);
      disks.addLabels(['device', d.name, 'state', 'failed'], d.disksFailed);
      disks.addLabels(['device', d.name, 'state', 'spare'], d.disksSpare);
      required.add1('device', d.name, d.disksTotal);
      blocks.add1('device', d.name, d.blocksTotal);
      synced.add1('device', d.name, d.blocksSynced);
    }
  }
}

export const mdadmCollectors: CollectorDef[] = [{ name: 'mdadm', defaultEnabled: true, create: () => new MdadmCollector() }];
