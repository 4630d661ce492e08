import { availableParallelism } from 'node:os';
import type { Storage } from '../storage/index.js';
import { apiSuccess, buildInfo, type Route } from '../util/index.js';
import { maskSecrets } from './mask-secrets.js';
import { invalidParam } from './params.js';
import type { RuntimeStatus } from './types.js';

export interface StatusSources {
  storage: Pick<Storage, 'stats'>;
  /** The YAML of the running configuration. */
  configYaml: () => string;
  /** Flag name → value as given/defaulted, as Prometheus lists them. */
  flags: () => Record<string, string>;
  runtime: () => RuntimeStatus;
}

/** /api/v1/status/*: config, flags, buildinfo, runtimeinfo, tsdb, walreplay. */
export function statusRoutes(src: StatusSources): Route[] {
  return [
    // Secrets are masked as Prometheus does, so the API never hands out credentials.
    { method: 'GET', path: '/status/config', handler: (ctx) => ctx.sendApi(apiSuccess({ yaml: maskSecrets(src.configYaml()) })) },
    { method: 'GET', path: '/status/flags', handler: (ctx) => ctx.sendApi(apiSuccess(src.flags())) },
    { method: 'GET', path: '/status/buildinfo', handler: (ctx) => ctx.sendApi(apiSuccess(buildInfo())) },
    { method: 'GET', path: '/status/runtimeinfo', handler: (ctx) => ctx.sendApi(apiSuccess(runtimeInfo(src.runtime()))) },
    {
      method: 'GET',
      path: '/status/tsdb',
      handler: (ctx) => {
        const raw = ctx.query.get('limit');
        let limit = 10;
        if (raw !== null && raw !== '') {
          if (!/^\d+$/.test(raw) || Number(raw) < 1) throw invalidParam('limit', 'limit must be a positive number');
          limit = Number(raw);
        }
        ctx.sendJsonText(200, tsdbStatusJson(src.storage, limit));
      },
    },
    // Vigil replays its WAL before the API opens, so this is always finished.
    { method: 'GET', path: '/status/walreplay', handler: (ctx) => ctx.sendApi(apiSuccess({ min: 0, max: 0, current: 0 })) },
  ];
}

function runtimeInfo(r: RuntimeStatus): Record<string, unknown> {
  return {
    startTime: new Date(r.startTime).toISOString(),
    CWD: process.cwd(),
    reloadConfigSuccess: r.reloadConfigSuccess,
    lastConfigTime: new Date(r.lastConfigTime).toISOString(),
    corruptionCount: r.corruptionCount,
    // Go-runtime fields kept for client compatibility, filled with the Node equivalents.
    goroutineCount: process.getActiveResourcesInfo().length,
    GOMAXPROCS: availableParallelism(),
    GOGC: '',
    GODEBUG: '',
    storageRetention: r.storageRetention,
  };
}

/**
 * The tsdb status body. Prometheus reports an empty head's time range as
 * math.MaxInt64/MinInt64; those do not fit a JS number, so they are spliced in as text.
 */
function tsdbStatusJson(storage: Pick<Storage, 'stats'>, limit: number): string {
  const s = storage.stats(limit);
  const minT = Number.isFinite(s.minTime) ? String(s.minTime) : '9223372036854775807';
  const maxT = Number.isFinite(s.maxTime) ? String(s.maxTime) : '-9223372036854775808';
  const head = `{"numSeries":${s.numSeries},"numLabelPairs":${s.numLabelPairs},"chunkCount":${s.chunkCount},"minTime":${minT},"maxTime":${maxT}}`;
  const rest = JSON.stringify({
    seriesCountByMetricName: s.seriesCountByMetricName,
    labelValueCountByLabelName: s.labelValueCountByLabelName,
    memoryInBytesByLabelName: s.memoryInBytesByLabelName,
    seriesCountByLabelValuePair: s.seriesCountByLabelValuePair,
  });
  return `{"status":"success","data":{"headStats":${head},${rest.slice(1)}}`;
}
