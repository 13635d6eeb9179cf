// Training with a hyperparameter search (`hpo` in the spec, `mlops train --hpo N`), on SQLite and
// PostgreSQL: trials are child runs of one parent run, the study is stored, the best configuration is
// refit on train+validation and evaluated on test.
import { join } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createDatasetVersion } from "@/lib/datasets";
import { HPO_TRIAL_JOB, createDbStudy, getStudyDetail, getStudyRow } from "@/lib/hpo";
import { WorkerRunner } from "@/lib/jobs";
import { createExperiment, createRun, getRun } from "@/lib/tracking";
import { TRAINING_OBJECTIVE, runTraining, type SearchResult } from "@/lib/training";
import { jobHandlers } from "@/workers/handlers";
import { uid } from "../support/factories";
import { spawnNode } from "../support/processes";
import { waitFor } from "../support/wait";
import { withTempArtifactStore } from "../support/artifact-store";

const IRIS = join(import.meta.dirname, "..", "..", "..", "shared", "datasets", "iris.csv");
const DIABETES = join(import.meta.dirname, "..", "..", "..", "shared", "datasets", "diabetes.csv");
// linear by Adam: its trials report epoch curves for the pruner (the default solve has one epoch).
const FAST = { epochs: 40, patience: 5, solver: "adam" };

withTempArtifactStore("hpo-training-store");

