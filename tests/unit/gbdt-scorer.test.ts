// The plain TypeScript scorer against the trainer's own scores, on every scoring path (branch-free
// numeric blocks, blocks with NaN, categorical models, single rows), and the model's serialised forms.
import { describe, expect, it } from "vitest";
import { GbdtModel, trainGbdt, trainGbdtDetailed, type GbdtTrainOptions } from "@/lib/ml/gbdt";
import { AppError } from "@/lib/errors";
import { ForestScorer } from "@/lib/ml/gbdt/scorer";
import { binaryTask, multiclassTask, regressionTask, seeded, withMissing, type Table } from "../support/gbdt-data";

/**
 * Trains, then checks batch and single-row raw scores equal the trainer's scores exactly, from
 * float64 and from float32 rows (the serving path). Values are rounded to float32 first so both
 * hold the same numbers.
 */
function expectScorerMatchesTrainer(table: Table, opts: GbdtTrainOptions): GbdtModel {
  const t = { ...table, X: Float64Array.from(Float32Array.from(table.X)) };
  const r = trainGbdtDetailed(t.X, t.nRows, t.nFeatures, t.y, opts);
  const batch = r.model.predictRawBatch(t.X, t.nRows);
  expect(batch).toEqual(r.trainRaw);
  expect(r.model.predictRawBatch(Float32Array.from(t.X), t.nRows)).toEqual(r.trainRaw);
  const K = r.model.nOutputs;
  const single = new Float64Array(t.nRows * K);
  const fromArrays = new Float64Array(t.nRows * K);
  for (let i = 0; i < t.nRows; i++) {
    const row = t.X.subarray(i * t.nFeatures, (i + 1) * t.nFeatures);
    single.set(r.model.predictRaw(row), i * K);
    // A plain array or a float32 row takes the same path as a float64 one.
    fromArrays.set(r.model.predictRaw(i % 2 ? Array.from(row) : Float32Array.from(row)), i * K);
  }
  expect(single).toEqual(r.trainRaw);
  expect(fromArrays).toEqual(r.trainRaw);
  // The tree walk (the fallback, and the reference for the compiled kernel) gives the same sums.
  const walk = new ForestScorer(r.model.forest, t.nFeatures, K, false);
  const walked = new Float64Array(t.nRows * K);
  for (let i = 0; i < t.nRows; i++) walked.set(r.model.baseScore, i * K);
  walk.addBatch(t.X, t.nRows, walked);
  expect(walked).toEqual(r.trainRaw);
  const oneRow = new Float64Array(K);
  for (let i = 0; i < t.nRows; i += 7) {
    oneRow.set(r.model.baseScore);
    walk.addRow(t.X.subarray(i * t.nFeatures, (i + 1) * t.nFeatures), oneRow);
    expect(oneRow).toEqual(r.trainRaw.subarray(i * K, (i + 1) * K));
  }
  return r.model;
}

/** A table with a categorical feature (codes 0..nCats-1) in column `col`. */
function withCategory(t: Table, col: number, nCats: number, seed: number): Table {
  const rand = seeded(seed);
  const X = t.X.slice();
  for (let i = 0; i < t.nRows; i++) X[i * t.nFeatures + col] = Math.floor(rand() * nCats);
  return { ...t, X };
}

