// Quality on the shared public data sets, with LightGBM's default model as the reference: the
// splits (stratified 80/20, seed 42) and LightGBM's scores come from bench/gbdt_reference.py and
// are committed in tests/fixtures/gbdt-reference.json.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { trainGbdt } from "@/lib/ml/gbdt";
import { loadSharedCsv, takeRows } from "../support/csv-dataset";
import { accuracy, r2 } from "../support/gbdt-data";

interface Reference {
  metric: "accuracy" | "r2";
  lightgbm: number;
  train: number[];
  test: number[];
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/gbdt-reference.json", import.meta.url), "utf8")) as {
  shared: Record<string, Reference>;
};

describe.each(["iris", "wine", "diabetes"])("%s with default parameters", (name) => {
  const ref = fixture.shared[name]!;
  const data = loadSharedCsv(name);
  const train = takeRows(data, ref.train);
  const test = takeRows(data, ref.test);

  it(`scores within 0.01 of LightGBM's ${ref.metric} on the test split`, () => {
    const objective = ref.metric === "r2" ? "regression" : "multiclass";
    const model = trainGbdt(train.X, train.nRows, data.nFeatures, train.y, { objective });
    const pred = model.predictBatch(test.X, test.nRows);
    const score = ref.metric === "r2" ? r2(pred, test.y) : accuracy(pred, test.y);
    expect(score).toBeGreaterThanOrEqual(ref.lightgbm - 0.01);
    // A floor of its own too, so a weak reference cannot carry a broken model.
    expect(score).toBeGreaterThan(ref.metric === "r2" ? 0.3 : 0.85);
  });
});
