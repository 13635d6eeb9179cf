import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { takeRows, trainModel, type ClassificationMetrics, type RegressionMetrics } from "@/lib/ml";
import { loadSharedDataset } from "@/tests/support/ml-table";

// scikit-learn's split (row indices) and its default models' test scores on it, from
// tests/fixtures/gen_ml_reference.py: the comparison is on exactly the same rows.
interface Reference {
  sklearn_version: string;
  datasets: Record<
    "iris" | "wine" | "diabetes",
    {
      task: "classification" | "regression";
      metric: "accuracy" | "r2";
      train_rows: number[];
      test_rows: number[];
      sklearn: Record<string, number>;
      /** LogisticRegression at the optimum of `linear`'s default objective (classification only). */
      penalised_logistic?: { l2: number; train_objective: number; test_log_loss: number; test_accuracy: number };
    }
  >;
}
const ref = JSON.parse(readFileSync(new URL("../fixtures/ml-reference.json", import.meta.url), "utf8")) as Reference;

// Our families' scikit-learn counterparts (raw and behind a StandardScaler): the bar for linear/mlp today.
const COUNTERPARTS: Record<string, RegExp> = {
  linear: /^(LogisticRegression|Ridge) /,
  mlp: /^MLP(Classifier|Regressor) /,
};
// One test row is 1/30 (iris) or 1/36 (wine) of accuracy: a per-family floor tighter than this flips on one row.
const FAMILY_SLACK = 0.05;
const BAR_SLACK = 0.01;

const SLOW = 300_000;
const report: Record<string, Record<string, string>> = {};

afterAll(() => {
  // Printed for the run log: where linear/mlp stand against scikit-learn's defaults on the same split.
  console.log(`lib/ml quality vs scikit-learn ${ref.sklearn_version} (same split; accuracy, R² for diabetes)`);
  console.table(report);
});

describe.each(Object.keys(ref.datasets) as (keyof Reference["datasets"])[])("%s", (name) => {
  const r = ref.datasets[name];
  const best = (pattern?: RegExp) => Math.max(...Object.entries(r.sklearn).filter(([k]) => !pattern || pattern.test(k)).map(([, v]) => v));

  it("linear and mlp reach their scikit-learn counterparts, and the better of them the best counterpart − 0.01", { timeout: SLOW }, async () => {
    const table = loadSharedDataset(name);
    const train = takeRows(table, r.train_rows);
    const test = takeRows(table, r.test_rows);
    const ours: Record<string, number> = {};
    for (const family of ["linear", "mlp"]) {
      const res = await trainModel(train, { target: "target", family, seed: 42, testTable: test, task: r.task, importance: false });
      const m = res.testMetrics as ClassificationMetrics & RegressionMetrics;
      ours[family] = m[r.metric];
      report[`${name} ${family}`] = {
        [r.metric]: ours[family]!.toFixed(4),
        "sklearn counterpart": best(COUNTERPARTS[family]).toFixed(4),
        "best sklearn default": best().toFixed(4),
        epochs: `${res.history.length} (best ${res.model.info.training.bestEpoch})`,
        backend: res.backend,
      };
    }
    for (const family of ["linear", "mlp"]) {
      expect(ours[family], `${family} vs ${best(COUNTERPARTS[family])}`).toBeGreaterThanOrEqual(best(COUNTERPARTS[family]) - FAMILY_SLACK);
    }
    const counterparts = new RegExp(`${COUNTERPARTS.linear!.source}|${COUNTERPARTS.mlp!.source}`);
    expect(Math.max(ours.linear!, ours.mlp!)).toBeGreaterThanOrEqual(best(counterparts) - BAR_SLACK);
  });

  it.runIf(r.penalised_logistic)("linear's default solve is scikit-learn's LogisticRegression at the same penalty", { timeout: SLOW }, async () => {
    const p = r.penalised_logistic!;
    const table = loadSharedDataset(name);
    // No validation split: the solve needs none, and LogisticRegression sees every training row.
    const res = await trainModel(takeRows(table, r.train_rows), {
      target: "target",
      family: "linear",
      params: { l2: p.l2 },
      split: { validation: 0 },
      seed: 42,
      testTable: takeRows(table, r.test_rows),
      task: "classification",
      importance: false,
    });
    // The same optimum: training loss (penalty included, from float32 weights) and test log loss agree to 1e-5.
    const w = res.model.state.tensors["dense_0.kernel"]!.data;
    const penalty = (p.l2 / 2) * w.reduce((s, v) => s + v * v, 0);
    expect(res.history[0]!.loss + penalty).toBeCloseTo(p.train_objective, 5);
    const m = res.testMetrics as ClassificationMetrics;
    expect(m.log_loss).toBeCloseTo(p.test_log_loss, 5);
    expect(m.accuracy).toBe(p.test_accuracy);
  });
});
