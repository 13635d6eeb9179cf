// A pipeline with a hyperparameter search step, on SQLite and PostgreSQL: created through the REST API,
// queued as a `pipeline.search` job that waits in the worker's orchestration lane while its trials run
// as `hpo.trial` jobs on the general slots (the worker's layout), the trials stored as a study under one
// parent run, and the refit of the best trial gated and registered.
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { POST as runRoute } from "@/app/api/v1/pipelines/[id]/run/route";
import { POST as createRoute } from "@/app/api/v1/pipelines/route";
import { createDatasetVersion } from "@/lib/datasets";
import { db } from "@/lib/db";
import { HPO_TRIAL_JOB, getStudyDetail } from "@/lib/hpo";
import { WorkerRunner, getJob } from "@/lib/jobs";
import { listPipelineRuns, PIPELINE_SEARCH_JOB, type PipelineJobResult } from "@/lib/pipelines";
import { getModelVersionByAlias } from "@/lib/registry";
import { getRun, searchRuns } from "@/lib/tracking";
import { jobHandlers, orchestrationHandlers } from "@/workers/handlers";
import { withTempArtifactStore } from "../support/artifact-store";
import { makeApiKey, makeUser, uid } from "../support/factories";
import { waitFor, waitForJob } from "../support/wait";

const IRIS = join(import.meta.dirname, "..", "..", "..", "shared", "datasets", "iris.csv");
const FAST = { epochs: 60, patience: 10, learning_rate: 0.1 };

withTempArtifactStore("pipelines-search-store");

const runners: WorkerRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop(1_000)));
});

/** The worker's layout (workers/worker.ts): two general slots for trial jobs, the pipeline search in its lane. */
async function startWorker(): Promise<WorkerRunner> {
  const runner = new WorkerRunner({
    handlers: { [HPO_TRIAL_JOB]: jobHandlers()[HPO_TRIAL_JOB]! },
    concurrency: 2,
    pollMs: 50,
    lanes: [{ handlers: { [PIPELINE_SEARCH_JOB]: orchestrationHandlers()[PIPELINE_SEARCH_JOB]! }, concurrency: 1 }],
  });
  runners.push(runner);
  await runner.start();
  return runner;
}

async function createSearchPipeline(editor: string, dataset: string, search: { trials: number; seed: number }, register?: string) {
  const created = await post(createRoute, editor, "/api/v1/pipelines", {
    name: `pl-search-${uid()}`,
    definition: {
      dataset: { name: dataset },
      target: "target",
      family: "linear",
      params: FAST,
      search,
      gate: { metric: "accuracy", min: 0.6 },
      ...(register ? { register: { name: register } } : {}),
    },
  });
  expect(created.status).toBe(201);
  return (await created.json()) as { id: string; definition: { search: unknown } };
}

async function runNow(editor: string, pipelineId: string): Promise<string> {
  const res = await post(runRoute, editor, `/api/v1/pipelines/${pipelineId}/run`, {}, { id: pipelineId });
  expect(res.status).toBe(202);
  return ((await res.json()) as { job_id: string }).job_id;
}

