// Property-based tests (fast-check) of A/B assignment and the A/B statistics: what the fixtures of
// abtest-assign/abtest-stats check at chosen points, here over random inputs. Part of the reliability
// suite (docs/operations.md); pure functions, so they run once in the unit project.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketBounds, bucketOf, BUCKETS, pickArm, type RunningTest } from "@/lib/abtest/assign";
import { msprtInterval, msprtPValue } from "@/lib/abtest/sequential";
import { compareMeans, compareProportions, holm, meanEstimate, rateEstimate, sampleRatioMismatch, type ArmSums } from "@/lib/abtest/stats";

// ---------------------------------------------------------------- assignment

/** Integer percent weights of 2-4 arms summing to 100 (what createAbTest accepts), each at least 1. */
const weightsArb = fc
  .integer({ min: 2, max: 4 })
  .chain((k) => fc.array(fc.integer({ min: 1, max: 97 }), { minLength: k - 1, maxLength: k - 1 }))
  .map((cuts) => {
    const points = [...new Set(cuts.map((c) => Math.min(99, c)))].sort((a, b) => a - b);
    const bounds = [0, ...points, 100];
    return bounds.slice(1).map((b, i) => b - bounds[i]!);
  });

function runningTest(testId: string, weights: number[]): RunningTest {
  const bounds = bucketBounds(weights);
  return { testId, arms: weights.map((_, i) => ({ name: `arm${i}`, versionId: `v${i}`, version: String(i + 1), upper: bounds[i]! })), shadow: null };
}

const testIdArb = fc.stringMatching(/^[0-9a-f]{8,32}$/);

/** The share each arm gets over `units` unit ids (distinct, of several shapes). */
function shares(test: RunningTest, units: number, salt: string): number[] {
  const counts = test.arms.map(() => 0);
  for (let u = 0; u < units; u++) {
    const id = u % 3 === 0 ? `user-${salt}-${u}` : u % 3 === 1 ? `${u * 7919}@${salt}.example` : `${salt}${u}`;
    counts[Number(pickArm(test, id)!.arm.slice(3))]!++;
  }
  return counts.map((c) => c / units);
}

describe("A/B assignment properties", () => {
  it("bucket bounds rise with the weights and cover every bucket", () => {
    fc.assert(
      fc.property(weightsArb, (w) => {
        const b = bucketBounds(w);
        expect(b.at(-1)).toBe(BUCKETS);
        for (let i = 0; i < b.length; i++) expect(b[i]! - (b[i - 1] ?? 0)).toBe((w[i]! * BUCKETS) / 100);
      }),
    );
  });

  it("respects the weights within sampling tolerance over many unit ids", () => {
    const UNITS = 20_000;
    fc.assert(
      fc.property(testIdArb, weightsArb, fc.string({ minLength: 1, maxLength: 6 }), (testId, w, salt) => {
        const got = shares(runningTest(testId, w), UNITS, salt);
        for (let i = 0; i < w.length; i++) {
          const p = w[i]! / 100;
          // Five standard errors: a hash that favoured an arm by a point or more fails.
          expect(Math.abs(got[i]! - p), `arm ${i} of ${JSON.stringify(w)}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / UNITS));
        }
      }),
      { numRuns: 25 },
    );
  });

  it("is sticky: the same (test, unit) always gets the same arm, whatever else was assigned", () => {
    fc.assert(
      fc.property(testIdArb, weightsArb, fc.array(fc.string({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 50 }), (testId, w, units) => {
        const a = runningTest(testId, w);
        const first = units.map((u) => pickArm(a, u)!.arm);
        // A fresh cache entry (another process, a restart) and the reverse order give the same arms.
        const b = runningTest(testId, w);
        expect([...units].reverse().map((u) => pickArm(b, u)!.arm)).toEqual([...first].reverse());
        expect(units.map((u) => bucketOf(testId, u))).toEqual(units.map((u) => bucketOf(testId, u)));
      }),
    );
  });

  it("assigns independently in different tests: a unit's arm in one says nothing about the other", () => {
    const UNITS = 20_000;
    fc.assert(
      fc.property(testIdArb, testIdArb, (t1, t2) => {
        fc.pre(t1 !== t2);
        const a = runningTest(t1, [50, 50]);
        const b = runningTest(t2, [30, 70]);
        const cells = [0, 0, 0, 0];
        for (let u = 0; u < UNITS; u++) {
          const id = `unit-${u}`;
          cells[Number(pickArm(a, id)!.arm.slice(3)) * 2 + Number(pickArm(b, id)!.arm.slice(3))]!++;
        }
        const expected = [0.5 * 0.3, 0.5 * 0.7, 0.5 * 0.3, 0.5 * 0.7];
        for (let i = 0; i < 4; i++) {
          const p = expected[i]!;
          expect(Math.abs(cells[i]! / UNITS - p), `cell ${i} of ${t1} × ${t2}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / UNITS));
        }
      }),
      { numRuns: 15 },
    );
  });
});

