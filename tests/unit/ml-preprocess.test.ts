import { describe, expect, it } from "vitest";
import {
  encodeTarget,
  featureBlocks,
  fitPreprocessor,
  fitTarget,
  inferTask,
  preprocessorFromJSON,
  preprocessorToJSON,
  signature,
  splitIndices,
  takeRows,
  transform,
  type CategoricalStep,
  type NumericStep,
} from "@/lib/ml";
import { tableOf } from "@/tests/support/ml-table";

const rowsOf = (m: { data: Float32Array; cols: number; rows: number }) =>
  Array.from({ length: m.rows }, (_, r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)));

describe("fitPreprocessor / transform", () => {
  const train = tableOf({
    x: [1, 2, 3, null],
    color: ["red", "red", "blue", null],
    note: ["a", "b", "c", "d"],
    same: [7, 7, 7, 7],
    empty: [null, null, null, null],
    y: [0, 1, 0, 1],
  }, { note: "text" });

  it("imputes the median and standardises with the statistics of the imputed training column", () => {
    const pre = fitPreprocessor(train, { minFrequency: 1 }, ["y"]);
    const x = pre.steps.find((s) => s.name === "x") as NumericStep;
    // median of [1,2,3] = 2; imputed column [1,2,3,2]: mean 2, population std sqrt(0.5)
    expect(x.fill).toBe(2);
    expect(x.center).toBe(2);
    expect(x.scale).toBeCloseTo(Math.sqrt(0.5), 12);
    const m = transform(pre, tableOf({ x: [null, 10, 2], color: ["red", "red", "red"] }));
    expect(m.cols).toBe(pre.outputs.length);
    const xs = [0, 1, 2].map((r) => m.data[r * m.cols]!);
    expect(xs[0]).toBeCloseTo(0, 6);
    expect(xs[1]).toBeCloseTo(8 / Math.sqrt(0.5), 4);
    expect(xs[2]).toBeCloseTo(0, 6);
  });

  it("fills a missing category with the most frequent training category", () => {
    const pre = fitPreprocessor(train, { minFrequency: 1 }, ["y"]);
    const color = pre.steps.find((s) => s.name === "color") as CategoricalStep;
    expect(color.fill).toBe("red");
    expect(color.categories).toEqual(["red", "blue"]);
    const m = transform(pre, [{ x: 1, color: null }, { x: 1 }]);
    expect(rowsOf(m).map((r) => r.slice(1))).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });

  it("drops text, constant and empty columns and says why", () => {
    const pre = fitPreprocessor(train, { minFrequency: 1 }, ["y"]);
    expect(pre.steps.map((s) => s.name)).toEqual(["x", "color"]);
    expect(pre.dropped).toEqual([
      { name: "note", reason: "text" },
      { name: "same", reason: "constant" },
      { name: "empty", reason: "all_missing" },
    ]);
    expect(signature(pre)).toEqual([
      { name: "x", type: "numeric" },
      { name: "color", type: "categorical", categories: ["red", "blue"] },
    ]);
  });

  it("learns only from the rows it is given (the training split)", () => {
    const all = tableOf({ x: [1, 2, 3, 4, 1000, 2000], c: ["a", "a", "b", "b", "zzz", "zzz"] });
    const pre = fitPreprocessor(takeRows(all, [0, 1, 2, 3]), { minFrequency: 1 });
    const x = pre.steps[0] as NumericStep;
    expect(x.center).toBe(2.5);
    expect(x.fill).toBe(2.5);
    expect((pre.steps[1] as CategoricalStep).categories).toEqual(["a", "b"]);
  });

  it("sends rare and unseen categories to one `other` bucket", () => {
    const t = tableOf({ c: ["a", "a", "a", "b", "b", "b", "rare1", "rare2"] });
    const pre = fitPreprocessor(t, { minFrequency: 2 });
    expect(pre.outputs).toEqual(["c=a", "c=b", "c=<other>"]);
    const m = transform(pre, [{ c: "a" }, { c: "rare1" }, { c: "never-seen" }, { c: "b" }]);
    expect(rowsOf(m)).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 0, 1],
      [0, 1, 0],
    ]);
  });

  it("keeps at most maxCategories, most frequent first (ties by name)", () => {
    const t = tableOf({ c: ["d", "d", "d", "c", "c", "b", "b", "a", "a", "e"] });
    const pre = fitPreprocessor(t, { minFrequency: 1, maxCategories: 3 });
    expect((pre.steps[0] as CategoricalStep).categories).toEqual(["d", "a", "b"]);
    expect(pre.outputs.at(-1)).toBe("c=<other>");
  });

  it("encodes an unseen category as all zeros when training had no rare category", () => {
    const pre = fitPreprocessor(tableOf({ c: ["a", "b", "a", "b"] }), { minFrequency: 1 });
    expect(pre.outputs).toEqual(["c=a", "c=b"]);
    expect(rowsOf(transform(pre, [{ c: "new" }]))).toEqual([[0, 0]]);
  });

  it("imputes booleans with the most frequent value, not the median", () => {
    const pre = fitPreprocessor(tableOf({ flag: [1, 1, 1, 0, null] }, { flag: "boolean" }), { standardize: false });
    expect((pre.steps[0] as NumericStep).fill).toBe(1);
    expect(Array.from(transform(pre, [{ flag: null }, { flag: false }, { flag: "yes" }]).data)).toEqual([1, 0, 1]);
  });

  it("accepts numbers written as strings and datetimes as ISO text, and rejects nonsense with the feature's name", () => {
    const pre = fitPreprocessor(
      tableOf({ n: [1, 2, 3], when: [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)] }, { when: "datetime" }),
      { standardize: false },
    );
    // Unstandardised datetimes are shifted by the training median so float32 keeps their resolution.
    expect(Array.from(transform(pre, [{ n: "2.5", when: "2024-01-02T00:00:00Z" }, { n: 1, when: "2024-01-02T00:00:01Z" }]).data)).toEqual([
      2.5, 0, 1, 1000,
    ]);
    expect(() => transform(pre, [{ n: "abc", when: 0 }])).toThrow(/Feature 'n' expects a numeric value, got "abc"/);
    expect(() => transform(pre, tableOf({ n: [1] }))).toThrow(/no column 'when'/);
  });

  it("gives the same matrix for a table and for the same rows as objects", () => {
    const pre = fitPreprocessor(train, { minFrequency: 1 }, ["y"]);
    const objects = [
      { x: 1, color: "blue" },
      { x: null, color: "red" },
      { x: 3, color: "green" },
    ];
    const table = tableOf({ x: [1, null, 3], color: ["blue", "red", "green"] });
    expect(Array.from(transform(pre, objects).data)).toEqual(Array.from(transform(pre, table).data));
  });

  it("maps each input feature to its block of matrix columns", () => {
    const pre = fitPreprocessor(tableOf({ a: [1, 2, 3], c: ["x", "y", "z"], b: [3, 2, 1] }), { minFrequency: 1 });
    expect(featureBlocks(pre)).toEqual([
      { feature: "a", start: 0, end: 1 },
      { feature: "c", start: 1, end: 4 },
      { feature: "b", start: 4, end: 5 },
    ]);
  });

  it("supports ordinal codes with missing values kept (the encoding trees want)", () => {
    const t = tableOf({ c: ["a", "a", "b", "b", "b", "r"], x: [1, null, 3, 4, 5, 6] });
    const pre = fitPreprocessor(t, { categorical: "ordinal", impute: false, standardize: false, minFrequency: 2 });
    const m = transform(pre, [{ c: "b", x: null }, { c: "a", x: 2 }, { c: "r", x: 1 }, { c: null, x: 1 }]);
    expect(rowsOf(m)).toEqual([
      [0, NaN],
      [1, 2],
      [2, 1],
      [NaN, 1],
    ]);
  });

  it("round-trips through JSON, NaN fills included", () => {
    const t = tableOf({ c: ["a", "a", "b", "b", "c"], x: [1, null, 3, 4, 5] });
    for (const options of [{ minFrequency: 2 }, { impute: false, categorical: "ordinal" as const }]) {
      const pre = fitPreprocessor(t, options);
      const back = preprocessorFromJSON(JSON.parse(JSON.stringify(preprocessorToJSON(pre))));
      expect(Array.from(transform(back, t).data)).toEqual(Array.from(transform(pre, t).data));
    }
  });

  it("rejects unknown options and a table without usable features", () => {
    expect(() => fitPreprocessor(train, { maxCategory: 3 } as never)).toThrow();
    expect(() => fitPreprocessor(tableOf({ y: [1, 2], k: [5, 5] }), {}, ["y"])).toThrow(/No usable feature column/);
  });
});

