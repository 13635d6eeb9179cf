// Batch scoring by bitvectors (QuickScorer, Lucchese et al., SIGIR 2015), compiled per forest to a
// WebAssembly SIMD kernel. For forests of numeric splits with at most 32 leaves per tree.
//
// Number each tree's leaves left to right. A node whose test fails (the row goes right) rules out the
// leaves of its left subtree; the row's exit leaf is the leftmost leaf that no failed node ruled out.
// Which of a feature's nodes fail depends only on the interval between that feature's sorted
// thresholds the value falls in, so the AND of their masks is tabled per (feature, interval) for all
// trees at once. A row is then one branch-free search per feature, an AND of one table row per
// feature (4 trees per SIMD instruction), and a count-trailing-zeros per tree: no chain of dependent
// loads, no data-dependent branch, and no cost growing with the depth of leaf-wise trees. The plain
// TypeScript walk (scorer.ts) stays the reference and the fallback.
import type { ForestArrays } from "./forest";
import { Code, F64, I32, moduleBytes } from "./wasm";

/** Rows per kernel call (fewer for wide rows): the block of inputs and outputs lives in the module's memory. */
const BLOCK_ROWS = 1024;
const BLOCK_BYTES = 256 << 10;
/** Features with splits past which the unrolled per-feature code would grow too large to compile quickly. */
const MAX_FEATURES = 1024;
/** Past this many table bytes a model would hold too much memory for its speed: use the tree walk. */
const MAX_TABLE_BYTES = 32 << 20;
/** Up to these sizes the kernel's loops are unrolled with constant addresses (code stays small). */
const UNROLL_BYTES = 1024;
const UNROLL_TREES = 1024;

interface FeatureTable {
  feature: number;
  /** Sorted distinct thresholds of the feature's nodes. */
  thresholds: Float64Array;
  /** Rows of `treesPadded` masks: interval 0..m, then NaN. */
  masks: Int32Array;
}

interface Tables {
  nTrees: number;
  treesPadded: number;
  features: FeatureTable[];
  /** Leaf values per tree in left-to-right order, 32 slots per tree. */
  leafValues: Float64Array;
}

/** The tables, or null when the forest does not qualify (a categorical split, a tree over 32 leaves, no split at all, too large). */
export function bitvectorTables(f: ForestArrays, roots: Int32Array, nFeatures: number): Tables | null {
  const T = roots.length;
  if (T === 0 || f.feature.length === 0) return null;
  for (let t = 0; t < T; t++) if (f.treeLeaves[t]! > 32) return null;
  if (f.catOffset.some((c) => c >= 0)) return null;
  const treesPadded = (T + 3) & ~3;

  // Left-to-right leaf positions; per internal node its tree and the mask clearing its left subtree.
  const leafValues = new Float64Array(T * 32);
  const nodeTree = new Int32Array(f.feature.length);
  const leftMask = new Int32Array(f.feature.length);
  for (let t = 0; t < T; t++) {
    let next = 0;
    const span = (ref: number): [number, number] => {
      if (ref < 0) {
        leafValues[t * 32 + next] = f.leafValue[~ref]!;
        next++;
        return [next - 1, next];
      }
      nodeTree[ref] = t;
      const [a, b] = span(f.left[ref]!);
      const [, c] = span(f.right[ref]!);
      // A left subtree has at most 31 leaves: (1 << width) - 1 stays exact in 32 bits.
      leftMask[ref] = ~(((1 << (b - a)) - 1) << a);
      return [a, c];
    };
    span(roots[t]!);
  }

  const byFeature: number[][] = Array.from({ length: nFeatures }, () => []);
  for (let n = 0; n < f.feature.length; n++) byFeature[f.feature[n]!]!.push(n);
  const features: FeatureTable[] = [];
  let bytes = 0;
  for (let j = 0; j < nFeatures; j++) {
    const nodes = byFeature[j]!;
    if (!nodes.length) continue;
    const thresholds = Float64Array.from(new Set(nodes.map((n) => f.threshold[n]!))).sort();
    const m = thresholds.length;
    bytes += (m + 2) * treesPadded * 4 + 8 * m;
    if (bytes > MAX_TABLE_BYTES) return null;
    const masks = new Int32Array((m + 2) * treesPadded).fill(-1);
    // A node with threshold index i fails for every interval b > i (the value is above it), and for
    // NaN when missing values go right.
    for (const n of nodes) {
      const t = nodeTree[n]!;
      const mask = leftMask[n]!;
      for (let b = lowerBound(thresholds, f.threshold[n]!) + 1; b <= m; b++) masks[b * treesPadded + t] = masks[b * treesPadded + t]! & mask;
      if (f.missing[n] === f.right[n]) masks[(m + 1) * treesPadded + t] = masks[(m + 1) * treesPadded + t]! & mask;
    }
    features.push({ feature: j, thresholds, masks });
    if (features.length > MAX_FEATURES) return null;
  }
  return { nTrees: T, treesPadded, features, leafValues };
}

