import { describe, expect, it } from "vitest";
import { RandomSampler, createStudy, fanovaImportances } from "@/lib/hpo";

describe("fANOVA importance", () => {
  it("ranks the parameter that drives the objective above useless ones, normalised to 1", async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 11 }) });
    await study.optimize(
      (t) => {
        const x = t.suggestFloat("x", -1, 1);
        const lr = t.suggestFloat("lr", 1e-4, 1, { log: true });
        t.suggestInt("noise", 0, 100);
        return 10 * x * x + 0.5 * Math.abs(Math.log10(lr) + 2);
      },
      { nTrials: 80 },
    );
    const imp = fanovaImportances(study.trials, { seed: 1, nTrees: 32 });
    expect(Object.keys(imp)).toEqual(["x", "lr", "noise"]);
    expect(imp.x!).toBeGreaterThan(0.6);
    expect(imp.noise!).toBeLessThan(0.1);
    expect(Object.values(imp).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("handles categorical parameters (one-hot) and can be limited to some parameters", async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 12 }) });
    await study.optimize(
      (t) => {
        const kind = t.suggestCategorical("kind", ["a", "b", "c"]);
        const y = t.suggestFloat("y", 0, 1);
        return (kind === "b" ? 5 : 0) + 0.1 * y;
      },
      { nTrials: 60 },
    );
    const imp = fanovaImportances(study.trials, { seed: 2, nTrees: 32 });
    expect(imp.kind!).toBeGreaterThan(imp.y!);
    expect(Object.keys(fanovaImportances(study.trials, { params: ["y"], nTrees: 8 }))).toEqual(["y"]);
    expect(() => fanovaImportances(study.trials, { params: ["nope"] })).toThrow(/'nope' is not shared/);
  });

  it("returns zeros when the objective does not vary, and needs two trials", async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 13 }) });
    await study.optimize((t) => t.suggestFloat("a", 0, 1) * 0 + 3, { nTrials: 10 });
    expect(fanovaImportances(study.trials, { nTrees: 4 })).toEqual({ a: 0 });
    expect(() => fanovaImportances(study.trials.slice(0, 1))).toThrow(/at least 2/);
  });
});
