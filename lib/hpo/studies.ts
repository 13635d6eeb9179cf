// Studies in the database that run as jobs: one `hpo.trial` job per trial, executed by any worker.
// The study row keeps what every worker needs to take part: sampler and pruner config, the objective
// (a kind plus JSON that a registered factory turns into a function), the trial count and time budget.
import { z } from "zod";
import { db, newId, parseJson } from "@/lib/db";
import { conflict, invalid, notFound } from "@/lib/errors";
import { enqueue } from "@/lib/jobs";
import { type PrunerConfig, type SamplerConfig, prunerConfigSchema, prunerFromConfig, samplerConfigSchema, samplerFromConfig } from "./config";
import { DbStorage } from "./db-storage";
import { Study } from "./study";
import type { Direction } from "./types";

/** Trials of studies whose objective any platform worker can run (registered objective kinds). */
export const HPO_TRIAL_JOB = "hpo.trial";
/**
 * Trials whose objective is a local module: only the `mlops hpo run --study` process that created the
 * study serves them, since a platform worker never runs code named in the database.
 */
export const HPO_LOCAL_TRIAL_JOB = "hpo.trial.local";
export const HPO_JOB_TYPES = [HPO_TRIAL_JOB, HPO_LOCAL_TRIAL_JOB] as const;

export const STUDY_STATES = ["running", "complete", "stopped"] as const;
export type StudyState = (typeof STUDY_STATES)[number];

/** What a trial job turns into an objective: `kind` selects the factory, the rest is its input. */
export type ObjectiveSpec = { kind: string } & Record<string, unknown>;

export interface DbStudyConfig {
  sampler: SamplerConfig;
  pruner: PrunerConfig;
  nTrials: number;
  timeBudgetSec: number | null;
  objective: ObjectiveSpec;
  /** Retries of a trial whose worker died (default 1). */
  retries: number;
  jobType: string;
}

const MAX_TRIALS = 10_000;

export const createDbStudySchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    direction: z.enum(["minimize", "maximize"]).default("minimize"),
    sampler: samplerConfigSchema.optional(),
    pruner: prunerConfigSchema.optional(),
    nTrials: z.number().int().min(1).max(MAX_TRIALS),
    timeBudgetSec: z.number().positive().max(30 * 86_400).optional(),
    retries: z.number().int().min(0).max(5).default(1),
    objective: z.object({ kind: z.string().min(1) }).passthrough(),
    parentRunId: z.string().optional(),
    jobType: z.enum(HPO_JOB_TYPES).default(HPO_TRIAL_JOB),
    createdById: z.string().nullable().optional(),
  })
  .strict();

export type CreateDbStudyInput = z.input<typeof createDbStudySchema>;

export interface DbStudyHandle {
  id: string;
  name: string;
  jobIds: string[];
}

/**
 * Creates a study row whose trials the caller runs itself (`study.optimize` in this process, e.g. a
 * training search inside its `train` job); the dashboard shows it like any other.
 */
export async function createInProcessStudy(input: Omit<CreateDbStudyInput, "jobType" | "retries">): Promise<Study> {
  const { id } = await insertStudy({ ...input, retries: 0 }, false);
  return openStudy(await getStudyRow(id)).study;
}

/** Creates the study and queues one trial job per trial. */
export async function createDbStudy(input: CreateDbStudyInput): Promise<DbStudyHandle> {
  return insertStudy(input, true);
}

async function insertStudy(input: CreateDbStudyInput, queueJobs: boolean): Promise<DbStudyHandle> {
  const parsed = createDbStudySchema.safeParse(input);
  if (!parsed.success) throw invalid(`invalid study: ${parsed.error.issues.map((i) => `${i.path.join(".") || "study"}: ${i.message}`).join("; ")}`);
  const c = parsed.data;
  const sampler: SamplerConfig = { ...(c.sampler ?? { name: "tpe" }) };
  // A fixed seed for the whole study: every worker builds the same sampler.
  sampler.seed ??= Math.floor(Math.random() * 2 ** 31);
  const pruner: PrunerConfig = c.pruner ?? { name: "median" };
  samplerFromConfig(sampler); // fails early on a bad grid
  const name = c.name ?? `study-${newId().slice(0, 8)}`;
  const id = newId();
  try {
    await db().study.create({
      data: {
        id,
        name,
        direction: c.direction,
        sampler: JSON.stringify(sampler),
        pruner: JSON.stringify(pruner),
        nTrials: c.nTrials,
        timeBudgetSec: c.timeBudgetSec === undefined ? null : Math.ceil(c.timeBudgetSec),
        state: "running",
        parentRunId: c.parentRunId ?? null,
        userAttrs: JSON.stringify({ objective: c.objective, retries: c.retries, job_type: c.jobType }),
      },
    });
  } catch (err) {
    if ((err as { code?: string })?.code === "P2002" || /unique constraint/i.test(String((err as Error)?.message))) throw conflict(`study '${name}' already exists`);
    throw err;
  }
  const jobIds: string[] = [];
  for (let i = 0; queueJobs && i < c.nTrials; i += 25) {
    const batch = Array.from({ length: Math.min(25, c.nTrials - i) }, () =>
      enqueue(c.jobType, { studyId: id }, { maxAttempts: c.retries + 1, createdById: c.createdById ?? null }),
    );
    for (const job of await Promise.all(batch)) jobIds.push(job.id);
  }
  return { id, name, jobIds };
}

