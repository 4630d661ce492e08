import { hostname } from 'node:os';
import { parseByteSize } from '../../config/index.js';
import { UserError, type FlagSpec, type LogFormat, type LogLevel, type ParsedFlags } from '../../util/index.js';
import { parseListenAddress, resolveUiPath } from '../../web/index.js';

/** Everything `vigil server` derives from its flags, validated once at startup. */
export interface ServerSettings {
  configFile: string | null;
  listenAddress: string;
  webConfigFile: string | null;
  enableLifecycle: boolean;
  enableAdminApi: boolean;
  enableRemoteWriteReceiver: boolean;
  /** Absolute URL under which Vigil is reachable, without trailing slash. */
  externalUrl: URL;
  /** "" or "/prefix" (no trailing slash). */
  routePrefix: string;
  corsOrigin: string;
  maxConnections: number;
  readTimeoutMs: number;
  uiPath: string;
  tsdbPath: string;
  /** Take the data directory's lock file (--[no-]storage.tsdb.use-lockfile, --storage.tsdb.no-lockfile). */
  tsdbLockfile: boolean;
  retentionTimeMs: number;
  /** Bytes; 0 = no size limit. */
  retentionSize: number;
  lookbackDeltaMs: number;
  queryTimeoutMs: number;
  queryMaxSamples: number;
  queryMaxConcurrency: number;
  alertForOutageToleranceMs: number;
  alertForGracePeriodMs: number;
  alertResendDelayMs: number;
  notificationQueueCapacity: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  features: Set<string>;
  /** Flag name → value, for /api/v1/status/flags. */
  flagValues: Record<string, string>;
  /** Compatibility flags that were given but have no effect (warned about at startup). */
  ignoredFlags: string[];
  /** Run the built-in host collectors at /metrics/node (--[no-]host-collectors). */
  hostCollectors: boolean;
  /** Built-in Alertmanager config (--alertmanager.config.file); null = the embedded default. */
  alertmanagerConfigFile: string | null;
  /** Run the built-in Alertmanager (--[no-]alertmanager.enable). */
  alertmanagerEnabled: boolean;
  /** Extra dashboard provisioning folders (--dashboards.dir, repeatable). */
  dashboardDirs: string[];
  /** All parsed flags, for components that take their own flag sets (host collectors). */
  flags: ParsedFlags;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

export function settingsFromFlags(f: ParsedFlags, specs: readonly FlagSpec[]): ServerSettings {
  if (f.positional.length > 0) throw new UserError(`unexpected argument "${f.positional[0]}" (flags start with --)`);
  const logLevel = f.string('log.level');
  if (!LOG_LEVELS.includes(logLevel)) throw new UserError(`flag --log.level: expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const logFormat = f.string('log.format');
  if (logFormat !== 'logfmt' && logFormat !== 'json') throw new UserError(`flag --log.format: expected logfmt or json, got "${logFormat}"`);
  const listenAddress = f.string('web.listen-address');
  try {
    parseListenAddress(listenAddress);
  } catch (err) {
    throw new UserError(`flag --web.listen-address: ${(err as Error).message}`);
  }
  const externalUrl = computeExternalUrl(f.string('web.external-url'), listenAddress);
  let routePrefix = f.string('web.route-prefix');
  if (routePrefix === '') routePrefix = externalUrl.pathname;
  routePrefix = '/' + routePrefix.replace(/^\/+|\/+$/g, '');
  if (routePrefix === '/') routePrefix = '';
  let retentionSize = 0;
  const rs = f.string('storage.tsdb.retention.size');
  if (rs !== '') {
    try {
      retentionSize = parseByteSize(rs);
    } catch (err) {
      throw new UserError(`flag --storage.tsdb.retention.size: ${(err as Error).message}`);
    }
  }
  let retentionTimeMs = f.duration('storage.tsdb.retention.time');
  // The deprecated --storage.tsdb.retention still works, as in Prometheus 2.x.
  if (f.explicit.has('storage.tsdb.retention') && !f.explicit.has('storage.tsdb.retention.time')) retentionTimeMs = f.duration('storage.tsdb.retention');
  // As in Prometheus: with neither limit set, keep 15 days.
  if (retentionTimeMs === 0 && retentionSize === 0) retentionTimeMs = 15 * 86_400_000;
  for (const name of ['query.max-samples', 'query.max-concurrency', 'web.max-connections', 'alertmanager.notification-queue-capacity']) {
    if (f.int(name) < 0) throw new UserError(`flag --${name}: must not be negative`);
  }
  if (f.int('query.max-concurrency') === 0) throw new UserError('flag --query.max-concurrency: must be at least 1');
  try {
    new RegExp(`^(?:${f.string('web.cors.origin')})$`);
  } catch (err) {
    throw new UserError(`flag --web.cors.origin: invalid regex: ${(err as Error).message}`);
  }
  const features = new Set(f.strings('enable-feature').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== ''));
  return {
    configFile: f.optString('config.file') ?? null,
    listenAddress,
    webConfigFile: f.optString('web.config.file') ?? null,
    enableLifecycle: f.bool('web.enable-lifecycle'),
    enableAdminApi: f.bool('web.enable-admin-api'),
    // Prometheus 2.x also accepts the older feature-flag spelling.
    enableRemoteWriteReceiver: f.bool('web.enable-remote-write-receiver') || features.has('remote-write-receiver'),
    externalUrl,
    routePrefix,
    corsOrigin: f.string('web.cors.origin'),
    maxConnections: f.int('web.max-connections'),
    readTimeoutMs: f.duration('web.read-timeout'),
    uiPath: resolveUiPath(f.string('web.ui-path')),
    tsdbPath: f.string('storage.tsdb.path'),
    tsdbLockfile: f.bool('storage.tsdb.use-lockfile') && !f.bool('storage.tsdb.no-lockfile'),
    retentionTimeMs,
    retentionSize,
    lookbackDeltaMs: f.duration('query.lookback-delta'),
    queryTimeoutMs: f.duration('query.timeout'),
    queryMaxSamples: f.int('query.max-samples'),
    queryMaxConcurrency: f.int('query.max-concurrency'),
    alertForOutageToleranceMs: f.duration('rules.alert.for-outage-tolerance'),
    alertForGracePeriodMs: f.duration('rules.alert.for-grace-period'),
    alertResendDelayMs: f.duration('rules.alert.resend-delay'),
    notificationQueueCapacity: f.int('alertmanager.notification-queue-capacity'),
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    features,
    flagValues: flagValues(f, specs),
    ignoredFlags: specs.filter((sp) => sp.hidden && sp.name !== 'storage.tsdb.retention' && f.explicit.has(sp.name) && !sp.name.startsWith('collector.')).map((sp) => sp.name),
    hostCollectors: f.bool('host-collectors'),
    alertmanagerConfigFile: f.optString('alertmanager.config.file') ?? null,
    alertmanagerEnabled: f.bool('alertmanager.enable'),
    dashboardDirs: f.strings('dashboards.dir'),
    flags: f,
  };
}

/**
 * Prometheus' computeExternalURL: default http://<hostname>:<port>/; a given URL
 * must be absolute http(s) and its path becomes the default route prefix.
 */
function computeExternalUrl(raw: string, listenAddress: string): URL {
  if (raw === '') {
    const { port } = parseListenAddress(listenAddress);
    return new URL(`http://${hostname() || 'localhost'}:${port}/`);
  }
  if (/^["']|["']$/.test(raw)) throw new UserError(`flag --web.external-url: URL must not begin or end with quotes: ${raw}`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UserError(`flag --web.external-url: not an absolute URL: "${raw}" (e.g. https://vigil.example.com/vigil/)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`flag --web.external-url: scheme must be http or https, got "${u.protocol.slice(0, -1)}"`);
  u.pathname = u.pathname.replace(/\/+$/, '') || '/';
  return u;
}

/** Values as Prometheus shows them in /api/v1/status/flags: durations in their short form, booleans as words. */
function flagValues(f: ParsedFlags, specs: readonly FlagSpec[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    switch (s.kind) {
      case 'bool':
        out[s.name] = String(f.bool(s.name));
        break;
      case 'duration':
        out[s.name] = formatPromDuration(f.duration(s.name));
        break;
      case 'strings':
        out[s.name] = f.strings(s.name).join(',');
        break;
      case 'int':
        out[s.name] = String(f.int(s.name));
        break;
      default:
        out[s.name] = f.string(s.name);
    }
  }
  return out;
}

/** "15d", or "15d or 512MiB" when a size limit is set too (Prometheus' storageRetention). */
export function retentionString(s: ServerSettings): string {
  const parts: string[] = [];
  if (s.retentionTimeMs > 0) parts.push(formatPromDuration(s.retentionTimeMs));
  if (s.retentionSize > 0) parts.push(formatBytesIEC(s.retentionSize));
  return parts.join(' or ');
}

function formatBytesIEC(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1 && v % 1024 === 0) {
    v /= 1024;
    i++;
  }
  return `${v}${units[i]}`;
}

/**
 * Prometheus' model.Duration.String: years and weeks only when they divide the value
 * exactly ("15d", "90d", "2w", not "2w1d"), then d, h, m, s, ms.
 */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  const units: Array<[string, number, boolean]> = [
    ['y', 365 * 86_400_000, true],
    ['w', 7 * 86_400_000, true],
    ['d', 86_400_000, false],
    ['h', 3_600_000, false],
    ['m', 60_000, false],
    ['s', 1000, false],
    ['ms', 1, false],
  ];
  for (const [unit, size, exact] of units) {
    if (exact && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
