// The gbdt model family: fit through the shared interface (live curve, early stopping), the
// ModelState and manifest round trip (bit-exact), the pipeline with categorical and missing values.
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { FAMILIES, gbdtFamily, loadModel, parseParams, predict, saveModel, trainModel, type EpochReport, type Table, type TrainingSet } from "@/lib/ml";
import { gbdtFromState, gbdtToState } from "@/lib/ml/families/gbdt-state";
import { Booster, rawToProba } from "@/lib/ml/gbdt";
import { binaryTask, gaussian, multiclassTask, seeded } from "../support/gbdt-data";

function set(t: { X: Float64Array; y: Float64Array; nRows: number; nFeatures: number }): TrainingSet {
  return { X: { data: Float32Array.from(t.X), rows: t.nRows, cols: t.nFeatures }, y: t.y };
}

const params = (raw: Record<string, unknown>) => parseParams("gbdt", gbdtFamily.params, raw);

/** A table with a numeric column holding missing values, a categorical column that matters, and noise. */
function mixedTable(rows: number, seed: number): Table {
  const rand = seeded(seed);
  const colours = ["red", "green", "blue", "grey", "black", "white"];
  const x = new Float64Array(rows);
  const noise = new Float64Array(rows);
  const colour: (string | null)[] = [];
  const label: string[] = [];
  for (let i = 0; i < rows; i++) {
    x[i] = rand() < 0.1 ? NaN : gaussian(rand);
    noise[i] = gaussian(rand);
    const c = colours[Math.floor(rand() * colours.length)]!;
    colour.push(rand() < 0.05 ? null : c);
    // "green" and "white" flip the decision: only a categorical split (or many one-hot ones) finds it.
    const flip = c === "green" || c === "white";
    const positive = (Number.isNaN(x[i]!) ? 1 : x[i]!) + 0.3 * gaussian(rand) > 0;
    label.push(positive !== flip ? "yes" : "no");
  }
  return {
    rowCount: rows,
    columns: [
      { name: "x", type: "numeric", values: x },
      { name: "noise", type: "numeric", values: noise },
      { name: "colour", type: "categorical", values: colour },
      { name: "label", type: "categorical", values: label },
    ],
  };
}

