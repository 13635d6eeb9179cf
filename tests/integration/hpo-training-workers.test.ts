// A training search queued with `enqueueTraining` (a `train.search` job) on SQLite and PostgreSQL: the
// search waits in the worker's orchestration lane while its trials run as `hpo.trial` jobs on the
// general slots, then refits the best configuration and registers it; cancelling stops the study.
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { db } from "@/lib/db";
import { createDatasetVersion } from "@/lib/datasets";
import { HPO_TRIAL_JOB, getStudyDetail } from "@/lib/hpo";
import { WorkerRunner, cancelJob, type JobContext, type JobHandler } from "@/lib/jobs";
import { getRun, searchRuns } from "@/lib/tracking";
import { TRAIN_SEARCH_JOB, enqueueTraining, type TrainJobResult } from "@/lib/training";
import { jobHandlers, orchestrationHandlers } from "@/workers/handlers";
import { makeUser, uid } from "../support/factories";
import { waitFor, waitForJob } from "../support/wait";

const IRIS = join(import.meta.dirname, "..", "..", "..", "shared", "datasets", "iris.csv");
// linear by Adam: its trials report epoch curves for the pruner (the default solve has one epoch).
const FAST = { epochs: 40, patience: 5, solver: "adam" };

let store: string;
const saved = process.env.ARTIFACT_STORE;
const runners: WorkerRunner[] = [];

beforeAll(() => {
  store = mkdtempSync(join(tmpdir(), "hpo-training-workers-store-"));
  process.env.ARTIFACT_STORE = `file:${store}`;
  resetConfig();
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop(1_000)));
});

afterAll(() => {
  if (saved === undefined) delete process.env.ARTIFACT_STORE;
  else process.env.ARTIFACT_STORE = saved;
  resetConfig();
  rmSync(store, { recursive: true, force: true });
});

/**
 * The worker's layout (workers/worker.ts): two general slots serving trial jobs and the one-slot
 * orchestration lane serving `train.search`, with the handlers wrapped to record what they did.
 */
async function startWorker(leaseMs = 30_000) {
  const progress: string[] = [];
  const spans: { start: number; end: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const trial = jobHandlers()[HPO_TRIAL_JOB]!;
  const search = orchestrationHandlers()[TRAIN_SEARCH_JOB]!;
  const trialHandler: JobHandler = async (ctx) => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    const start = Date.now();
    try {
      return await trial(ctx);
    } finally {
      inFlight--;
      spans.push({ start, end: Date.now() });
    }
  };
  const searchHandler: JobHandler = (ctx) => search({ ...ctx, progress: (f, m) => (m && progress.push(m), ctx.progress(f, m)) } satisfies JobContext);
  const runner = new WorkerRunner({
    handlers: { [HPO_TRIAL_JOB]: trialHandler },
    concurrency: 2,
    pollMs: 20,
    leaseMs,
    lanes: [{ handlers: { [TRAIN_SEARCH_JOB]: searchHandler }, concurrency: 1 }],
  });
  runners.push(runner);
  await runner.start();
  return { progress, spans, maxInFlight: () => maxInFlight };
}

async function irisDataset(actor: Parameters<typeof createDatasetVersion>[0]) {
  const v = (await createDatasetVersion(actor, { name: `iris-search-${uid()}`, stream: createReadStream(IRIS) })).version;
  return { name: v.datasetName, version: v.version };
}