// ---------------------------------------------------------------- statistics

const count = fc.integer({ min: 2, max: 1_000_000 });
/** n trials with x successes (as ArmSums of a 0/1 outcome). */
const binomialArb = count.chain((n) => fc.integer({ min: 0, max: n }).map((x): ArmSums => ({ n, sum: x, sumSq: x })));
/** n outcomes with a mean and a standard deviation (as ArmSums). */
const continuousArb = fc
  .record({ n: fc.integer({ min: 2, max: 100_000 }), mean: fc.double({ min: -1e3, max: 1e3, noNaN: true }), sd: fc.double({ min: 0.01, max: 1e3, noNaN: true }) })
  .map(({ n, mean, sd }): ArmSums => ({ n, sum: n * mean, sumSq: (n - 1) * sd * sd + n * mean * mean }));

const close = (a: number | null, b: number | null, tol = 1e-9) => {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
};

function expectValid(c: ReturnType<typeof compareProportions>) {
  if (c.pValue !== null) {
    expect(c.pValue).toBeGreaterThanOrEqual(0);
    expect(c.pValue).toBeLessThanOrEqual(1);
  }
  if (c.lift !== null && c.liftLow !== null && c.liftHigh !== null) {
    expect(c.liftLow).toBeLessThanOrEqual(c.lift + 1e-12);
    expect(c.lift).toBeLessThanOrEqual(c.liftHigh + 1e-12);
  }
  if (c.relLift !== null && c.relLiftLow !== null && c.relLiftHigh !== null) {
    expect(c.relLiftLow).toBeLessThanOrEqual(c.relLift * (1 + 1e-12) + 1e-12);
    expect(c.relLift).toBeLessThanOrEqual(c.relLiftHigh * (1 + 1e-12) + 1e-12);
  }
}

