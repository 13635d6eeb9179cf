// Permutation feature importance: how much a metric drops when one input feature's values are shuffled.
// Shuffles whole blocks of matrix columns, so a one-hot encoded feature is scored as one feature.
import type { Matrix } from "./preprocess";
import { createRng, permutation } from "./random";

export interface FeatureImportance {
  readonly feature: string;
  /** Mean drop in the metric over the repeats (positive = the model relies on the feature). */
  readonly importance: number;
  readonly std: number;
}

export interface ImportanceOptions {
  readonly repeats: number;
  readonly seed: number;
  /** False for losses (log loss, RMSE): then a rise counts as the drop. */
  readonly higherIsBetter: boolean;
}

/**
 * `score` evaluates the model on a matrix (the same rows, in the same order, with their labels fixed);
 * `blocks` maps each input feature to its matrix columns [start, end). Sorted by importance, largest first.
 */
export function permutationImportance(
  score: (X: Matrix) => number,
  X: Matrix,
  blocks: readonly { readonly feature: string; readonly start: number; readonly end: number }[],
  opts: ImportanceOptions,
): FeatureImportance[] {
  const baseline = score(X);
  const sign = opts.higherIsBetter ? 1 : -1;
  const work = new Float32Array(X.data);
  const shuffled: Matrix = { data: work, rows: X.rows, cols: X.cols };
  const rng = createRng(opts.seed);
  const result = blocks.map(({ feature, start, end }) => {
    const drops: number[] = [];
    for (let k = 0; k < opts.repeats; k++) {
      const perm = permutation(X.rows, rng);
      for (let r = 0; r < X.rows; r++) {
        const from = perm[r]! * X.cols;
        for (let c = start; c < end; c++) work[r * X.cols + c] = X.data[from + c]!;
      }
      drops.push(sign * (baseline - score(shuffled)));
    }
    for (let r = 0; r < X.rows; r++) for (let c = start; c < end; c++) work[r * X.cols + c] = X.data[r * X.cols + c]!;
    const mean = drops.reduce((s, d) => s + d, 0) / drops.length;
    const std = Math.sqrt(drops.reduce((s, d) => s + (d - mean) ** 2, 0) / drops.length);
    return { feature, importance: mean, std };
  });
  return result.sort((a, b) => b.importance - a.importance);
}
