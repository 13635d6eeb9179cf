// Training as a job and as `mlops train`, on SQLite and PostgreSQL: the CLI in a child process, the
// job through a WorkerRunner with the worker's real handler, the registration policy, bad input.
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { POST as trainRoute } from "@/app/api/v1/training-runs/route";
import { createDatasetVersion } from "@/lib/datasets";
import { cancelJob, getJob, WorkerRunner } from "@/lib/jobs";
import { FAMILIES, parseManifest, preprocessorFromJSON } from "@/lib/ml";
import { getModelVersion, getModelVersionByAlias, getRegisteredModel } from "@/lib/registry";
import { getExperimentByName, getMetricHistory, getRun, listRunArtifacts, readRunArtifact } from "@/lib/tracking";
import { candidateLabel, enqueueTraining, runTraining, TRAIN_JOB, TrainingFailedError, type TrainJobResult } from "@/lib/training";
import { jobHandlers } from "@/workers/handlers";
import { makeApiKey, makeUser, uid } from "../support/factories";
import { spawnNode } from "../support/processes";
import { waitForJob } from "../support/wait";
import { withTempArtifactStore } from "../support/artifact-store";

const SHARED = join(import.meta.dirname, "..", "..", "..", "shared", "datasets");
const csv = (name: string) => join(SHARED, `${name}.csv`);
// Few epochs: these tests check the plumbing; the quality bar lives in bench/ and tests/unit.
// Adam, so that they see epoch curves, early stopping and the refit budget (linear's default solve has one epoch).
const FAST = JSON.stringify({ epochs: 60, patience: 10, learning_rate: 0.1, solver: "adam" });

withTempArtifactStore("training-store");

async function cli(args: string[]) {
  const child = spawnNode(["bin/mlops.mjs", "train", ...args], {
    DATABASE_URL: inject("databaseUrl"),
    ARTIFACT_STORE: process.env.ARTIFACT_STORE!,
  });
  const { code } = await child.exited;
  const output = child.output();
  return { code, output };
}

/** The one JSON object of `--json` (stdout); stderr progress lines start with '['. */
function parseJsonLine(output: string) {
  const line = output.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`no JSON object in output:\n${output}`);
  return JSON.parse(line) as {
    run_id: string;
    family: string;
    task: string;
    test_metrics: Record<string, number>;
    model_version?: { name: string; version: number; alias: string | null };
  };
}

