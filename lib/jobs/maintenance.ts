// The maintenance job: removes data past its retention period. Scheduled by the worker daily.
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
  deleted: { predictionLogs: number; feedback: number; jobs: number; workers: number };
}

export async function runCleanup(ctx: JobContext, defaultRetentionDays: number): Promise<CleanupResult> {
  const payload = (ctx.job.payload ?? {}) as CleanupPayload;
  const retentionDays = payload.retentionDays ?? (await generalRetentionDays(defaultRetentionDays));
  const predictionRetentionDays = payload.retentionDays ?? (await getPredictionRetention(defaultRetentionDays)).days;
  const now = Date.now();
  const cutoff = new Date(now - retentionDays * 86_400_000);
  const predictionCutoff = new Date(now - predictionRetentionDays * 86_400_000);
  const steps: [string, number, () => Promise<{ count: number }>][] = [
    ["prediction logs", predictionRetentionDays, () => db().predictionLog.deleteMany({ where: { createdAt: { lt: predictionCutoff } } })],
    ["feedback", predictionRetentionDays, () => db().feedback.deleteMany({ where: { createdAt: { lt: predictionCutoff } } })],
    [
      "finished jobs",
      retentionDays,
      () =>
        db().job.deleteMany({
          where: { state: { in: ["succeeded", "dead", "cancelled"] }, finishedAt: { lt: cutoff }, id: { not: ctx.job.id } },
        }),
    ],
    ["stopped workers", retentionDays, () => db().worker.deleteMany({ where: { heartbeatAt: { lt: cutoff } } })],
  ];
  const counts: number[] = [];
  for (const [i, [label, days, step]] of steps.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("aborted");
    await ctx.progress(i / steps.length, `Deleting ${label} older than ${days} days`);
    counts.push((await step()).count);
  }
  await ctx.progress(1, "Done");
  return {
    retentionDays,
    predictionRetentionDays,
    deleted: { predictionLogs: counts[0]!, feedback: counts[1]!, jobs: counts[2]!, workers: counts[3]! },
  };
}
