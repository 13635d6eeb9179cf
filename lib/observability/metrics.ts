// Prometheus metrics shared by the web process and the workers (each exposes its own registry).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const g = globalThis as unknown as { __mlopsMetrics?: ReturnType<typeof create> };

function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: "mlops_http_requests_total",
      help: "HTTP requests by route, method and status",
      labelNames: ["route", "method", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "mlops_http_request_duration_seconds",
      help: "HTTP request latency by route",
      labelNames: ["route", "method"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    jobs: new Gauge({
      name: "mlops_jobs",
      help: "Jobs in the queue by type and state",
      labelNames: ["type", "state"] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: "mlops_job_duration_seconds",
      help: "Job execution time by type and outcome",
      labelNames: ["type", "outcome"] as const,
      buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers: [registry],
    }),
    predictDuration: new Histogram({
      name: "mlops_predict_duration_seconds",
      help: "Predict latency (auth to response) by model, version and A/B arm",
      labelNames: ["model", "version", "arm"] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    predictionsLogged: new Counter({
      name: "mlops_prediction_log_rows_total",
      help: "Prediction log rows by outcome (written, or dropped when the buffer overflowed)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
  };
}

export function metrics() {
  if (!g.__mlopsMetrics) g.__mlopsMetrics = create();
  return g.__mlopsMetrics;
}

/** Maps a concrete path to its route template so label cardinality stays bounded. */
export function routeLabel(pathname: string): string {
  return pathname
    .split("/")
    .map((seg) => (/^[0-9a-f-]{8,}$/i.test(seg) || /^\d+$/.test(seg) ? ":id" : seg))
    .join("/")
    .slice(0, 120);
}
