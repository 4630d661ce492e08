import { Counter, Histogram, type Registry } from 'prom-client';

/** Request counters and latency histograms per route pattern (never per raw path: bounded cardinality). */
export interface HttpMetrics {
  observe(handler: string, code: number, seconds: number, bytes: number): void;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const requests = new Counter({
    name: 'vigil_http_requests_total',
    help: 'Counter of HTTP requests.',
    labelNames: ['handler', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'Histogram of latencies for HTTP requests.',
    labelNames: ['handler'] as const,
    buckets: [0.1, 0.2, 0.4, 1, 3, 8, 20, 60, 120],
    registers: [registry],
  });
  const size = new Histogram({
    name: 'vigil_http_response_size_bytes',
    help: 'Histogram of response size for HTTP requests.',
    labelNames: ['handler'] as const,
    buckets: [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000],
    registers: [registry],
  });
  return {
    observe(handler, code, seconds, bytes) {
      requests.inc({ handler, code: String(code) });
      duration.observe({ handler }, seconds);
      size.observe({ handler }, bytes);
    },
  };
}
