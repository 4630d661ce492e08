import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fixed exposition with every metric type, escapes and metadata, for scrape tests. */
export const TEST_EXPOSITION = `# HELP test_requests_total Total requests handled.
# TYPE test_requests_total counter
test_requests_total{code="200",method="get"} 1027
test_requests_total{code="500",method="post"} 3
# HELP test_temperature_celsius Current temperature.
# TYPE test_temperature_celsius gauge
test_temperature_celsius{room="a b"} 21.5
# HELP test_latency_seconds Request latency.
# TYPE test_latency_seconds histogram
test_latency_seconds_bucket{le="0.1"} 5
test_latency_seconds_bucket{le="1"} 8
test_latency_seconds_bucket{le="+Inf"} 9
test_latency_seconds_sum 3.2
test_latency_seconds_count 9
# HELP test_rpc_seconds RPC durations.
# TYPE test_rpc_seconds summary
test_rpc_seconds{quantile="0.5"} 0.2
test_rpc_seconds{quantile="0.99"} 0.9
test_rpc_seconds_sum 12
test_rpc_seconds_count 40
test_untyped_thing 7
# HELP test_escaped_info Info with "quotes" and \\\\ backslash.
# TYPE test_escaped_info gauge
test_escaped_info{nl="a\\nb",path="C:\\\\dir",quote="say \\"hi\\""} 1
`;

export interface TestExporter {
  port: number;
  /** host:port for static_configs. */
  target: string;
  /** Number of scrapes served so far. */
  scrapes(): number;
  close(): Promise<void>;
}

/** Serves `body` at /metrics on 127.0.0.1 (random port) in the text format 0.0.4. */
export async function startTestExporter(body = TEST_EXPOSITION): Promise<TestExporter> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/metrics')) {
      n++;
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    target: `127.0.0.1:${port}`,
    scrapes: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
