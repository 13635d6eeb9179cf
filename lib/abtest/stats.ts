// Fixed-sample statistics of one A/B comparison, from sufficient statistics (n, Σy, Σy²) per arm:
// rates and means with 95% intervals, absolute and relative lift with intervals, the two-proportion
// z-test (conversion, accuracy) and Welch's t-test (mean). Formulas follow statsmodels and SciPy so
// the fixtures computed there check them to 1e-6.
import { chi2Sf, normIsf, normSf, studentIsf, studentTwoSided } from "../stats";

/** Sufficient statistics of one arm: count, sum and sum of squares of the outcome. */
export interface ArmSums {
  n: number;
  sum: number;
  sumSq: number;
}

export interface Interval {
  low: number | null;
  high: number | null;
}

export interface Estimate extends Interval {
  mean: number | null;
}

export interface Comparison {
  /** Absolute lift: arm − baseline. */
  lift: number | null;
  liftLow: number | null;
  liftHigh: number | null;
  /** Relative lift: arm / baseline − 1. */
  relLift: number | null;
  relLiftLow: number | null;
  relLiftHigh: number | null;
  pValue: number | null;
  /** Standard error of the absolute lift (unpooled), used by the sequential test. */
  se: number | null;
}

export const ALPHA = 0.05;

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Sample variance (ddof = 1) from sums; clamped at 0 against rounding. */
export function sampleVariance(s: ArmSums): number {
  if (s.n < 2) return Number.NaN;
  const mean = s.sum / s.n;
  return Math.max(0, (s.sumSq - s.n * mean * mean) / (s.n - 1));
}

/** Wilson score interval of a rate (statsmodels proportion_confint, method="wilson"). */
export function rateEstimate(successes: number, n: number, alpha = ALPHA): Estimate {
  if (n <= 0) return { mean: null, low: null, high: null };
  const p = successes / n;
  const z = normIsf(alpha / 2);
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { mean: p, low: center - half, high: center + half };
}

/** Mean with a Student-t interval (scipy.stats.t.interval with df = n − 1 and the standard error). */
export function meanEstimate(s: ArmSums, alpha = ALPHA): Estimate {
  if (s.n <= 0) return { mean: null, low: null, high: null };
  const mean = s.sum / s.n;
  if (s.n < 2) return { mean, low: null, high: null };
  const half = studentIsf(alpha / 2, s.n - 1) * Math.sqrt(sampleVariance(s) / s.n);
  return { mean, low: mean - half, high: mean + half };
}

/** Relative lift b/a − 1 with a delta-method interval on log(b/a), given the variance of log(b/a). */
function relativeLift(ratio: number, varLog: number, z: number): Pick<Comparison, "relLift" | "relLiftLow" | "relLiftHigh"> {
  if (!(ratio > 0) || !Number.isFinite(varLog)) return { relLift: finite(ratio - 1), relLiftLow: null, relLiftHigh: null };
  const half = z * Math.sqrt(varLog);
  return { relLift: ratio - 1, relLiftLow: Math.exp(Math.log(ratio) - half) - 1, relLiftHigh: Math.exp(Math.log(ratio) + half) - 1 };
}

/**
 * Two proportions, arm against baseline: pooled two-proportion z-test (statsmodels proportions_ztest),
 * Wald interval of the difference and log interval of the ratio (statsmodels
 * confint_proportions_2indep, methods "wald" and "log").
 */
export function compareProportions(arm: ArmSums, base: ArmSums, alpha = ALPHA): Comparison {
  const none: Comparison = { lift: null, liftLow: null, liftHigh: null, relLift: null, relLiftLow: null, relLiftHigh: null, pValue: null, se: null };
  if (arm.n <= 0 || base.n <= 0) return none;
  const x1 = arm.sum, n1 = arm.n, x0 = base.sum, n0 = base.n;
  const p1 = x1 / n1, p0 = x0 / n0;
  const z = normIsf(alpha / 2);
  const diff = p1 - p0;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
  const pooled = (x1 + x0) / (n1 + n0);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  // Equal rates of exactly 0 or 1 have no variance: no evidence of a difference.
  const pValue = sePooled > 0 ? 2 * normSf(Math.abs(diff / sePooled)) : diff === 0 ? 1 : 0;
  const varLog = x1 > 0 && x0 > 0 ? 1 / x1 - 1 / n1 + 1 / x0 - 1 / n0 : Number.NaN;
  return {
    lift: diff,
    liftLow: diff - z * se,
    liftHigh: diff + z * se,
    ...relativeLift(p0 > 0 ? p1 / p0 : Number.NaN, varLog, z),
    pValue,
    se,
  };
}

