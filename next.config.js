/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and server-only packages stay outside the bundle.
  // The tracing SDK (lib/observability/tracing.ts) is loaded only by server.ts and the workers, at run time.
  serverExternalPackages: [
    "better-sqlite3",
    "@node-rs/argon2",
    "pino",
    "pino-pretty",
    "prom-client",
    "pg",
    "@opentelemetry/api",
    "@opentelemetry/core",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/instrumentation",
    "@opentelemetry/instrumentation-http",
    "@opentelemetry/resources",
    "@opentelemetry/sdk-trace-node",
    "@opentelemetry/semantic-conventions",
    "@prisma/instrumentation",
  ],
  poweredByHeader: false,
  devIndicators: { position: "bottom-right" },
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  experimental: {
    serverActions: { bodySizeLimit: "10mb" },
  },
};

export default nextConfig;
