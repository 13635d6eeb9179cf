import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { contains, createStudy, floatDistribution, intDistribution, categoricalDistribution, RandomSampler } from "@/lib/hpo";

function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("invalid");
    return (err as AppError).message;
  }
  throw new Error("expected an error");
}

describe("distribution validation", () => {
  it("rejects low > high", () => {
    expect(invalidMessage(() => floatDistribution(2, 1, {}, "lr"))).toMatch(/low must not be greater than high for 'lr'.*low=2 > high=1/);
    expect(invalidMessage(() => intDistribution(5, 4))).toMatch(/low must not be greater than high/);
  });

  it("rejects a log range with low <= 0", () => {
    expect(invalidMessage(() => floatDistribution(0, 1, { log: true }, "lr"))).toMatch(/log-scale range needs low > 0 for 'lr'/);
    expect(invalidMessage(() => intDistribution(0, 10, { log: true }))).toMatch(/needs low >= 1/);
  });

  it("rejects a step that does not divide the range, and accepts one that does despite rounding", () => {
    expect(invalidMessage(() => floatDistribution(0, 1, { step: 0.3 }, "p"))).toMatch(/step 0.3 does not divide the range \[0, 1\] for 'p'/);
    expect(invalidMessage(() => intDistribution(0, 10, { step: 3 }))).toMatch(/step 3 does not divide/);
    expect(floatDistribution(0, 0.3, { step: 0.1 }).step).toBe(0.1);
  });

  it("rejects log with step, non-integers for ints, bad steps and bad choices", () => {
    expect(invalidMessage(() => floatDistribution(1, 2, { log: true, step: 0.5 }))).toMatch(/log and step cannot be used together/);
    expect(invalidMessage(() => intDistribution(1, 8, { log: true, step: 2 }))).toMatch(/log and step other than 1/);
    expect(invalidMessage(() => intDistribution(0.5, 3))).toMatch(/must be integers/);
    expect(invalidMessage(() => floatDistribution(0, 1, { step: -1 }))).toMatch(/step must be a positive number/);
    expect(invalidMessage(() => floatDistribution(0, Infinity))).toMatch(/finite/);
    expect(invalidMessage(() => categoricalDistribution([]))).toMatch(/non-empty/);
    expect(invalidMessage(() => categoricalDistribution(["a", "a"]))).toMatch(/must not repeat/);
  });

  it("knows which values a distribution contains", () => {
    const d = floatDistribution(0, 1, { step: 0.25 });
    expect([0, 0.25, 1].map((v) => contains(d, v))).toEqual([true, true, true]);
    expect([0.3, 1.25, -0.25, "a"].map((v) => contains(d, v))).toEqual([false, false, false, false]);
    expect(contains(intDistribution(1, 9, { step: 2 }), 4)).toBe(false);
    expect(contains(categoricalDistribution(["a", 1, null]), null)).toBe(true);
  });
});

describe("trial suggestions", () => {
  it("fails a trial that re-suggests a name with a different distribution, with a clear reason", async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    await study.optimize(
      (t) => {
        t.suggestFloat("x", 0, 1);
        return t.suggestFloat("x", 0, 2);
      },
      { nTrials: 1 },
    );
    const [t] = study.trials;
    expect(t!.state).toBe("FAIL");
    expect(String(t!.systemAttrs.fail_reason)).toMatch(/'x' was already suggested as float \[0, 1\]; it cannot be suggested again as float \[0, 2\]/);
  });

  it("returns the same value when a name is suggested again with the same distribution", async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    await study.optimize(
      (t) => {
        const a = t.suggestInt("n", 1, 100, { log: true });
        expect(t.suggestInt("n", 1, 100, { log: true })).toBe(a);
        return a;
      },
      { nTrials: 3 },
    );
    expect(study.trials.every((t) => t.state === "COMPLETE")).toBe(true);
  });
});
