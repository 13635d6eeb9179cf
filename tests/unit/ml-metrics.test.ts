import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { accuracy, binaryAuc, classificationMetrics, confusionMatrix, f1Macro, logLoss, regressionMetrics } from "@/lib/ml";

// Inputs and scikit-learn's values, written by tests/fixtures/gen_ml_reference.py.
interface Fixtures {
  sklearn_version: string;
  classification: {
    name: string;
    n_classes: number;
    y_true: number[];
    proba: number[];
    expected: Record<"accuracy" | "balanced_accuracy" | "f1_macro" | "roc_auc" | "log_loss", number> & { confusion_matrix: number[][] };
  }[];
  regression: { name: string; y_true: number[]; y_pred: number[]; expected: Record<"rmse" | "mae" | "r2", number> }[];
}
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/ml-metrics.json", import.meta.url), "utf8")) as Fixtures;

const TOL = 1e-9;

describe(`classification metrics = scikit-learn ${fixtures.sklearn_version}`, () => {
  it.each(fixtures.classification.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const got = classificationMetrics(c.y_true, c.proba, c.n_classes);
    for (const key of ["accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss"] as const) {
      expect(Math.abs(got[key] - c.expected[key]), `${key}: ${got[key]} vs ${c.expected[key]}`).toBeLessThan(TOL);
    }
    expect(got.confusion_matrix).toEqual(c.expected.confusion_matrix);
  });
});

describe(`regression metrics = scikit-learn ${fixtures.sklearn_version}`, () => {
  it.each(fixtures.regression.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const got = regressionMetrics(c.y_true, c.y_pred);
    for (const key of ["rmse", "mae", "r2"] as const) {
      expect(Math.abs(got[key] - c.expected[key]), `${key}: ${got[key]} vs ${c.expected[key]}`).toBeLessThan(TOL);
    }
  });
});

describe("metric edge cases", () => {
  it("counts a class the model never saw (-1) as an error but leaves it out of the confusion matrix and log loss", () => {
    const yTrue = [0, 1, -1];
    const proba = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4];
    const m = classificationMetrics(yTrue, proba, 2);
    expect(m.accuracy).toBeCloseTo(2 / 3, 12);
    expect(m.confusion_matrix).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(m.log_loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
  });

  it("gives NaN ROC AUC when only one class is present", () => {
    expect(binaryAuc([true, true], [0.2, 0.9])).toBeNaN();
  });

  it("counts ties in the ROC curve as half", () => {
    expect(binaryAuc([false, true], [0.5, 0.5])).toBe(0.5);
    expect(binaryAuc([false, true, false, true], [0.1, 0.4, 0.35, 0.8])).toBe(1);
  });

  it("has accuracy, F1 and confusion matrix agree on a hand-checked case", () => {
    const t = [0, 0, 1, 1, 2, 2];
    const p = [0, 1, 1, 1, 2, 0];
    expect(accuracy(t, p)).toBe(4 / 6);
    // F1 per class: 0 → 2·1/(2+1+1) = 0.5, 1 → 2·2/(4+1+0) = 0.8, 2 → 2·1/(2+0+1) = 2/3
    expect(f1Macro(t, p)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    expect(confusionMatrix(t, p, 3)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
  });

  it("clips probabilities of 0 in the log loss instead of returning Infinity", () => {
    expect(logLoss([1], [1, 0], 2)).toBeCloseTo(-Math.log(Number.EPSILON), 9);
  });
});
