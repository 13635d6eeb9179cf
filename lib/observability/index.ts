export { logger, resetLogger } from "./logger";
export { metrics } from "./metrics";
export { currentContext, requestIdOf, runWithContext, type LogContext } from "./context";
export { inSpan, nameRequestSpan, shutdownTracing, SpanKind, SpanStatusCode, startTracing, tracingEnabled, untraced, type Span } from "./tracing";
export { nextRouteTemplates, routeMatcher } from "./routes";
export { serveWorkerMetrics, type MetricsServer } from "./worker-metrics";
export { METRICS_UNAUTHORIZED, metricsAuthorized, metricsTokenAccepted } from "./metrics-auth";
