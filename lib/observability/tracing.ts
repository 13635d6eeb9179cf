// OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans of incoming and
// outgoing HTTP, of Prisma queries and of each job go to the endpoint's /v1/traces (OTLP over
// HTTP, JSON). When it is unset nothing below is loaded and inSpan() calls its function directly.
import { createRequire } from "node:module";
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { config } from "../config";
import { setTraceFields } from "./context";
import { logger } from "./logger";

interface Tracing {
  shutdown(): Promise<void>;
  suppress(ctx: Context): Context;
}

// On globalThis: one provider per process, whichever copy of lib/ (server.ts's or Next's) asks.
const g = globalThis as unknown as { __mlopsTracing?: Tracing | null };

/** Paths whose spans would only be noise (probes, scrapes, Next's static assets). */
function ignoredPath(url: string | undefined): boolean {
  return url === "/api/health" || url === "/api/health/ready" || url === "/api/metrics" || !!url?.startsWith("/_next/");
}

/**
 * Starts tracing for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set; returns whether it is on.
 * Call it first thing in the process (server.ts, workers/worker.ts). The service name is
 * OTEL_SERVICE_NAME, else `service`.
 */
export async function startTracing(service: string): Promise<boolean> {
  if (g.__mlopsTracing) return true;
  const c = config();
  if (!c.OTEL_EXPORTER_OTLP_ENDPOINT) return false;
  const [sdk, otlp, instr, http, prisma, res, semconv, core] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/instrumentation"),
    import("@opentelemetry/instrumentation-http"),
    import("@prisma/instrumentation"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/semantic-conventions"),
    import("@opentelemetry/core"),
  ]);
  // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS, _TIMEOUT…) and posts to its /v1/traces.
  const provider = new sdk.NodeTracerProvider({
    resource: res.resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: c.OTEL_SERVICE_NAME ?? service,
      "process.pid": process.pid,
    }),
    spanProcessors: [new sdk.BatchSpanProcessor(new otlp.OTLPTraceExporter())],
  });
  provider.register();
  const unregister = instr.registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new http.HttpInstrumentation({ ignoreIncomingRequestHook: (req) => ignoredPath(req.url) }),
      new prisma.PrismaInstrumentation(),
    ],
  });
  // The http instrumentation patches node:http when it is next required; server.ts imported it as an
  // ES module already, so require it once here (the patch is on shared prototypes and exports).
  createRequire(import.meta.url)("node:http");
  setTraceFields(() => {
    const s = trace.getActiveSpan()?.spanContext();
    return s ? { traceId: s.traceId, spanId: s.spanId } : undefined;
  });
  g.__mlopsTracing = {
    suppress: core.suppressTracing,
    shutdown: async () => {
      setTraceFields(null);
      unregister();
      await provider.shutdown();
    },
  };
  logger().info({ endpoint: c.OTEL_EXPORTER_OTLP_ENDPOINT, service: c.OTEL_SERVICE_NAME ?? service }, "tracing on");
  return true;
}

export function tracingEnabled(): boolean {
  return !!g.__mlopsTracing;
}

/** Sends the spans still buffered and stops tracing (graceful shutdown). */
export async function shutdownTracing(): Promise<void> {
  const t = g.__mlopsTracing;
  if (!t) return;
  g.__mlopsTracing = null;
  await t.shutdown().catch((err: unknown) => logger().warn({ err }, "could not flush the last spans"));
}

/**
 * Runs `fn` in a new active span (child of the current one); the span records an exception and
 * error status when `fn` throws. Without tracing, just runs `fn`.
 */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span | null) => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
  if (!g.__mlopsTracing) return fn(null);
  return trace.getTracer("mlops").startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Runs `fn` with tracing suppressed: for housekeeping that would otherwise send a trace every few
 * seconds (the workers' idle polling and heartbeats, metrics scrapes, readiness probes).
 */
export function untraced<T>(fn: () => T): T {
  const t = g.__mlopsTracing;
  return t ? context.with(t.suppress(context.active()), fn) : fn();
}

/** Names the active HTTP server span after its route template ("POST /api/v1/models/:name/predict"). */
export function nameRequestSpan(method: string, route: string): void {
  if (!g.__mlopsTracing) return;
  const span = trace.getActiveSpan();
  if (!span) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute("http.route", route);
}

export { SpanKind, SpanStatusCode, type Span };
