// The predict response body is written out by hand (lib/serving/http.ts, predictionBody): it must be
// exactly the text JSON.stringify makes of the response object, for every shape of outcome.
import { describe, expect, it } from "vitest";
import type { PredictOutcome } from "@/lib/serving";
import { predictionBody } from "@/lib/serving/http";

/** The response as objects, the way JSON.stringify would be given it. */
function reference(o: PredictOutcome): string {
  const out: Record<string, unknown> = { predictions: o.scored.predictions };
  const p = o.scored.probabilities;
  if (p) {
    const k = o.scored.nClasses;
    out.probabilities = o.ids.map((_, r) => Array.from(p.subarray(r * k, (r + 1) * k)));
  }
  out.prediction_ids = o.ids;
  out.model = { name: o.served.modelName, version: o.served.version };
  if (o.arm !== null) out.arm = o.arm;
  return JSON.stringify(out);
}

function outcome(opts: { rows: number; classes: number | null; arm: string | null; name?: string; values?: number[] }): PredictOutcome {
  const { rows, classes } = opts;
  const ids = Array.from({ length: rows }, (_, i) => `0190a1b2-c3d4-7e5f-8a9b-${String(i).padStart(12, "0")}`);
  let probabilities: Float64Array | null = null;
  let predictions: (string | number)[];
  if (classes !== null) {
    probabilities = new Float64Array(rows * classes);
    for (let i = 0; i < probabilities.length; i++) probabilities[i] = opts.values ? opts.values[i % opts.values.length]! : Math.sin(i + 1) ** 2 / 3;
    predictions = Array.from({ length: rows }, (_, i) => `class "${i % classes}" é`);
  } else {
    predictions = Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? -0 : i * 1.25e-7 - 3));
  }
  return {
    served: { modelName: opts.name ?? "wine", version: "12" },
    scored: { predictions, probabilities, nClasses: classes ?? 0 },
    ids,
    arm: opts.arm,
    shadow: null,
  } as unknown as PredictOutcome;
}

describe("predictionBody", () => {
  it("is JSON.stringify of the response object for classification and regression, with and without an arm", () => {
    for (const rows of [1, 2, 7]) {
      for (const classes of [2, 3, 10, null]) {
        for (const arm of [null, "control", 'odd "arm"\n']) {
          const o = outcome({ rows, classes, arm });
          expect(predictionBody(o)).toBe(reference(o));
        }
      }
    }
  });

  it("writes the numbers JSON.stringify writes: tiny, huge, negative zero, and null for NaN and Infinity", () => {
    const values = [0, -0, 1, 5e-324, 1e-7, 0.1 + 0.2, NaN, Infinity, -Infinity, 1e21, 123456789012345680000, 0.9999242601762522];
    const o = outcome({ rows: 4, classes: 3, arm: "treatment", values });
    const body = predictionBody(o);
    expect(body).toBe(reference(o));
    expect(JSON.parse(body).probabilities[2]).toEqual([null, null, null]);
  });

  it("escapes the model name like JSON.stringify", () => {
    const o = outcome({ rows: 1, classes: 2, arm: null, name: 'm\\"\u2028\u0001' });
    expect(predictionBody(o)).toBe(reference(o));
  });
});
