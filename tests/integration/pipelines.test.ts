// Pipelines on SQLite and PostgreSQL: the REST API, a manual run through a WorkerRunner with the
// worker's real handler (train → gate → register → promote), the cron scheduler claiming a due
// pipeline exactly once under concurrent ticks, and the "new dataset version" trigger.
import { createReadStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getRoute, PATCH as patchRoute } from "@/app/api/v1/pipelines/[id]/route";
import { POST as runRoute } from "@/app/api/v1/pipelines/[id]/run/route";
import { GET as runsRoute } from "@/app/api/v1/pipelines/[id]/runs/route";
import { POST as createRoute } from "@/app/api/v1/pipelines/route";
import { resetConfig } from "@/lib/config";
import { createDatasetVersion } from "@/lib/datasets";
import { db } from "@/lib/db";
import { cancelJob, getJob, WorkerRunner } from "@/lib/jobs";
import { createPipeline, getPipeline, listPipelineRuns, PIPELINE_JOB, pipelineJobHandler, runPipelineNow, schedulerTick, type PipelineJobResult } from "@/lib/pipelines";
import { getModelVersionByAlias, getRegisteredModel, listModelVersions } from "@/lib/registry";
import { createRun, getRun, searchRuns } from "@/lib/tracking";
import { JOB_ID_TAG } from "@/lib/training";
import { jobHandlers } from "@/workers/handlers";
import { makeApiKey, makeUser, uid } from "../support/factories";
import { waitForJob } from "../support/wait";

const IRIS = join(import.meta.dirname, "..", "..", "..", "shared", "datasets", "iris.csv");
const FAST = { epochs: 60, patience: 10, learning_rate: 0.1 };

let store: string;
const saved = process.env.ARTIFACT_STORE;
const leftoverJobs: string[] = [];

beforeAll(() => {
  store = mkdtempSync(join(tmpdir(), "pipelines-store-"));
  process.env.ARTIFACT_STORE = `file:${store}`;
  resetConfig();
});

afterAll(async () => {
  // Queued runs made by the scheduler tests must not be picked up by other files' workers.
  for (const id of leftoverJobs) await cancelJob(id).catch(() => undefined);
  if (saved === undefined) delete process.env.ARTIFACT_STORE;
  else process.env.ARTIFACT_STORE = saved;
  resetConfig();
  rmSync(store, { recursive: true, force: true });
});

async function irisDataset(): Promise<string> {
  const { actor } = await makeUser("editor");
  const name = `iris-pl-${uid()}`;
  await createDatasetVersion(actor, { name, stream: createReadStream(IRIS) });
  return name;
}

