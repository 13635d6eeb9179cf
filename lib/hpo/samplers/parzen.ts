// The Parzen estimator of TPE: a mixture with one kernel per observed trial plus a prior kernel, each a
// product over parameters of a truncated normal (numbers, in log space for log ranges, with the mass of
// the whole step for integers and stepped floats) or a smoothed one-hot (categories). It follows
// Optuna's parzen_estimator.py so that results can be compared with Optuna side by side.
import type { Distribution, NumericDistribution } from "../distributions";
import { roundToDistribution } from "../distributions";
import { LOG_SQRT_2PI, logGaussMass, truncnormPpf } from "../math";
import type { Rng } from "../rng";

export interface ParzenOptions {
  priorWeight: number;
  considerMagicClip: boolean;
  considerEndpoints: boolean;
  /** Kernel weights for n observations in trial order (older first). */
  weights: (n: number) => number[];
  /** Multiplies every numeric kernel width (1 = Optuna). */
  bandwidthFactor?: number;
  /** Observations the magic clip's floor counts (default: this estimator's own). */
  clipCount?: number;
}

const EPS = 1e-12;

interface NumericDim {
  kind: "num";
  dist: NumericDistribution;
  /** Bounds in the transformed (log if log) space, widened by half a step for stepped ranges. */
  low: number;
  high: number;
  step: number;
  mus: Float64Array;
  sigmas: Float64Array;
  /** log σ + log mass of the truncated kernel on [low, high], per kernel. */
  logNorm: Float64Array;
}

interface CategoricalDim {
  kind: "cat";
  /** Per kernel, the log probability of each choice. */
  logProbs: Float64Array[];
  probs: Float64Array[];
}

type Dim = NumericDim | CategoricalDim;

/** Optuna's default_weights: flat for the last 25 observations, a ramp from 1/n before them. */
export function defaultWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const out = new Array<number>(n);
  for (let i = 0; i < ramp; i++) out[i] = ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1);
  for (let i = ramp; i < n; i++) out[i] = 1;
  return out;
}

export class ParzenEstimator {
  readonly nKernels: number;
  private readonly logWeights: Float64Array;
  private readonly weights: Float64Array;
  private readonly dims: Dim[];

  /**
   * @param observations per parameter, the internal values of the observed trials (same length each)
   * @param space the distributions, in the same order
   */
  constructor(observations: readonly (readonly number[])[], space: readonly Distribution[], opts: ParzenOptions) {
    const n = observations[0]?.length ?? 0;
    let w: number[];
    if (n === 0) w = [1];
    else {
      w = opts.weights(n).slice(0, n);
      w.push(opts.priorWeight);
    }
    const total = w.reduce((a, b) => a + b, 0);
    this.weights = Float64Array.from(w, (x) => x / total);
    this.logWeights = Float64Array.from(this.weights, Math.log);
    this.nKernels = this.weights.length;
    this.dims = space.map((d, i) => (d.type === "categorical" ? categoricalDim(observations[i] ?? [], d.choices.length, opts) : numericDim(observations[i] ?? [], d, opts)));
  }

  /** `size` draws, each an array of internal values in the order of the space. */
  sample(rng: Rng, size: number): number[][] {
    const out: number[][] = [];
    for (let s = 0; s < size; s++) {
      const k = rng.choice(this.weights);
      const x = new Array<number>(this.dims.length);
      for (let j = 0; j < this.dims.length; j++) {
        const d = this.dims[j]!;
        if (d.kind === "cat") x[j] = rng.choice(d.probs[k]!);
        else {
          const mu = d.mus[k]!;
          const sigma = d.sigmas[k]!;
          const z = truncnormPpf(rng.random(), (d.low - mu) / sigma, (d.high - mu) / sigma);
          let v = Math.min(d.high, Math.max(d.low, mu + sigma * z));
          if (d.dist.log) v = Math.exp(v);
          x[j] = d.step > 0 ? roundToDistribution(d.dist, v) : v;
        }
      }
      out.push(x);
    }
    return out;
  }

