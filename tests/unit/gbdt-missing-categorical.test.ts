// Missing values and categorical features: learned routing, applied the same way at scoring.
import { describe, expect, it } from "vitest";
import { trainGbdt, trainGbdtDetailed } from "@/lib/ml/gbdt";
import { seeded } from "../support/gbdt-data";

describe("missing values", () => {
  // x0 carries the label through its value and through missingness: NaN rows behave like high values.
  const n = 1000;
  const rand = seeded(1);
  const X = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const missing = i % 5 === 0;
    const v = rand() * 10;
    X[2 * i] = missing ? NaN : v;
    X[2 * i + 1] = rand();
    y[i] = missing || v > 7 ? 1 : 0;
  }
  const stump = { n_estimators: 1, max_leaves: 2, learning_rate: 1 };

  it("sends NaN to the side that gains most, and a NaN row at scoring goes the same way", () => {
    const r = trainGbdtDetailed(X, n, 2, y, { objective: "binary", params: stump });
    const f = r.model.forest;
    expect(f.feature[0]).toBe(0);
    expect(f.threshold[0]).toBeGreaterThan(6.9);
    expect(f.threshold[0]).toBeLessThan(7.1);
    // Missing went right, with the high values.
    expect(f.missing[0]).toBe(f.right[0]);
    const high = r.model.predictRaw([9, 0.5])[0]!;
    const low = r.model.predictRaw([1, 0.5])[0]!;
    expect(r.model.predictRaw([NaN, 0.5])[0]).toBe(high);
    expect(high).toBeGreaterThan(low);
    // The trainer placed its NaN rows in the same leaf.
    expect(r.trainRaw[0]).toBe(high);
  });

  it("with the opposite label, NaN goes left with the low values", () => {
    const flipped = y.map((v, i) => (i % 5 === 0 ? 0 : v));
    const m = trainGbdt(X, n, 2, flipped, { objective: "binary", params: stump });
    expect(m.forest.missing[0]).toBe(m.forest.left[0]);
    expect(m.predictRaw([NaN, 0.5])[0]).toBe(m.predictRaw([1, 0.5])[0]);
  });

  it("NaN never seen in training follows the child with more training rows", () => {
    const Xc = X.map((v) => (Number.isNaN(v) ? 5 : v));
    const m = trainGbdt(Xc, n, 2, y, { objective: "binary", params: stump });
    const f = m.forest;
    const leftBigger = f.leafCount[0]! >= f.leafCount[1]!;
    expect(f.missing[0]).toBe(leftBigger ? f.left[0] : f.right[0]);
    expect(m.predictRaw([NaN, 0.5])[0]).toBe(m.predictRaw([leftBigger ? 0 : 10, 0.5])[0]);
  });
});

describe("categorical features", () => {
  // 12 categories; the label is membership in a scattered set, so no single threshold on the codes separates it.
  const positive = new Set([1, 4, 6, 9, 11]);
  const n = 2400;
  const X = new Float64Array(n * 2);
  const y = new Float64Array(n);
  const rand = seeded(2);
  for (let i = 0; i < n; i++) {
    const c = i % 12;
    X[2 * i] = c;
    X[2 * i + 1] = rand();
    y[i] = positive.has(c) ? 1 : 0;
  }
  const stump = { n_estimators: 1, max_leaves: 2, learning_rate: 1 };

  it("one native categorical split learns a scattered set of categories perfectly", () => {
    const m = trainGbdt(X, n, 2, y, { objective: "binary", categoricalFeatures: [0], params: stump });
    const f = m.forest;
    expect(f.catOffset[0]).toBeGreaterThanOrEqual(0);
    const pred = m.predictBatch(X, n);
    expect(pred).toEqual(y);
    // The same split budget on the codes as numbers cannot.
    const numeric = trainGbdt(X, n, 2, y, { objective: "binary", params: stump });
    const acc = numeric.predictBatch(X, n).filter((p, i) => p === y[i]).length / n;
    expect(acc).toBeLessThan(0.8);
  });

  it("sends unseen categories to the non-matched side, and treats NaN, negative and fractional codes as missing", () => {
    const m = trainGbdt(X, n, 2, y, { objective: "binary", categoricalFeatures: [0], params: stump });
    const f = m.forest;
    const matched = (c: number) => c >>> 5 < f.catWords[0]! && ((f.catBits[f.catOffset[0]! + (c >>> 5)]! >>> (c & 31)) & 1) === 1;
    const seen = Array.from({ length: 12 }, (_, c) => c);
    const inSet = seen.filter(matched);
    // The matched side is exactly one of the two groups of categories.
    expect([[...positive].sort((a, b) => a - b), seen.filter((c) => !positive.has(c))]).toContainEqual(inSet);
    const matchedScore = m.predictRaw([inSet[0]!, 0.5])[0];
    const otherScore = m.predictRaw([seen.find((c) => !matched(c))!, 0.5])[0];
    expect(matchedScore).not.toBe(otherScore);
    for (const unseen of [12, 40, 1000]) expect(m.predictRaw([unseen, 0.5])[0]).toBe(otherScore);
    const missingScore = f.missing[0] === f.left[0] ? matchedScore : otherScore;
    for (const odd of [NaN, -1, 2.5, 2 ** 31]) expect(m.predictRaw([odd, 0.5])[0]).toBe(missingScore);
  });

  it("few categories use one-vs-rest splits", () => {
    const Xs = new Float64Array(n * 2);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      Xs[2 * i] = i % 3;
      Xs[2 * i + 1] = 0;
      ys[i] = i % 3 === 1 ? 1 : 0;
    }
    const m = trainGbdt(Xs, n, 2, ys, { objective: "binary", categoricalFeatures: [0], params: stump });
    const f = m.forest;
    // Only category 1 is in the matched bitset.
    expect(f.catWords[0]).toBe(1);
    expect(f.catBits[f.catOffset[0]!]).toBe(1 << 1);
    expect(m.predictBatch(Xs, n)).toEqual(ys);
  });

  it("learns a category-driven target inside a larger model, with rare categories lumped together", () => {
    // 300 categories, more than fit in the bins: the rarest share the 'other' bin.
    const m2 = 6000;
    const Xb = new Float64Array(m2 * 2);
    const yb = new Float64Array(m2);
    const r = seeded(3);
    for (let i = 0; i < m2; i++) {
      const c = i < 5000 ? i % 50 : 50 + Math.floor(r() * 250);
      Xb[2 * i] = c;
      Xb[2 * i + 1] = r();
      yb[i] = c < 50 && c % 2 === 0 ? 1 : 0;
    }
    const res = trainGbdtDetailed(Xb, m2, 2, yb, {
      objective: "binary",
      categoricalFeatures: [0],
      params: { n_estimators: 30, max_cat_threshold: 64, min_data_per_group: 20, cat_smooth: 5 },
    });
    const acc = res.model.predictBatch(Xb, m2).filter((p, i) => p === yb[i]).length / m2;
    expect(acc).toBeGreaterThan(0.99);
    expect(res.model.predictRawBatch(Xb, m2)).toEqual(res.trainRaw);
  });

  it("rejects a categorical index that is not a feature", () => {
    expect(() => trainGbdt(X, n, 2, y, { objective: "binary", categoricalFeatures: [2] })).toThrow(/not a feature index/);
  });
});
