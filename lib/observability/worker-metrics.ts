// A worker's own Prometheus endpoint (WORKER_METRICS_PORT): what only the worker process knows, its
// job durations and outcomes and the Node.js process metrics. Queue depth, live workers and drift
// come from the database through the web's /api/metrics, once for the installation.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { metrics } from "./metrics";
import { metricsAuthorized } from "./metrics-auth";

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves GET /metrics on `port` (0 = any free port). */
export async function serveWorkerMetrics(port: number, host = "0.0.0.0"): Promise<MetricsServer> {
  const m = metrics();
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || (path !== "/metrics" && path !== "/api/metrics")) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Not found: metrics are at GET /metrics\n");
      return;
    }
    if (!metricsAuthorized(req, res)) return;
    m.registry.metrics().then(
      (body) => {
        res.writeHead(200, { "content-type": m.registry.contentType });
        res.end(body);
      },
      (err: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`metrics failed: ${String(err)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