  /** Log density of each point (internal values) under the mixture. */
  logPdf(points: readonly (readonly number[])[]): Float64Array {
    const K = this.nKernels;
    const m = points.length;
    const acc = new Float64Array(m * K);
    for (let i = 0; i < m; i++) acc.set(this.logWeights, i * K);
    for (let j = 0; j < this.dims.length; j++) {
      const d = this.dims[j]!;
      for (let i = 0; i < m; i++) {
        const x = points[i]![j]!;
        const row = i * K;
        if (d.kind === "cat") {
          for (let k = 0; k < K; k++) acc[row + k]! += d.logProbs[k]![x]!;
          continue;
        }
        if (d.step > 0) {
          const lo = d.dist.log ? Math.log(x - d.step / 2) : x - d.step / 2;
          const hi = d.dist.log ? Math.log(x + d.step / 2) : x + d.step / 2;
          for (let k = 0; k < K; k++) {
            const s = d.sigmas[k]!;
            acc[row + k]! += logGaussMass((lo - d.mus[k]!) / s, (hi - d.mus[k]!) / s) - d.logNorm[k]!;
          }
        } else {
          const t = d.dist.log ? Math.log(x) : x;
          if (t < d.low || t > d.high) {
            for (let k = 0; k < K; k++) acc[row + k] = -Infinity;
            continue;
          }
          for (let k = 0; k < K; k++) {
            const z = (t - d.mus[k]!) / d.sigmas[k]!;
            acc[row + k]! += -0.5 * z * z - LOG_SQRT_2PI - d.logNorm[k]!;
          }
        }
      }
    }
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const row = i * K;
      let mx = -Infinity;
      for (let k = 0; k < K; k++) if (acc[row + k]! > mx) mx = acc[row + k]!;
      if (mx === -Infinity) {
        out[i] = -Infinity;
        continue;
      }
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(acc[row + k]! - mx);
      out[i] = mx + Math.log(s);
    }
    return out;
  }
}

function categoricalDim(obs: readonly number[], nChoices: number, opts: ParzenOptions): CategoricalDim {
  const probs: Float64Array[] = [];
  if (obs.length === 0) probs.push(new Float64Array(nChoices).fill(1 / nChoices));
  else {
    const nKernels = obs.length + 1;
    const base = opts.priorWeight / nKernels;
    for (let k = 0; k < nKernels; k++) {
      const row = new Float64Array(nChoices).fill(base);
      if (k < obs.length) row[obs[k]!]! += 1;
      let sum = 0;
      for (const v of row) sum += v;
      if (sum > 0) for (let c = 0; c < nChoices; c++) row[c]! /= sum;
      probs.push(row);
    }
  }
  return { kind: "cat", probs, logProbs: probs.map((r) => Float64Array.from(r, Math.log)) };
}

function numericDim(obs: readonly number[], dist: NumericDistribution, opts: ParzenOptions): NumericDim {
  const step = dist.step ?? 0;
  let low = dist.low - step / 2;
  let high = dist.high + step / 2;
  const mus = new Float64Array(obs.length + 1);
  for (let i = 0; i < obs.length; i++) mus[i] = dist.log ? Math.log(obs[i]!) : obs[i]!;
  if (dist.log) {
    low = Math.log(low);
    high = Math.log(high);
  }
  const n = obs.length;
  const sigmas = new Float64Array(n + 1);
  if (n > 0) {
    // Each kernel is as wide as the larger gap to its sorted neighbours (the domain ends count as neighbours).
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => mus[a]! - mus[b]!);
    const sorted = new Float64Array(n + 2);
    sorted[0] = low;
    for (let r = 0; r < n; r++) sorted[r + 1] = mus[order[r]!]!;
    sorted[n + 1] = high;
    const sortedSigmas = new Float64Array(n);
    for (let r = 0; r < n; r++) sortedSigmas[r] = Math.max(sorted[r + 1]! - sorted[r]!, sorted[r + 2]! - sorted[r + 1]!);
    if (!opts.considerEndpoints && sorted.length >= 4) {
      sortedSigmas[0] = sorted[2]! - sorted[1]!;
      sortedSigmas[n - 1] = sorted[n]! - sorted[n - 1]!;
    }
    const maxSigma = high - low;
    const minSigma = opts.considerMagicClip ? (high - low) / Math.min(100, 1 + ((opts.clipCount ?? n) + 1)) : EPS;
    const f = opts.bandwidthFactor ?? 1;
    for (let r = 0; r < n; r++) sigmas[order[r]!] = Math.min(maxSigma, Math.max(minSigma, sortedSigmas[r]!)) * f;
  }
  mus[n] = 0.5 * (low + high);
  sigmas[n] = high - low;
  const logNorm = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) {
    const s = sigmas[k]!;
    const mass = logGaussMass((low - mus[k]!) / s, (high - mus[k]!) / s);
    // Stepped kernels are normalised by their mass alone (the per-point mass already integrates over x).
    logNorm[k] = step > 0 ? mass : mass + Math.log(s);
  }
  return { kind: "num", dist, low, high, step, mus, sigmas, logNorm };
}