function call(handler: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>, key: string, method: string, url: string, body?: unknown, params: Record<string, string> = {}) {
  return handler(
    new Request(`http://localhost${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { params: Promise.resolve(params) },
  );
}

describe("pipelines REST API", () => {
  it("creates a pipeline for editors and refuses bad definitions with a message, creating nothing", async () => {
    const dataset = await irisDataset();
    const editor = (await makeApiKey("editor")).key;
    const viewer = (await makeApiKey("viewer")).key;
    const name = `pl-api-${uid()}`;
    const definition = { dataset: { name: dataset }, target: "target", family: "linear", params: FAST, register: { name: `m-${uid()}` } };

    const bad = async (body: unknown, message: RegExp) => {
      const res = await call(createRoute, editor, "POST", "/api/v1/pipelines", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    };
    await bad({ name, definition: { ...definition, target: "nope" } }, /Target column 'nope' does not exist/);
    await bad({ name, definition: { ...definition, search: { trials: 4 }, split: { folds: 5 } } }, /split\.folds: Cross-validation .* does not apply to a hyperparameter search/);
    await bad({ name, definition, schedule: "*/5 * * *" }, /has 4 fields; use five/);
    await bad({ name, definition, schedule: "0 0 * * * *" }, /has 6 fields/);
    await bad({ name, definition, schedule: "61 * * * *" }, /not a valid cron expression/);
    await bad({ name, definition: { ...definition, family: "forest" } }, /Unknown model family 'forest'/);
    await bad({ name, definition: { ...definition, gate: { metric: "accuracy" } } }, /gate needs min or max/);
    await bad({ name, definition: { ...definition, promote: "always" } }, /promotion policy is one of/);
    await bad(
      { name, definition: { ...definition, dataset: { name: dataset, version: 1 } }, triggers: { onNewDatasetVersion: true } },
      /needs dataset.version 'latest'/,
    );
    const missing = await call(createRoute, editor, "POST", "/api/v1/pipelines", { name, definition: { ...definition, dataset: { name: `none-${uid()}` } } });
    expect(missing.status).toBe(404);
    expect(await db().pipeline.count({ where: { name } })).toBe(0);

    expect((await call(createRoute, viewer, "POST", "/api/v1/pipelines", { name, definition })).status).toBe(403);
    const created = await call(createRoute, editor, "POST", "/api/v1/pipelines", { name, definition, schedule: "0 3 * * *" });
    expect(created.status).toBe(201);
    const p = (await created.json()) as { id: string; nextRunAt: string; definition: { promote: string; dataset: { version: string } } };
    expect(p.definition).toMatchObject({ promote: "challenger", dataset: { version: "latest" } });
    const next = new Date(p.nextRunAt);
    expect(next.getUTCHours()).toBe(3);
    expect(next.getUTCMinutes()).toBe(0);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect((await call(createRoute, editor, "POST", "/api/v1/pipelines", { name, definition })).status).toBe(409);

    // Read by name, switch the schedule off, disable.
    const got = await call(getRoute, viewer, "GET", `/api/v1/pipelines/${name}`, undefined, { id: name });
    expect(got.status).toBe(200);
    const patched = await call(patchRoute, editor, "PATCH", `/api/v1/pipelines/${p.id}`, { schedule: null, enabled: false }, { id: p.id });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ schedule: null, nextRunAt: null, enabled: false });
  });
});

describe("pipelines saved before folds and a search were refused together", () => {
  it("still read, without the folds (they had no effect)", async () => {
    const dataset = await irisDataset();
    const { actor } = await makeUser("editor");
    const p = await createPipeline(actor, { name: `pl-old-${uid()}`, definition: { dataset: { name: dataset }, target: "target", family: "linear", search: { trials: 4 } } });
    const row = await db().pipeline.findUniqueOrThrow({ where: { id: p.id } });
    const stored = JSON.parse(row.definition) as { definition: { split: Record<string, unknown> } };
    stored.definition.split.folds = 5;
    await db().pipeline.update({ where: { id: p.id }, data: { definition: JSON.stringify(stored) } });

    const read = await getPipeline(p.id);
    expect(read.definition.search).toEqual({ trials: 4 });
    expect(read.definition.split).toEqual({ test: 0.2, validation: 0.2 });
  });
});

describe("a manual pipeline run", () => {
  it("queues a job that trains, passes the gate, registers and promotes; a failing gate registers nothing", async () => {
    const dataset = await irisDataset();
    const editor = (await makeApiKey("editor")).key;
    const { actor } = await makeUser("editor");
    const model = `pl-model-${uid()}`;
    const passing = await createPipeline(actor, {
      name: `pl-run-${uid()}`,
      definition: {
        dataset: { name: dataset },
        target: "target",
        family: "linear",
        params: FAST,
        gate: { metric: "accuracy", min: 0.6 },
        register: { name: model },
        promote: "champion-if-better",
      },
    });
    const gatedModel = `pl-gated-${uid()}`;
    const gated = await createPipeline(actor, {
      name: `pl-gated-${uid()}`,
      // log_loss can never be negative: this gate always fails.
      definition: { dataset: { name: dataset }, target: "target", family: "linear", params: FAST, gate: { metric: "log_loss", max: -1 }, register: { name: gatedModel } },
    });

    const res = await call(runRoute, editor, "POST", `/api/v1/pipelines/${passing.id}/run`, { reason: "first model" }, { id: passing.id });
    expect(res.status).toBe(202);
    const { job_id, pipeline_run } = (await res.json()) as { job_id: string; pipeline_run: { id: string; state: string; trigger: string; reason: string } };
    expect(pipeline_run).toMatchObject({ state: "queued", trigger: "manual", reason: "first model" });
    const gatedRun = await runPipelineNow(gated.name, { reason: "drift on feature x" });
    expect(gatedRun.pipelineRun.trigger).toBe("api");

    const runner = new WorkerRunner({ handlers: { [PIPELINE_JOB]: jobHandlers()[PIPELINE_JOB]! }, pollMs: 50 });
    await runner.start();
    try {
      const done = await waitForJob(job_id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 110_000);
      expect(done.error).toBeNull();
      expect(done.state).toBe("succeeded");
      const result = done.result as PipelineJobResult;
      expect(result).toMatchObject({ state: "succeeded", dataset: `${dataset}:v1`, model_version: { name: model, version: 1, alias: "champion" } });
      expect(result.gate).toMatchObject({ metric: "accuracy", passed: true });
      expect(result.test_metrics.accuracy).toBeGreaterThanOrEqual(0.6);
      expect((await getModelVersionByAlias(model, "champion")).runId).toBe(result.run_id);
      const run = await getRun(result.run_id);
      expect(run.status).toBe("FINISHED");
      expect(run.tags["mlops.pipeline"]).toBe(passing.name);
      expect(run.tags["mlops.registered_model"]).toBe(`${model}:v1`);

      // The history, through the REST API.
      const viewer = (await makeApiKey("viewer")).key;
      const hist = await call(runsRoute, viewer, "GET", `/api/v1/pipelines/${passing.id}/runs`, undefined, { id: passing.id });
      const { runs, total } = (await hist.json()) as { runs: { id: string; state: string; runId: string; modelVersion: unknown; dataset: string }[]; total: number };
      expect(total).toBe(1);
      expect(runs[0]).toMatchObject({ id: pipeline_run.id, state: "succeeded", runId: result.run_id, dataset: `${dataset}:v1`, modelVersion: { name: model, version: 1, alias: "champion" } });
      expect((await getPipeline(passing.id)).lastRunAt).not.toBeNull();

      const g = await waitForJob(gatedRun.job.id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 110_000);
      expect(g.state).toBe("succeeded");
      expect(g.result).toMatchObject({ state: "gated", model_version: null, gate: { metric: "log_loss", max: -1, passed: false } });
      const gh = await listPipelineRuns(gated.id);
      expect(gh.runs[0]).toMatchObject({ state: "gated", reason: "drift on feature x", modelVersion: null });
      expect(gh.runs[0]!.message).toMatch(/Not registered: test log_loss .* the gate asks ≤ -1/);
      await expect(getRegisteredModel(gatedModel)).rejects.toThrow(/not found/i);
    } finally {
      await runner.stop(1000);
    }
  }, 240_000);

  it("a second run that is no better registers a version without moving the champion", async () => {
    const dataset = await irisDataset();
    const { actor } = await makeUser("editor");
    const model = `pl-again-${uid()}`;
    const p = await createPipeline(actor, {
      name: `pl-again-${uid()}`,
      definition: { dataset: { name: dataset }, target: "target", family: "linear", params: FAST, register: { name: model, margin: 0.5 }, promote: "champion-if-better" },
    });
    const first = await runPipelineNow(p.id, { actor });
    const runner = new WorkerRunner({ handlers: { [PIPELINE_JOB]: jobHandlers()[PIPELINE_JOB]! }, pollMs: 50 });
    await runner.start();
    try {
      await waitForJob(first.job.id, (j) => j.state === "succeeded" || j.state === "dead", "finishes", 110_000);
      const second = await runPipelineNow(p.id, { actor });
      const done = await waitForJob(second.job.id, (j) => j.state === "succeeded" || j.state === "dead", "finishes", 110_000);
      expect(done.result).toMatchObject({ state: "succeeded", model_version: { name: model, version: 2, alias: null } });
      expect((await getModelVersionByAlias(model, "champion")).version).toBe(1);
      expect((await listModelVersions(model)).length).toBe(2);
    } finally {
      await runner.stop(1000);
    }
  }, 240_000);
});

describe("a retried pipeline run (its worker died)", () => {
  /** A queued run whose handler the test calls as a worker's attempts would; the job is cancelled so that no worker takes it. */
  async function attemptsOf(pipelineId: string) {
    const { job } = await runPipelineNow(pipelineId);
    await cancelJob(job.id);
    return {
      jobId: job.id,
      attempt: (attempts: number) => pipelineJobHandler({ job: { ...job, state: "running", attempts }, signal: new AbortController().signal, progress: async () => undefined }),
    };
  }
  const runsOfJob = async (jobId: string) => (await searchRuns({ filter: `tags.\`${JOB_ID_TAG}\` = '${jobId}'`, view: "all", maxResults: 100 })).items;

  it("finishes the training an earlier attempt registered instead of training and registering it again", async () => {
    const dataset = await irisDataset();
    const { actor } = await makeUser("editor");
    const model = `pl-retry-${uid()}`;
    const p = await createPipeline(actor, {
      name: `pl-retry-${uid()}`,
      definition: { dataset: { name: dataset }, target: "target", family: "linear", params: FAST, register: { name: model }, promote: "none" },
    });
    const { jobId, attempt } = await attemptsOf(p.id);
    const first = await attempt(1);
    expect(first).toMatchObject({ state: "succeeded", model_version: { name: model, version: 1, alias: null } });
    // What a worker killed right after registering leaves: the pipeline run still running.
    await db().pipelineRun.update({ where: { id: first.pipeline_run_id }, data: { state: "running", finishedAt: null } });

    const retried = await attempt(2);
    expect(retried).toMatchObject({ state: "succeeded", run_id: first.run_id, model_version: { name: model, version: 1, alias: null } });
    expect(retried.test_metrics).toEqual(first.test_metrics);
    expect((await listModelVersions(model)).map((v) => [v.version, v.runId])).toEqual([[1, first.run_id]]);
    expect((await runsOfJob(jobId)).map((r) => [r.id, r.status])).toEqual([[first.run_id, "FINISHED"]]);
    expect((await listPipelineRuns(p.id)).runs[0]).toMatchObject({ state: "succeeded", runId: first.run_id, modelVersion: { version: 1 } });
  }, 120_000);

  it("closes the run an attempt left RUNNING mid-training and trains again", async () => {
    const dataset = await irisDataset();
    const { actor } = await makeUser("editor");
    const model = `pl-retry-${uid()}`;
    const p = await createPipeline(actor, { name: `pl-retry-${uid()}`, definition: { dataset: { name: dataset }, target: "target", family: "linear", params: FAST, register: { name: model } } });
    const { jobId, attempt } = await attemptsOf(p.id);
    // What a worker killed mid-training leaves: a RUNNING run tagged with the job.
    const orphan = await createRun(null, { tags: { [JOB_ID_TAG]: jobId } });

    const done = await attempt(2);
    expect(done).toMatchObject({ state: "succeeded", model_version: { name: model, version: 1, alias: "champion" } });
    const left = await getRun(orphan.id);
    expect(left.status).toBe("KILLED");
    expect(left.tags["mlops.error"]).toMatch(/worker stopped before the run ended; job .* was retried \(attempt 2\)/);
    expect((await runsOfJob(jobId)).filter((r) => r.status === "FINISHED").map((r) => r.id)).toEqual([done.run_id]);
    expect((await listModelVersions(model)).map((v) => v.runId)).toEqual([done.run_id]);
  }, 120_000);

  it("registers the refit an earlier attempt's search finished, without searching again", async () => {
    const dataset = await irisDataset();
    const { actor } = await makeUser("editor");
    const model = `pl-retry-${uid()}`;
    const p = await createPipeline(actor, {
      name: `pl-retry-${uid()}`,
      definition: { dataset: { name: dataset }, target: "target", family: "linear", params: FAST, search: { trials: 4, seed: 1 }, register: { name: model } },
    });
    const { jobId, attempt } = await attemptsOf(p.id);
    const first = await attempt(1);
    expect(first.search).toMatchObject({ trials: 4, best_trial: { family: "linear" } });
    // Killed after the refit and its registration, before the search's parent run was closed.
    await db().run.update({ where: { id: first.search!.parent_run_id }, data: { status: "RUNNING", endTime: null } });
    const runsBefore = (await runsOfJob(jobId)).length;

    const retried = await attempt(2);
    expect(retried).toMatchObject({ state: "succeeded", run_id: first.run_id, model_version: { name: model, version: 1, alias: "champion" } });
    expect(retried.search).toEqual(first.search);
    expect(await runsOfJob(jobId)).toHaveLength(runsBefore);
    expect((await getRun(first.search!.parent_run_id)).status).toBe("FINISHED");
    expect((await listModelVersions(model)).map((v) => v.runId)).toEqual([first.run_id]);
  }, 180_000);
});

