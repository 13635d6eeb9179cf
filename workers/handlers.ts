// Job type → lib function. New capabilities add their job types here.
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { MAINTENANCE_JOB, enqueue, runCleanup, type JobHandler } from "@/lib/jobs";
import { logger } from "@/lib/observability";
import { TRAIN_JOB, trainJobHandler } from "@/lib/training";
import { PIPELINE_JOB, pipelineJobHandler, startPipelineScheduler } from "@/lib/pipelines";
import { monitoringJobHandlers, startMonitorScheduler } from "@/lib/monitoring";
import { BATCH_JOB, batchScoreJobHandler } from "@/lib/serving";

export function jobHandlers(): Record<string, JobHandler> {
  return {
    [MAINTENANCE_JOB]: (ctx) => runCleanup(ctx, config().RETENTION_DAYS),
    [TRAIN_JOB]: trainJobHandler,
    [PIPELINE_JOB]: pipelineJobHandler,
    [BATCH_JOB]: batchScoreJobHandler,
    ...monitoringJobHandlers(), // drift.report, drift.webhook, drift.retrain-followup
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
  // Cron schedules and dataset triggers of pipelines (each due run is queued once across workers).
  const stopPipelines = startPipelineScheduler(config().PIPELINE_TICK_MS);
  // Scheduled drift reports of model monitors (each slot queued once across workers).
  const stopMonitors = startMonitorScheduler();
  return () => {
    clearTimeout(first);
    clearInterval(every);
    stopPipelines();
    stopMonitors();
  };
}
