import { describe, expect, it } from "vitest";
import { bucketBounds, bucketOf, BUCKETS, pickArm, type RunningTest } from "@/lib/abtest/assign";
import { sampleRatioMismatch } from "@/lib/abtest/stats";

const test: RunningTest = {
  testId: "t-1",
  arms: [
    { name: "control", versionId: "a", version: "1", upper: 0 },
    { name: "treatment", versionId: "b", version: "2", upper: 0 },
    { name: "other", versionId: "c", version: "3", upper: 0 },
  ],
  shadow: { versionId: "s", version: "4" },
};
bucketBounds([50, 30, 20]).forEach((u, i) => (test.arms[i]!.upper = u));

describe("arm assignment", () => {
  it("maps weights to bucket ranges covering all 10,000 buckets", () => {
    expect(bucketBounds([50, 30, 20])).toEqual([5000, 8000, 10000]);
    expect(bucketBounds([33, 33, 34])).toEqual([3300, 6600, 10000]);
  });

  it("is sticky and deterministic per (test, unit), and differs across tests", () => {
    expect(bucketOf("t-1", "user-42")).toBe(bucketOf("t-1", "user-42"));
    const first = pickArm(test, "user-42")!;
    for (let i = 0; i < 20; i++) expect(pickArm(test, "user-42")!.arm).toBe(first.arm);
    expect(first.shadow).toEqual({ versionId: "s", version: "4" });
    let moved = 0;
    for (let i = 0; i < 1000; i++) if (bucketOf("t-1", `u${i}`) !== bucketOf("t-2", `u${i}`)) moved++;
    expect(moved).toBeGreaterThan(990);
  });

  it("splits units by the weights, with no sample-ratio mismatch", () => {
    const counts = new Map<string, number>();
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < 100_000; i++) {
      const b = bucketOf("t-1", `unit-${i}`);
      lo = Math.min(lo, b);
      hi = Math.max(hi, b);
      const arm = pickArm(test, `unit-${i}`)!.arm;
      counts.set(arm, (counts.get(arm) ?? 0) + 1);
    }
    expect(lo).toBe(0);
    expect(hi).toBe(BUCKETS - 1);
    const observed = ["control", "treatment", "other"].map((a) => counts.get(a) ?? 0);
    expect(sampleRatioMismatch(observed, [50, 30, 20]).flagged).toBe(false);
    expect(Math.abs(observed[0]! / 100_000 - 0.5)).toBeLessThan(0.01);
  });

  it("assigns randomly by the weights when there is no unit id", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const arm = pickArm(test, undefined)!.arm;
      counts.set(arm, (counts.get(arm) ?? 0) + 1);
    }
    expect(Math.abs((counts.get("treatment") ?? 0) / 20_000 - 0.3)).toBeLessThan(0.02);
  });
});
