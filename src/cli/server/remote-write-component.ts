import { remoteWriteRoutes } from '../../remote/index.js';
import type { Component, ServerContext } from './component.js';

/** POST /api/v1/write, mounted only with --web.enable-remote-write-receiver (404 otherwise, as Prometheus). */
export class RemoteWriteComponent implements Component {
  readonly name = 'remote-write';

  async start(ctx: ServerContext): Promise<void> {
    if (!ctx.settings.enableRemoteWriteReceiver) return;
    ctx.web.mount(remoteWriteRoutes(ctx.storage, { logger: ctx.logger.child({ component: 'remote-write' }) }));
  }

  async stop(): Promise<void> {}
}
