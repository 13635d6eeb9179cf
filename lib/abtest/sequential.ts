// Always-valid inference for peeking: the mixture sequential probability ratio test (mSPRT) of
// Johari, Pekelis and Walsh ("Always Valid Inference", 2017) with a normal mixing distribution on
// the lift, in its large-sample form (the difference of arm means is asymptotically normal with
// variance V = s₁²/n₁ + s₀²/n₀):
//
//   Λ = sqrt(V / (V + τ²)) · exp(θ̂² τ² / (2 V (V + τ²)))
//
// Under "no difference" Λ is a nonnegative martingale, so by Ville's inequality
// P(Λ ever ≥ 1/α) ≤ α: the p-value min over looks of 1/Λ can be watched every hour without
// inflating false positives. τ is the spread of lifts the test expects, in units of the per-unit
// standard deviation of the outcome (pooled over both arms): small τ detects small lifts sooner and
// large lifts later. Default 0.1; a test can set its own (`sequential_tau`).
import { ALPHA } from "./stats";

export const DEFAULT_TAU = 0.1;

export interface SequentialInput {
  /** Estimated lift (arm − baseline). */
  lift: number;
  /** Its standard error (unpooled). */
  se: number;
  /** Pooled per-unit standard deviation of the outcome. */
  sd: number;
  /** Mixing spread in units of `sd`. */
  tau?: number;
}

function mixtureTau2(sd: number, tau: number): number {
  return (tau * sd) ** 2;
}

/** 1/Λ capped at 1: an always-valid p-value for this look alone (take the running minimum over looks). */
export function msprtPValue({ lift, se, sd, tau = DEFAULT_TAU }: SequentialInput): number | null {
  if (!Number.isFinite(lift) || !Number.isFinite(se) || !Number.isFinite(sd)) return null;
  const v = se * se;
  const t2 = mixtureTau2(sd, tau);
  if (v === 0 || t2 === 0) return lift === 0 ? 1 : null;
  const logLambda = 0.5 * Math.log(v / (v + t2)) + (lift * lift * t2) / (2 * v * (v + t2));
  return Math.min(1, Math.exp(-logLambda));
}

/**
 * The always-valid confidence interval of the lift at this look: every θ whose mSPRT against
 * "lift = θ" has not crossed 1/α. Wider than the fixed-sample interval; valid at any stopping time.
 */
export function msprtInterval({ lift, se, sd, tau = DEFAULT_TAU }: SequentialInput, alpha = ALPHA): { low: number | null; high: number | null } {
  const v = se * se;
  const t2 = mixtureTau2(sd, tau);
  if (!Number.isFinite(lift) || !(v > 0) || !(t2 > 0)) return { low: null, high: null };
  const half = Math.sqrt(((2 * v * (v + t2)) / t2) * (Math.log(1 / alpha) + 0.5 * Math.log((v + t2) / v)));
  return { low: lift - half, high: lift + half };
}

/** Pooled per-unit standard deviation of two arms from their sample variances. */
export function pooledSd(n1: number, var1: number, n0: number, var0: number): number {
  if (n1 + n0 <= 2) return Number.NaN;
  const w1 = Number.isFinite(var1) ? n1 - 1 : 0;
  const w0 = Number.isFinite(var0) ? n0 - 1 : 0;
  if (w1 + w0 <= 0) return Number.NaN;
  return Math.sqrt(((w1 > 0 ? var1 * w1 : 0) + (w0 > 0 ? var0 * w0 : 0)) / (w1 + w0));
}
