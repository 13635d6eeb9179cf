// Scoring a flattened forest: raw margins of rows. Forests of numeric splits with at most 32 leaves
// a tree (the usual ones) go to the compiled bitvector kernel (bitvector.ts); the others, and the
// tests' reference, walk the trees here, summed tree by tree over blocks of rows so a block's
// feature values stay in cache while every tree visits them. No allocation per row or per call
// beyond the scratch buffers made once per scorer.
import { BitvectorScorer } from "./bitvector";
import { leafOf, treeRoots, type ForestArrays } from "./forest";

/** Rows scored per pass over the trees. */
const BLOCK_ROWS = 256;

export class ForestScorer {
  readonly nFeatures: number;
  /** Raw outputs per row; tree t adds to output t mod nOutputs. */
  readonly nOutputs: number;
  private readonly forest: ForestArrays;
  private readonly roots: Int32Array;
  private readonly hasCategorical: boolean;
  private readonly compiled: Compiled;
  /** The compiled bitvector kernel when the forest qualifies (bitvector.ts); else the walks below. */
  private readonly bitvector: BitvectorScorer | null;
  /** A block of float32 input rows widened to float64, and one row (single-row path). */
  private readonly block: Float64Array;
  private readonly row: Float64Array;

  /** `bitvector`: the compiled kernel (bitvector.ts); `walk`: the tree walks below. */
  readonly kernel: "bitvector" | "walk";

  /** `allowBitvector: false` keeps to the tree walks (tests compare both). */
  constructor(forest: ForestArrays, nFeatures: number, nOutputs: number, allowBitvector = true) {
    this.forest = forest;
    this.nFeatures = nFeatures;
    this.nOutputs = nOutputs;
    this.roots = treeRoots(forest);
    this.hasCategorical = forest.catOffset.some((c) => c >= 0);
    this.compiled = compile(forest, this.roots);
    this.bitvector = allowBitvector ? BitvectorScorer.create(forest, this.roots, nFeatures, nOutputs) : null;
    this.kernel = this.bitvector ? "bitvector" : "walk";
    this.block = new Float64Array(BLOCK_ROWS * nFeatures);
    this.row = new Float64Array(nFeatures);
  }

  get nTrees(): number {
    return this.roots.length;
  }

  /** Adds every tree's output for one row to out[0..nOutputs). */
  addRow(input: ArrayLike<number>, out: Float64Array): void {
    if (this.bitvector) return this.bitvector.addBatch(input, 0, 1, out, 0);
    const x = this.row;
    // One element kind in the loops below whatever the caller holds (array, float32 or float64 view).
    for (let j = 0; j < this.nFeatures; j++) x[j] = input[j]!;
    if (!this.hasCategorical && !hasNaN(x, 0, this.nFeatures)) walkLockstep(this.compiled, x, 0, 1, this.nFeatures, out, 0, this.nOutputs);
    else walkFull(this.forest, this.roots, x, 0, 1, this.nFeatures, out, 0, this.nOutputs);
  }

  /** Adds every tree's output for nRows rows of X (row-major) to out (nRows × nOutputs). */
  addBatch(X: Float32Array | Float64Array, nRows: number, out: Float64Array): void {
    const F = this.nFeatures;
    const K = this.nOutputs;
    if (this.bitvector) return this.bitvector.addBatch(X, 0, nRows, out, 0);
    for (let start = 0; start < nRows; start += BLOCK_ROWS) {
      const rows = Math.min(BLOCK_ROWS, nRows - start);
      let src: Float64Array;
      let from: number;
      if (X instanceof Float64Array) {
        src = X;
        from = start;
      } else {
        src = this.block;
        from = 0;
        for (let i = 0, s = start * F; i < rows * F; i++, s++) src[i] = X[s]!;
      }
      if (!this.hasCategorical && !hasNaN(src, from * F, (from + rows) * F)) walkLockstep(this.compiled, src, from, rows, F, out, start * K, K);
      else walkFull(this.forest, this.roots, src, from, rows, F, out, start * K, K);
    }
  }
}

/**
 * The forest re-laid for the fast path: node k (internal nodes first, then leaves) is 32 bytes,
 * f64[4k] threshold, i32[8k+2] feature, i32[8k+3] left, i32[8k+4] right, f64[4k+3] leaf value, so
 * one step touches one cache line. Leaves point to themselves with threshold NaN (x > NaN is false),
 * which lets a walk run a fixed number of steps, the tree's depth.
 */
interface Compiled {
  f64: Float64Array;
  i32: Int32Array;
  roots: Int32Array;
  depth: Int32Array;
}