describe("mlops train", () => {
  const irisModel = `iris-${uid()}`;
  let iris: ReturnType<typeof parseJsonLine>;
  let diabetes: ReturnType<typeof parseJsonLine>;
  let wine: ReturnType<typeof parseJsonLine>;

  beforeAll(async () => {
    // One at a time: three processes writing to one SQLite file at once on a loaded machine time out.
    const a = await cli(["--data", csv("iris"), "--target", "target", "--model", "linear", "--params", FAST, "--register", irisModel, "--json"]);
    const b = await cli(["--data", csv("diabetes"), "--target", "target", "--model", "linear", "--params", JSON.stringify({ epochs: 300, learning_rate: 0.1 }), "--json"]);
    const c = await cli(["--data", csv("wine"), "--target", "target", "--model", "linear", "--params", FAST, "--json"]);
    for (const r of [a, b, c]) expect(r.code, r.output).toBe(0);
    [iris, diabetes, wine] = [parseJsonLine(a.output), parseJsonLine(b.output), parseJsonLine(c.output)];
  }, 240_000);

  it("trains iris (classification) with sane test metrics and prints one JSON object", () => {
    expect(iris).toMatchObject({ family: "linear", task: "classification", model_version: { name: irisModel, version: 1, alias: "champion" } });
    expect(Object.keys(iris.test_metrics).sort()).toEqual(["accuracy", "balanced_accuracy", "f1_macro", "log_loss", "roc_auc"]);
    expect(iris.test_metrics.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("trains diabetes (regression) and wine", () => {
    expect(diabetes).toMatchObject({ family: "linear", task: "regression" });
    expect(Object.keys(diabetes.test_metrics).sort()).toEqual(["mae", "r2", "rmse"]);
    expect(diabetes.test_metrics.r2).toBeGreaterThanOrEqual(0.35);
    expect(diabetes.model_version).toBeUndefined();
    expect(wine.task).toBe("classification");
    expect(wine.test_metrics.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("records a FINISHED run with params, tags, epoch curves, test metrics and the model artifact", async () => {
    const run = await getRun(iris.run_id);
    expect(run.status).toBe("FINISHED");
    expect(run.params).toMatchObject({ family: "linear", target: "target", seed: "42", epochs: "60" });
    expect(run.tags).toMatchObject({ "mlops.family": "linear", "mlops.task": "classification", "mlops.registered_model": `${irisModel}:v1` });
    expect(run.tags["mlops.backend"]).toBeTruthy();
    expect(run.tags["mlops.dataset"]).toMatch(/^iris:v\d+$/);
    expect(run.datasetVersionId).toBeTruthy();
    expect(run.metrics.test_accuracy!.value).toBeCloseTo(iris.test_metrics.accuracy!, 12);
    const history = await getMetricHistory(run.id, "train_loss");
    expect(history.length).toBeGreaterThan(1);
    expect(history.map((p) => p.step)).toEqual(history.map((_, i) => i + 1));
    expect((await getMetricHistory(run.id, "val_loss")).length).toBe(history.length);
    const files = (await listRunArtifacts(run.id, "model")).map((e) => e.path);
    expect(files).toContain("model/manifest.json");
    expect(files.length).toBeGreaterThan(1);
    expect((await listRunArtifacts(run.id)).map((e) => e.path)).toContain("importance.json");
  });

  it("stores the model refit on train+validation for the epochs early stopping chose, and says so", async () => {
    const run = await getRun(iris.run_id);
    const m = JSON.parse((await readRunArtifact(run.id, "metrics.json")).toString("utf8")) as {
      validation: Record<string, number>;
      rows: Record<string, number>;
      early_stopping: { rows: Record<string, number>; epochs: number; best_epoch: number };
    };
    // Iris: 30 test rows; early stopping trained on 96 and watched 24; the stored model saw all 120.
    expect(m.early_stopping.rows).toEqual({ train: 96, validation: 24, test: 30 });
    expect(m.rows).toEqual({ train: 120, validation: 0, test: 30 });
    const bestEpoch = m.early_stopping.best_epoch;
    expect(bestEpoch).toBeGreaterThanOrEqual(1);
    expect(bestEpoch).toBeLessThanOrEqual(m.early_stopping.epochs);
    expect(run.params).toMatchObject({ trained_on: "train+validation", epochs: "60", refit_epochs: String(bestEpoch), refit_patience: "0" });
    // Validation metrics are the early-stopped model's: the refit has no held-out validation row.
    expect(run.metrics.validation_accuracy!.value).toBe(m.validation.accuracy);
    expect((await getMetricHistory(run.id, "refit/train_loss")).map((p) => p.step)).toEqual(Array.from({ length: bestEpoch }, (_, i) => i + 1));
    const manifest = parseManifest((await readRunArtifact(run.id, "model/manifest.json")).toString("utf8"));
    expect(manifest.training).toMatchObject({ epochs: bestEpoch, rows: { train: 120, validation: 0, test: 30 } });
    expect(manifest.hyperparameters).toMatchObject({ epochs: bestEpoch, patience: 0 });
    expect((manifest.metrics.test as { accuracy?: number } | null)?.accuracy).toBe(iris.test_metrics.accuracy);

    // The same spec and seed in this process: the same early stopping, the same refit, the same weights.
    const again = await runTraining({ dataset: { csvPath: csv("iris") }, target: "target", family: "linear", params: JSON.parse(FAST) }, { actor: null });
    expect(again.refitBudget).toEqual({ epochs: bestEpoch, patience: 0 });
    expect(again.testMetrics).toEqual(iris.test_metrics);
    const weights = async (runId: string) => parseManifest((await readRunArtifact(runId, "model/manifest.json")).toString("utf8")).model.weights.map((w) => w.sha256);
    expect(await weights(again.runId)).toEqual(await weights(run.id));
  }, 120_000);

  it("solves linear classification to the optimum by default: one epoch, and the refit is the same solve on all rows", async () => {
    const r = await cli(["--data", csv("wine"), "--target", "target", "--model", "linear", "--json"]);
    expect(r.code, r.output).toBe(0);
    const out = parseJsonLine(r.output);
    expect(out.test_metrics.accuracy).toBeGreaterThanOrEqual(0.95);
    const run = await getRun(out.run_id);
    expect(run.params).toMatchObject({ solver: "auto", trained_on: "train+validation", refit_epochs: "1" });
    expect((await getMetricHistory(run.id, "train_loss")).map((p) => p.step)).toEqual([1]);
    expect((await getMetricHistory(run.id, "refit/train_loss")).map((p) => p.step)).toEqual([1]);
  }, 120_000);

  it("keeps the early-stopped model with --no-refit", async () => {
    const r = await cli(["--data", csv("iris"), "--target", "target", "--model", "linear", "--params", FAST, "--no-refit", "--json"]);
    expect(r.code, r.output).toBe(0);
    const run = await getRun(parseJsonLine(r.output).run_id);
    expect(run.params.trained_on).toBe("train");
    expect(Object.keys(run.params).filter((k) => k.startsWith("refit_"))).toEqual([]);
    expect(await getMetricHistory(run.id, "refit/train_loss")).toEqual([]);
    const manifest = parseManifest((await readRunArtifact(run.id, "model/manifest.json")).toString("utf8"));
    expect(manifest.training.rows).toEqual({ train: 96, validation: 24, test: 30 });
  }, 120_000);

  it("registers the version with the run's model as source and the feature schema as signature", async () => {
    const v = await getModelVersion(irisModel, 1);
    expect(v.runId).toBe(iris.run_id);
    expect(v.source).toMatch(new RegExp(`/${iris.run_id}/artifacts/model$`));
    expect((v.signature as { inputs: { name: string }[] }).inputs.map((i) => i.name)).toContain("petal length (cm)");
    expect((await getModelVersionByAlias(irisModel, "champion")).version).toBe(1);
  });

  it("a registration that does not beat the champion takes no alias; a better one becomes challenger", async () => {
    // Same data, seed and parameters: the same test accuracy, not better.
    const same = await runTraining(
      { dataset: { csvPath: csv("iris") }, target: "target", family: "linear", params: JSON.parse(FAST), register: { name: irisModel } },
      { actor: null },
    );
    expect(same.modelVersion).toMatchObject({ version: 2, alias: null });
    const model = await getRegisteredModel(irisModel);
    expect(model.aliases).toEqual({ champion: 1 });
    // Judged on log loss with a champion that is worse by construction (1 epoch) → the new one is challenger.
    const weak = `iris-weak-${uid()}`;
    await runTraining(
      { dataset: { csvPath: csv("iris") }, target: "target", family: "linear", params: { epochs: 1, learning_rate: 0.001, solver: "adam" }, register: { name: weak } },
      { actor: null },
    );
    const better = await runTraining(
      { dataset: { csvPath: csv("iris") }, target: "target", family: "linear", params: JSON.parse(FAST), register: { name: weak, metric: "log_loss", margin: 0.01 } },
      { actor: null },
    );
    expect(better.modelVersion).toMatchObject({ version: 2, alias: "challenger", championVersion: 1 });
    expect((await getRegisteredModel(weak)).aliases).toEqual({ champion: 1, challenger: 2 });
  }, 120_000);

  it("a missing target column: exit 1 with the message, no run", async () => {
    const r = await cli(["--data", csv("iris"), "--target", "nope", "--model", "linear", "--json"]);
    expect(r.code).toBe(1);
    expect(r.output).toContain("Target column 'nope' does not exist");
    expect(r.output).not.toContain("{");
  }, 120_000);

  it("--folds takes 0 or 2 to 20 folds and says so otherwise", async () => {
    const r = await cli(["--data", csv("iris"), "--target", "target", "--folds", "1", "--json"]);
    expect(r.code).toBe(1);
    expect(r.output).toContain("expected 0 (one validation split) or a whole number of folds from 2 to 20");
  }, 60_000);

  it("refuses folds with a search, whose trials validate on one split, before any run", async () => {
    const r = await cli(["--data", csv("iris"), "--target", "target", "--model", "linear", "--hpo", "4", "--folds", "5", "--json"]);
    expect(r.code).toBe(1);
    expect(r.output).toContain("Cross-validation (split.folds) does not apply to a hyperparameter search");
    expect(r.output).not.toContain("{");
  }, 60_000);
});

describe("auto", () => {
  it("tries every registered family and its variants, keeps the best by validation score and logs each one's curves", async () => {
    const r = await runTraining(
      { dataset: { csvPath: csv("iris") }, target: "target", family: "auto", params: { linear: JSON.parse(FAST), mlp: { epochs: 5, hidden_layers: [8] } } },
      { actor: null },
    );
    const variants = Object.entries(FAMILIES).flatMap(([name, f]) => Object.keys(f.autoVariants ?? {}).map((v) => `${name}-${v}`));
    expect(variants).toEqual(["linear-unscaled", "mlp-unscaled"]);
    expect(r.candidates.map(candidateLabel).sort()).toEqual([...Object.keys(FAMILIES), ...variants].sort());
    const scores = r.candidates.filter((c) => !c.error).map((c) => c.score ?? -Infinity);
    expect(r.candidates[0]!.family).toBe(r.family);
    expect(Math.max(...scores)).toBe(r.candidates[0]!.score);
    const run = await getRun(r.runId);
    expect(run.status).toBe("FINISHED");
    expect(run.params).toMatchObject({ family: "auto", selected_family: r.family });
    expect(run.tags["mlops.family"]).toBe(r.family);
    expect((await getMetricHistory(r.runId, "mlp/train_loss")).length).toBeGreaterThan(0);
    expect((await getMetricHistory(r.runId, "mlp-unscaled/train_loss")).length).toBeGreaterThan(0);
    expect((await getMetricHistory(r.runId, "train_loss")).length).toBeGreaterThan(0);
  }, 120_000);

  it("an unscaled variant stores a model that takes the inputs as given; a standardize the user set leaves the variant out", async () => {
    const r = await runTraining(
      { dataset: { csvPath: csv("iris") }, target: "target", family: "auto", split: { folds: 0 }, params: { linear: { standardize: false }, mlp: { epochs: 5, hidden_layers: [8] }, gbdt: { n_estimators: 10 } } },
      { actor: null },
    );
    const labels = r.candidates.map(candidateLabel);
    expect(labels).toContain("mlp-unscaled");
    expect(labels).not.toContain("linear-unscaled");
    const linear = await runTraining({ dataset: { csvPath: csv("iris") }, target: "target", family: "linear", params: { standardize: false } }, { actor: null });
    const manifest = parseManifest(JSON.parse((await readRunArtifact(linear.runId, "model/manifest.json")).toString("utf8")));
    const steps = preprocessorFromJSON(manifest.preprocessing.features).steps.filter((s) => s.kind === "numeric");
    expect(steps.length).toBe(4);
    for (const step of steps) expect(step).toMatchObject({ center: 0, scale: 1 });
    expect((await getRun(linear.runId)).params.standardize).toBe("false");
    expect(linear.testMetrics.accuracy).toBeGreaterThan(0.9);
  }, 120_000);
});

describe("cross-validation", () => {
  const curve = async (runId: string, key: string) => (await getMetricHistory(runId, key)).sort((x, y) => x.step - y.step);
  /** The first epoch where a curve is lowest. */
  const argmin = (points: { step: number; value: number }[]) => points.reduce((a, b) => (b.value < a.value ? b : a)).step;

  it("auto on small data picks the family by 5-fold cross-validation and refits for the folds' best epoch", async () => {
    const r = await runTraining(
      { dataset: { csvPath: csv("iris") }, target: "target", family: "auto", params: { linear: JSON.parse(FAST), mlp: { epochs: 20, hidden_layers: [8] }, gbdt: { n_estimators: 30 } } },
      { actor: null },
    );
    expect(r.selection).toEqual({ method: "cross-validation", folds: 5 });
    const run = await getRun(r.runId);
    expect(run.params).toMatchObject({ family: "auto", selected_family: r.family, validation: "5-fold cross-validation", trained_on: "train+validation" });
    const m = JSON.parse((await readRunArtifact(r.runId, "metrics.json")).toString("utf8")) as {
      rows: Record<string, number>;
      early_stopping: { rows: Record<string, number>; folds: number; best_epoch: number };
    };
    // 120 non-test rows in 5 folds of 24: each fold trains on 96; the stored model on all 120.
    expect(m.early_stopping).toMatchObject({ folds: 5, rows: { train: 96, validation: 24 } });
    expect(m.rows).toEqual({ train: 120, validation: 0, test: 30 });
    // Every family's mean validation-loss curve is logged; the chosen one's lowest point is the refit's budget.
    for (const c of r.candidates) expect((await curve(r.runId, `${candidateLabel(c)}/val_loss`)).length).toBeGreaterThan(0);
    const chosen = candidateLabel(r);
    const best = argmin(await curve(r.runId, `${chosen}/val_loss`));
    expect(m.early_stopping.best_epoch).toBe(best);
    expect(Object.values(r.refitBudget!)[0]).toBe(best);
    // The candidates are ranked by the folds' mean accuracy at that epoch.
    const accuracyAtBest = async (label: string) => {
      const at = argmin(await curve(r.runId, `${label}/val_loss`));
      return (await curve(r.runId, `${label}/val_accuracy`)).find((p) => p.step === at)!.value;
    };
    expect(run.metrics.validation_accuracy!.value).toBeCloseTo(await accuracyAtBest(chosen), 12);
    for (const c of r.candidates) expect(await accuracyAtBest(candidateLabel(c))).toBeLessThanOrEqual((await accuracyAtBest(chosen)) + 1e-9);
  }, 180_000);

  it("folds: 0 keeps one validation split; folds given to one family choose its budget", async () => {
    const holdout = await runTraining({ dataset: { csvPath: csv("iris") }, target: "target", family: "auto", split: { folds: 0 }, params: { linear: JSON.parse(FAST), mlp: { epochs: 5, hidden_layers: [8] }, gbdt: { n_estimators: 10 } } }, { actor: null });
    expect(holdout.selection).toEqual({ method: "holdout" });
    expect((await getRun(holdout.runId)).params.validation).toBeUndefined();
    const three = await runTraining({ dataset: { csvPath: csv("wine") }, target: "target", family: "linear", split: { folds: 3 }, params: JSON.parse(FAST) }, { actor: null });
    expect(three.selection).toEqual({ method: "cross-validation", folds: 3 });
    expect(Object.values(three.refitBudget!)[0]).toBe(argmin(await curve(three.runId, "val_loss")));
  }, 180_000);

  it("rejects a single fold and folds without a refit, before creating a run", async () => {
    const experiment = `cv-bad-${uid()}`;
    await expect(runTraining({ dataset: { csvPath: csv("iris") }, target: "target", split: { folds: 1 }, experiment }, { actor: null })).rejects.toThrow(/One fold leaves nothing to train on/);
    await expect(runTraining({ dataset: { csvPath: csv("iris") }, target: "target", split: { folds: 5 }, refit: false, experiment }, { actor: null })).rejects.toThrow(/chooses the budget of a refit/);
    await expect(getExperimentByName(experiment)).rejects.toThrow();
  });
});

describe("training failures", () => {
  it("a constant target fails the run with the message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "training-bad-"));
    const file = join(dir, `constant-${uid()}.csv`);
    writeFileSync(file, ["x,y", ...Array.from({ length: 30 }, (_, i) => `${i},1.5`)].join("\n"));
    const err = await runTraining({ dataset: { csvPath: file }, target: "y", family: "linear" }, { actor: null }).catch((e: unknown) => e);
    rmSync(dir, { recursive: true, force: true });
    expect(err).toBeInstanceOf(TrainingFailedError);
    expect((err as Error).message).toMatch(/constant/);
    const run = await getRun((err as TrainingFailedError).runId);
    expect(run.status).toBe("FAILED");
    expect(run.tags["mlops.error"]).toMatch(/constant/);
  });

  it("rejects an unknown family and bad hyperparameters before creating a run", async () => {
    await expect(runTraining({ dataset: { csvPath: csv("iris") }, target: "target", family: "forest" }, { actor: null })).rejects.toThrow(
      /Unknown model family 'forest'/,
    );
    await expect(
      runTraining({ dataset: { csvPath: csv("iris") }, target: "target", family: "linear", params: { epochz: 3 } }, { actor: null }),
    ).rejects.toThrow(/Invalid hyperparameters for family 'linear'/);
  });
});

describe("the train job", () => {
  it("runs through a WorkerRunner with the worker's handler and reports run_id and model_version", async () => {
    const { actor } = await makeUser("editor");
    const name = `iris-job-${uid()}`;
    await createDatasetVersion(actor, { name, stream: createReadStream(csv("iris")) });
    const model = `iris-job-${uid()}`;
    const { job } = await enqueueTraining(actor, { dataset: { name }, target: "target", family: "linear", params: JSON.parse(FAST), register: { name: model } });
    const runner = new WorkerRunner({ handlers: { [TRAIN_JOB]: jobHandlers()[TRAIN_JOB]! }, pollMs: 50 });
    await runner.start();
    try {
      const done = await waitForJob(job.id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 110_000);
      expect(done.error).toBeNull();
      expect(done.state).toBe("succeeded");
      expect(done.progress).toBe(1);
      const result = done.result as TrainJobResult;
      expect(result.model_version).toMatchObject({ name: model, version: 1, alias: "champion" });
      const run = await getRun(result.run_id);
      expect(run.status).toBe("FINISHED");
      expect(run.tags["mlops.job_id"]).toBe(job.id);
      expect(run.tags["mlops.dataset"]).toBe(`${name}:v1`);
    } finally {
      await runner.stop(1000);
    }
  }, 120_000);

  it("POST /api/v1/training-runs queues a job for editors, refuses viewers and bad input", async () => {
    const { actor } = await makeUser("editor");
    const name = `iris-api-${uid()}`;
    await createDatasetVersion(actor, { name, stream: createReadStream(csv("iris")) });
    const editor = (await makeApiKey("editor")).key;
    const viewer = (await makeApiKey("viewer")).key;
    const post = (key: string, body: unknown) =>
      trainRoute(
        new Request("http://localhost/api/v1/training-runs", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
      );
    const ok = await post(editor, { dataset: { name }, target: "target", family: "linear" });
    expect(ok.status).toBe(202);
    const { job_id } = (await ok.json()) as { job_id: string };
    const job = await getJob(job_id);
    expect(job).toMatchObject({ type: TRAIN_JOB, state: "queued", payload: { spec: { dataset: { name, version: 1 }, target: "target" } } });
    expect((await post(viewer, { dataset: { name }, target: "target" })).status).toBe(403);
    const bad = await post(editor, { dataset: { name }, target: "nope" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("Target column 'nope' does not exist");
    expect((await post(editor, { dataset: { csvPath: "/etc/passwd" }, target: "x" })).status).toBe(400);
    // Leave nothing for other files' runners: this job was only for the route.
    await cancelJob(job_id);
  });
});
