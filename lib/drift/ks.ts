// Two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp(method='auto'):
// exact p-value (Hodges' lattice-path counting) when max(n1, n2) ≤ 10000, else the
// distribution of the one-sample statistic at n = round(n1·n2/(n1+n2)) (scipy.stats.kstwo).

import { mergedWalk, type EmpiricalDistribution } from "./distribution";
import { kstwoSf } from "./kolmogorov";

/** SciPy's MAX_AUTO_N: above it, 'auto' uses the asymptotic distribution. */
export const KS_MAX_EXACT_N = 10_000;

export type KsMethod = "auto" | "exact" | "asymp";

export interface KsResult {
  statistic: number;
  pValue: number;
  /** The method that produced the p-value (exact can fall back to asymp, as in SciPy). */
  method: "exact" | "asymp";
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** np.round: half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Pr(D_{n,n} ≥ h/n) for equal sample sizes, by SciPy's Horner-like alternating series. */
export function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm(m,n),
 * computed directly as 1 − inside (Viehmann 2021), one sliding column at a time (SciPy's
 * _compute_outer_prob_inside_method).
 */
export function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    const shift = minj - lastminj;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + shift]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

/** p-value of a two-sided KS statistic d for sample sizes n1, n2 (and the statistic SciPy reports). */
export function ksPValue(d: number, n1: number, n2: number, method: KsMethod = "auto"): KsResult {
  if (!(n1 >= 1 && n2 >= 1)) throw new RangeError("KS needs at least one value on each side");
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let mode: "exact" | "asymp";
  if (method === "auto") mode = Math.max(n1, n2) <= KS_MAX_EXACT_N ? "exact" : "asymp";
  else if (method === "exact") mode = n1g >= 2147483647 / n2g ? "asymp" : "exact";
  else mode = "asymp";
  let stat = d;
  if (mode === "exact") {
    const lcm = n1g * n2;
    const h = roundHalfEven(d * lcm);
    stat = h / lcm;
    if (h === 0) return { statistic: stat, pValue: 1, method: "exact" };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic: stat, pValue: p, method: "exact" };
  }
  const big = Math.max(n1, n2);
  const small = Math.min(n1, n2);
  const en = (big * small) / (big + small);
  const p = kstwoSf(stat, roundHalfEven(en));
  return { statistic: stat, pValue: Math.min(1, Math.max(0, p)), method: "asymp" };
}

/** KS test between two (sorted) distributions; sample sizes are their totals. */
export function ksTest(a: EmpiricalDistribution, b: EmpiricalDistribution, method: KsMethod = "auto"): KsResult {
  const w = mergedWalk(a, b);
  const d = w.dMinus > w.dPlus ? w.dMinus : w.dPlus;
  return ksPValue(d, Math.round(a.total), Math.round(b.total), method);
}