describe("A/B statistics properties", () => {
  it("rates: p-value in [0, 1], intervals contain the estimate, swapping arms mirrors the lift", () => {
    fc.assert(
      fc.property(binomialArb, binomialArb, (arm, base) => {
        const ab = compareProportions(arm, base);
        const ba = compareProportions(base, arm);
        expectValid(ab);
        expect(close(ab.pValue, ba.pValue)).toBe(true);
        expect(close(ab.lift, -ba.lift!)).toBe(true);
        expect(close(ab.liftLow, -ba.liftHigh!)).toBe(true);
        expect(close(ab.liftHigh, -ba.liftLow!)).toBe(true);
        for (const s of [arm, base]) {
          const r = rateEstimate(s.sum, s.n);
          expect(r.low!).toBeGreaterThanOrEqual(-1e-12);
          expect(r.high!).toBeLessThanOrEqual(1 + 1e-12);
          expect(r.low!).toBeLessThanOrEqual(r.mean! + 1e-12);
          expect(r.mean!).toBeLessThanOrEqual(r.high! + 1e-12);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("means: p-value in [0, 1], intervals contain the estimate, swapping arms mirrors the lift", () => {
    fc.assert(
      fc.property(continuousArb, continuousArb, (arm, base) => {
        const ab = compareMeans(arm, base);
        const ba = compareMeans(base, arm);
        expectValid(ab);
        expect(close(ab.pValue, ba.pValue, 1e-6)).toBe(true);
        expect(close(ab.lift, -ba.lift!, 1e-6)).toBe(true);
        expect(close(ab.liftHigh! - ab.lift!, ba.liftHigh! - ba.lift!, 1e-6)).toBe(true);
        for (const s of [arm, base]) {
          const m = meanEstimate(s);
          expect(m.low!).toBeLessThanOrEqual(m.mean! + 1e-9 * Math.max(1, Math.abs(m.mean!)));
          expect(m.mean!).toBeLessThanOrEqual(m.high! + 1e-9 * Math.max(1, Math.abs(m.mean!)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("more data with the same rates or means never weakens the evidence, and narrows the interval", () => {
    const scale = (s: ArmSums, k: number): ArmSums => ({ n: s.n * k, sum: s.sum * k, sumSq: s.sumSq * k });
    fc.assert(
      fc.property(binomialArb, binomialArb, fc.integer({ min: 2, max: 50 }), (arm, base, k) => {
        fc.pre(arm.n * k <= 1e8 && base.n * k <= 1e8);
        const small = compareProportions(arm, base);
        const big = compareProportions(scale(arm, k), scale(base, k));
        expect(big.pValue!).toBeLessThanOrEqual(small.pValue! + 1e-12);
        expect(big.liftHigh! - big.liftLow!).toBeLessThanOrEqual(small.liftHigh! - small.liftLow! + 1e-12);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(continuousArb, continuousArb, fc.integer({ min: 2, max: 50 }), (arm, base, k) => {
        // Same mean and (population) spread with k times the units: the sample variance shrinks a little, never grows.
        const small = compareMeans(arm, base);
        const big = compareMeans(scale(arm, k), scale(base, k));
        expect(big.pValue!).toBeLessThanOrEqual(small.pValue! + 1e-9);
        expect(big.liftHigh! - big.liftLow!).toBeLessThanOrEqual((small.liftHigh! - small.liftLow!) * (1 + 1e-9));
      }),
      { numRuns: 200 },
    );
  });

  it("a larger lift with the same counts never has a larger p-value (rates)", () => {
    fc.assert(
      fc.property(count, count, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (n1, n0, p0, a, b) => {
        // Both arms share n's and the baseline; the arm's rate moves further from it.
        const x0 = Math.round(p0 * n0);
        const [near, far] = [Math.min(a, b), Math.max(a, b)];
        const up = (t: number) => Math.round((x0 / n0 + t * (1 - x0 / n0)) * n1);
        const base = { n: n0, sum: x0, sumSq: x0 };
        const pNear = compareProportions({ n: n1, sum: up(near), sumSq: up(near) }, base).pValue!;
        const pFar = compareProportions({ n: n1, sum: up(far), sumSq: up(far) }, base).pValue!;
        fc.pre(up(near) / n1 >= x0 / n0);
        expect(pFar).toBeLessThanOrEqual(pNear + 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it("a stricter alpha widens every interval around the same estimate", () => {
    fc.assert(
      fc.property(binomialArb, binomialArb, (arm, base) => {
        const c95 = compareProportions(arm, base, 0.05);
        const c99 = compareProportions(arm, base, 0.01);
        expect(c99.lift).toBe(c95.lift);
        expect(c99.pValue).toBe(c95.pValue);
        expect(c99.liftLow!).toBeLessThanOrEqual(c95.liftLow! + 1e-15);
        expect(c99.liftHigh!).toBeGreaterThanOrEqual(c95.liftHigh! - 1e-15);
      }),
    );
  });

  it("Holm, sample-ratio mismatch and the sequential test stay in range", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { maxLength: 8 }), (ps) => {
        const adj = holm(ps);
        ps.forEach((p, i) => {
          if (p === null) return expect(adj[i]).toBeNull();
          expect(adj[i]!).toBeGreaterThanOrEqual(p);
          expect(adj[i]!).toBeLessThanOrEqual(1);
          // Order-preserving: a smaller raw p-value never gets a larger adjusted one.
          ps.forEach((q, k) => {
            if (q !== null && p < q) expect(adj[i]!).toBeLessThanOrEqual(adj[k]!);
          });
        });
      }),
    );
    fc.assert(
      fc.property(weightsArb, fc.integer({ min: 1, max: 1000 }), (w, k) => {
        // Counts exactly in the configured ratio: no mismatch at all.
        const exact = sampleRatioMismatch(w.map((x) => x * k), w);
        expect(exact.pValue).toBeCloseTo(1, 9);
        expect(exact.flagged).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.nat(100_000), { minLength: 2, maxLength: 4 }), weightsArb, (counts, w) => {
        fc.pre(counts.length === w.length);
        const r = sampleRatioMismatch(counts, w);
        if (r.pValue !== null) {
          expect(r.pValue).toBeGreaterThanOrEqual(0);
          expect(r.pValue).toBeLessThanOrEqual(1);
        }
      }),
    );
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 1e-6, max: 10, noNaN: true }), fc.double({ min: 1e-3, max: 10, noNaN: true }), (lift, se, sd) => {
        const p = msprtPValue({ lift, se, sd });
        expect(p).not.toBeNull();
        expect(p!).toBeGreaterThanOrEqual(0);
        expect(p!).toBeLessThanOrEqual(1);
        const ci = msprtInterval({ lift, se, sd });
        expect(ci.low!).toBeLessThanOrEqual(lift);
        expect(ci.high!).toBeGreaterThanOrEqual(lift);
      }),
    );
  });
});
