// Job type → lib function. New capabilities add their job types here.
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { MAINTENANCE_JOB, enqueue, runCleanup, type CleanupStep, type JobHandler } from "@/lib/jobs";
import { sweepStaleMultipartUploads } from "@/lib/mlflow";
import { logger } from "@/lib/observability";
import { TRAINING_OBJECTIVE, TRAIN_JOB, TRAIN_SEARCH_JOB, trainJobHandler, trainSearchJobHandler, trainingObjectiveFactory } from "@/lib/training";
import { HPO_TRIAL_JOB, hpoTrialHandler } from "@/lib/hpo";
import { PIPELINE_JOB, PIPELINE_SEARCH_JOB, pipelineJobHandler, pipelineSearchJobHandler, startPipelineScheduler } from "@/lib/pipelines";
import { monitoringJobHandlers, startMonitorScheduler } from "@/lib/monitoring";
import { BATCH_JOB, batchScoreJobHandler } from "@/lib/serving";
import { DEMO_JOB, demoJobHandler } from "@/lib/demo";

export function jobHandlers(): Record<string, JobHandler> {
  return {
    [MAINTENANCE_JOB]: (ctx) => runCleanup(ctx, config().RETENTION_DAYS, [multipartCleanup()]),
    [TRAIN_JOB]: trainJobHandler,
    [PIPELINE_JOB]: pipelineJobHandler,
    [BATCH_JOB]: batchScoreJobHandler,
    // One trial of a training search's study (docs/hpo.md); module objectives never run here.
    [HPO_TRIAL_JOB]: hpoTrialHandler({ [TRAINING_OBJECTIVE]: trainingObjectiveFactory }),
    ...monitoringJobHandlers(), // drift.report, drift.webhook, drift.retrain-followup
  };
}

/**
 * Jobs that only wait on other jobs (the demo story queues trainings and polls them): they run in a
 * lane of their own, so they never hold the slot the jobs they wait for need (deadlock at concurrency 1).
 * The worker gives each type its own one-slot lane: the demo waits on a training search, which waits
 * on its trials; a pipeline with a search step waits on its trials too.
 */
export function orchestrationHandlers(): Record<string, JobHandler> {
  return {
    [DEMO_JOB]: (ctx) => demoJobHandler(ctx), // the dashboard's "Load demo data" (docs/demo.md)
    // A training search waits for its hpo.trial jobs, then refits (docs/hpo.md).
    [TRAIN_SEARCH_JOB]: trainSearchJobHandler,
    // A pipeline run with a search step: the same, then the gate and registration (docs/pipelines.md).
    [PIPELINE_SEARCH_JOB]: pipelineSearchJobHandler,
  };
}

/** MLflow multipart uploads never completed nor aborted: their staged parts (docs/tracking.md). */
export function multipartCleanup(): CleanupStep {
  const hours = config().MULTIPART_UPLOAD_MAX_AGE_HOURS;
  return {
    key: "multipartUploads",
    label: `unfinished multipart uploads older than ${hours} hours`,
    run: async () => (await sweepStaleMultipartUploads()).uploads,
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
