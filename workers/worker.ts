// The worker process: claims jobs from the queue and runs their handlers from lib/.
import { config } from "@/lib/config";
import { disconnectDb, ensureMigrated } from "@/lib/db";
import { WorkerRunner } from "@/lib/jobs";
import { logger, serveWorkerMetrics, shutdownTracing, startTracing, type MetricsServer } from "@/lib/observability";
import { jobHandlers, orchestrationHandlers, scheduleRecurring } from "./handlers";

export async function runWorker(opts: { concurrency?: number } = {}): Promise<void> {
  process.env.MLOPS_PROCESS ??= "worker";
  // First: the Prisma instrumentation must be in place before the first query.
  await startTracing("mlops-worker");
  const c = config();
  await ensureMigrated();
  // Job durations and outcomes live in this process: Prometheus scrapes them here when a port is set.
  let metricsServer: MetricsServer | null = null;
  if (c.WORKER_METRICS_PORT > 0) {
    metricsServer = await serveWorkerMetrics(c.WORKER_METRICS_PORT, c.HOST);
    logger().info({ port: metricsServer.port }, "worker metrics at GET /metrics");
  }
  const runner = new WorkerRunner({
    handlers: jobHandlers(),
    concurrency: opts.concurrency ?? c.WORKER_CONCURRENCY,
    leaseMs: c.JOB_LEASE_MS,
    // One more slot per type of job that waits on other jobs (see orchestrationHandlers): a slot of
    // its own per type, since one may wait on another (the demo queues a training search).
    lanes: Object.entries(orchestrationHandlers()).map(([type, handler]) => ({ handlers: { [type]: handler }, concurrency: 1 })),
  });
  await runner.start();
  const stopSchedules = scheduleRecurring();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger().info({ signal, workerId: runner.id }, "worker shutting down");
    stopSchedules();
    const graceMs = Number(process.env.WORKER_GRACE_MS ?? 20_000);
    await runner.stop(graceMs);
    await metricsServer?.close();
    await disconnectDb();
    await shutdownTracing();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
