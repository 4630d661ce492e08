import { Engine, queryRoutes } from '../../promql/index.js';
import type { Component, ServerContext } from './component.js';
import type { ServerSettings } from './settings.js';

/** The PromQL engine configured from the --query.* flags and feature flags. */
export function engineFromSettings(s: ServerSettings): Engine {
  return new Engine({
    // --enable-feature=promql-compat-2 reproduces Prometheus 2.x where 3.x changed semantics.
    compat: s.features.has('promql-compat-2') ? '2' : '3',
    lookbackDeltaMs: s.lookbackDeltaMs,
    timeoutMs: s.queryTimeoutMs,
    maxSamples: s.queryMaxSamples,
    maxConcurrent: s.queryMaxConcurrency,
    experimentalSyntax: s.features.has('promql-experimental-syntax') || s.features.has('promql-duration-expr'),
  });
}

/** /api/v1/query, /query_range, /format_query, /query_exemplars over the server's storage. */
export class QueryComponent implements Component {
  readonly name = 'query';
  constructor(private readonly engine: Engine) {}

  async start(ctx: ServerContext): Promise<void> {
    ctx.web.mount(queryRoutes(this.engine, ctx.storage));
  }

  async stop(): Promise<void> {}
}
