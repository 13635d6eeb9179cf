import { describe, expect, it } from "vitest";
import { analyze, type AbTest } from "@/lib/abtest";
import type { ArmOutcomes } from "@/lib/abtest/outcomes";
import { compareMeans, compareProportions } from "@/lib/abtest/stats";

// Seeded uniform stream (mulberry32) and a normal from it (Box–Muller): runs are reproducible.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const LOOKS = 30;
const PER_LOOK = 300;

function testOf(kind: "conversion" | "mean"): AbTest {
  return {
    id: "sim",
    name: "sim",
    model: "m",
    model_id: "m",
    state: "running",
    metric: { kind },
    arms: [
      { name: "A", version: 1, version_id: "v1", weight: 50 },
      { name: "B", version: 2, version_id: "v2", weight: 50 },
    ],
    shadow: null,
    guardrails: [],
    min_samples: 100,
    sequential_tau: 0.1,
    winner_arm: null,
    created_at: "",
    started_at: null,
    stopped_at: null,
  };
}

/**
 * One simulated test: 30 hourly looks of PER_LOOK outcomes per arm. Returns whether a naive
 * fixed-sample test at p < 0.05 fired at any look, and whether the analysis (always-valid
 * sequential p over the same 30 looks) called the result significant.
 */
function simulate(kind: "conversion" | "mean", u: () => number, effect: number) {
  const draw = (arm: "A" | "B") => (kind === "conversion" ? (u() < 0.1 + (arm === "B" ? effect : 0) ? 1 : 0) : 5 + 2 * normal(u) + (arm === "B" ? effect : 0));
  const outcomes = new Map<string, ArmOutcomes>([
    ["A", { total: { n: 0, sum: 0, sumSq: 0 }, hours: [] }],
    ["B", { total: { n: 0, sum: 0, sumSq: 0 }, hours: [] }],
  ]);
  let naive = false;
  for (let look = 0; look < LOOKS; look++) {
    const time = new Date(Date.UTC(2026, 0, 1, look)).toISOString();
    for (const arm of ["A", "B"] as const) {
      const h = { hour: time, n: PER_LOOK, sum: 0, sumSq: 0 };
      for (let i = 0; i < PER_LOOK; i++) {
        const y = draw(arm);
        h.sum += y;
        h.sumSq += y * y;
      }
      const o = outcomes.get(arm)!;
      o.hours.push(h);
      o.total = { n: o.total.n + h.n, sum: o.total.sum + h.sum, sumSq: o.total.sumSq + h.sumSq };
    }
    const a = outcomes.get("A")!.total;
    const b = outcomes.get("B")!.total;
    const p = (kind === "conversion" ? compareProportions(b, a) : compareMeans(b, a)).pValue;
    if (p !== null && p < 0.05) naive = true;
  }
  const traffic = new Map([
    ["A", { predictions: LOOKS * PER_LOOK, units: LOOKS * PER_LOOK, meanLatencyMs: 1 }],
    ["B", { predictions: LOOKS * PER_LOOK, units: LOOKS * PER_LOOK, meanLatencyMs: 1 }],
  ]);
  const analysis = analyze(testOf(kind), outcomes, traffic);
  return { naive, sequential: analysis.comparisons[0]!.significant, analysis };
}

describe("sequential test under repeated looks", () => {
  for (const kind of ["conversion", "mean"] as const) {
    it(`${kind}: with no true difference and 30 looks, stays at or under 5% false positives while a naive test at every look exceeds it`, () => {
      const u = mulberry32(kind === "conversion" ? 20260101 : 7);
      const sims = kind === "conversion" ? 600 : 400;
      let naive = 0;
      let sequential = 0;
      for (let s = 0; s < sims; s++) {
        const r = simulate(kind, u, 0);
        if (r.naive) naive++;
        if (r.sequential) sequential++;
      }
      if (process.env.ABTEST_SIM_REPORT) console.log(kind, { sims, naive: naive / sims, sequential: sequential / sims });
      expect(sequential / sims).toBeLessThanOrEqual(0.05);
      expect(naive / sims).toBeGreaterThan(0.05);
      // The naive rate is far above nominal, as the theory of repeated testing says (about 20–30% for 30 looks).
      expect(naive / sims).toBeGreaterThan(0.12);
    });

    it(`${kind}: still detects a real lift`, () => {
      const u = mulberry32(99);
      let detected = 0;
      for (let s = 0; s < 50; s++) if (simulate(kind, u, kind === "conversion" ? 0.02 : 0.25).sequential) detected++;
      expect(detected / 50).toBeGreaterThanOrEqual(0.8);
    });
  }

  it("reports the always-valid interval around the lift, wider than the fixed-sample one", () => {
    const { analysis } = simulate("mean", mulberry32(3), 0.5);
    const c = analysis.comparisons[0]!;
    expect(c.always_valid_ci_low!).toBeLessThan(c.lift_ci_low!);
    expect(c.always_valid_ci_high!).toBeGreaterThan(c.lift_ci_high!);
    expect(c.lift!).toBeGreaterThan(c.lift_ci_low!);
    expect(analysis.timeline).toHaveLength(LOOKS);
    expect(analysis.verdict).toMatch(/Arm 'B' \(v2\) beats baseline 'A'/);
    expect(analysis.winner).toBe("B");
  });
});