describe("training with a hyperparameter search", () => {
  it("runs each trial as a child run, stores the study and refits the best configuration", async () => {
    const experiment = `hpo-iris-${uid()}`;
    const r = (await runTraining(
      { dataset: { csvPath: IRIS }, target: "target", family: "linear", params: FAST, experiment, runName: `search-${uid()}`, hpo: { trials: 4, seed: 3 } },
      { actor: null },
    )) as SearchResult;

    expect(r.search.families).toHaveLength(1);
    const detail = await getStudyDetail(r.search.studyId);
    expect(detail.study.state).toBe("complete");
    expect(detail.study.parent_run_id).toBe(r.search.parentRunId);
    expect(detail.trials.map((t) => t.number)).toEqual([0, 1, 2, 3]);
    const finished = detail.trials.filter((t) => t.state === "COMPLETE" || t.state === "PRUNED");
    expect(finished).toHaveLength(4);
    // Every trial reported its per-epoch validation loss and searched the family's parameters.
    for (const t of detail.trials) {
      expect(t.intermediate_values.length).toBeGreaterThan(0);
      expect(Object.keys(t.params).sort()).toEqual(["batch_size", "l2", "learning_rate"]);
      // Each trial is a child run of the parent run.
      const run = await getRun(t.run_id!);
      expect(run.parentRunId).toBe(r.search.parentRunId);
      expect(run.tags["mlops.study"]).toBe(r.search.studyId);
      // A trial's model is the early-stopped one: its validation loss is the objective, no refit per trial.
      if (run.status === "FINISHED") expect(run.params).toMatchObject({ trained_on: "train" });
      expect(run.params.refit_epochs).toBeUndefined();
    }
    const best = detail.trials.find((t) => t.number === detail.best_trial)!;
    expect(r.search.bestTrial.value).toBeCloseTo(best.value!, 12);

    // The refit: a child run too, on train+validation (no validation rows), evaluated on test.
    const refit = await getRun(r.runId);
    expect(refit.parentRunId).toBe(r.search.parentRunId);
    expect(refit.status).toBe("FINISHED");
    expect(Object.keys(r.validationMetrics)).toHaveLength(0);
    expect(refit.params.trained_on).toBe("train+validation");
    expect(r.testMetrics.accuracy).toBeGreaterThan(0.8);
    expect(Number(refit.params.learning_rate)).toBeCloseTo(Number(best.params.learning_rate), 10);
    const parent = await getRun(r.search.parentRunId);
    expect(parent.status).toBe("FINISHED");
    expect(parent.tags["mlops.refit_run"]).toBe(r.runId);
    expect(parent.metrics.best_validation_loss?.value).toBeCloseTo(r.search.bestTrial.value, 10);
    // One dataset version for the whole search (the CSV is ingested once), not one per trial.
    const trialDatasets = new Set(await Promise.all(detail.trials.map(async (t) => (await getRun(t.run_id!)).tags["mlops.dataset"])));
    expect(trialDatasets.size).toBe(1);
  }, 300_000);

  it("gives a separate test file to every trial, so that no trial splits test rows off the training data", async () => {
    // Every fifth row is the test file; the trials must train and validate on the other rows as the refit
    // does (before, each trial carved its own 20 % test split out of them and learnt from 64 %).
    const dir = mkdtempSync(join(tmpdir(), "hpo-test-file-"));
    try {
      const [header, ...lines] = readFileSync(IRIS, "utf8").trim().split(/\r?\n/);
      const train = join(dir, "iris-train.csv");
      const test = join(dir, "iris-test.csv");
      writeFileSync(train, [header, ...lines.filter((_l, i) => i % 5 !== 0)].join("\n") + "\n");
      writeFileSync(test, [header, ...lines.filter((_l, i) => i % 5 === 0)].join("\n") + "\n");
      const r = (await runTraining(
        { dataset: { csvPath: train }, test, target: "target", family: "linear", params: FAST, experiment: `hpo-test-file-${uid()}`, hpo: { trials: 2, seed: 2 } },
        { actor: null },
      )) as SearchResult;
      const refit = await getRun(r.runId);
      expect(refit.params.split_test).toBe("separate file");
      const detail = await getStudyDetail(r.search.studyId);
      expect(detail.trials).toHaveLength(2);
      for (const t of detail.trials) {
        const run = await getRun(t.run_id!);
        expect(run.params.split_test).toBe("separate file");
        expect(run.tags["mlops.test_dataset"]).toBe(refit.tags["mlops.test_dataset"]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it("searches only the penalty of a linear regression, which is solved in closed form", async () => {
    const r = (await runTraining(
      { dataset: { csvPath: DIABETES }, target: "target", family: "linear", experiment: `hpo-diabetes-${uid()}`, hpo: { trials: 3, seed: 1 } },
      { actor: null },
    )) as SearchResult;
    const detail = await getStudyDetail(r.search.studyId);
    expect(detail.trials.map((t) => Object.keys(t.params))).toEqual([["l2"], ["l2"], ["l2"]]);
    expect(r.testMetrics.r2).toBeGreaterThan(0.3);
  });

  it("tunes gbdt over its own space and refits with the best trial's number of boosting rounds", async () => {
    const r = (await runTraining(
      { dataset: { csvPath: IRIS }, target: "target", family: "gbdt", params: { n_estimators: 40 }, experiment: `hpo-gbdt-${uid()}`, hpo: { trials: 3, seed: 5 } },
      { actor: null },
    )) as SearchResult;
    const detail = await getStudyDetail(r.search.studyId);
    expect(detail.trials).toHaveLength(3);
    for (const t of detail.trials) {
      // n_estimators was given, so it stays fixed; the rest of the gbdt space is searched.
      expect(Object.keys(t.params).sort()).toEqual(["colsample", "lambda_l2", "learning_rate", "max_leaves", "min_samples_leaf", "subsample"]);
      expect(t.params.max_leaves).toBeGreaterThanOrEqual(4);
      expect(t.params.max_leaves).toBeLessThanOrEqual(128);
      expect(t.params.learning_rate).toBeGreaterThanOrEqual(0.01);
      expect(t.params.learning_rate).toBeLessThanOrEqual(0.3);
      // Per-iteration validation loss is what the pruner sees.
      expect(t.intermediate_values.length).toBeGreaterThan(0);
    }
    const refit = await getRun(r.runId);
    const rounds = Number(refit.params.n_estimators);
    expect(rounds).toBeGreaterThanOrEqual(1);
    expect(rounds).toBeLessThanOrEqual(40);
    expect(r.testMetrics.accuracy).toBeGreaterThan(0.8);
  }, 300_000);

  it("runs a training study's trials as hpo.trial jobs on the platform's workers, each a child run", async () => {
    const v = (await createDatasetVersion(null, { name: `iris-jobs-${uid()}`, stream: createReadStream(IRIS) })).version;
    const experiment = await createExperiment(null, { name: `hpo-jobs-${uid()}` });
    const parent = await createRun(null, { experimentId: experiment.id, name: "search-linear" });
    const spec = { dataset: { name: v.datasetName, version: v.version }, target: "target", family: "linear", params: FAST, seed: 1, experiment: experiment.name };
    const handle = await createDbStudy({
      name: `train-jobs-${uid()}`,
      nTrials: 3,
      objective: { kind: TRAINING_OBJECTIVE, family: "linear", spec, params: FAST, label: "search-linear" },
      parentRunId: parent.id,
      sampler: { name: "tpe", seed: 1 },
      pruner: { name: "median", nStartupTrials: 3, nWarmupSteps: 5 },
    });
    // The platform worker's own handler table serves the trial jobs.
    const runner = new WorkerRunner({ handlers: { [HPO_TRIAL_JOB]: jobHandlers()[HPO_TRIAL_JOB]! }, pollMs: 20, concurrency: 2 });
    await runner.start();
    try {
      await waitFor(() => getStudyRow(handle.id), (s) => s.state !== "running", { what: "the training study to finish", timeoutMs: 240_000, intervalMs: 200 });
    } finally {
      await runner.stop(500);
    }
    const detail = await getStudyDetail(handle.id);
    expect(detail.trials.map((t) => t.number)).toEqual([0, 1, 2]);
    for (const t of detail.trials) {
      expect(["COMPLETE", "PRUNED"]).toContain(t.state);
      expect(Object.keys(t.params).sort()).toEqual(["batch_size", "l2", "learning_rate"]);
      expect(t.intermediate_values.length).toBeGreaterThan(0);
      const run = await getRun(t.run_id!);
      expect(run.parentRunId).toBe(parent.id);
      expect(run.tags["mlops.study"]).toBe(handle.id);
      expect(run.tags["mlops.trial"]).toBe(String(t.number));
    }
  }, 300_000);

  it("refuses a search with a target that does not exist, before any run", async () => {
    const experiment = `hpo-bad-${uid()}`;
    await expect(
      runTraining({ dataset: { csvPath: IRIS }, target: "nope", family: "linear", params: FAST, experiment, hpo: { trials: 2 } }, { actor: null }),
    ).rejects.toMatchObject({ code: "invalid" });
    expect(await db().experiment.count({ where: { name: experiment } })).toBe(0);
  });

  it("`mlops train --hpo N --json` prints the refit run and its study", async () => {
    const child = spawnNode(
      ["bin/mlops.mjs", "train", "--data", IRIS, "--target", "target", "--model", "linear", "--params", JSON.stringify(FAST), "--hpo", "3", "--json", "--experiment", `hpo-cli-${uid()}`],
      { DATABASE_URL: inject("databaseUrl"), ARTIFACT_STORE: process.env.ARTIFACT_STORE! },
    );
    const { code } = await child.exited;
    const line = child.output().split("\n").find((l) => l.startsWith("{"));
    expect(code, child.output()).toBe(0);
    const out = JSON.parse(line!) as { run_id: string; family: string; test_metrics: Record<string, number>; study: { study_id: string; parent_run_id: string; families: { trials: number }[] } };
    expect(out.family).toBe("linear");
    expect(out.study.families[0]!.trials).toBe(3);
    expect((await getRun(out.run_id)).parentRunId).toBe(out.study.parent_run_id);
    expect((await getStudyDetail(out.study.study_id)).trials).toHaveLength(3);
  }, 300_000);
});
