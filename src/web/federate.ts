import { isStaleNaN, labelsCompare, labelsKey, METRIC_NAME, type Labels } from '../model/index.js';
import type { Queryable } from '../storage/index.js';
import type { Logger, RequestContext, Route } from '../util/index.js';
import { ParamError } from './params.js';
import { parseMatcherSets } from './selector.js';

export interface FederateOptions {
  storage: Queryable;
  /** The current config's global external_labels. */
  externalLabels: () => Labels;
  /** --query.lookback-delta in ms: how far back the latest sample may lie. */
  lookbackDeltaMs: number;
  logger: Logger;
}

const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * /federate as in Prometheus: the latest sample within the lookback window of every
 * series matching any match[], stale series dropped (the text format has no stale
 * markers), families sorted by name and written untyped with timestamps, external
 * labels added where the series lacks them (instance="" always, as Prometheus does).
 */
export function federateRoutes(o: FederateOptions): Route[] {
  return [{ method: 'GET', path: '/federate', handler: (ctx) => federate(ctx, o) }];
}

async function federate(ctx: RequestContext, o: FederateOptions): Promise<void> {
  const form = ctx.query;
  let sets;
  try {
    sets = parseMatcherSets(form.getAll('match[]'));
  } catch (err) {
    if (err instanceof ParamError) {
      ctx.send(400, 'text/plain; charset=utf-8', err.message + '\n');
      return;
    }
    throw err;
  }
  const maxt = Date.now();
  const mint = maxt - o.lookbackDeltaMs;
  const q = await o.storage.querier(mint, maxt);
  const latest: Array<{ labels: Labels; t: number; v: number }> = [];
  try {
    const seen = new Set<string>();
    const found = [];
    for (const set of sets) {
      for (const s of await q.select({ start: mint, end: maxt }, set)) {
        const k = labelsKey(s.labels);
        if (seen.has(k)) continue;
        seen.add(k);
        found.push(s);
      }
    }
    if (sets.length > 1) found.sort((a, b) => labelsCompare(a.labels, b.labels));
    for (const s of found) {
      const it = s.iterator();
      let ok = false;
      let t = 0;
      let v = 0;
      while (it.next()) {
        ok = true;
        t = it.t;
        v = it.v;
      }
      if (!ok || isStaleNaN(v)) continue;
      latest.push({ labels: s.labels, t, v });
    }
  } finally {
    q.close();
  }
  // Stable sort by metric name keeps label order within a family.
  latest.sort((a, b) => {
    const x = nameOf(a.labels);
    const y = nameOf(b.labels);
    return x < y ? -1 : x > y ? 1 : 0;
  });

  const external = new Map<string, string>();
  for (const l of o.externalLabels()) external.set(l.name, l.value);
  if (!external.has('instance')) external.set('instance', '');
  const externalNames = [...external.keys()].sort();

  let out = '';
  let lastName = '';
  for (const s of latest) {
    const name = nameOf(s.labels);
    if (name === '') {
      o.logger.warn({ metric: String(s.labels.map((l) => `${l.name}=${l.value}`)) }, 'Ignoring nameless metric during federation');
      continue;
    }
    if (name !== lastName) {
      out += `# TYPE ${name} untyped\n`;
      lastName = name;
    }
    const parts: string[] = [];
    const used = new Set<string>();
    for (const l of s.labels) {
      if (l.name === METRIC_NAME || l.value === '') continue;
      parts.push(`${l.name}="${escapeLabelValue(l.value)}"`);
      if (external.has(l.name)) used.add(l.name);
    }
    for (const n of externalNames) if (!used.has(n)) parts.push(`${n}="${escapeLabelValue(external.get(n)!)}"`);
    out += `${name}{${parts.join(',')}} ${formatGoFloat(s.v)} ${s.t}\n`;
  }
  ctx.send(200, TEXT_FORMAT, out);
}

function nameOf(ls: Labels): string {
  for (const l of ls) if (l.name === METRIC_NAME) return l.value;
  return '';
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * A float as the Prometheus text format writes it (expfmt: strconv 'g' with shortest
 * precision): exponent form when the decimal exponent is below -4 or at least 6,
 * e.g. "1e-05", "1.234567e+06"; -0 is written "0".
 */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return '0';
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  // In this range JS prints plain decimal digits, the same shortest digits as Go.
  return String(v);
}