describe("the scheduler", () => {
  it("queues a due pipeline exactly once when two ticks race, and moves nextRunAt to the next firing", async () => {
    const dataset = await irisDataset();
    const { actor } = await makeUser("editor");
    const p = await createPipeline(actor, {
      name: `pl-cron-${uid()}`,
      schedule: "*/10 * * * *",
      definition: { dataset: { name: dataset }, target: "target", family: "linear", params: FAST },
    });
    const now = new Date();
    // Not due yet: nothing happens.
    const early = await Promise.all([schedulerTick(now), schedulerTick(now)]);
    expect(early.flatMap((t) => t.scheduled).filter((s) => s.pipeline === p.name)).toHaveLength(0);

    await db().pipeline.update({ where: { id: p.id }, data: { nextRunAt: new Date(now.getTime() - 1000) } });
    const ticks = await Promise.all([schedulerTick(now), schedulerTick(now), schedulerTick(now)]);
    const mine = ticks.flatMap((t) => t.scheduled).filter((s) => s.pipeline === p.name);
    leftoverJobs.push(...mine.map((m) => m.jobId));
    expect(mine).toHaveLength(1);
    const runs = await listPipelineRuns(p.id);
    expect(runs.total).toBe(1);
    expect(runs.runs[0]).toMatchObject({ trigger: "schedule", state: "queued", jobId: mine[0]!.jobId });
    expect((await getJob(mine[0]!.jobId)).type).toBe(PIPELINE_JOB);
    const after = await getPipeline(p.id);
    const next = new Date(after.nextRunAt!);
    expect(next.getTime()).toBeGreaterThan(now.getTime());
    expect(next.getUTCMinutes() % 10).toBe(0);

    // Due again while the first run is still queued: the firing passes without piling up a second run.
    await db().pipeline.update({ where: { id: p.id }, data: { nextRunAt: new Date(now.getTime() - 1000) } });
    const again = await schedulerTick(now);
    expect(again.skipped).toContain(p.name);
    expect((await listPipelineRuns(p.id)).total).toBe(1);

    // A disabled pipeline is never queued by its schedule.
    await db().pipeline.update({ where: { id: p.id }, data: { enabled: false, nextRunAt: new Date(now.getTime() - 1000) } });
    await db().pipelineRun.updateMany({ where: { pipelineId: p.id }, data: { state: "failed" } });
    const off = await schedulerTick(now);
    expect(off.scheduled.filter((s) => s.pipeline === p.name)).toHaveLength(0);
  });

  it("runs a pipeline once for each new version of its dataset, on that version", async () => {
    const dataset = await irisDataset();
    const { actor } = await makeUser("editor");
    const p = await createPipeline(actor, {
      name: `pl-data-${uid()}`,
      triggers: { onNewDatasetVersion: true },
      definition: { dataset: { name: dataset }, target: "target", family: "linear", params: FAST },
    });
    expect(p.datasetVersionSeen).toBe(1);
    // The version that existed when the pipeline was made does not trigger it.
    const quiet = await schedulerTick();
    expect(quiet.triggered.filter((t) => t.pipeline === p.name)).toHaveLength(0);

    // New bytes: the first 100 rows of iris make version 2.
    const lines = readFileSync(IRIS, "utf8").trimEnd().split("\n");
    await createDatasetVersion(actor, { name: dataset, stream: Readable.from([lines.slice(0, 101).join("\n") + "\n"]) });
    const ticks = await Promise.all([schedulerTick(), schedulerTick()]);
    const mine = ticks.flatMap((t) => t.triggered).filter((t) => t.pipeline === p.name);
    leftoverJobs.push(...mine.map((m) => m.jobId));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.datasetVersion).toBe(2);
    expect((await getJob(mine[0]!.jobId)).payload).toMatchObject({ datasetVersion: 2, pipelineName: p.name });
    const hist = await listPipelineRuns(p.id);
    expect(hist.runs).toHaveLength(1);
    expect(hist.runs[0]).toMatchObject({ trigger: "dataset", reason: `new version v2 of dataset '${dataset}'` });
    expect((await getPipeline(p.id)).datasetVersionSeen).toBe(2);
    // Nothing new: no further run.
    const later = await schedulerTick();
    expect(later.triggered.filter((t) => t.pipeline === p.name)).toHaveLength(0);
  });
});
