import { createNodeCollector, nodeCollectorOptionsFromFlags, nodeMetricsRoute } from '../../agent/index.js';
import type { Component, ServerContext } from './component.js';

/**
 * The node_exporter-compatible host collectors, served at /metrics/node on the
 * server's own listener; the default configuration scrapes them as job "node".
 */
export class HostCollectorsComponent implements Component {
  readonly name = 'host-collectors';

  async start(ctx: ServerContext): Promise<void> {
    if (!ctx.settings.hostCollectors) return;
    const collector = createNodeCollector(nodeCollectorOptionsFromFlags(ctx.settings.flags, ctx.logger.child({ component: 'host-collectors' })));
    ctx.web.mount([nodeMetricsRoute(collector, '/metrics/node')], '', { ungated: true });
    ctx.logger.info({ collectors: collector.enabled.join(',') }, 'host collectors enabled at /metrics/node');
  }

  async stop(): Promise<void> {}
}
