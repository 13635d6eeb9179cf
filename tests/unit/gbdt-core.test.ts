// Gradient-boosted trees: single splits whose gain and leaf values are worked out by hand, and the
// growth limits (leaves, depth, rows per leaf).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { trainGbdt, trainGbdtDetailed, type GbdtModel } from "@/lib/ml/gbdt";
import { binaryTask, regressionTask } from "../support/gbdt-data";

// One split of unit learning rate on tiny data: every distinct value its own bin (LightGBM needs 3 rows per bin by default).
const stump = { n_estimators: 1, max_leaves: 2, learning_rate: 1, min_samples_leaf: 1, min_child_weight: 0, min_data_in_bin: 1 };

/** Depth of every leaf of tree t (root = depth 0). */
function leafDepths(model: GbdtModel, t: number): number[] {
  const f = model.forest;
  let node = 0;
  for (let i = 0; i < t; i++) node += f.treeNodes[i]!;
  const out: number[] = [];
  const walk = (ref: number, d: number) => {
    if (ref < 0) out.push(d);
    else {
      walk(f.left[ref]!, d + 1);
      walk(f.right[ref]!, d + 1);
    }
  };
  walk(f.treeNodes[t]! > 0 ? node : -1, 0);
  return out;
}

describe("one split, by hand", () => {
  // x = 1..8, y = 1 for x <= 4 and 5 above. Start: mean 3, so gradients g = 3 - y = +2 (left) / -2 (right), h = 1.
  const X = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const y = Float64Array.from([1, 1, 1, 1, 5, 5, 5, 5]);

  it("squared error: gain GL²/HL + GR²/HR - G²/H = 64/4 + 64/4 - 0 = 32, leaves -G/H", () => {
    const m = trainGbdt(X, 8, 1, y, { objective: "regression", params: stump });
    expect(m.baseScore[0]).toBe(3);
    expect(m.nTrees).toBe(1);
    expect(m.forest.feature[0]).toBe(0);
    expect(m.forest.threshold[0]).toBe(4.5); // midpoint of 4 and 5
    expect(m.forest.gain[0]).toBeCloseTo(32, 10);
    // Leaf values -GL/HL = -8/4 and -GR/HR = +8/4: the tree plus the base reproduces y.
    expect(Array.from(m.forest.leafValue)).toEqual([expect.closeTo(-2, 10), expect.closeTo(2, 10)]);
    expect(Array.from(m.forest.leafCount)).toEqual([4, 4]);
    expect(m.predict([2])).toBeCloseTo(1, 10);
    expect(m.predict([7])).toBeCloseTo(5, 10);
  });

  it("lambda_l2 = 1 shrinks gain to 64/5 + 64/5 = 25.6 and leaves to ∓8/5", () => {
    const m = trainGbdt(X, 8, 1, y, { objective: "regression", params: { ...stump, lambda_l2: 1 } });
    expect(m.forest.gain[0]).toBeCloseTo(25.6, 10);
    expect(m.forest.leafValue[0]).toBeCloseTo(-1.6, 10);
    expect(m.forest.leafValue[1]).toBeCloseTo(1.6, 10);
  });

  it("learning_rate scales the leaf values, not the gain", () => {
    const m = trainGbdt(X, 8, 1, y, { objective: "regression", params: { ...stump, learning_rate: 0.1 } });
    expect(m.forest.gain[0]).toBeCloseTo(32, 10);
    expect(m.forest.leafValue[0]).toBeCloseTo(-0.2, 10);
  });

  it("binary log loss: p0 = 0.5, g = p - y = ±0.5, h = 0.25 → gain 1.5²/0.75 · 2 = 6, leaves ∓2", () => {
    const Xb = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const yb = Float64Array.from([0, 0, 0, 1, 1, 1]);
    const m = trainGbdt(Xb, 6, 1, yb, { objective: "binary", params: stump });
    expect(m.baseScore[0]).toBeCloseTo(0, 12);
    expect(m.forest.threshold[0]).toBe(3.5);
    expect(m.forest.gain[0]).toBeCloseTo(6, 8);
    expect(m.forest.leafValue[0]).toBeCloseTo(-2, 8);
    expect(m.forest.leafValue[1]).toBeCloseTo(2, 8);
    expect(m.predictProba([1])[1]).toBeCloseTo(1 / (1 + Math.exp(2)), 8);
  });

  it("min_gain_to_split above the best gain leaves a constant model", () => {
    const r = trainGbdtDetailed(X, 8, 1, y, { objective: "regression", params: { ...stump, min_gain_to_split: 33 } });
    expect(r.model.nTrees).toBe(0);
    expect(r.model.predict([1])).toBe(3);
  });

  it("min_samples_leaf excludes thresholds that leave a child too small", () => {
    // The best cut (4 | 4) is allowed at 4 rows per leaf, not at 5: then no cut is.
    const four = trainGbdt(X, 8, 1, y, { objective: "regression", params: { ...stump, min_samples_leaf: 4 } });
    expect(four.forest.threshold[0]).toBe(4.5);
    const five = trainGbdt(X, 8, 1, y, { objective: "regression", params: { ...stump, min_samples_leaf: 5 } });
    expect(five.nTrees).toBe(0);
  });

  it("matches LightGBM's first split on the same data (gain, threshold, leaf outputs)", () => {
    const fx = JSON.parse(readFileSync(new URL("../fixtures/gbdt-reference.json", import.meta.url), "utf8")).one_split as {
      x: number[];
      y: number[];
      split_gain: number;
      threshold: number;
      left_value: number;
      right_value: number;
      left_count: number;
      right_count: number;
    };
    const m = trainGbdt(Float64Array.from(fx.x), fx.x.length, 1, Float64Array.from(fx.y), {
      objective: "regression",
      params: { ...stump, min_samples_leaf: 5 },
    });
    // LightGBM stores the gain as float32 and folds the starting score (float32 too) into the first tree's leaves.
    expect(m.forest.gain[0]! / fx.split_gain).toBeCloseTo(1, 5);
    expect(m.forest.threshold[0]).toBeCloseTo(fx.threshold, 10);
    expect(m.baseScore[0]! + m.forest.leafValue[0]!).toBeCloseTo(fx.left_value, 6);
    expect(m.baseScore[0]! + m.forest.leafValue[1]!).toBeCloseTo(fx.right_value, 6);
    expect(Array.from(m.forest.leafCount)).toEqual([fx.left_count, fx.right_count]);
  });
});

