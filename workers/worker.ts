// The worker process: claims jobs from the queue and runs their handlers from lib/.
import { config } from "@/lib/config";
import { disconnectDb, ensureMigrated } from "@/lib/db";
import { WorkerRunner } from "@/lib/jobs";
import { logger } from "@/lib/observability";
import { jobHandlers, scheduleRecurring } from "./handlers";

export async function runWorker(opts: { concurrency?: number } = {}): Promise<void> {
  process.env.MLOPS_PROCESS ??= "worker";
  const c = config();
  await ensureMigrated();
  const runner = new WorkerRunner({
    handlers: jobHandlers(),
    concurrency: opts.concurrency ?? c.WORKER_CONCURRENCY,
    leaseMs: c.JOB_LEASE_MS,
  });
  await runner.start();
  const stopSchedules = scheduleRecurring();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger().info({ signal, workerId: runner.id }, "worker shutting down");
    stopSchedules();
    await runner.stop(Number(process.env.WORKER_GRACE_MS ?? 20_000));
    await disconnectDb();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
