import type { Route } from '../util/index.js';

/**
 * Stands in for the remote-write receiver when --web.enable-remote-write-receiver is
 * off: Prometheus answers 404 with this text rather than a bare "not found".
 */
export function remoteWriteDisabledRoutes(): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/write',
      handler: (ctx) => ctx.send(404, 'text/plain; charset=utf-8', 'remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n'),
    },
  ];
}