/**
 * Two means, arm against baseline: Welch's t-test with Welch–Satterthwaite degrees of freedom and its
 * interval of the difference (scipy.stats.ttest_ind(equal_var=False) and .confidence_interval()); the
 * relative lift uses the delta method on log(mean ratio) with a normal quantile.
 */
export function compareMeans(arm: ArmSums, base: ArmSums, alpha = ALPHA): Comparison {
  const none: Comparison = { lift: null, liftLow: null, liftHigh: null, relLift: null, relLiftLow: null, relLiftHigh: null, pValue: null, se: null };
  if (arm.n <= 0 || base.n <= 0) return none;
  const m1 = arm.sum / arm.n, m0 = base.sum / base.n;
  const diff = m1 - m0;
  if (arm.n < 2 || base.n < 2) return { ...none, lift: diff, relLift: m0 !== 0 ? m1 / m0 - 1 : null };
  const v1 = sampleVariance(arm) / arm.n;
  const v0 = sampleVariance(base) / base.n;
  const se = Math.sqrt(v1 + v0);
  const z = normIsf(alpha / 2);
  const rel = relativeLift(m0 > 0 && m1 > 0 ? m1 / m0 : Number.NaN, v1 / (m1 * m1) + v0 / (m0 * m0), z);
  if (se === 0) return { lift: diff, liftLow: diff, liftHigh: diff, ...rel, pValue: diff === 0 ? 1 : 0, se };
  const df = (se ** 4) / ((v1 * v1) / (arm.n - 1) + (v0 * v0) / (base.n - 1));
  const half = studentIsf(alpha / 2, df) * se;
  return { lift: diff, liftLow: diff - half, liftHigh: diff + half, ...rel, pValue: studentTwoSided(diff / se, df), se };
}

/** Holm step-down adjusted p-values, in the input order (nulls stay null). */
export function holm(pValues: (number | null)[]): (number | null)[] {
  const idx = pValues.map((p, i) => ({ p, i })).filter((x): x is { p: number; i: number } => x.p !== null);
  idx.sort((a, b) => a.p - b.p);
  const m = idx.length;
  const out: (number | null)[] = pValues.map(() => null);
  let running = 0;
  idx.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

export const SRM_THRESHOLD = 0.001;

/**
 * Sample-ratio mismatch: chi-square goodness of fit of the units each arm received against the
 * configured weights (scipy.stats.chisquare). Flagged at p < 0.001: a split that far off means the
 * assignment or the logging is broken, and the comparison cannot be trusted.
 */
export function sampleRatioMismatch(counts: number[], weights: number[]): { pValue: number | null; chiSquare: number | null; flagged: boolean } {
  const total = counts.reduce((a, b) => a + b, 0);
  const wsum = weights.reduce((a, b) => a + b, 0);
  if (total === 0 || counts.length < 2 || wsum <= 0) return { pValue: null, chiSquare: null, flagged: false };
  let chi = 0;
  for (let i = 0; i < counts.length; i++) {
    const expected = (total * weights[i]!) / wsum;
    // An arm with weight 0 that still received units is a mismatch by construction.
    if (expected === 0) return { pValue: counts[i]! > 0 ? 0 : null, chiSquare: counts[i]! > 0 ? Infinity : null, flagged: counts[i]! > 0 };
    chi += (counts[i]! - expected) ** 2 / expected;
  }
  const pValue = chi2Sf(chi, counts.length - 1);
  return { pValue, chiSquare: chi, flagged: pValue < SRM_THRESHOLD };
}

/** Lift and its unpooled standard error alone: what the sequential test needs at every look, without quantiles. */
export function liftAndSe(kind: "proportion" | "mean", arm: ArmSums, base: ArmSums): { lift: number; se: number } | null {
  if (arm.n < 2 || base.n < 2) return null;
  const m1 = arm.sum / arm.n, m0 = base.sum / base.n;
  const v1 = kind === "mean" ? sampleVariance(arm) : m1 * (1 - m1);
  const v0 = kind === "mean" ? sampleVariance(base) : m0 * (1 - m0);
  return { lift: m1 - m0, se: Math.sqrt(v1 / arm.n + v0 / base.n) };
}