describe("scorer equals trainer", () => {
  it("binary, numeric features, no missing values (compiled bitvector kernel)", () => {
    const m = expectScorerMatchesTrainer(binaryTask(2000, 6, 1), { objective: "binary", params: { n_estimators: 20 } });
    expect(m.scoringKernel).toBe("bitvector");
  });

  it("large forests take the kernel's loop forms (over 256 trees, over 1024 trees with several outputs)", () => {
    const t = multiclassTask(300, 4, 3, 31);
    for (const n_estimators of [100, 360]) {
      const m = expectScorerMatchesTrainer(t, { objective: "multiclass", params: { n_estimators, max_leaves: 4, min_samples_leaf: 5, learning_rate: 0.05 } });
      expect(m.nTrees).toBe(3 * n_estimators);
      expect(m.scoringKernel).toBe("bitvector");
    }
  });

  it("trees over 32 leaves are walked", () => {
    const m = expectScorerMatchesTrainer(regressionTask(4000, 6, 33), { objective: "regression", params: { n_estimators: 3, max_leaves: 48, min_samples_leaf: 5 } });
    expect(Math.max(...m.forest.treeLeaves)).toBeGreaterThan(32);
    expect(m.scoringKernel).toBe("walk");
  });

  it("binary with NaNs in two features", () => {
    const t = withMissing(withMissing(binaryTask(2000, 6, 2), 0, 0.2, 5), 3, 0.05, 6);
    expectScorerMatchesTrainer(t, { objective: "binary", params: { n_estimators: 20 } });
  });

  it("regression with bagging and feature subsampling (out-of-bag rows are scored by walking the trees)", () => {
    expectScorerMatchesTrainer(regressionTask(2000, 8, 3), {
      objective: "regression",
      params: { n_estimators: 15, subsample: 0.7, colsample: 0.5 },
    });
  });

  it("multiclass: one tree per class per iteration", () => {
    const m = expectScorerMatchesTrainer(multiclassTask(1500, 5, 3, 4), { objective: "multiclass", params: { n_estimators: 10 } });
    expect(m.nTrees).toBe(30);
    expect(m.nOutputs).toBe(3);
  });

  it("categorical features, with rare categories lumped (max_bins below the cardinality) and NaNs", () => {
    let t = withCategory(binaryTask(3000, 5, 7), 1, 40, 8);
    t = withMissing(t, 1, 0.1, 9);
    // The label depends on the category too, so categorical splits are chosen.
    const y = t.y.slice();
    for (let i = 0; i < t.nRows; i++) if (t.X[i * 5 + 1]! % 3 === 0) y[i] = 1 - y[i]!;
    const m = expectScorerMatchesTrainer(
      { ...t, y },
      { objective: "binary", categoricalFeatures: [1], params: { n_estimators: 15, max_bins: 16, min_data_per_group: 10, cat_smooth: 1 } },
    );
    expect(m.forest.catOffset.some((c) => c >= 0)).toBe(true);
    expect(m.scoringKernel).toBe("walk");
  });

  it("quantized and exact histograms both keep trainer and scorer equal", () => {
    const t = binaryTask(3000, 6, 12);
    for (const use_quantized_grad of [true, false]) {
      expectScorerMatchesTrainer(t, { objective: "binary", params: { n_estimators: 10, use_quantized_grad } });
    }
  });

  it("probabilities and labels follow from the raw scores", () => {
    const t = multiclassTask(600, 4, 3, 5);
    const m = trainGbdt(t.X, t.nRows, t.nFeatures, t.y, { objective: "multiclass", params: { n_estimators: 5 } });
    const raw = m.predictRawBatch(t.X, t.nRows);
    const proba = m.predictProbaBatch(t.X, t.nRows);
    const labels = m.predictBatch(t.X, t.nRows);
    for (let i = 0; i < t.nRows; i += 13) {
      const z = Array.from(raw.subarray(3 * i, 3 * i + 3));
      const e = z.map((v) => Math.exp(v));
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((v, k) => expect(proba[3 * i + k]).toBeCloseTo(v / s, 12));
      expect(labels[i]).toBe(z.indexOf(Math.max(...z)));
      expect(m.predictProba(t.X.subarray(4 * i, 4 * i + 4))).toEqual(proba.subarray(3 * i, 3 * i + 3));
    }
  });
});

