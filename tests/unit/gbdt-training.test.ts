// Training controls: early stopping, class weights, the per-iteration callback, cancellation,
// parameter and input validation.
import { describe, expect, it } from "vitest";
import { GBDT_DEFAULTS, parseGbdtParams, trainGbdt, trainGbdtDetailed } from "@/lib/ml/gbdt";
import { AppError } from "@/lib/errors";
import { binaryTask, seeded } from "../support/gbdt-data";

describe("early stopping", () => {
  // Labels are pure noise: every tree after the first few only fits noise, so validation loss rises.
  const n = 1500;
  const rand = seeded(4);
  const noise = binaryTask(n, 5, 5);
  const y = noise.y.map(() => (rand() < 0.5 ? 1 : 0));
  const valid = binaryTask(500, 5, 6);
  const vy = valid.y.map(() => (rand() < 0.5 ? 1 : 0));

  it("stops when the validation loss has not improved for early_stopping_rounds, keeping the best iteration", () => {
    const seen: number[] = [];
    const r = trainGbdtDetailed(noise.X, n, 5, y, {
      objective: "binary",
      params: { n_estimators: 200, early_stopping_rounds: 5 },
      valid: { X: valid.X, nRows: 500, y: vy },
      onIteration: (i) => seen.push(i.iteration),
    });
    expect(r.stoppedEarly).toBe(true);
    expect(seen.length).toBeLessThan(200);
    expect(seen.length).toBe(r.bestIteration + 5);
    const best = r.history.validLoss[r.bestIteration - 1]!;
    expect(Math.min(...r.history.validLoss)).toBe(best);
    expect(r.model.nIterations).toBe(r.bestIteration);
    expect(r.model.nTrees).toBe(r.bestIteration);
    // The trainer's scores are those of the kept trees.
    expect(r.model.predictRawBatch(noise.X, n)).toEqual(r.trainRaw);
  });

  it("holds out validation_fraction of the rows when no validation set is given", () => {
    const r = trainGbdtDetailed(noise.X, n, 5, y, {
      objective: "binary",
      params: { n_estimators: 200, early_stopping_rounds: 3, validation_fraction: 0.2 },
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.validLoss.length).toBeLessThan(200);
    // The first tree was grown on 80% of the rows.
    const firstTree = r.model.forest.leafCount.subarray(0, r.model.forest.treeLeaves[0]!);
    expect(firstTree.reduce((a, b) => a + b, 0)).toBe(1200);
  });

  it("runs every iteration when the validation loss keeps improving", () => {
    const t = binaryTask(2000, 5, 7, 0);
    const v = binaryTask(500, 5, 8, 0);
    const r = trainGbdtDetailed(t.X, t.nRows, 5, t.y, {
      objective: "binary",
      params: { n_estimators: 15, early_stopping_rounds: 5 },
      valid: { X: v.X, nRows: v.nRows, y: v.y },
    });
    expect(r.stoppedEarly).toBe(false);
    expect(r.model.nIterations).toBe(15);
  });
});

describe("class weights", () => {
  // 10% positives: weighting them up must raise the predicted probability of class 1.
  const t = binaryTask(3000, 5, 9, 1.5);
  const y = t.y.map((v, i) => (v === 1 && i % 5 !== 0 ? 0 : v));
  const meanP1 = (classWeight: "balanced" | Record<string, number> | null) => {
    const m = trainGbdt(t.X, t.nRows, 5, y, { objective: "binary", params: { n_estimators: 20, class_weight: classWeight } });
    const p = m.predictProbaBatch(t.X, t.nRows);
    let s = 0;
    for (let i = 0; i < t.nRows; i++) s += p[2 * i + 1]!;
    return s / t.nRows;
  };

  it("'balanced' and explicit weights move predictions toward the up-weighted class", () => {
    const plain = meanP1(null);
    const balanced = meanP1("balanced");
    const heavy = meanP1({ "1": 5 });
    const light = meanP1({ "1": 0.2 });
    expect(balanced).toBeGreaterThan(plain + 0.1);
    expect(heavy).toBeGreaterThan(plain + 0.1);
    expect(light).toBeLessThan(plain);
  });

  it("rejects a weight for a class that does not exist", () => {
    expect(() => trainGbdt(t.X, t.nRows, 5, y, { objective: "binary", params: { class_weight: { "3": 2 } } })).toThrow(/class 3/);
  });
});

describe("progress and cancellation", () => {
  const t = binaryTask(1000, 4, 10);

  it("reports 1-based iterations with train and validation loss", () => {
    const events: { iteration: number; trainLoss: number; validLoss: number | null }[] = [];
    trainGbdt(t.X, t.nRows, 4, t.y, {
      objective: "binary",
      params: { n_estimators: 4 },
      valid: { X: t.X, nRows: t.nRows, y: t.y },
      onIteration: (e) => events.push(e),
    });
    expect(events.map((e) => e.iteration)).toEqual([1, 2, 3, 4]);
    // Validating on the training rows: both losses are the same number.
    for (const e of events) expect(e.validLoss).toBeCloseTo(e.trainLoss, 12);
    expect(events[3]!.trainLoss).toBeLessThan(events[0]!.trainLoss);
  });

  it("stops with the signal's reason when aborted", () => {
    const controller = new AbortController();
    const reason = new Error("cancelled by user");
    let last = 0;
    expect(() =>
      trainGbdt(t.X, t.nRows, 4, t.y, {
        objective: "binary",
        params: { n_estimators: 50 },
        signal: controller.signal,
        onIteration: (e) => {
          last = e.iteration;
          if (e.iteration === 3) controller.abort(reason);
        },
      }),
    ).toThrow(reason);
    expect(last).toBe(3);
  });
});

describe("validation", () => {
  it("fills defaults and rejects unknown or out-of-range parameters", () => {
    expect(parseGbdtParams({ n_estimators: 5 })).toEqual({ ...GBDT_DEFAULTS, n_estimators: 5 });
    expect(GBDT_DEFAULTS).toMatchObject({ n_estimators: 100, learning_rate: 0.1, max_leaves: 31, max_depth: -1, min_samples_leaf: 20 });
    expect(() => parseGbdtParams({ n_estimator: 5 })).toThrow(AppError);
    expect(() => parseGbdtParams({ learning_rate: -1 })).toThrow(/learning_rate/);
    expect(() => parseGbdtParams({ max_depth: 0 })).toThrow(/max_depth/);
    expect(() => parseGbdtParams({ subsample: 1.5 })).toThrow(/subsample/);
  });

  it("rejects labels that are not class indices and shapes that do not match", () => {
    const X = new Float64Array(6);
    expect(() => trainGbdt(X, 3, 2, Float64Array.from([0, 1, 2]), { objective: "binary" })).toThrow(/class index/);
    expect(() => trainGbdt(X, 3, 2, Float64Array.from([0, 1, 0.5]), { objective: "multiclass" })).toThrow(/class index/);
    expect(() => trainGbdt(X, 3, 2, Float64Array.from([0, NaN, 1]), { objective: "regression" })).toThrow(/finite/);
    expect(() => trainGbdt(X, 4, 2, Float64Array.from([0, 1, 0, 1]), { objective: "binary" })).toThrow(/expected 4 × 2/);
    expect(() =>
      trainGbdt(X, 3, 2, Float64Array.from([0, 1, 0]), { objective: "binary", sampleWeight: Float64Array.from([1, -1, 1]) }),
    ).toThrow(/non-negative/);
  });
});
