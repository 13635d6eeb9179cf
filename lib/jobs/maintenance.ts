// The maintenance job: removes data past its retention period. Scheduled by the worker daily; the
// worker adds steps of other modules (stale multipart uploads) without this module knowing them.
import { db } from "../db";
import { generalRetentionDays, getPredictionRetention } from "./retention";
import type { JobContext } from "./types";

export const MAINTENANCE_JOB = "maintenance.cleanup";

export interface CleanupPayload {
  /** Overrides every retention for this one run (an admin's "clean up now, keep N days"). */
  retentionDays?: number;
}

export interface CleanupResult {
  retentionDays: number;
  /** Prediction logs and feedback: the prediction-retention setting, else the general retention. */
  predictionRetentionDays: number;
  /** Counts by step; further steps add their own key. */
  deleted: { predictionLogs: number; feedback: number; jobs: number; workers: number; [step: string]: number };
}

/** A further step of the cleanup, with its own age rule (the payload's retentionDays does not apply). */
export interface CleanupStep {
  /** Its count's key in `deleted`. */
  key: string;
  /** What it removes, for the progress message, e.g. "multipart uploads older than 24 hours". */
  label: string;
  /** Removes what is due; resolves to how many items went. */
  run: () => Promise<number>;
}

export async function runCleanup(ctx: JobContext, defaultRetentionDays: number, extra: CleanupStep[] = []): Promise<CleanupResult> {
  const payload = (ctx.job.payload ?? {}) as CleanupPayload;
  const retentionDays = payload.retentionDays ?? (await generalRetentionDays(defaultRetentionDays));
  const predictionRetentionDays = payload.retentionDays ?? (await getPredictionRetention(defaultRetentionDays)).days;
  const now = Date.now();
  const cutoff = new Date(now - retentionDays * 86_400_000);
  const predictionCutoff = new Date(now - predictionRetentionDays * 86_400_000);
  const count = (p: Promise<{ count: number }>) => p.then((r) => r.count);
  const steps: CleanupStep[] = [
    {
      key: "predictionLogs",
      label: `prediction logs older than ${predictionRetentionDays} days`,
      run: () => count(db().predictionLog.deleteMany({ where: { createdAt: { lt: predictionCutoff } } })),
    },
    {
      key: "feedback",
      label: `feedback older than ${predictionRetentionDays} days`,
      run: () => count(db().feedback.deleteMany({ where: { createdAt: { lt: predictionCutoff } } })),
    },
    {
      key: "jobs",
      label: `finished jobs older than ${retentionDays} days`,
      run: () =>
        count(
          db().job.deleteMany({
            where: { state: { in: ["succeeded", "dead", "cancelled"] }, finishedAt: { lt: cutoff }, id: { not: ctx.job.id } },
          }),
        ),
    },
    { key: "workers", label: `stopped workers older than ${retentionDays} days`, run: () => count(db().worker.deleteMany({ where: { heartbeatAt: { lt: cutoff } } })) },
    ...extra,
  ];
  const deleted: CleanupResult["deleted"] = { predictionLogs: 0, feedback: 0, jobs: 0, workers: 0 };
  for (const [i, step] of steps.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("aborted");
    await ctx.progress(i / steps.length, `Deleting ${step.label}`);
    deleted[step.key] = await step.run();
  }
  await ctx.progress(1, "Done");
  return { retentionDays, predictionRetentionDays, deleted };
}
