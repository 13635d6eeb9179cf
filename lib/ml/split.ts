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
  /**
   * Cross-validation: the validation rows are fold `index` of `count` folds of the non-test rows
   * (stratified like the rest), instead of a `validation` fraction. Every non-test row is in exactly
   * one fold; the folds of one seed are the same for every index.
   */
  readonly fold?: { readonly count: number; readonly index: number };
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
  const [train, validation] = opts.fold
    ? foldOut(rest, opts.fold, opts.strata, deriveSeed(opts.seed, "split:folds"))
    : holdOut(rest, opts.validation, opts.strata, deriveSeed(opts.seed, "split:validation"));
  return { train, validation, test };
}

/** Groups rows by stratum (one group without strata), in key order, so the result does not depend on which class comes first. */
function strataGroups(rows: Int32Array, strata: ArrayLike<number> | undefined): number[][] {
  const groups = new Map<number, number[]>();
  for (const r of rows) {
    const key = strata ? strata[r]! : 0;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k)!);
}

const sortRows = (a: number[]) => Int32Array.from(a).sort();

/** Splits `rows` into [the other folds, fold `index`]: rows dealt round-robin to the folds, class after class. */
function foldOut(rows: Int32Array, fold: { count: number; index: number }, strata: ArrayLike<number> | undefined, seed: number): [Int32Array, Int32Array] {
  const { count, index } = fold;
  if (!(Number.isInteger(count) && count >= 2)) throw invalid(`fold.count must be a whole number from 2, got ${count}`);
  if (!(Number.isInteger(index) && index >= 0 && index < count)) throw invalid(`fold.index must be a whole number in [0, ${count - 1}], got ${index}`);
  const rng = createRng(seed);
  const kept: number[] = [];
  const held: number[] = [];
  // One running counter over all classes: fold sizes differ by at most one row, and so do a class's counts per fold.
  let dealt = 0;
  for (const g of strataGroups(rows, strata)) {
    for (const r of shuffleInPlace(g, rng)) (dealt++ % count === index ? held : kept).push(r);
  }
  return [sortRows(kept), sortRows(held)];
}

/** Splits `rows` into [kept, heldOut]; both sorted ascending. */
function holdOut(rows: Int32Array, fraction: number, strata: ArrayLike<number> | undefined, seed: number): [Int32Array, Int32Array] {
  if (fraction === 0 || rows.length === 0) return [rows.slice(), new Int32Array(0)];
  const rng = createRng(seed);
  const kept: number[] = [];
  const held: number[] = [];
  for (const group of strataGroups(rows, strata)) {
    const g = shuffleInPlace(group, rng);
    // A class always keeps at least one training row; tiny classes may get no held-out row.
    const n = Math.min(Math.round(g.length * fraction), g.length - 1);
    for (let i = 0; i < g.length; i++) (i < n ? held : kept).push(g[i]!);
  }
  return [sortRows(kept), sortRows(held)];
}
