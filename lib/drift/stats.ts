// The remaining statistics on plain counts and proportions. Each matches the SciPy function named
// in its comment; the column-level choices (which counts, which bins) live in tests.ts.

import { mergedWalk, type EmpiricalDistribution } from "./distribution";
import { chi2Sf, normSf } from "../stats";

export interface TestStatistic {
  statistic: number;
  pValue: number;
}

/**
 * scipy.stats.chisquare(observed, expected): Σ (o − e)² / e with k − 1 degrees of freedom.
 * A category with e = 0 and o > 0 makes the statistic infinite and the p-value 0, as in SciPy.
 */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): TestStatistic & { dof: number } {
  const k = observed.length;
  if (k !== expected.length) throw new RangeError("observed and expected differ in length");
  let stat = 0;
  for (let i = 0; i < k; i++) {
    const o = observed[i]!;
    const e = expected[i]!;
    const d = o - e;
    stat += d === 0 ? 0 : (d * d) / e;
  }
  const dof = k - 1;
  const pValue = dof < 1 ? Number.NaN : stat === Infinity ? 0 : chi2Sf(stat, dof);
  return { statistic: stat, pValue, dof };
}

/**
 * Two-proportion z-test (pooled variance), two-sided: z = (p1 − p2) / √(P(1−P)(1/n1 + 1/n2)),
 * p = 2·norm.sf(|z|). Identical proportions of 0 or 1 give z = 0, p = 1 rather than 0/0.
 */
export function twoProportionZTest(success1: number, n1: number, success2: number, n2: number): TestStatistic {
  const p1 = success1 / n1;
  const p2 = success2 / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const variance = P * (1 - P) * (1 / n1 + 1 / n2);
  // P of 0 or 1 (rounding can push it a hair past 1): both sides agree completely.
  if (!(variance > 0)) return { statistic: 0, pValue: 1 };
  const denom = Math.sqrt(variance);
  const z = (p1 - p2) / denom;
  return { statistic: z, pValue: Math.min(1, 2 * normSf(Math.abs(z))) };
}

/** scipy.stats.wasserstein_distance(u, v) between two sorted distributions. */
export function wassersteinDistance(a: EmpiricalDistribution, b: EmpiricalDistribution): number {
  return mergedWalk(a, b).wasserstein;
}

/**
 * scipy.spatial.distance.jensenshannon(p, q, base): both vectors are normalised to sum 1;
 * the natural logarithm unless `base` is given, so the distance lies in [0, √ln 2 ≈ 0.833].
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>, base?: number): number {
  const k = p.length;
  if (k !== q.length) throw new RangeError("p and q differ in length");
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < k; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let left = 0;
  let right = 0;
  for (let i = 0; i < k; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    // rel_entr(x, m) = x·log(x/m), 0 when x = 0.
    if (pi > 0) left += pi * Math.log(pi / m);
    if (qi > 0) right += qi * Math.log(qi / m);
  }
  let js = left + right;
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(Math.max(0, js / 2));
}

/** Default proportion given to an empty bin, so log(ratio) stays finite. */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index Σ (c − r)·ln(c / r) over bins, with proportions r (reference) and
 * c (current); an empty bin counts as `epsilon` on its side.
 */
export function populationStabilityIndex(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  epsilon = PSI_EPSILON,
): number {
  const k = reference.length;
  if (k !== current.length) throw new RangeError("reference and current differ in length");
  let sr = 0;
  let sc = 0;
  for (let i = 0; i < k; i++) {
    sr += reference[i]!;
    sc += current[i]!;
  }
  let psi = 0;
  for (let i = 0; i < k; i++) {
    const r = reference[i]! / sr || epsilon;
    const c = current[i]! / sc || epsilon;
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}