function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const align16 = (n: number) => (n + 15) & ~15;

/** A forest compiled to a kernel with its tables in the kernel's memory. */
export class BitvectorScorer {
  private readonly run: (rows: number) => void;
  private readonly heap: Float64Array;
  private readonly xAt: number;
  private readonly outAt: number;
  private readonly blockRows: number;

  private constructor(
    tables: Tables,
    private readonly nFeatures: number,
    private readonly nOutputs: number,
  ) {
    const { nTrees: T, treesPadded, features, leafValues } = tables;
    const F = nFeatures;
    const K = nOutputs;
    const rowBytes = treesPadded * 4;
    const blockRows = Math.max(1, Math.min(BLOCK_ROWS, Math.floor(BLOCK_BYTES / (8 * Math.max(F, K)))));
    // Layout (bytes): leaf values, per feature its thresholds (padded to a power of two with
    // +Infinity) and mask rows, the accumulator, the input block, the output block.
    let at = 0;
    const leavesAt = at;
    at = align16(at + leafValues.length * 8);
    const placed = features.map((ft) => {
      let len = 1;
      while (len < ft.thresholds.length + 1) len *= 2;
      const boundsAt = at;
      at = align16(at + len * 8);
      const masksAt = at;
      at = align16(at + ft.masks.length * 4);
      return { ...ft, len, boundsAt, masksAt };
    });
    const accAt = at;
    at = align16(at + rowBytes);
    const xAt = at;
    at = align16(at + blockRows * F * 8);
    const outAt = at;
    at = align16(at + blockRows * K * 8);
    const pages = Math.ceil(at / 65536);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const buf = memory.buffer;
    new Float64Array(buf, leavesAt, leafValues.length).set(leafValues);
    for (const p of placed) {
      const bounds = new Float64Array(buf, p.boundsAt, p.len);
      bounds.fill(Infinity);
      bounds.set(p.thresholds);
      new Int32Array(buf, p.masksAt, p.masks.length).set(p.masks);
    }

    // Locals: 0 rows (parameter), 1 r, 2 xrow, 3 b, 4 row, 5 v, 6 t, 7 k, 8 obase, 9 addr, 10 x.
    const [rows, r, xrow, b, row, v, t, k, obase, addr, x] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const c = new Code();
    c.i32(0).set(r);
    c.block().loop();
    c.get(r).get(rows).i32Eq().brIf(1);
    c.get(r).i32(F * 8).i32Mul().i32(xAt).i32Add().set(xrow);
    placed.forEach((p, i) => {
      c.get(xrow).f64Load(p.feature * 8).set(x);
      // Branch-free binary search: b = number of thresholds below x (NaN compares false: b = 0).
      c.i32(0).set(b);
      for (let step = p.len >> 1; step > 0; step >>= 1) {
        c.get(b).get(b).i32(3).i32Shl().f64Load(p.boundsAt + (step - 1) * 8).get(x).f64Lt().i32(step).i32Mul().i32Add().set(b);
      }
      c.i32(p.thresholds.length + 1).get(b).get(x).get(x).f64Ne().select().set(b);
      c.get(b).i32(rowBytes).i32Mul().i32(p.masksAt).i32Add().set(row);
      // acc = row (first feature) or acc & row, 4 trees per instruction; unrolled for up to 256 trees.
      if (rowBytes <= UNROLL_BYTES) {
        for (let off = 0; off < rowBytes; off += 16) {
          c.i32(0);
          if (i > 0) c.i32(0).v128Load(accAt + off);
          c.get(row).v128Load(off);
          if (i > 0) c.v128And();
          c.v128Store(accAt + off);
        }
        return;
      }
      c.i32(0).set(v);
      c.loop();
      c.get(v);
      if (i > 0) c.get(v).v128Load(accAt);
      c.get(row).get(v).i32Add().v128Load(0);
      if (i > 0) c.v128And();
      c.v128Store(accAt);
      c.get(v).i32(16).i32Add().set(v);
      c.get(v).i32(rowBytes).i32LtU().brIf(0);
      c.end();
    });
    // Each tree's leftmost surviving leaf: its value adds to output t mod K of the row.
    c.get(r).i32(K * 8).i32Mul().i32(outAt).i32Add().set(obase);
    if (T <= UNROLL_TREES) {
      // Unrolled: one running sum per output, from the output's current value and in tree order, so
      // the sum rounds exactly as the trainer's did.
      for (let kk = 0; kk < K; kk++) {
        c.get(obase).f64Load(kk * 8).set(x);
        for (let tt = kk; tt < T; tt += K) c.get(x).i32(0).i32Load(accAt + tt * 4).i32Ctz().i32(3).i32Shl().f64Load(leavesAt + tt * 256).f64Add().set(x);
        c.get(obase).get(x).f64Store(kk * 8);
      }
    } else {
      c.i32(0).set(t).i32(0).set(k);
      c.loop();
      c.get(obase).get(k).i32Add().set(addr);
      c.get(addr);
      c.get(addr).f64Load(0);
      c.get(t).i32(2).i32Shl().i32Load(accAt).i32Ctz().i32(3).i32Shl().get(t).i32(8).i32Shl().i32Add().f64Load(leavesAt);
      c.f64Add().f64Store(0);
      if (K > 1) c.i32(0).get(k).i32(8).i32Add().get(k).i32(8 * (K - 1)).i32Eq().select().set(k);
      c.get(t).i32(1).i32Add().set(t);
      c.get(t).i32(T).i32LtU().brIf(0);
      c.end();
    }
    c.get(r).i32(1).i32Add().set(r);
    c.br(0);
    c.end().end();

    const bytes = moduleBytes(pages, [I32, I32, I32, I32, I32, I32, I32, I32, I32, F64], c);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    this.run = instance.exports.run as (rows: number) => void;
    this.heap = new Float64Array(buf);
    this.xAt = xAt / 8;
    this.outAt = outAt / 8;
    this.blockRows = blockRows;
  }