describe("a training search over workers", () => {
  it("runs its trials as hpo.trial jobs on two slots while train.search waits in the lane, then refits and registers", async () => {
    const { actor } = await makeUser("editor");
    const dataset = await irisDataset(actor);
    const model = `iris-search-${uid()}`;
    const { job } = await enqueueTraining(actor, { dataset, target: "target", family: "linear", params: FAST, hpo: { trials: 6, seed: 4 }, register: { name: model } });
    expect(job.type).toBe(TRAIN_SEARCH_JOB);
    const worker = await startWorker();

    const done = await waitForJob(job.id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 280_000);
    expect(done.error).toBeNull();
    expect(done.state).toBe("succeeded");
    const result = done.result as TrainJobResult;
    expect(result.search).toBeDefined();
    const { study_id: studyId, parent_run_id: parentRunId } = result.search!;

    // Six trials in the study, each a child run of the search's parent run.
    const detail = await getStudyDetail(studyId);
    expect(detail.study.state).toBe("complete");
    expect(detail.study.parent_run_id).toBe(parentRunId);
    expect(detail.trials.map((t) => t.number).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const t of detail.trials) {
      expect(["COMPLETE", "PRUNED"]).toContain(t.state);
      const run = await getRun(t.run_id!);
      expect(run.parentRunId).toBe(parentRunId);
      expect(run.tags["mlops.study"]).toBe(studyId);
    }
    // Every trial was its own job, and two ran at the same time (both general slots were used).
    const trialJobs = await db().trial.findMany({ where: { studyId }, select: { jobId: true } });
    expect(new Set(trialJobs.map((t) => t.jobId)).size).toBe(6);
    expect(worker.maxInFlight()).toBeGreaterThanOrEqual(2);
    const spans = worker.spans.sort((a, b) => a.start - b.start);
    expect(spans.some((s, i) => i > 0 && s.start < spans[i - 1]!.end)).toBe(true);

    // The refit: a child of the parent run too, registered as the model's first version.
    expect(result.model_version).toMatchObject({ name: model, version: 1 });
    const refit = await getRun(result.run_id);
    expect(refit.status).toBe("FINISHED");
    expect(refit.parentRunId).toBe(parentRunId);
    expect(refit.tags["mlops.job_id"]).toBe(job.id);
    expect(refit.tags["mlops.refit_of_trial"]).toBe(`${studyId}:${result.search!.best_trial}`);
    const parent = await getRun(parentRunId);
    expect(parent.status).toBe("FINISHED");
    expect(parent.tags["mlops.refit_run"]).toBe(result.run_id);

    // Progress: one message per finished trial with the best value so far, then the refit.
    expect(worker.progress.filter((m) => /^trial [1-6]\/6, best \d/.test(m)).length).toBeGreaterThanOrEqual(1);
    expect(worker.progress.some((m) => m.startsWith("trial 6/6, best "))).toBe(true);
    expect(worker.progress.some((m) => m.startsWith("refit"))).toBe(true);
    expect(done.progress).toBe(1);
  }, 300_000);

  it("an auto search runs every family's study at once on the workers and refits the best family", async () => {
    const { actor } = await makeUser("editor");
    const dataset = await irisDataset(actor);
    const { job } = await enqueueTraining(actor, { dataset, target: "target", family: "auto", params: FAST, hpo: { trials: 6, seed: 5 } });
    await startWorker();
    const done = await waitForJob(job.id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 280_000);
    expect(done.error).toBeNull();
    const result = done.result as TrainJobResult;
    const studies = await db().study.findMany({ where: { name: { endsWith: `-job-${job.id}` } }, include: { trials: { select: { completedAt: true, state: true } } } });
    expect(studies.map((st) => st.name.replace(/-job-.*$/, "").split("-").pop()).sort()).toEqual(["gbdt", "linear", "mlp"]);
    for (const st of studies) expect(st.trials.filter((t) => t.state !== "RUNNING")).toHaveLength(2);
    // Every family's study existed before any family's study had finished its trials.
    const firstFinished = Math.min(...studies.map((st) => Math.max(...st.trials.map((t) => t.completedAt!.getTime()))));
    for (const st of studies) expect(st.createdAt.getTime()).toBeLessThan(firstFinished);
    // The refit is of the family whose study holds the best trial.
    const parent = await getRun(result.search!.parent_run_id);
    expect(result.family).toBe(parent.tags["mlops.best_family"]);
    expect(result.search!.study_id).toBe(parent.tags[`mlops.study.${result.family}`]);
    const bestOfAll = Math.min(...(await db().trial.findMany({ where: { studyId: { in: studies.map((st) => st.id) }, state: "COMPLETE" } })).map((t) => t.value!));
    expect(result.search!.best_value).toBe(bestOfAll);
  }, 300_000);

  it("a search whose worker stops carries on with the same study and parent run on another worker", async () => {
    const { actor } = await makeUser("editor");
    const dataset = await irisDataset(actor);
    const { job } = await enqueueTraining(actor, { dataset, target: "target", family: "linear", params: FAST, hpo: { trials: 40, seed: 9 } });
    await startWorker();
    const studies = () => db().study.findMany({ where: { name: { endsWith: `-job-${job.id}` } } });
    const [study] = await waitFor(studies, (s) => s.length === 1, { what: "the search's study", timeoutMs: 60_000, intervalMs: 50 });
    await waitFor(() => db().trial.count({ where: { studyId: study!.id, state: { not: "RUNNING" } } }), (n) => n >= 2, { what: "two trials", timeoutMs: 120_000, intervalMs: 50 });
    // The first worker shuts down mid-search (its jobs go back to the queue); a second one takes over.
    await runners.shift()!.stop(100);
    expect((await studies())[0]!.state).toBe("running");
    await startWorker();

    const done = await waitForJob(job.id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 280_000);
    expect(done.error).toBeNull();
    expect(done.state).toBe("succeeded");
    const result = done.result as TrainJobResult;
    expect(await studies()).toHaveLength(1);
    expect(result.search!.study_id).toBe(study!.id);
    expect(result.search!.parent_run_id).toBe(study!.parentRunId);
    // One parent run for the job, and every counted trial under it.
    const jobRuns = (await searchRuns({ filter: `tags.\`mlops.job_id\` = '${job.id}'`, view: "all", maxResults: 100 })).items;
    expect(jobRuns.filter((r) => !r.parentRunId).map((r) => r.id)).toEqual([study!.parentRunId]);
    // Trials the stopped worker left are failed as lost and repeated: 40 trials count, none is left running.
    const rows = await db().trial.findMany({ where: { studyId: study!.id }, select: { state: true, systemAttrs: true } });
    expect(rows.filter((t) => !t.systemAttrs.includes("worker_lost"))).toHaveLength(40);
    expect(rows.filter((t) => t.state === "RUNNING")).toHaveLength(0);
    expect((await getRun(result.run_id)).parentRunId).toBe(study!.parentRunId);
  }, 300_000);

  it("a cancelled search stops its study, cancels the queued trial jobs and ends the parent run as KILLED", async () => {
    const { actor } = await makeUser("editor");
    const dataset = await irisDataset(actor);
    const { job } = await enqueueTraining(actor, { dataset, target: "target", family: "linear", params: FAST, hpo: { trials: 300 } });
    // A short lease: the runner sees the cancel request at its next heartbeat (a third of the lease).
    await startWorker(1_500);
    const studyOf = () => db().study.findFirst({ where: { name: { endsWith: `-job-${job.id}` } } });
    const study = await waitFor(studyOf, (s) => s !== null, { what: "the search's study", timeoutMs: 60_000, intervalMs: 50 });
    await waitFor(() => db().trial.count({ where: { studyId: study!.id, state: { not: "RUNNING" } } }), (n) => n >= 1, { what: "a first trial", timeoutMs: 120_000, intervalMs: 100 });
    await cancelJob(job.id);

    const done = await waitForJob(job.id, (j) => j.state !== "queued" && j.state !== "running", "ends", 60_000);
    expect(done.state).toBe("cancelled");
    expect((await db().study.findUniqueOrThrow({ where: { id: study!.id } })).state).toBe("stopped");
    const queued = await db().job.count({ where: { type: HPO_TRIAL_JOB, state: "queued", payload: { contains: study!.id } } });
    expect(queued).toBe(0);
    expect(await db().trial.count({ where: { studyId: study!.id } })).toBeLessThan(300);
    const parent = await getRun(study!.parentRunId!);
    expect(parent.status).toBe("KILLED");
  }, 300_000);
});
