import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chi2Sf, normIsf, studentIsf, studentSf, studentTwoSided } from "@/lib/stats";
import { compareMeans, compareProportions, holm, meanEstimate, rateEstimate, sampleRatioMismatch } from "@/lib/abtest/stats";

interface Ref {
  proportions: { x1: number; n1: number; x0: number; n0: number; p_value: number; diff_ci: [number, number]; rel_lift_ci: [number, number]; wilson1: [number, number]; wilson0: [number, number] }[];
  means: {
    arm: { n: number; sum: number; sumSq: number };
    base: { n: number; sum: number; sumSq: number };
    p_value: number;
    diff_ci: [number, number];
    mean_ci_arm: [number, number];
    mean_ci_base: [number, number];
  }[];
  special: {
    t_sf: { t: number; df: number; sf: number; two_sided: number }[];
    t_isf: { q: number; df: number; t: number }[];
    norm_isf: { q: number; z: number }[];
    chi2_sf: { x: number; df: number; sf: number }[];
  };
  srm: { counts: number[]; weights: number[]; chi_square: number; p_value: number }[];
  holm: { p: number[]; adjusted: number[] }[];
}

const ref = JSON.parse(readFileSync(new URL("../fixtures/abtest-reference.json", import.meta.url), "utf8")) as Ref;
const TOL = 1e-6;

function close(actual: number | null, expected: number, tol = TOL) {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tol);
}

describe("special functions against SciPy", () => {
  it("Student-t tails and quantiles, normal quantiles, chi-square tails", () => {
    for (const c of ref.special.t_sf) {
      close(studentSf(c.t, c.df), c.sf, 1e-10);
      close(studentTwoSided(c.t, c.df), c.two_sided, 1e-10);
    }
    for (const c of ref.special.t_isf) close(studentIsf(c.q, c.df), c.t, 1e-8 * Math.max(1, Math.abs(c.t)));
    for (const c of ref.special.norm_isf) close(normIsf(c.q), c.z, 1e-10);
    for (const c of ref.special.chi2_sf) close(chi2Sf(c.x, c.df), c.sf, 1e-10);
  });
});

describe("two proportions against statsmodels", () => {
  it("z-test p-value, Wald interval of the difference, log interval of the ratio, Wilson intervals", () => {
    for (const c of ref.proportions) {
      const r = compareProportions({ n: c.n1, sum: c.x1, sumSq: c.x1 }, { n: c.n0, sum: c.x0, sumSq: c.x0 });
      close(r.pValue, c.p_value);
      close(r.lift, c.x1 / c.n1 - c.x0 / c.n0, 1e-12);
      close(r.liftLow, c.diff_ci[0]);
      close(r.liftHigh, c.diff_ci[1]);
      close(r.relLiftLow, c.rel_lift_ci[0]);
      close(r.relLiftHigh, c.rel_lift_ci[1]);
      const w1 = rateEstimate(c.x1, c.n1);
      const w0 = rateEstimate(c.x0, c.n0);
      close(w1.low, c.wilson1[0]);
      close(w1.high, c.wilson1[1]);
      close(w0.low, c.wilson0[0]);
      close(w0.high, c.wilson0[1]);
    }
  });

  it("has no evidence of a difference when both rates are 0", () => {
    expect(compareProportions({ n: 50, sum: 0, sumSq: 0 }, { n: 60, sum: 0, sumSq: 0 }).pValue).toBe(1);
  });
});

describe("two means against SciPy", () => {
  it("Welch's t-test p-value and interval, Student-t interval of each mean", () => {
    for (const c of ref.means) {
      const r = compareMeans(c.arm, c.base);
      close(r.pValue, c.p_value);
      close(r.liftLow, c.diff_ci[0]);
      close(r.liftHigh, c.diff_ci[1]);
      const a = meanEstimate(c.arm);
      const b = meanEstimate(c.base);
      close(a.low, c.mean_ci_arm[0]);
      close(a.high, c.mean_ci_arm[1]);
      close(b.low, c.mean_ci_base[0]);
      close(b.high, c.mean_ci_base[1]);
    }
  });
});

describe("sample-ratio mismatch and Holm", () => {
  it("matches scipy.stats.chisquare", () => {
    for (const c of ref.srm) {
      const r = sampleRatioMismatch(c.counts, c.weights);
      close(r.chiSquare, c.chi_square, 1e-9);
      close(r.pValue, c.p_value, 1e-9);
    }
  });

  it("flags 52/48 of 10,000 units on a 50/50 test and not 50.3/49.7", () => {
    expect(sampleRatioMismatch([5200, 4800], [50, 50]).flagged).toBe(true);
    expect(sampleRatioMismatch([5030, 4970], [50, 50]).flagged).toBe(false);
  });

  it("Holm-adjusted p-values match statsmodels multipletests", () => {
    for (const c of ref.holm) {
      const adj = holm(c.p);
      c.adjusted.forEach((v, i) => close(adj[i]!, v, 1e-12));
    }
    expect(holm([0.01, null, 0.02])).toEqual([0.02, null, 0.02]);
  });
});
