// Environment configuration, parsed once with Zod. Every variable the platform reads is here.
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const schema = z.object({
  DATABASE_URL: z.string().default("file:./data/mlops.db"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  NEXTAUTH_URL: z.string().url().optional(),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  GITHUB_ID: z.string().optional(),
  GITHUB_SECRET: z.string().optional(),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  OAUTH_DEFAULT_ROLE: z.enum(["viewer", "editor", "admin"]).default("viewer"),
  ARTIFACT_STORE: z.string().default("file:./data/artifacts"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  LOG_PRETTY: bool,
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  // Upper bound for one artifact upload (model files, datasets); the db: store holds it in memory.
  MAX_ARTIFACT_BYTES: z.coerce.number().int().positive().default(512 * 1024 * 1024),
  // PostgreSQL: "off" commits metric-only log-batch writes without waiting for the WAL flush
  // (synchronous_commit = off for that statement): a server or OS crash can lose the last ~0.6 s of
  // acknowledged metric points, never params, tags or anything else. "on" waits like every other write.
  METRICS_SYNCHRONOUS_COMMIT: z.enum(["on", "off"]).default("on"),
  // Memory for sampled metric histories (compare view, charts) kept per server process; 0 = off.
  METRIC_SAMPLE_CACHE_MB: z.coerce.number().min(0).max(4096).default(32),
  // Largest CSV upload (bytes); larger uploads stop with 413 as soon as the limit is crossed.
  // At most 2^31 - 1: DatasetVersion.sizeBytes is a 32-bit integer on PostgreSQL.
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().max(2 ** 31 - 1).default(1024 * 1024 * 1024),
  // Widest dataset accepted; per-column statistics shrink their memory so this many columns fit.
  MAX_DATASET_COLUMNS: z.coerce.number().int().min(1).max(100_000).default(10_000),
  JOB_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  // First retry delay of a failed job (ms); each further attempt waits twice as long, up to 5 minutes.
  JOB_RETRY_BACKOFF_MS: z.coerce.number().int().min(100).max(300_000).default(2_000),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  START_WORKER: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => v !== "false" && v !== "0"),
  RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  // MLflow multipart uploads: a part URL works this long after its upload was created; the daily
  // cleanup removes the parts of uploads older than this that were never completed or aborted.
  MULTIPART_UPLOAD_MAX_AGE_HOURS: z.coerce.number().int().min(1).max(8760).default(24),
  // How often each worker checks pipeline cron schedules and dataset triggers (ms).
  PIPELINE_TICK_MS: z.coerce.number().int().min(1000).max(3_600_000).default(15_000),
  // Predict routes: requests per second per API key (0 = no limit) and the burst a key may spend at once.
  PREDICT_RATE_LIMIT: z.coerce.number().min(0).default(1000),
  PREDICT_RATE_BURST: z.coerce.number().int().min(1).optional(),
  // Tracing is on only when an OTLP/HTTP endpoint is set (e.g. http://otel-collector:4318); spans go to
  // its /v1/traces. The exporter also reads the other OTEL_EXPORTER_OTLP_* variables itself.
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .union([z.literal(""), z.string().url()])
    .optional()
    .transform((v) => v || undefined),
  // Service name on every span (default mlops-web or mlops-worker).
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  // A worker serves its own Prometheus metrics (job durations) on this port when set; 0 or unset = off.
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  // When set, /api/metrics and the workers' /metrics answer only `Authorization: Bearer <token>`.
  METRICS_TOKEN: z
    .union([z.literal(""), z.string().min(16, "METRICS_TOKEN must be at least 16 characters")])
    .optional()
    .transform((v) => v || undefined),
});

export type Config = z.infer<typeof schema>;

/** The schema itself: deployment checks list its variables and parse manifest values with it. */
export const configSchema = schema;

let cached: Config | null = null;

export function config(): Config {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
      throw new Error(`Invalid configuration in environment variables:\n${lines}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** For tests that change the environment between cases. */
export function resetConfig(): void {
  cached = null;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}
