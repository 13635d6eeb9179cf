// The trial job: one trial of a database study on whichever worker claimed it. The job's lease
// covers worker death: when a worker dies mid-trial, the queue hands the job to another worker
// (attempt 2), which fails the dead attempt's trial and repeats it with the same parameters.
import { z } from "zod";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { PermanentJobError, type JobContext, type JobHandler } from "@/lib/jobs";
import { logger } from "@/lib/observability";
import { DbStorage } from "./db-storage";
import type { ParamValue } from "./distributions";
import { closeStudy, completeIfDone, failStaleTrials, openStudy, type DbStudyConfig, type ObjectiveSpec } from "./studies";
import type { Objective, Study, TellResult } from "./study";
import type { Trial } from "./trial";
import { TrialPruned } from "./trial";
import { SYSTEM_ATTRS, type FrozenTrial } from "./types";

export interface ObjectiveContext {
  study: Study;
  config: DbStudyConfig;
  parentRunId: string | null;
  /** Aborted when the job is cancelled, its lease is lost or the worker shuts down. */
  signal: AbortSignal;
  job: JobContext;
}

/** Turns a stored objective spec into the function a trial runs. */
export type ObjectiveFactory = (spec: ObjectiveSpec, ctx: ObjectiveContext) => Objective | Promise<Objective>;

const payloadSchema = z.object({ studyId: z.string().min(1) }).passthrough();

export interface TrialJobResult {
  trial?: number;
  state?: string;
  value?: number | null;
  skipped?: string;
}

/** The job handler for `hpo.trial` / `hpo.trial.local`, running objectives of the given kinds. */
export function hpoTrialHandler(factories: Record<string, ObjectiveFactory>): JobHandler {
  return (ctx) => runTrialJob(ctx, factories);
}

async function runTrialJob(ctx: JobContext, factories: Record<string, ObjectiveFactory>): Promise<TrialJobResult> {
  const parsed = payloadSchema.safeParse(ctx.job.payload);
  if (!parsed.success) throw new PermanentJobError("an hpo.trial job needs {studyId}");
  const studyId = parsed.data.studyId;
  const row = await db().study.findUnique({ where: { id: studyId } });
  if (!row) throw new PermanentJobError(`study ${studyId} does not exist any more`);
  const storage = new DbStorage();
  const leaseMs = config().JOB_LEASE_MS;

  const prev = await previousAttemptTrial(studyId, ctx.job.id);
  if (prev && prev.state !== "RUNNING" && !prev.systemAttrs.worker_lost) {
    // The trial finished, the job did not record it (worker died in between): nothing to repeat.
    return { trial: prev.number, state: prev.state, value: prev.value };
  }
  // Other workers' dead trials that no retry will repeat (their job ran out of attempts).
  await failStaleTrials(studyId, 3 * leaseMs, storage);

  let skipped: string | null = row.state !== "running" ? `study is ${row.state}` : null;
  if (!skipped && row.timeBudgetSec !== null && Date.now() > (await budgetStart(studyId)) + row.timeBudgetSec * 1000) {
    await closeStudy(studyId, "complete");
    skipped = "time budget used up";
  }
  if (skipped) {
    // The study takes no more trials: a dead attempt's trial is failed, not repeated.
    if (prev?.state === "RUNNING") await markWorkerLost(storage, prev, ctx.job.error);
    return { skipped };
  }
  const { study, config: studyConfig } = openStudy(row, storage);
  const factory = factories[studyConfig.objective.kind];
  if (!factory) throw new PermanentJobError(`this worker cannot run objectives of kind '${studyConfig.objective.kind}'`);
  const objective = await factory(studyConfig.objective, { study, config: studyConfig, parentRunId: row.parentRunId, signal: ctx.signal, job: ctx });

  let trial: Trial;
  if (prev) {
    // A retry: the earlier attempt's worker died. Fail its trial and repeat the same parameters.
    if (prev.state === "RUNNING") await markWorkerLost(storage, prev, ctx.job.error);
    const frozen = await storage.createTrial(studyId, {
      systemAttrs: { [SYSTEM_ATTRS.fixedParams]: repeatParams(prev), [SYSTEM_ATTRS.retriedFrom]: prev.number },
    });
    await db().trial.update({ where: { id: frozen.id }, data: { jobId: ctx.job.id, retriedFrom: prev.id } });
    logger().warn({ studyId, trial: frozen.number, retriedFrom: prev.number }, "repeating the trial of a worker that stopped responding");
    trial = await study.askWith(frozen);
  } else {
    trial = await study.ask();
    await db().trial.update({ where: { id: trial.id }, data: { jobId: ctx.job.id } });
  }

  const beat = setInterval(() => {
    db()
      .trial.updateMany({ where: { id: trial.id, state: "RUNNING" }, data: { heartbeatAt: new Date() } })
      .catch((err) => logger().warn({ err, trialId: trial.id }, "trial heartbeat failed"));
  }, Math.max(200, Math.floor(leaseMs / 3)));
  let finished: FrozenTrial;
  try {
    let result: TellResult;
    try {
      result = { state: "COMPLETE", value: await objective(trial) };
    } catch (err) {
      // Shutting down or losing the lease: leave the trial RUNNING, the job's next attempt repeats it.
      if (ctx.signal.aborted && !(err instanceof TrialPruned)) throw err;
      if (err instanceof TrialPruned) result = { state: "PRUNED" };
      else result = { state: "FAIL", reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
    finished = await study.tell(trial, result);
  } finally {
    clearInterval(beat);
  }
  await ctx.progress(1, `trial ${finished.number} ${finished.state}`);
  await completeIfDone(studyId);
  return { trial: finished.number, state: finished.state, value: finished.value };
}

/** The study's clock starts with its first trial (jobs may wait in the queue before any worker is free). */
async function budgetStart(studyId: string): Promise<number> {
  const first = await db().trial.findFirst({ where: { studyId, startedAt: { not: null } }, orderBy: { startedAt: "asc" }, select: { startedAt: true } });
  return first?.startedAt?.getTime() ?? Date.now();
}

/** What a repeat of a dead trial tries: the values it had suggested, else its jointly sampled point. */
function repeatParams(t: FrozenTrial): Record<string, ParamValue> {
  const attrs = t.systemAttrs;
  return {
    ...((attrs[SYSTEM_ATTRS.relativeParams] as Record<string, ParamValue> | undefined) ?? {}),
    ...((attrs[SYSTEM_ATTRS.fixedParams] as Record<string, ParamValue> | undefined) ?? {}),
    ...t.params,
  };
}

async function markWorkerLost(storage: DbStorage, trial: FrozenTrial, jobError: string | null): Promise<void> {
  try {
    await storage.setTrialSystemAttr(trial.id, SYSTEM_ATTRS.failReason, `worker stopped responding: ${jobError ?? "the job was retried"}`);
    await storage.setTrialSystemAttr(trial.id, "worker_lost", true);
    await storage.finishTrial(trial.id, "FAIL", null);
  } catch {
    // Finished meanwhile by the worker that was thought dead.
  }
}

/** The latest trial an earlier attempt of this job created, if any. */
async function previousAttemptTrial(studyId: string, jobId: string): Promise<FrozenTrial | null> {
  const row = await db().trial.findFirst({ where: { studyId, jobId }, orderBy: { number: "desc" }, select: { id: true, retriedFrom: true } });
  if (!row) return null;
  const t = await new DbStorage().getTrial(row.id);
  // A worker_lost trial that already has its repeat is settled.
  if (t.systemAttrs.worker_lost && (await db().trial.count({ where: { retriedFrom: t.id } })) > 0) return null;
  return t;
}
