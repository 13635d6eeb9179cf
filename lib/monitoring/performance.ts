// Performance (concept) drift: the model's metric on the labelled predictions of the window against
// the metric it had on its test set at training time, with a 95% confidence interval.
//
// accuracy: the drop (reference − window) with a normal interval over both samples' binomial
// variances (the reference's only when its test size is known); the window's own accuracy with a
// Wilson interval. mae: the relative rise (window − reference) / reference, its interval from the
// window's absolute errors (t ≈ normal at the sizes a report needs).
import type { Labelled } from "./predictions";

export type PerformanceMetric = "accuracy" | "mae";

export interface PerformanceResult {
  metric: PerformanceMetric;
  /** Labelled predictions in the window. */
  n_labels: number;
  reference: number | null;
  reference_n: number | null;
  window: number | null;
  window_ci_low: number | null;
  window_ci_high: number | null;
  /** accuracy: points lost; mae: relative rise. Positive = worse. */
  drop: number | null;
  drop_ci_low: number | null;
  drop_ci_high: number | null;
  max_drop: number;
  /** The drop is beyond max_drop and significantly above zero (the interval excludes 0). */
  drifted: boolean;
  skipped?: string;
}

const Z95 = 1.959963984540054;

/** Accumulates labelled predictions page by page (memory: two numbers). */
export class PerformanceAccumulator {
  private n = 0;
  private sum = 0;
  private sumSq = 0;
  private unusable = 0;

  constructor(readonly metric: PerformanceMetric) {}

  add(pairs: readonly Labelled[]): void {
    for (const p of pairs) {
      if (this.metric === "accuracy") {
        if (p.prediction === null || p.prediction === undefined || p.value === null || p.value === undefined) {
          this.unusable++;
          continue;
        }
        const hit = String(p.value) === String(p.prediction) ? 1 : 0;
        this.n++;
        this.sum += hit;
        this.sumSq += hit;
      } else {
        const y = p.numeric ?? (typeof p.value === "number" ? p.value : Number.NaN);
        const yhat = typeof p.prediction === "number" ? p.prediction : Number(p.prediction);
        if (!Number.isFinite(y) || !Number.isFinite(yhat) || p.prediction === null || p.prediction === "") {
          this.unusable++;
          continue;
        }
        const e = Math.abs(y - yhat);
        this.n++;
        this.sum += e;
        this.sumSq += e * e;
      }
    }
  }

  result(reference: number | null, referenceN: number | null, maxDrop: number, minLabels: number): PerformanceResult {
    const base = {
      metric: this.metric,
      n_labels: this.n,
      reference,
      reference_n: referenceN,
      max_drop: maxDrop,
    };
    const empty = { window: null, window_ci_low: null, window_ci_high: null, drop: null, drop_ci_low: null, drop_ci_high: null, drifted: false };
    if (this.n < minLabels) {
      return { ...base, ...empty, skipped: `not enough labelled predictions: ${this.n}, need at least ${minLabels}${this.unusable ? ` (${this.unusable} feedback values could not be compared)` : ""}` };
    }
    const n = this.n;
    const mean = this.sum / n;
    let lo: number;
    let hi: number;
    if (this.metric === "accuracy") {
      // Wilson score interval.
      const z2 = Z95 * Z95;
      const centre = (mean + z2 / (2 * n)) / (1 + z2 / n);
      const half = (Z95 / (1 + z2 / n)) * Math.sqrt((mean * (1 - mean)) / n + z2 / (4 * n * n));
      lo = centre - half;
      hi = centre + half;
    } else {
      const variance = n > 1 ? Math.max(0, (this.sumSq - n * mean * mean) / (n - 1)) : 0;
      const half = Z95 * Math.sqrt(variance / n);
      lo = mean - half;
      hi = mean + half;
    }
    if (reference === null || !Number.isFinite(reference)) {
      return { ...base, ...empty, window: mean, window_ci_low: lo, window_ci_high: hi, skipped: "the model version has no reference metric (test set) to compare with" };
    }
    let drop: number;
    let se: number;
    if (this.metric === "accuracy") {
      drop = reference - mean;
      const refVar = referenceN && referenceN > 0 ? (reference * (1 - reference)) / referenceN : 0;
      se = Math.sqrt((mean * (1 - mean)) / n + refVar);
    } else {
      const scale = Math.abs(reference) > 1e-12 ? Math.abs(reference) : 1;
      drop = (mean - reference) / scale;
      se = (hi - mean) / Z95 / scale;
    }
    const dropLo = drop - Z95 * se;
    const dropHi = drop + Z95 * se;
    return {
      ...base,
      window: mean,
      window_ci_low: lo,
      window_ci_high: hi,
      drop,
      drop_ci_low: dropLo,
      drop_ci_high: dropHi,
      drifted: drop > maxDrop && dropLo > 0,
    };
  }
}
