// readLogBatch with MLflow 3's metric fields (model_id, dataset_name, dataset_digest): the hand check
// and the Zod schema read them alike, and neither accepts what the other refuses.
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { readLogBatch } from "@/lib/tracking/batch-input";

const NOW = 1_700_000_000_000;
const MODEL = `m-${"a".repeat(32)}`;

/** The same batch through the schema: a step given as a string sends the hand check to Zod. */
function viaZod(metrics: Record<string, unknown>[]) {
  return readLogBatch({ metrics: metrics.map((m) => ({ ...m, step: String(m.step ?? 0) })) }, NOW);
}

describe("readLogBatch: metrics of logged models", () => {
  it("leaves ordinary batches without model points", () => {
    const b = readLogBatch({ metrics: [{ key: "loss", value: 0.5, step: 1, timestamp: 5 }] }, NOW);
    expect(b).toEqual({ points: [{ key: "loss", value: 0.5, step: 1, timestamp: 5 }], params: [], tags: [] });
    expect("modelPoints" in b).toBe(false);
    expect("modelPoints" in viaZod([{ key: "loss", value: 0.5, step: 1 }])).toBe(false);
  });

  it("collects the points that carry a model_id, on both paths, with the dataset when given", () => {
    const metrics = [
      { key: "acc", value: 0.9, step: 2, timestamp: 7, model_id: MODEL, dataset_name: "eval", dataset_digest: "abcd1234" },
      { key: "loss", value: 0.1, step: 2, timestamp: 7 },
      { key: "f1", value: "NaN", step: 2, timestamp: 7, model_id: MODEL, dataset_name: "", dataset_digest: "" },
      // A dataset without a model belongs to no model's metrics (as in MLflow); "" is an unset model_id.
      { key: "auc", value: 0.8, step: 2, timestamp: 7, model_id: "", dataset_name: "eval" },
    ];
    const expected = [
      { key: "acc", value: 0.9, step: 2, timestamp: 7, modelId: MODEL, datasetName: "eval", datasetDigest: "abcd1234" },
      { key: "f1", value: NaN, step: 2, timestamp: 7, modelId: MODEL, datasetName: null, datasetDigest: null },
    ];
    const fast = readLogBatch({ metrics }, NOW);
    expect(fast.points).toHaveLength(4);
    expect(fast.modelPoints).toEqual(expected);
    const zod = viaZod(metrics);
    expect(zod.modelPoints).toEqual(expected);
    expect(zod.points).toEqual(fast.points);
  });

  it("refuses what the schema refuses, whichever path reads it", () => {
    const bad: Record<string, unknown>[] = [
      { key: "acc", value: 1, model_id: 7 },
      { key: "acc", value: 1, model_id: MODEL, dataset_name: 3 },
      { key: "acc", value: 1, dataset_digest: ["x"] },
      { key: "acc", value: 1, model_id: "m".repeat(101) },
      { key: "acc", value: 1, model_id: MODEL, dataset_digest: "d".repeat(65) },
      { key: "acc", value: 1, dataset_name: "n".repeat(501) },
    ];
    for (const m of bad) {
      expect(() => readLogBatch({ metrics: [m] }, NOW), JSON.stringify(m)).toThrow(AppError);
      expect(() => viaZod([m]), JSON.stringify(m)).toThrow(AppError);
    }
  });
});
