// Losses of the three objectives: gradients/hessians for boosting, the starting score, the reported loss.
import type { GbdtObjective } from "./params";

/** Probabilities are clipped here before a log, as LightGBM and scikit-learn do. */
const P_EPS = 1e-15;
/** Hessian floor for log loss: a saturated probability must not make a leaf's hessian sum exactly zero. */
const H_EPS = 1e-16;

/** Raw score before any tree ("boost from average"), per output. */
export function baseScore(objective: GbdtObjective, y: Float64Array, w: Float64Array, nOutputs: number): Float64Array {
  const out = new Float64Array(nOutputs);
  let sw = 0;
  for (let i = 0; i < y.length; i++) sw += w[i]!;
  if (sw <= 0) return out;
  if (objective === "regression") {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += w[i]! * y[i]!;
    out[0] = s / sw;
  } else if (objective === "binary") {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += w[i]! * y[i]!;
    const p = clip(s / sw);
    out[0] = Math.log(p / (1 - p));
  } else {
    const prior = new Float64Array(nOutputs);
    for (let i = 0; i < y.length; i++) prior[y[i]!] = prior[y[i]!]! + w[i]!;
    for (let k = 0; k < nOutputs; k++) out[k] = Math.log(clip(prior[k]! / sw));
  }
  return out;
}

/**
 * Softmax of every row's K raw scores into `prob` (multiclass), sigmoid for binary (K = 1).
 * Computed once per iteration: all K trees of an iteration use the scores before any of them.
 */
export function probabilities(objective: GbdtObjective, scores: Float64Array, n: number, K: number, prob: Float64Array): void {
  if (objective === "binary") {
    for (let i = 0; i < n; i++) prob[i] = 1 / (1 + Math.exp(-scores[i]!));
    return;
  }
  for (let i = 0; i < n; i++) {
    const o = i * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (scores[o + k]! > max) max = scores[o + k]!;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(scores[o + k]! - max);
      prob[o + k] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let k = 0; k < K; k++) prob[o + k] = prob[o + k]! * inv;
  }
}

/** Interleaved (gradient, hessian) of output k into gh, weighted by w. `prob` from probabilities() for multiclass. */
export function gradients(
  objective: GbdtObjective,
  y: Float64Array,
  w: Float64Array,
  scores: Float64Array,
  prob: Float64Array,
  n: number,
  K: number,
  k: number,
  gh: Float64Array,
): void {
  if (objective === "regression") {
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      gh[2 * i] = (scores[i]! - y[i]!) * wi;
      gh[2 * i + 1] = wi;
    }
  } else if (objective === "binary") {
    // The sigmoid is taken here, in the same pass, rather than by probabilities().
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-scores[i]!));
      const wi = w[i]!;
      gh[2 * i] = (p - y[i]!) * wi;
      const h = p * (1 - p);
      gh[2 * i + 1] = (h > H_EPS ? h : H_EPS) * wi;
    }
  } else {
    // LightGBM scales the softmax hessian by K/(K-1); it keeps leaf values comparable across K.
    const factor = K / (K - 1);
    for (let i = 0; i < n; i++) {
      const p = prob[i * K + k]!;
      const wi = w[i]!;
      gh[2 * i] = (p - (y[i] === k ? 1 : 0)) * wi;
      const h = factor * p * (1 - p);
      gh[2 * i + 1] = (h > H_EPS ? h : H_EPS) * wi;
    }
  }
}

/** Weighted mean loss: squared error (LightGBM "l2"), binary log loss, or multiclass log loss. */
export function meanLoss(objective: GbdtObjective, y: Float64Array, w: Float64Array, scores: Float64Array, n: number, K: number): number {
  let sum = 0;
  let sw = 0;
  if (objective === "regression") {
    for (let i = 0; i < n; i++) {
      const d = scores[i]! - y[i]!;
      sum += w[i]! * d * d;
      sw += w[i]!;
    }
  } else if (objective === "binary") {
    for (let i = 0; i < n; i++) {
      const p = clip(1 / (1 + Math.exp(-scores[i]!)));
      sum -= w[i]! * (y[i] === 1 ? Math.log(p) : Math.log(1 - p));
      sw += w[i]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const o = i * K;
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (scores[o + k]! > max) max = scores[o + k]!;
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(scores[o + k]! - max);
      // log p_y = z_y - max - log(sum): exact even when p_y underflows; clipped like the binary case.
      const logp = scores[o + y[i]!]! - max - Math.log(s);
      sum -= w[i]! * Math.max(logp, Math.log(P_EPS));
      sw += w[i]!;
    }
  }
  return sw > 0 ? sum / sw : 0;
}

function clip(p: number): number {
  return p < P_EPS ? P_EPS : p > 1 - P_EPS ? 1 - P_EPS : p;
}