describe("growth limits", () => {
  const reg = regressionTask(3000, 5, 11);

  it("grows leaf-wise up to max_leaves", () => {
    const m = trainGbdt(reg.X, reg.nRows, reg.nFeatures, reg.y, { objective: "regression", params: { n_estimators: 5, max_leaves: 7 } });
    expect(Array.from(m.forest.treeLeaves)).toEqual([7, 7, 7, 7, 7]);
  });

  it("never goes deeper than max_depth", () => {
    const m = trainGbdt(reg.X, reg.nRows, reg.nFeatures, reg.y, {
      objective: "regression",
      params: { n_estimators: 5, max_leaves: 31, max_depth: 3 },
    });
    for (let t = 0; t < m.nTrees; t++) {
      const depths = leafDepths(m, t);
      expect(Math.max(...depths)).toBeLessThanOrEqual(3);
      expect(depths.length).toBeLessThanOrEqual(8);
    }
  });

  it("keeps at least min_samples_leaf training rows in every leaf", () => {
    const m = trainGbdt(reg.X, reg.nRows, reg.nFeatures, reg.y, {
      objective: "regression",
      params: { n_estimators: 5, max_leaves: 63, min_samples_leaf: 40 },
    });
    expect(Math.min(...m.forest.leafCount)).toBeGreaterThanOrEqual(40);
    // Leaf counts of a tree add up to the rows it was grown on.
    const first = Array.from(m.forest.leafCount.subarray(0, m.forest.treeLeaves[0]!));
    expect(first.reduce((a, b) => a + b, 0)).toBe(reg.nRows);
  });

  it("boosting lowers the training loss every iteration (exact Newton steps for squared error)", () => {
    const losses: number[] = [];
    trainGbdt(reg.X, reg.nRows, reg.nFeatures, reg.y, {
      objective: "regression",
      params: { n_estimators: 20 },
      onIteration: (i) => losses.push(i.trainLoss),
    });
    expect(losses).toHaveLength(20);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]!);
  });

  it("splits on the informative features first (gain importance)", () => {
    const bin = binaryTask(4000, 6, 3);
    const m = trainGbdt(bin.X, bin.nRows, bin.nFeatures, bin.y, { objective: "binary", params: { n_estimators: 30 } });
    const gain = m.featureImportance("gain");
    const splits = m.featureImportance("split");
    const ranked = Array.from(gain.keys()).sort((a, b) => gain[b]! - gain[a]!);
    expect(ranked.slice(0, 2).sort()).toEqual([0, 1]);
    expect(gain.reduce((a, b) => a + b, 0)).toBeCloseTo(m.forest.gain.reduce((a, b) => a + b, 0), 6);
    expect(splits.reduce((a, b) => a + b, 0)).toBe(m.forest.feature.length);
  });
});