describe("gbdt family", () => {
  it("is registered, so `auto` tries it", () => {
    expect(FAMILIES.gbdt).toBe(gbdtFamily);
    expect(gbdtFamily.preprocessing).toMatchObject({ standardize: false, impute: false, categorical: "ordinal" });
  });

  it("rejects unknown and out-of-range parameters with the field names", () => {
    expect(() => params({ n_estimator: 5 })).toThrow(AppError);
    expect(() => params({ max_leaves: 1, max_depth: 0 })).toThrow(/max_leaves.*max_depth|max_depth.*max_leaves/s);
    expect(params({})).toMatchObject({ n_estimators: 100, learning_rate: 0.1, max_leaves: 31, early_stopping_rounds: 20 });
    expect(params({}).seed).toBeUndefined();
  });

  it("reports every iteration (train and validation loss, val_accuracy) and keeps the best under early stopping", async () => {
    const train = set(binaryTask(1500, 6, 1, 1.5));
    const validation = set(binaryTask(500, 6, 2, 1.5));
    const reports: EpochReport[] = [];
    const fitted = await gbdtFamily.fit(train, {
      task: "classification",
      nClasses: 2,
      params: params({ n_estimators: 400, learning_rate: 0.3, early_stopping_rounds: 5 }),
      seed: 7,
      validation,
      onEpoch: (r) => {
        reports.push(r);
      },
    });
    expect(fitted.stoppedEarly).toBe(true);
    expect(reports.length).toBe(fitted.history.length);
    expect(reports.length).toBeLessThan(400);
    expect(reports.map((r) => r.epoch)).toEqual(reports.map((_, i) => i + 1));
    for (const r of reports) {
      expect(r.maxEpochs).toBe(400);
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(r.valLoss).toBeGreaterThan(0);
      expect(r.metrics.val_accuracy).toBeGreaterThan(0.5);
    }
    // The train loss falls every iteration; the kept iteration has the lowest validation loss, and
    // stopping came exactly `early_stopping_rounds` iterations after it.
    expect(reports.at(-1)!.loss).toBeLessThan(reports[0]!.loss);
    const best = Math.min(...reports.map((r) => r.valLoss!));
    expect(reports[fitted.bestEpoch - 1]!.valLoss).toBe(best);
    expect(reports.length).toBe(fitted.bestEpoch + 5);
    expect(gbdtFromState(fitted.state).nIterations).toBe(fitted.bestEpoch);
  });

  it("scores exactly what the trainer computed, after the state round trip", async () => {
    const t = multiclassTask(800, 5, 3, 3);
    t.X[7] = NaN;
    t.X[40] = NaN;
    const data = set(t);
    const X64 = Float64Array.from(data.X.data);
    const booster = new Booster(X64, t.nRows, t.nFeatures, t.y, { objective: "multiclass", nClasses: 3, params: { n_estimators: 30, seed: 1 } });
    while (booster.step());
    const result = booster.finish();
    const state = gbdtToState(result.model);
    // Through JSON and float32 files, as the manifest stores it.
    const restored = gbdtFromState({ config: JSON.parse(JSON.stringify(state.config)), tensors: state.tensors });
    expect(restored.forest.threshold).toEqual(result.model.forest.threshold);
    expect(restored.forest.leafValue).toEqual(result.model.forest.leafValue);
    const scorer = gbdtFamily.scorer({ config: JSON.parse(JSON.stringify(state.config)), tensors: state.tensors });
    const probs = scorer.scoreBatch(data.X.data, t.nRows);
    const expected = new Float64Array(t.nRows * 3);
    for (let r = 0; r < t.nRows; r++) rawToProba("multiclass", result.trainRaw, r * 3, expected, r * 3, 3);
    expect(probs).toEqual(expected);
    const row = scorer.scoreRow(data.X.data.subarray(7 * 5, 8 * 5));
    expect(Array.from(row)).toEqual(Array.from(expected.subarray(21, 24)));
  });

  it("rejects a corrupt state instead of scoring it", async () => {
    const fitted = await gbdtFamily.fit(set(binaryTask(300, 3, 4)), { task: "classification", nClasses: 2, params: params({ n_estimators: 5 }), seed: 1 });
    // Without a listener the history still carries the losses (the pipeline returns and logs it).
    expect(fitted.history.length).toBe(5);
    expect(fitted.history.every((h) => Number.isFinite(h.loss) && h.loss > 0)).toBe(true);
    const left = fitted.state.tensors.node_left!;
    const bad = Float32Array.from(left.data);
    bad[0] = 0; // a node pointing to itself would loop forever
    expect(() => gbdtFamily.scorer({ ...fitted.state, tensors: { ...fitted.state.tensors, node_left: { shape: left.shape, data: bad } } })).toThrow(/Corrupt gbdt model/);
    expect(() => gbdtFamily.scorer({ ...fitted.state, config: { ...fitted.state.config, nFeatures: 0 } })).toThrow(AppError);
  });

  it("trains through the pipeline with categorical and missing values; the saved model predicts the same", async () => {
    const table = mixedTable(2000, 11);
    const result = await trainModel(table, { target: "label", family: "gbdt", params: { n_estimators: 60 }, seed: 5 });
    expect(result.manifest.family).toBe("gbdt");
    expect(result.backend).toBe("js");
    expect((result.testMetrics as { accuracy: number }).accuracy).toBeGreaterThan(0.85);
    const colour = result.model.preprocessor.steps.find((s) => s.name === "colour");
    expect(colour).toMatchObject({ kind: "categorical", encoding: "ordinal" });
    expect(gbdtFromState(result.model.state).forest.catOffset.some((c) => c >= 0)).toBe(true);

    const loaded = loadModel(JSON.parse(JSON.stringify(result.manifest)), result.files);
    const rows = [
      { x: 1.2, noise: 0, colour: "green" },
      { x: 1.2, noise: 0, colour: "red" },
      { x: null, noise: 0.5, colour: "purple" }, // missing number, unseen category
      { x: -0.7, noise: null, colour: null },
    ];
    const a = predict(result.model, rows);
    const b = predict(loaded, rows);
    expect(b).toEqual(a);
    if (a.task !== "classification") throw new Error("classification expected");
    expect(a.labels.slice(0, 2)).toEqual(["no", "yes"]);
    const again = saveModel(loaded);
    expect(again.files).toEqual(result.files);
  });
});