describe("serialisation", () => {
  const t = withCategory(withMissing(binaryTask(1500, 5, 21), 0, 0.1, 22), 2, 12, 23);
  const opts: GbdtTrainOptions = { objective: "binary", categoricalFeatures: [2], params: { n_estimators: 12, min_data_per_group: 20 } };
  const model = trainGbdt(t.X, t.nRows, t.nFeatures, t.y, opts);
  const expected = model.predictRawBatch(t.X, t.nRows);

  it("JSON round trip scores identically", () => {
    const back = GbdtModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(back.predictRawBatch(t.X, t.nRows)).toEqual(expected);
    expect(back.toJSON()).toEqual(model.toJSON());
    expect(back.params).toEqual(model.params);
    expect(back.featureImportance()).toEqual(model.featureImportance());
  });

  it("packed weights round trip scores identically", () => {
    const { header, weights } = model.toPacked();
    const back = GbdtModel.fromPacked(JSON.parse(JSON.stringify(header)), weights.slice());
    expect(back.predictRawBatch(t.X, t.nRows)).toEqual(expected);
  });

  it("infinite thresholds survive JSON (a split of 'every value' against missing)", () => {
    // Only missingness carries the label: the split sends all values one way and NaN the other.
    const n = 400;
    const X = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X[i] = i % 4 === 0 ? NaN : i;
      y[i] = i % 4 === 0 ? 10 : 0;
    }
    const m = trainGbdt(X, n, 1, y, { objective: "regression", params: { n_estimators: 1, max_leaves: 2, learning_rate: 1 } });
    expect(m.forest.threshold[0]).toBe(Infinity);
    const back = GbdtModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.predict([NaN])).toBeCloseTo(10, 10);
    expect(back.predict([5])).toBeCloseTo(0, 10);
  });

  it("rejects corrupt models instead of looping or reading out of bounds", () => {
    const good = model.toJSON();
    const cyclic = structuredClone(good);
    cyclic.nodes.left[1] = 0;
    expect(() => GbdtModel.fromJSON(cyclic)).toThrow(AppError);
    const badFeature = structuredClone(good);
    badFeature.nodes.feature[0] = 99;
    expect(() => GbdtModel.fromJSON(badFeature)).toThrow(/feature 99/);
    const badBitset = structuredClone(good);
    const cat = badBitset.nodes.catOffset.findIndex((c) => c >= 0);
    expect(cat).toBeGreaterThanOrEqual(0);
    badBitset.nodes.catWords[cat] = 10_000;
    expect(() => GbdtModel.fromJSON(badBitset)).toThrow(/bitset/);
    expect(() => GbdtModel.fromJSON({ ...good, version: 2 })).toThrow(AppError);
    expect(() => GbdtModel.fromPacked(model.toPacked().header, new Uint8Array(8))).toThrow(/past the end/);
  });

  it("rejects rows of the wrong width", () => {
    expect(() => model.predictRaw([1, 2])).toThrow(/needs 5/);
    expect(() => model.predictRawBatch(new Float64Array(9), 2)).toThrow(AppError);
  });
});

describe("determinism", () => {
  const t = regressionTask(2000, 6, 31);
  const params = { n_estimators: 10, subsample: 0.6, colsample: 0.5, seed: 7 };

  it("the same seed gives the same model", () => {
    const a = trainGbdt(t.X, t.nRows, t.nFeatures, t.y, { objective: "regression", params });
    const b = trainGbdt(t.X, t.nRows, t.nFeatures, t.y, { objective: "regression", params });
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  it("another seed draws other bags and features", () => {
    const a = trainGbdt(t.X, t.nRows, t.nFeatures, t.y, { objective: "regression", params });
    const b = trainGbdt(t.X, t.nRows, t.nFeatures, t.y, { objective: "regression", params: { ...params, seed: 8 } });
    expect(a.toJSON().nodes).not.toEqual(b.toJSON().nodes);
  });

  it("quantized histograms are seeded too", () => {
    const big = binaryTask(3000, 5, 32);
    const q = { n_estimators: 8, use_quantized_grad: true, seed: 3 };
    const a = trainGbdt(big.X, big.nRows, big.nFeatures, big.y, { objective: "binary", params: q });
    const b = trainGbdt(big.X, big.nRows, big.nFeatures, big.y, { objective: "binary", params: q });
    expect(a.toJSON()).toEqual(b.toJSON());
  });
});
