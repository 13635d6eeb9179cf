// A pipeline with a hyperparameter search step, on SQLite and PostgreSQL: created through the REST API,
// run by the worker's real handler, the search's trials stored as a study under one parent run, and the
// refit of the best trial gated and registered.
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { POST as runRoute } from "@/app/api/v1/pipelines/[id]/run/route";
import { POST as createRoute } from "@/app/api/v1/pipelines/route";
import { createDatasetVersion } from "@/lib/datasets";
import { db } from "@/lib/db";
import { getStudyDetail } from "@/lib/hpo";
import { WorkerRunner } from "@/lib/jobs";
import { listPipelineRuns, PIPELINE_JOB, type PipelineJobResult } from "@/lib/pipelines";
import { getModelVersionByAlias } from "@/lib/registry";
import { getRun } from "@/lib/tracking";
import { jobHandlers } from "@/workers/handlers";
import { withTempArtifactStore } from "../support/artifact-store";
import { makeApiKey, makeUser, uid } from "../support/factories";
import { waitForJob } from "../support/wait";

const IRIS = join(import.meta.dirname, "..", "..", "..", "shared", "datasets", "iris.csv");
const FAST = { epochs: 60, patience: 10, learning_rate: 0.1 };

withTempArtifactStore("pipelines-search-store");

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
    const created = await post(createRoute, editor, "/api/v1/pipelines", {
      name: `pl-search-${uid()}`,
      definition: {
        dataset: { name: dataset },
        target: "target",
        family: "linear",
        params: FAST,
        search: { trials: 3, seed: 7 },
        gate: { metric: "accuracy", min: 0.6 },
        register: { name: model },
      },
    });
    expect(created.status).toBe(201);
    const pipeline = (await created.json()) as { id: string; definition: { search: unknown } };
    expect(pipeline.definition.search).toEqual({ trials: 3, seed: 7 });

    const res = await post(runRoute, editor, `/api/v1/pipelines/${pipeline.id}/run`, {}, { id: pipeline.id });
    expect(res.status).toBe(202);
    const { job_id } = (await res.json()) as { job_id: string };
    const runner = new WorkerRunner({ handlers: { [PIPELINE_JOB]: jobHandlers()[PIPELINE_JOB]! }, pollMs: 50 });
    await runner.start();
    try {
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
    } finally {
      await runner.stop(1000);
    }
  }, 300_000);
});
