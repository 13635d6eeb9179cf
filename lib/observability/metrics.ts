// Prometheus metrics shared by the web process and the workers (each exposes its own registry; the
// route label comes from routes.ts, the database gauges are refreshed by db-gauges.ts).
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
      help: "Job execution time by type and outcome (exposed by each worker, WORKER_METRICS_PORT)",
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
    predictions: new Counter({
      name: "mlops_predictions_total",
      help: "Rows scored by model, version and A/B arm (arm 'none' without a test, 'shadow' for shadow scoring)",
      labelNames: ["model", "version", "arm"] as const,
      registers: [registry],
    }),
    jobOldestDue: new Gauge({
      name: "mlops_job_oldest_due_seconds",
      help: "How long the oldest due queued job of each type has waited (refreshed at each scrape)",
      labelNames: ["type"] as const,
      registers: [registry],
    }),
    workersAlive: new Gauge({
      name: "mlops_workers_alive",
      help: "Workers whose heartbeat is less than 60 s old (refreshed at each scrape)",
      registers: [registry],
    }),
    driftShare: new Gauge({
      name: "mlops_drift_share",
      help: "Share of feature columns drifted in each model's latest drift report (0-1)",
      labelNames: ["model"] as const,
      registers: [registry],
    }),
    driftDetected: new Gauge({
      name: "mlops_drift_detected",
      help: "1 when each model's latest drift report found dataset drift, else 0",
      labelNames: ["model"] as const,
      registers: [registry],
    }),
    driftReportTime: new Gauge({
      name: "mlops_drift_report_timestamp_seconds",
      help: "Unix time of each model's latest drift report",
      labelNames: ["model"] as const,
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
