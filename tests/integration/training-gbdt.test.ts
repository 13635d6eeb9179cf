// The gbdt family end to end, on SQLite and PostgreSQL: `mlops train --model gbdt` in a child process,
// the run's live curve, the stored model loaded back from the artifact store, and `auto` choosing among
// every family including gbdt.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { loadModel, parseManifest, predict, type Row } from "@/lib/ml";
import { getMetricHistory, getRun, listRunArtifacts, readRunArtifact } from "@/lib/tracking";
import { runTraining } from "@/lib/training";
import { uid } from "../support/factories";
import { spawnNode } from "../support/processes";
import { withTempArtifactStore } from "../support/artifact-store";

const SHARED = join(import.meta.dirname, "..", "..", "..", "shared", "datasets");
const csv = (name: string) => join(SHARED, `${name}.csv`);
const PARAMS = JSON.stringify({ n_estimators: 200, learning_rate: 0.1, max_leaves: 31 });

withTempArtifactStore("training-gbdt-store");

function csvRows(name: string): { rows: Row[]; target: string[] } {
  const [header, ...lines] = readFileSync(csv(name), "utf8").trim().split(/\r?\n/);
  const names = header!.split(",");
  const rows: Row[] = [];
  const target: string[] = [];
  for (const line of lines) {
    const values = line.split(",");
    rows.push(Object.fromEntries(names.flatMap((n, i) => (n === "target" ? [] : [[n, Number(values[i])]]))));
    target.push(values[names.indexOf("target")]!);
  }
  return { rows, target };
}

describe("mlops train --model gbdt", () => {
  let out: { run_id: string; family: string; task: string; test_metrics: Record<string, number>; model_version?: { name: string; version: number } };
  const name = `wine-gbdt-${uid()}`;

  beforeAll(async () => {
    const child = spawnNode(["bin/mlops.mjs", "train", "--data", csv("wine"), "--target", "target", "--model", "gbdt", "--params", PARAMS, "--register", name, "--json"], {
      DATABASE_URL: inject("databaseUrl"),
      ARTIFACT_STORE: process.env.ARTIFACT_STORE!,
    });
    const { code } = await child.exited;
    expect(code, child.output()).toBe(0);
    const line = child.output().split("\n").find((l) => l.startsWith("{"));
    out = JSON.parse(line!) as typeof out;
  }, 180_000);

  it("trains wine as well as the best family did before it (test accuracy ≥ 0.97) and registers it", () => {
    expect(out).toMatchObject({ family: "gbdt", task: "classification", model_version: { name, version: 1 } });
    expect(out.test_metrics.accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it("logs the hyperparameters and a per-iteration train/validation curve", async () => {
    const run = await getRun(out.run_id);
    expect(run.status).toBe("FINISHED");
    expect(run.params).toMatchObject({ family: "gbdt", n_estimators: "200", learning_rate: "0.1", max_leaves: "31", early_stopping_rounds: "20" });
    expect(run.tags).toMatchObject({ "mlops.family": "gbdt", "mlops.backend": "js" });
    const train = await getMetricHistory(run.id, "train_loss");
    expect(train.length).toBeGreaterThan(5);
    expect(train.length).toBeLessThanOrEqual(200);
    expect(train.map((p) => p.step)).toEqual(train.map((_, i) => i + 1));
    expect(train.at(-1)!.value).toBeLessThan(train[0]!.value);
    expect((await getMetricHistory(run.id, "val_loss")).length).toBe(train.length);
    expect((await getMetricHistory(run.id, "val_accuracy")).length).toBe(train.length);
  });

  it("stores a manifest and weight files that load and predict the held-out quality", async () => {
    const files = (await listRunArtifacts(out.run_id, "model")).map((e) => e.path);
    expect(files).toContain("model/manifest.json");
    const manifest = parseManifest((await readRunArtifact(out.run_id, "model/manifest.json")).toString("utf8"));
    expect(manifest.family).toBe("gbdt");
    const weights = new Map<string, Uint8Array>();
    for (const w of manifest.model.weights) weights.set(w.file, new Uint8Array(await readRunArtifact(out.run_id, `model/${w.file}`)));
    const model = loadModel(manifest, weights);
    const { rows, target } = csvRows("wine");
    const p = predict(model, rows);
    if (p.task !== "classification") throw new Error("classification expected");
    const hits = p.labels.filter((l, i) => l === target[i]).length;
    // Most rows were training rows; the point is that the stored model is the trained one, not a stub.
    expect(hits / rows.length).toBeGreaterThan(0.97);
  });
});

describe("auto with gbdt", () => {
  it("tries gbdt with the other families and picks the best by validation score", async () => {
    const r = await runTraining(
      {
        dataset: { csvPath: csv("wine") },
        target: "target",
        family: "auto",
        params: { linear: { epochs: 60, patience: 10, learning_rate: 0.1 }, mlp: { epochs: 30, hidden_layers: [16] }, gbdt: { n_estimators: 100 } },
      },
      { actor: null },
    );
    expect(r.candidates.map((c) => c.family)).toContain("gbdt");
    expect(r.candidates.find((c) => c.family === "gbdt")!.error).toBeUndefined();
    // The winner is the candidate with the best validation score; which family that is on one split of
    // 178 rows is left to bench/quality.ts's many splits.
    expect(r.candidates[0]!.family).toBe(r.family);
    const scores = r.candidates.map((c) => c.score ?? -Infinity);
    expect(scores[0]).toBe(Math.max(...scores));
    expect((await getMetricHistory(r.runId, "gbdt/train_loss")).length).toBeGreaterThan(0);
    expect(r.testMetrics.accuracy).toBeGreaterThan(0.95);
  }, 180_000);
});
