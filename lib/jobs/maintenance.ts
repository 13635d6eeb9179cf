// The maintenance job: removes data past its retention period. Scheduled by the worker daily.
import { db } from "../db";
import type { JobContext } from "./types";

export const MAINTENANCE_JOB = "maintenance.cleanup";

export interface CleanupPayload {
  retentionDays?: number;
}

export interface CleanupResult {
  retentionDays: number;
  deleted: { predictionLogs: number; feedback: number; jobs: number; workers: number };
}

export async function runCleanup(ctx: JobContext, defaultRetentionDays: number): Promise<CleanupResult> {
  const payload = (ctx.job.payload ?? {}) as CleanupPayload;
  const setting = await db().setting.findUnique({ where: { key: "retention.days" } });
  const retentionDays = payload.retentionDays ?? (setting ? Number(setting.value) : defaultRetentionDays);
  const cutoff = new Date(Date.now() - retentionDays * 86_400_000);
  const steps: [string, () => Promise<{ count: number }>][] = [
    ["prediction logs", () => db().predictionLog.deleteMany({ where: { createdAt: { lt: cutoff } } })],
    ["feedback", () => db().feedback.deleteMany({ where: { createdAt: { lt: cutoff } } })],
    [
      "finished jobs",
      () =>
        db().job.deleteMany({
          where: { state: { in: ["succeeded", "dead", "cancelled"] }, finishedAt: { lt: cutoff }, id: { not: ctx.job.id } },
        }),
    ],
    ["stopped workers", () => db().worker.deleteMany({ where: { heartbeatAt: { lt: cutoff } } })],
  ];
  const counts: number[] = [];
  for (const [i, [label, step]] of steps.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("aborted");
    await ctx.progress(i / steps.length, `Deleting ${label} older than ${retentionDays} days`);
    counts.push((await step()).count);
  }
  await ctx.progress(1, "Done");
  return {
    retentionDays,
    deleted: { predictionLogs: counts[0]!, feedback: counts[1]!, jobs: counts[2]!, workers: counts[3]! },
  };
}
