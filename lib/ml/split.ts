// Seeded train/validation/test split, stratified by class for classification.
// lib/datasets will own the user-facing split settings; this is the split lib/ml needs without depending on it.
import { invalid } from "../errors";
import { createRng, deriveSeed, shuffleInPlace } from "./random";

export interface SplitOptions {
  /** Fraction of all rows held out for the test set (0 ≤ test < 1). */
  readonly test: number;
  /** Fraction of the remaining training part held out for validation (0 ≤ validation < 1). */
  readonly validation: number;
  readonly seed: number;
  /** Class index per row (classification): each class is split in the same proportions. */
  readonly strata?: ArrayLike<number>;
}

export interface SplitIndices {
  readonly train: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
}

export function splitIndices(rowCount: number, opts: SplitOptions): SplitIndices {
  for (const [name, f] of [["test", opts.test], ["validation", opts.validation]] as const) {
    if (!(f >= 0 && f < 1)) throw invalid(`split.${name} must be a fraction in [0, 1), got ${f}`);
  }
  const all = new Int32Array(rowCount);
  for (let i = 0; i < rowCount; i++) all[i] = i;
  const [rest, test] = holdOut(all, opts.test, opts.strata, deriveSeed(opts.seed, "split:test"));
  const [train, validation] = holdOut(rest, opts.validation, opts.strata, deriveSeed(opts.seed, "split:validation"));
  return { train, validation, test };
}

/** Splits `rows` into [kept, heldOut]; both sorted ascending. */
function holdOut(rows: Int32Array, fraction: number, strata: ArrayLike<number> | undefined, seed: number): [Int32Array, Int32Array] {
  if (fraction === 0 || rows.length === 0) return [rows.slice(), new Int32Array(0)];
  const rng = createRng(seed);
  const groups = new Map<number, number[]>();
  for (const r of rows) {
    const key = strata ? strata[r]! : 0;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const kept: number[] = [];
  const held: number[] = [];
  // Groups in key order so the result does not depend on which class comes first in the file.
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const g = shuffleInPlace(groups.get(key)!, rng);
    // A class always keeps at least one training row; tiny classes may get no held-out row.
    const n = Math.min(Math.round(g.length * fraction), g.length - 1);
    for (let i = 0; i < g.length; i++) (i < n ? held : kept).push(g[i]!);
  }
  const sort = (a: number[]) => Int32Array.from(a).sort();
  return [sort(kept), sort(held)];
}