  /** A scorer for the forest, or null when it does not qualify or WebAssembly SIMD is not available. */
  static create(f: ForestArrays, roots: Int32Array, nFeatures: number, nOutputs: number): BitvectorScorer | null {
    if (typeof WebAssembly !== "object") return null;
    const tables = bitvectorTables(f, roots, nFeatures);
    if (!tables) return null;
    try {
      return new BitvectorScorer(tables, nFeatures, nOutputs);
    } catch {
      // No SIMD in this engine, or no memory for the tables: the tree walk scores instead.
      return null;
    }
  }

  /** Adds every tree's output for nRows rows of X (row-major, from `from`) to out (nOutputs per row, from `outFrom`). */
  addBatch(X: ArrayLike<number>, from: number, nRows: number, out: Float64Array, outFrom: number): void {
    const F = this.nFeatures;
    const K = this.nOutputs;
    const heap = this.heap;
    for (let start = 0; start < nRows; start += this.blockRows) {
      const rows = Math.min(this.blockRows, nRows - start);
      const src = (from + start) * F;
      if (X instanceof Float64Array || X instanceof Float32Array) heap.set(X.subarray(src, src + rows * F), this.xAt);
      else for (let i = 0; i < rows * F; i++) heap[this.xAt + i] = X[src + i]!;
      const o = outFrom + start * K;
      heap.set(out.subarray(o, o + rows * K), this.outAt);
      this.run(rows);
      out.set(heap.subarray(this.outAt, this.outAt + rows * K), o);
    }
  }
}