function post(handler: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>, key: string, url: string, body: unknown, params: Record<string, string> = {}) {
  return handler(
    new Request(`http://localhost${url}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) }),
    { params: Promise.resolve(params) },
  );
}

describe("a pipeline with a search step", () => {
  it("refuses a bad search with a message and saves nothing", async () => {
    const { actor } = await makeUser("editor");
    const dataset = `iris-ps-${uid()}`;
    await createDatasetVersion(actor, { name: dataset, stream: createReadStream(IRIS) });
    const editor = (await makeApiKey("editor")).key;
    const name = `pl-search-bad-${uid()}`;
    for (const [search, message] of [
      [{ trials: 0 }, /At least 1 trial/],
      [{ trials: 2.5 }, /number of trials is a whole number/],
      [{ trials: 3, sampler: "grid" }, /sampler/],
    ] as const) {
      const res = await post(createRoute, editor, "/api/v1/pipelines", { name, definition: { dataset: { name: dataset }, target: "target", family: "linear", search } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(await db().pipeline.count({ where: { name } })).toBe(0);
  });

  it("searches, refits the best trial, and registers the refit as the champion", async () => {
    const { actor } = await makeUser("editor");
    const dataset = `iris-ps-${uid()}`;
    await createDatasetVersion(actor, { name: dataset, stream: createReadStream(IRIS) });
    const editor = (await makeApiKey("editor")).key;
    const model = `pl-search-${uid()}`;
    const pipeline = await createSearchPipeline(editor, dataset, { trials: 3, seed: 7 }, model);
    expect(pipeline.definition.search).toEqual({ trials: 3, seed: 7 });

    const job_id = await runNow(editor, pipeline.id);
    expect((await getJob(job_id)).type).toBe(PIPELINE_SEARCH_JOB);
    await startWorker();
    {
      const done = await waitForJob(job_id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 200_000);
      expect(done.error).toBeNull();
      const result = done.result as PipelineJobResult;
      expect(result).toMatchObject({ state: "succeeded", model_version: { name: model, version: 1, alias: "champion" }, gate: { passed: true } });
      expect(result.search).toMatchObject({ trials: 3, best_trial: { family: "linear" } });

      // The study: three trials under the search's parent run, each a child run.
      const detail = await getStudyDetail(result.search!.study_id);
      expect(detail.study.parent_run_id).toBe(result.search!.parent_run_id);
      expect(detail.trials).toHaveLength(3);
      expect(detail.best_trial).toBe(result.search!.best_trial.number);
      for (const t of detail.trials) expect((await getRun(t.run_id!)).parentRunId).toBe(result.search!.parent_run_id);
      // Each trial was a job of its own, served by the general slots.
      const trialJobs = await db().trial.findMany({ where: { studyId: result.search!.study_id }, select: { jobId: true } });
      expect(new Set(trialJobs.map((t) => t.jobId)).size).toBe(3);
      expect(trialJobs.every((t) => t.jobId && t.jobId !== job_id)).toBe(true);

      // What was gated and registered is the refit of the best trial, with its searched parameters.
      const refit = await getRun(result.run_id);
      expect(refit.status).toBe("FINISHED");
      expect(refit.parentRunId).toBe(result.search!.parent_run_id);
      expect(refit.tags["mlops.pipeline"]).toBeDefined();
      expect(refit.tags["mlops.registered_model"]).toBe(`${model}:v1`);
      const best = detail.trials.find((t) => t.number === detail.best_trial)!;
      expect(Number(refit.params.l2)).toBeCloseTo(Number(best.params.l2), 10);
      expect((await getModelVersionByAlias(model, "champion")).runId).toBe(result.run_id);
      const history = await listPipelineRuns(pipeline.id);
      expect(history.runs[0]).toMatchObject({ state: "succeeded", runId: result.run_id, modelVersion: { name: model, version: 1, alias: "champion" } });
      expect(history.runs[0]!.message).toMatch(/^Search: 3 trials, refit of linear trial \d+\. Gate passed/);
    }
  }, 300_000);

  it("a run whose worker stops carries on with the same study and parent run on another worker", async () => {
    const { actor } = await makeUser("editor");
    const dataset = `iris-ps-${uid()}`;
    await createDatasetVersion(actor, { name: dataset, stream: createReadStream(IRIS) });
    const editor = (await makeApiKey("editor")).key;
    const pipeline = await createSearchPipeline(editor, dataset, { trials: 24, seed: 3 });
    const jobId = await runNow(editor, pipeline.id);
    await startWorker();
    const studies = () => db().study.findMany({ where: { name: { endsWith: `-job-${jobId}` } } });
    const [study] = await waitFor(studies, (s) => s.length === 1, { what: "the run's study", timeoutMs: 60_000, intervalMs: 50 });
    await waitFor(() => db().trial.count({ where: { studyId: study!.id, state: { not: "RUNNING" } } }), (n) => n >= 2, { what: "two trials", timeoutMs: 120_000, intervalMs: 50 });
    // The first worker shuts down mid-search (its jobs go back to the queue); a second one takes over.
    await runners.shift()!.stop(100);
    await startWorker();

    const done = await waitForJob(jobId, (j) => j.state !== "queued" && j.state !== "running", "finishes", 280_000);
    expect(done.error).toBeNull();
    const result = done.result as PipelineJobResult;
    expect(result.state).toBe("succeeded");
    expect(await studies()).toHaveLength(1);
    expect(result.search).toMatchObject({ study_id: study!.id, parent_run_id: study!.parentRunId, trials: 24 });
    // One parent run for the job; trials lost with the first worker were repeated, none is left running.
    const jobRuns = (await searchRuns({ filter: `tags.\`mlops.job_id\` = '${jobId}'`, view: "all", maxResults: 100 })).items;
    expect(jobRuns.filter((r) => !r.parentRunId).map((r) => r.id)).toEqual([study!.parentRunId]);
    const rows = await db().trial.findMany({ where: { studyId: study!.id }, select: { state: true, systemAttrs: true } });
    expect(rows.filter((t) => !t.systemAttrs.includes("worker_lost"))).toHaveLength(24);
    expect(rows.filter((t) => t.state === "RUNNING")).toHaveLength(0);
    expect((await getRun(result.run_id)).parentRunId).toBe(study!.parentRunId);
    expect((await listPipelineRuns(pipeline.id)).runs[0]).toMatchObject({ state: "succeeded", runId: result.run_id });
  }, 300_000);
});
