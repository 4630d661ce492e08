import { createHash } from 'node:crypto';
import type { ScrapeConfig } from '../config/index.js';
import type { TargetGroup } from '../discovery/index.js';
import { labelsKey, LabelsBuilder, type Labels } from '../model/index.js';
import { relabel } from '../relabel/index.js';
import { formatDuration, parseDuration } from '../util/index.js';

/** A target after relabeling (Prometheus scrape.Target). */
export class Target {
  /** Hash of labels and URL: identifies the target (and its loop) across syncs. */
  readonly hash: string;
  readonly url: string;
  constructor(
    /** Final labels, including __address__, __scheme__, __metrics_path__, __param_*. */
    readonly labels: Labels,
    /** Labels before relabeling. */
    readonly discoveredLabels: Labels,
    readonly params: Record<string, string[]>,
  ) {
    this.url = targetURL(labels, params);
    this.hash = createHash('sha1').update(labelsKey(labels)).update('\0').update(this.url).digest('hex');
  }

  /** Labels without the `__` reserved ones: what series get attached (Target.Labels()). */
  publicLabels(): Labels {
    return this.labels.filter((l) => !l.name.startsWith('__'));
  }

  get(name: string): string {
    for (const l of this.labels) if (l.name === name) return l.value;
    return '';
  }

  /** 64-bit FNV-1a of the hash string, for the scrape offset. */
  offsetSeed(): bigint {
    let h = 0xcbf29ce484222325n;
    for (let i = 0; i < this.hash.length; i++) {
      h ^= BigInt(this.hash.charCodeAt(i));
      h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
    }
    return h;
  }
}

/** The scrape URL from __scheme__, __address__, __metrics_path__ and params (Prometheus Target.URL()). */
export function targetURL(labels: Labels, params: Record<string, string[]>): string {
  const q: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(params)) q[k] = [...v];
  let scheme = '';
  let host = '';
  let path = '';
  for (const l of labels) {
    if (l.name === '__scheme__') scheme = l.value;
    else if (l.name === '__address__') host = l.value;
    else if (l.name === '__metrics_path__') path = l.value;
    else if (l.name.startsWith('__param_')) {
      const k = l.name.slice(8);
      if (q[k] && q[k]!.length > 0) q[k]![0] = l.value;
      else q[k] = [l.value];
    }
  }
  // url.Values.Encode: keys sorted, QueryEscape'd.
  const parts: string[] = [];
  for (const k of Object.keys(q).sort()) for (const v of q[k]!) parts.push(queryEscape(k) + '=' + queryEscape(v));
  let u = `${scheme}://${host}${escapePath(path)}`;
  if (parts.length > 0) u += '?' + parts.join('&');
  return u;
}

function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/~/g, '~');
}

function escapePath(p: string): string {
  if (p !== '' && !p.startsWith('/')) p = '/' + p;
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) => encodeURIComponent(c));
}

export interface PopulateResult {
  /** Final labels, or null when relabeling dropped the target. */
  labels: Labels | null;
  /** Labels before relabeling (null when the target was invalid and is neither active nor dropped). */
  discovered: Labels | null;
  error: string | null;
}

/** Prometheus 2.42 scrape.PopulateLabels: defaults, __param_*, relabel, port defaulting, checks. */
export function populateLabels(lset: Labels, cfg: ScrapeConfig): PopulateResult {
  const interval = formatDuration(cfg.scrapeInterval);
  const timeout = formatDuration(cfg.scrapeTimeout);
  const lb = new LabelsBuilder(lset);
  const defaults: Array<[string, string]> = [
    ['job', cfg.jobName],
    ['__scrape_interval__', interval],
    ['__scrape_timeout__', timeout],
    ['__metrics_path__', cfg.metricsPath],
    ['__scheme__', cfg.scheme],
  ];
  for (const [n, v] of defaults) if (lb.get(n) === '') lb.set(n, v);
  for (const [k, v] of Object.entries(cfg.params)) if (v.length > 0) lb.set('__param_' + k, v[0]!);
  const pre = lb.labels();
  const res = relabel(pre, cfg.relabelConfigs);
  if (res === null) return { labels: null, discovered: pre, error: null };
  const out = new LabelsBuilder(res);
  let addr = out.get('__address__');
  if (addr === '') return { labels: null, discovered: null, error: 'no address' };
  const scheme = out.get('__scheme__');
  if (needsPort(addr)) {
    if (scheme === 'http' || scheme === '') addr += ':80';
    else if (scheme === 'https') addr += ':443';
    else return { labels: null, discovered: null, error: `invalid scheme: "${cfg.scheme}"` };
    out.set('__address__', addr);
  }
  if (addr.includes('/')) return { labels: null, discovered: null, error: `"${addr}" is not a valid hostname` };
  const iv = out.get('__scrape_interval__');
  const to = out.get('__scrape_timeout__');
  let ivMs = cfg.scrapeInterval;
  let toMs = cfg.scrapeTimeout;
  if (iv !== interval) {
    try {
      ivMs = parseDuration(iv);
    } catch (err) {
      return { labels: null, discovered: null, error: `error parsing scrape interval: ${(err as Error).message}` };
    }
    if (ivMs === 0) return { labels: null, discovered: null, error: 'scrape interval cannot be 0' };
  }
  if (to !== timeout) {
    try {
      toMs = parseDuration(to);
    } catch (err) {
      return { labels: null, discovered: null, error: `error parsing scrape timeout: ${(err as Error).message}` };
    }
    if (toMs === 0) return { labels: null, discovered: null, error: 'scrape timeout cannot be 0' };
  }
  if (toMs > ivMs) return { labels: null, discovered: null, error: `scrape timeout cannot be greater than scrape interval ("${to}" > "${iv}")` };
  for (const l of res) if (l.name.startsWith('__meta_')) out.del(l.name);
  if (out.get('instance') === '') out.set('instance', addr);
  return { labels: out.labels(), discovered: pre, error: null };
}

/** True when the address has no port and is a plausible host (Prometheus' addPort). */
function needsPort(addr: string): boolean {
  // host:port, [v6]:port
  if (addr.startsWith('[')) return !/\]:\d*$/.test(addr) && addr.endsWith(']');
  const colon = addr.lastIndexOf(':');
  if (colon < 0) return true;
  // More than one colon without brackets: an IPv6 literal Go's SplitHostPort rejects ("too many colons"): leave as is.
  return false;
}

export interface GroupTargets {
  active: Target[];
  dropped: Labels[];
  errors: string[];
}

/** Prometheus TargetsFromGroup: target labels win over group labels. */
export function targetsFromGroup(tg: TargetGroup, cfg: ScrapeConfig, out: GroupTargets): void {
  for (let i = 0; i < tg.targets.length; i++) {
    const lb = new LabelsBuilder(tg.labels);
    for (const l of tg.targets[i]!) lb.set(l.name, l.value);
    const r = populateLabels(lb.labels(), cfg);
    if (r.error !== null) {
      out.errors.push(`instance ${i} in group ${tg.source}: ${r.error}`);
      continue;
    }
    if (r.labels) out.active.push(new Target(r.labels, r.discovered!, cfg.params));
    else if (r.discovered) out.dropped.push(r.discovered);
  }
}
