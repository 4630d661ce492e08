import { errorMessage, type RequestContext, type Route } from '../util/index.js';

export interface LifecycleHooks {
  /** --web.enable-lifecycle: allow POST/PUT /-/reload and /-/quit. */
  enabled: boolean;
  /** Whether startup finished (storage open, config applied). */
  ready: () => boolean;
  /** Reloads the configuration; rejects with the reason when the new one is refused. */
  reload: () => Promise<void>;
  /** Begins a graceful shutdown. */
  quit: () => void;
}

const TEXT = 'text/plain; charset=utf-8';

/** /-/healthy, /-/ready, /-/reload, /-/quit with Prometheus' status codes and texts. */
export function lifecycleRoutes(h: LifecycleHooks): Route[] {
  const forbidden = (ctx: RequestContext): void => ctx.send(403, TEXT, 'Lifecycle API is not enabled.');
  const onlyPost = (ctx: RequestContext): void => ctx.send(405, TEXT, 'Only POST or PUT requests allowed', { Allow: 'POST, PUT' });
  return [
    { method: 'GET', path: '/-/healthy', handler: (ctx) => ctx.send(200, TEXT, 'Vigil Server is Healthy.\n') },
    {
      method: 'GET',
      path: '/-/ready',
      handler: (ctx) => (h.ready() ? ctx.send(200, TEXT, 'Vigil Server is Ready.\n') : ctx.send(503, TEXT, 'Service Unavailable')),
    },
    {
      method: ['POST', 'PUT'],
      path: '/-/reload',
      handler: async (ctx) => {
        if (!h.enabled) return forbidden(ctx);
        try {
          await h.reload();
          ctx.send(200, TEXT, '');
        } catch (err) {
          ctx.send(500, TEXT, `failed to reload config: ${errorMessage(err)}\n`);
        }
      },
    },
    {
      method: ['POST', 'PUT'],
      path: '/-/quit',
      handler: (ctx) => {
        if (!h.enabled) return forbidden(ctx);
        ctx.send(200, TEXT, 'Requesting termination... Goodbye!');
        // Let the answer leave before shutdown closes the listener.
        ctx.res.once('finish', () => setImmediate(h.quit));
      },
    },
    { method: 'GET', path: '/-/reload', handler: onlyPost },
    { method: 'GET', path: '/-/quit', handler: onlyPost },
  ];
}
