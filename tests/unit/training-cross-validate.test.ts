import { describe, expect, it } from "vitest";
import { createRng, trainModel, type EpochReport } from "@/lib/ml";
import { dropFoldsUnderSearch, parseSpec, trainJobSpecSchema } from "@/lib/training";
import { crossValidate, meanCurves } from "@/lib/training/cross-validate";
import { tableOf } from "@/tests/support/ml-table";

const report = (epoch: number, valLoss: number, accuracy: number): EpochReport => ({ epoch, maxEpochs: 10, loss: valLoss / 2, valLoss, metrics: { val_accuracy: accuracy } });

describe("meanCurves", () => {
  it("averages epoch by epoch, over the epochs every fold reached", () => {
    const mean = meanCurves([
      [report(1, 1.0, 0.5), report(2, 0.6, 0.7)],
      [report(1, 0.8, 0.6), report(2, 0.4, 0.8), report(3, 0.3, 0.9)],
    ]);
    // Epoch 3 is the second fold's only: averaging it with the first fold's last value would make it the lowest.
    expect(mean.map((r) => r.epoch)).toEqual([1, 2]);
    expect(mean[0]!.valLoss).toBeCloseTo(0.9, 12);
    expect(mean[1]!.valLoss).toBeCloseTo(0.5, 12);
    expect(mean[1]!.metrics.val_accuracy).toBeCloseTo(0.75, 12);
    expect(mean[1]!.loss).toBeCloseTo(0.25, 12);
  });
});

describe("crossValidate", () => {
  const rng = createRng(3);
  const x = Array.from({ length: 90 }, () => rng.next() * 4 - 2);
  const table = tableOf({ x, y: x.map((v) => (v + (rng.next() - 0.5) > 0 ? "up" : "down")) });
  const opts = { target: "y", family: "linear", params: { epochs: 40, patience: 5, learning_rate: 0.1 }, seed: 7, test: 0.2 } as const;

  it("trains one model per fold and scores the mean curve at its lowest validation loss", async () => {
    const seen = new Set<number>();
    const cv = await crossValidate(table, { ...opts, folds: 4, onEpoch: (fold) => void seen.add(fold) });
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect(cv.folds).toBe(4);
    // 72 non-test rows in 4 folds: 54 train, 18 validate.
    expect(cv.rows).toEqual({ train: 54, validation: 18 });
    const lowest = Math.min(...cv.history.map((h) => h.valLoss!));
    expect(cv.loss).toBe(lowest);
    expect(cv.history[cv.bestEpoch - 1]!.valLoss).toBe(lowest);
    expect(cv.metrics.accuracy).toBe(cv.history[cv.bestEpoch - 1]!.metrics.val_accuracy);
    expect(cv.hyperparameters).toMatchObject({ epochs: 40, patience: 5 });

    // trainModel with the same fold split: the same rows, the test rows held out first.
    const fold0 = await trainModel(table, { ...opts, split: { test: 0.2, fold: { count: 4, index: 0 } }, importance: false });
    expect(fold0.rows).toMatchObject({ train: 54, validation: 18, test: 18 });
    // Seeded: the same call gives the same curves.
    expect((await crossValidate(table, { ...opts, folds: 4 })).history).toEqual(cv.history);
  }, 60_000);
});

describe("folds and a search", () => {
  const spec = { dataset: { name: "iris" }, target: "target", hpo: { trials: 4 } };
  it("are refused together in a new spec, with what to change", () => {
    expect(() => parseSpec(trainJobSpecSchema, { ...spec, split: { folds: 5 } })).toThrow(/split\.folds: Cross-validation .* does not apply to a hyperparameter search.*Set folds to 0/);
    expect(parseSpec(trainJobSpecSchema, { ...spec, split: { folds: 0 } }).split.folds).toBe(0);
    expect(parseSpec(trainJobSpecSchema, { ...spec, hpo: undefined, split: { folds: 5 } }).split.folds).toBe(5);
  });

  it("a stored spec from before keeps working without its folds, which had no effect", () => {
    const stored = { ...spec, split: { test: 0.3, folds: 5 } };
    expect(parseSpec(trainJobSpecSchema, dropFoldsUnderSearch(stored, "hpo")).split).toEqual({ test: 0.3, validation: 0.2 });
    const noSearch = { ...stored, hpo: undefined };
    expect(dropFoldsUnderSearch(noSearch, "hpo")).toBe(noSearch);
  });
});