function compile(f: ForestArrays, roots: Int32Array): Compiled {
  const nInt = f.feature.length;
  const n = nInt + f.leafValue.length;
  const buf = new ArrayBuffer(n * 32);
  const f64 = new Float64Array(buf);
  const i32 = new Int32Array(buf);
  const ref = (c: number) => (c >= 0 ? c : nInt + ~c);
  for (let i = 0; i < nInt; i++) {
    f64[4 * i] = f.threshold[i]!;
    i32[8 * i + 2] = f.feature[i]!;
    i32[8 * i + 3] = ref(f.left[i]!);
    i32[8 * i + 4] = ref(f.right[i]!);
  }
  for (let l = 0; l < f.leafValue.length; l++) {
    const k = nInt + l;
    f64[4 * k] = NaN;
    i32[8 * k + 2] = 0;
    i32[8 * k + 3] = k;
    i32[8 * k + 4] = k;
    f64[4 * k + 3] = f.leafValue[l]!;
  }
  // Depth per node, children before parents: a child's index is always larger within a tree.
  const nodeDepth = new Int32Array(nInt);
  for (let i = nInt - 1; i >= 0; i--) {
    const l = f.left[i]!;
    const r = f.right[i]!;
    nodeDepth[i] = 1 + Math.max(l >= 0 ? nodeDepth[l]! : 0, r >= 0 ? nodeDepth[r]! : 0);
  }
  const depth = new Int32Array(roots.length);
  for (let t = 0; t < roots.length; t++) depth[t] = roots[t]! >= 0 ? nodeDepth[roots[t]!]! : 0;
  return { f64, i32, roots: roots.map(ref), depth };
}

/**
 * Numeric splits and no NaN: eight rows walk each tree in lockstep with branch-free steps for the
 * tree's full depth. Independent rows let the CPU overlap their load chains, and a compare folded
 * into an index never mispredicts; measured about twice as fast as one row at a time with branches.
 */
function walkLockstep(c: Compiled, X: Float64Array, from: number, rows: number, F: number, out: Float64Array, outAt: number, K: number): void {
  const { f64, i32, roots, depth } = c;
  const end = from + rows;
  for (let t = 0, k = 0; t < roots.length; t++) {
    const root = roots[t]!;
    const D = depth[t]!;
    let r = from;
    let o = outAt + k;
    for (; r + 8 <= end; r += 8, o += 8 * K) {
      // Row offsets are recomputed from b0 in each step: eight walkers plus eight bases would not fit the registers.
      const b0 = r * F;
      let n0 = root;
      let n1 = root;
      let n2 = root;
      let n3 = root;
      let n4 = root;
      let n5 = root;
      let n6 = root;
      let n7 = root;
      for (let d = 0; d < D; d++) {
        n0 = i32[8 * n0 + 3 + +(X[b0 + i32[8 * n0 + 2]!]! > f64[4 * n0]!)]!;
        n1 = i32[8 * n1 + 3 + +(X[b0 + F + i32[8 * n1 + 2]!]! > f64[4 * n1]!)]!;
        n2 = i32[8 * n2 + 3 + +(X[b0 + 2 * F + i32[8 * n2 + 2]!]! > f64[4 * n2]!)]!;
        n3 = i32[8 * n3 + 3 + +(X[b0 + 3 * F + i32[8 * n3 + 2]!]! > f64[4 * n3]!)]!;
        n4 = i32[8 * n4 + 3 + +(X[b0 + 4 * F + i32[8 * n4 + 2]!]! > f64[4 * n4]!)]!;
        n5 = i32[8 * n5 + 3 + +(X[b0 + 5 * F + i32[8 * n5 + 2]!]! > f64[4 * n5]!)]!;
        n6 = i32[8 * n6 + 3 + +(X[b0 + 6 * F + i32[8 * n6 + 2]!]! > f64[4 * n6]!)]!;
        n7 = i32[8 * n7 + 3 + +(X[b0 + 7 * F + i32[8 * n7 + 2]!]! > f64[4 * n7]!)]!;
      }
      out[o] = out[o]! + f64[4 * n0 + 3]!;
      out[o + K] = out[o + K]! + f64[4 * n1 + 3]!;
      out[o + 2 * K] = out[o + 2 * K]! + f64[4 * n2 + 3]!;
      out[o + 3 * K] = out[o + 3 * K]! + f64[4 * n3 + 3]!;
      out[o + 4 * K] = out[o + 4 * K]! + f64[4 * n4 + 3]!;
      out[o + 5 * K] = out[o + 5 * K]! + f64[4 * n5 + 3]!;
      out[o + 6 * K] = out[o + 6 * K]! + f64[4 * n6 + 3]!;
      out[o + 7 * K] = out[o + 7 * K]! + f64[4 * n7 + 3]!;
    }
    for (; r < end; r++, o += K) {
      const b0 = r * F;
      let n0 = root;
      for (let d = 0; d < D; d++) n0 = i32[8 * n0 + 3 + +(X[b0 + i32[8 * n0 + 2]!]! > f64[4 * n0]!)]!;
      out[o] = out[o]! + f64[4 * n0 + 3]!;
    }
    if (++k === K) k = 0;
  }
}

/** Any split kind, NaN allowed: one row at a time with the full missing-value and categorical rules. */
function walkFull(f: ForestArrays, roots: Int32Array, X: Float64Array, from: number, rows: number, F: number, out: Float64Array, outAt: number, K: number): void {
  const leafValue = f.leafValue;
  for (let t = 0, k = 0; t < roots.length; t++) {
    const root = roots[t]!;
    for (let r = 0, o = outAt + k; r < rows; r++, o += K) out[o] = out[o]! + leafValue[leafOf(f, root, X, (from + r) * F)]!;
    if (++k === K) k = 0;
  }
}

function hasNaN(X: Float64Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (X[i] !== X[i]) return true;
  return false;
}