describe("target encoding", () => {
  it("sorts classes like scikit-learn's LabelEncoder and encodes unseen classes as -1", () => {
    const col = tableOf({ t: ["versicolor", "setosa", "virginica", "setosa"] }).columns[0]!;
    const enc = fitTarget(col, "classification");
    expect(enc).toMatchObject({ classes: ["setosa", "versicolor", "virginica"] });
    const other = tableOf({ t: ["virginica", "unknown", null] }).columns[0]!;
    expect(Array.from(encodeTarget(enc, other))).toEqual([2, -1, NaN]);
  });

  it("sorts numeric classes numerically", () => {
    const col = tableOf({ t: [10, 2, 1, 2] }, { t: "integer" }).columns[0]!;
    expect(inferTask(col)).toBe("classification");
    expect(fitTarget(col, "classification")).toMatchObject({ classes: ["1", "2", "10"] });
  });

  it("standardises a regression target and infers regression for real numbers", () => {
    const col = tableOf({ t: [1, 2, 3, 4] }).columns[0]!;
    expect(inferTask(col)).toBe("regression");
    const enc = fitTarget(col, "regression");
    expect(enc).toMatchObject({ mean: 2.5 });
    const y = encodeTarget(enc, col);
    expect(y.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
  });

  it("refuses a constant or single-class target with a message", () => {
    expect(() => fitTarget(tableOf({ t: [5, 5, 5] }).columns[0]!, "regression")).toThrow(/constant/);
    expect(() => fitTarget(tableOf({ t: ["a", "a"] }).columns[0]!, "classification")).toThrow(/single class 'a'/);
  });
});

describe("splitIndices", () => {
  const strata = Int32Array.from({ length: 150 }, (_, i) => (i < 100 ? 0 : i < 140 ? 1 : 2));

  it("partitions every row exactly once, stratified per class", () => {
    const s = splitIndices(150, { test: 0.2, validation: 0.25, seed: 7, strata });
    const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 150 }, (_, i) => i));
    const count = (rows: Int32Array, c: number) => rows.filter((r) => strata[r] === c).length;
    expect([0, 1, 2].map((c) => count(s.test, c))).toEqual([20, 8, 2]);
    expect([0, 1, 2].map((c) => count(s.validation, c))).toEqual([20, 8, 2]);
  });

  it("is a function of the seed", () => {
    const a = splitIndices(150, { test: 0.2, validation: 0.2, seed: 1, strata });
    const b = splitIndices(150, { test: 0.2, validation: 0.2, seed: 1, strata });
    const c = splitIndices(150, { test: 0.2, validation: 0.2, seed: 2, strata });
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
  });

  it("keeps at least one training row of every class", () => {
    const tiny = Int32Array.from([0, 0, 0, 0, 1]);
    const s = splitIndices(5, { test: 0.5, validation: 0.5, seed: 3, strata: tiny });
    expect(s.train).toContain(4);
  });

  it("cross-validation folds: every non-test row validated exactly once, classes spread evenly", () => {
    const folds = [0, 1, 2, 3, 4].map((index) => splitIndices(150, { test: 0.2, validation: 0, seed: 9, strata, fold: { count: 5, index } }));
    const test = Array.from(folds[0]!.test);
    for (const f of folds) expect(Array.from(f.test)).toEqual(test); // the test rows do not depend on the fold
    const validated = folds.flatMap((f) => Array.from(f.validation)).sort((a, b) => a - b);
    expect(validated).toEqual(Array.from({ length: 150 }, (_, i) => i).filter((i) => !test.includes(i)));
    for (const f of folds) {
      expect(f.train.length + f.validation.length).toBe(120);
      expect(f.validation.length).toBe(24);
      // 80 / 32 / 8 non-test rows per class: 16 / 6–7 / 1–2 per fold.
      expect(f.validation.filter((r) => strata[r] === 0).length).toBe(16);
      expect(f.validation.filter((r) => strata[r] === 2).length).toBeGreaterThanOrEqual(1);
    }
    expect(() => splitIndices(150, { test: 0.2, validation: 0, seed: 9, fold: { count: 5, index: 5 } })).toThrow(/fold.index/);
    expect(() => splitIndices(150, { test: 0.2, validation: 0, seed: 9, fold: { count: 1, index: 0 } })).toThrow(/fold.count/);
  });
});
