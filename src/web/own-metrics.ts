import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { buildInfo, type Route } from '../util/index.js';

/**
 * The registry behind Vigil's own /metrics: Node process and runtime metrics
 * (process_*, nodejs_*) plus vigil_build_info; subsystems register their vigil_*
 * metrics on it.
 */
export function createVigilRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const b = buildInfo();
  const info = new Gauge({
    name: 'vigil_build_info',
    help: 'A metric with a constant 1 value labeled by version, revision, branch and runtime from which Vigil was built.',
    labelNames: ['version', 'revision', 'branch', 'goversion'] as const,
    registers: [registry],
  });
  info.set({ version: b.version, revision: b.revision, branch: b.branch, goversion: b.goVersion }, 1);
  return registry;
}

/** GET /metrics in the text format. */
export function metricsRoutes(registry: Registry): Route[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      handler: async (ctx) => {
        const text = await registry.metrics();
        ctx.send(200, registry.contentType, text);
      },
    },
  ];
}