interface StudyRow {
  id: string;
  name: string;
  direction: string;
  sampler: string;
  pruner: string;
  nTrials: number | null;
  timeBudgetSec: number | null;
  state: string;
  parentRunId: string | null;
  userAttrs: string;
  createdAt: Date;
}

export function studyConfigOf(row: StudyRow): DbStudyConfig {
  const attrs = parseJson<Record<string, unknown>>(row.userAttrs, {});
  const objective = attrs.objective as ObjectiveSpec | undefined;
  return {
    sampler: samplerConfigSchema.parse(parseJson(row.sampler, {})),
    pruner: prunerConfigSchema.parse(parseJson(row.pruner, {})),
    nTrials: row.nTrials ?? 0,
    timeBudgetSec: row.timeBudgetSec,
    objective: objective && typeof objective.kind === "string" ? objective : { kind: "none" },
    retries: typeof attrs.retries === "number" ? attrs.retries : 1,
    jobType: typeof attrs.job_type === "string" ? attrs.job_type : HPO_TRIAL_JOB,
  };
}

export async function getStudyRow(studyId: string): Promise<StudyRow> {
  const row = await db().study.findUnique({ where: { id: studyId } });
  if (!row) throw notFound("study", studyId);
  return row;
}

/** A Study over the database storage with the sampler and pruner of its stored config. */
export function openStudy(row: StudyRow, storage = new DbStorage()): { study: Study; config: DbStudyConfig } {
  const config = studyConfigOf(row);
  const study = new Study(
    { id: row.id, name: row.name, direction: row.direction as Direction, createdAt: row.createdAt },
    samplerFromConfig(config.sampler),
    prunerFromConfig(config.pruner),
    storage,
  );
  return { study, config };
}

/** Trial jobs of the study that are still queued or running. */
export async function pendingTrialJobs(studyId: string): Promise<number> {
  return db().job.count({ where: { type: { in: [...HPO_JOB_TYPES] }, state: { in: ["queued", "running"] }, payload: { contains: studyId } } });
}

/**
 * Ends a study: it takes no new trials and its queued trial jobs are cancelled (running trials finish).
 * `complete` when it ran out of trials or time, `stopped` when a person stopped it.
 */
export async function closeStudy(studyId: string, state: Exclude<StudyState, "running">): Promise<void> {
  await db().study.updateMany({ where: { id: studyId, state: "running" }, data: { state } });
  await db().job.updateMany({
    where: { type: { in: [...HPO_JOB_TYPES] }, state: "queued", payload: { contains: studyId } },
    data: { state: "cancelled", finishedAt: new Date() },
  });
}

/**
 * Marks the study complete once it has its n trials (trials failed because their worker died do not
 * count: their repeat does) or no trial job of it is left besides the caller's own. Counting trials
 * rather than jobs matters: the last two jobs finishing at once each still see the other one running.
 */
export async function completeIfDone(studyId: string, ownJobs = 1): Promise<boolean> {
  const row = await db().study.findUnique({ where: { id: studyId }, select: { state: true, nTrials: true } });
  if (!row || row.state !== "running") return false;
  const finished = await db().trial.findMany({ where: { studyId, state: { in: ["COMPLETE", "PRUNED", "FAIL"] } }, select: { systemAttrs: true } });
  const counted = finished.filter((t) => !parseJson<Record<string, unknown>>(t.systemAttrs, {}).worker_lost).length;
  const done = (row.nTrials !== null && counted >= row.nTrials) || (await pendingTrialJobs(studyId)) <= ownJobs;
  if (!done) return false;
  const { count } = await db().study.updateMany({ where: { id: studyId, state: "running" }, data: { state: "complete" } });
  return count === 1;
}

/**
 * Fails RUNNING trials of the study whose heartbeat is older than `staleMs`: their worker died and no
 * retry of their job is coming (a retried job fails and repeats its own trial first).
 */
export async function failStaleTrials(studyId: string, staleMs: number, storage = new DbStorage()): Promise<number> {
  const cutoff = new Date(Date.now() - staleMs);
  const stale = await db().trial.findMany({
    where: { studyId, state: "RUNNING", OR: [{ heartbeatAt: { lt: cutoff } }, { heartbeatAt: null, startedAt: { lt: cutoff } }] },
    select: { id: true, heartbeatAt: true },
  });
  let n = 0;
  for (const t of stale) {
    try {
      await storage.setTrialSystemAttr(t.id, "fail_reason", `worker stopped responding (last heartbeat ${t.heartbeatAt?.toISOString() ?? "never"})`);
      await storage.setTrialSystemAttr(t.id, "worker_lost", true);
      await storage.finishTrial(t.id, "FAIL", null);
      n++;
    } catch {
      // Finished meanwhile by its own worker: nothing to do.
    }
  }
  return n;
}
