// Job type → lib function. New capabilities add their job types here.
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { MAINTENANCE_JOB, enqueue, runCleanup, type JobHandler } from "@/lib/jobs";
import { logger } from "@/lib/observability";
import { TRAIN_JOB, trainJobHandler } from "@/lib/training";

export function jobHandlers(): Record<string, JobHandler> {
  return {
    [MAINTENANCE_JOB]: (ctx) => runCleanup(ctx, config().RETENTION_DAYS),
    [TRAIN_JOB]: trainJobHandler,
  };
}

const DAY_MS = 86_400_000;

/**
 * Daily maintenance: at most one cleanup is queued per day across all workers
 * (a queued or recent one counts).
 */
export function scheduleRecurring(): () => void {
  const tick = async () => {
    try {
      const recent = await db().job.findFirst({
        where: { type: MAINTENANCE_JOB, OR: [{ state: { in: ["queued", "running"] } }, { createdAt: { gt: new Date(Date.now() - DAY_MS) } }] },
        select: { id: true },
      });
      if (!recent) await enqueue(MAINTENANCE_JOB, {}, { priority: -10 });
    } catch (err) {
      logger().warn({ err }, "could not schedule maintenance");
    }
  };
  const first = setTimeout(tick, 60_000);
  const every = setInterval(tick, 3_600_000);
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
