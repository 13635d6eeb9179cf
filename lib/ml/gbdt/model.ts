// GbdtModel: the trained forest plus the plain TypeScript scorer, JSON and packed-binary forms.
import { z } from "zod";
import { invalid } from "../../errors";
import { leafOf, treeRoots, type ForestArrays } from "./forest";
import { gbdtParamsSchema, type GbdtObjective, type GbdtParams } from "./params";

export const GBDT_FORMAT_VERSION = 1;

export type ImportanceType = "gain" | "split";

export interface GbdtModelInfo {
  objective: GbdtObjective;
  nFeatures: number;
  /** Classes for classification (2 for binary), 1 for regression. */
  nClasses: number;
  /** Raw score before the first tree, per output (log-odds, log-prior or mean). */
  baseScore: Float64Array;
  categoricalFeatures: readonly number[];
  params: GbdtParams;
  /** Boosting iterations kept (the best one when early stopping ran). */
  nIterations: number;
}

/** Rows scored per pass over the trees: the block's feature values stay in L1/L2 while every tree visits them. */
const BLOCK_ROWS = 256;

export class GbdtModel {
  readonly objective: GbdtObjective;
  readonly nFeatures: number;
  readonly nClasses: number;
  /** Raw outputs per row: nClasses for multiclass, else 1. Trees cycle through the outputs. */
  readonly nOutputs: number;
  readonly baseScore: Float64Array;
  readonly categoricalFeatures: readonly number[];
  readonly params: GbdtParams;
  readonly nIterations: number;
  readonly forest: ForestArrays;
  private readonly roots: Int32Array;
  private readonly hasCategorical: boolean;
  private readonly compiled: Compiled;

  constructor(info: GbdtModelInfo, forest: ForestArrays) {
    this.objective = info.objective;
    this.nFeatures = info.nFeatures;
    this.nClasses = info.nClasses;
    this.nOutputs = info.objective === "multiclass" ? info.nClasses : 1;
    this.baseScore = info.baseScore;
    this.categoricalFeatures = [...info.categoricalFeatures];
    this.params = info.params;
    this.nIterations = info.nIterations;
    this.forest = forest;
    validateForest(this);
    this.roots = treeRoots(forest);
    this.hasCategorical = forest.catOffset.some((c) => c >= 0);
    this.compiled = compile(forest, this.roots);
  }

  get nTrees(): number {
    return this.roots.length;
  }

  /** Raw scores (margins) of one row: length nOutputs. */
  predictRaw(row: ArrayLike<number>, out: Float64Array = new Float64Array(this.nOutputs)): Float64Array {
    if (row.length < this.nFeatures) throw invalid(`Row has ${row.length} values, the model needs ${this.nFeatures}`);
    const K = this.nOutputs;
    for (let k = 0; k < K; k++) out[k] = this.baseScore[k]!;
    if (!this.hasCategorical && !hasNaN(row, 0, this.nFeatures)) {
      const { f64, i32, roots, depth } = this.compiled;
      for (let t = 0, k = 0; t < roots.length; t++) {
        let n = roots[t]!;
        for (let d = depth[t]!; d > 0; d--) n = i32[8 * n + 3 + +(+row[i32[8 * n + 2]!]! > f64[4 * n]!)]!;
        out[k] = out[k]! + f64[4 * n + 3]!;
        if (++k === K) k = 0;
      }
      return out;
    }
    const f = this.forest;
    const roots = this.roots;
    for (let t = 0, k = 0; t < roots.length; t++) {
      out[k] = out[k]! + f.leafValue[leafOf(f, roots[t]!, row, 0)]!;
      if (++k === K) k = 0;
    }
    return out;
  }

  /** Raw scores of nRows rows of X (row-major, nFeatures per row): nRows × nOutputs, row-major. */
  predictRawBatch(X: Float64Array, nRows: number, out: Float64Array = new Float64Array(nRows * this.nOutputs)): Float64Array {
    if (X.length < nRows * this.nFeatures) throw invalid(`X has ${X.length} values, ${nRows} rows need ${nRows * this.nFeatures}`);
    const K = this.nOutputs;
    const F = this.nFeatures;
    for (let r = 0; r < nRows; r++) for (let k = 0; k < K; k++) out[r * K + k] = this.baseScore[k]!;
    for (let start = 0; start < nRows; start += BLOCK_ROWS) {
      const end = Math.min(nRows, start + BLOCK_ROWS);
      if (this.hasCategorical) this.scoreBlockMixed(X, start, end, out);
      else if (hasNaN(X, start * F, end * F)) this.scoreBlockNumeric(X, start, end, out);
      else this.scoreBlockFast(X, start, end, out);
    }
    return out;
  }

  /**
   * Numeric splits and no NaN in the block: eight rows walk each tree in lockstep with branch-free
   * steps for the tree's full depth (leaves point to themselves). Independent rows let the CPU
   * overlap their load chains, and a compare folded into an index never mispredicts; measured
   * about twice as fast as one row at a time with branches.
   */
  private scoreBlockFast(X: Float64Array, start: number, end: number, out: Float64Array): void {
    const F = this.nFeatures;
    const K = this.nOutputs;
    const { f64, i32, roots, depth } = this.compiled;
    for (let t = 0, k = 0; t < roots.length; t++) {
      const root = roots[t]!;
      const D = depth[t]!;
      let r = start;
      for (; r + 8 <= end; r += 8) {
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
        const o = r * K + k;
        out[o] = out[o]! + f64[4 * n0 + 3]!;
        out[o + K] = out[o + K]! + f64[4 * n1 + 3]!;
        out[o + 2 * K] = out[o + 2 * K]! + f64[4 * n2 + 3]!;
        out[o + 3 * K] = out[o + 3 * K]! + f64[4 * n3 + 3]!;
        out[o + 4 * K] = out[o + 4 * K]! + f64[4 * n4 + 3]!;
        out[o + 5 * K] = out[o + 5 * K]! + f64[4 * n5 + 3]!;
        out[o + 6 * K] = out[o + 6 * K]! + f64[4 * n6 + 3]!;
        out[o + 7 * K] = out[o + 7 * K]! + f64[4 * n7 + 3]!;
      }
      for (; r < end; r++) {
        const b0 = r * F;
        let n0 = root;
        for (let d = 0; d < D; d++) n0 = i32[8 * n0 + 3 + +(X[b0 + i32[8 * n0 + 2]!]! > f64[4 * n0]!)]!;
        out[r * K + k] = out[r * K + k]! + f64[4 * n0 + 3]!;
      }
      if (++k === K) k = 0;
    }
  }

  /** Numeric splits, NaN somewhere in the block: one row at a time, NaN takes each node's missing branch. */
  private scoreBlockNumeric(X: Float64Array, start: number, end: number, out: Float64Array): void {
    const F = this.nFeatures;
    const K = this.nOutputs;
    const f = this.forest;
    const roots = this.roots;
    const feature = f.feature;
    const threshold = f.threshold;
    const left = f.left;
    const right = f.right;
    const missing = f.missing;
    const leafValue = f.leafValue;
    for (let t = 0, k = 0; t < roots.length; t++) {
      const root = roots[t]!;
      for (let r = start; r < end; r++) {
        const base = r * F;
        let node = root;
        while (node >= 0) {
          const v = X[base + feature[node]!]!;
          node = v <= threshold[node]! ? left[node]! : v === v ? right[node]! : missing[node]!;
        }
        out[r * K + k] = out[r * K + k]! + leafValue[~node]!;
      }
      if (++k === K) k = 0;
    }
  }

  private scoreBlockMixed(X: Float64Array, start: number, end: number, out: Float64Array): void {
    const F = this.nFeatures;
    const K = this.nOutputs;
    const f = this.forest;
    const roots = this.roots;
    for (let t = 0, k = 0; t < roots.length; t++) {
      const root = roots[t]!;
      for (let r = start; r < end; r++) {
        const base = r * F;
        let node = root;
        while (node >= 0) {
          const v = X[base + f.feature[node]!]!;
          const co = f.catOffset[node]!;
          if (co < 0) node = v <= f.threshold[node]! ? f.left[node]! : v === v ? f.right[node]! : f.missing[node]!;
          else node = categoricalChild(f, node, co, v);
        }
        out[r * K + k] = out[r * K + k]! + f.leafValue[~node]!;
      }
      if (++k === K) k = 0;
    }
  }

  /** Probabilities of one row (length nClasses; binary gives [P(0), P(1)]). Classification only. */
  predictProba(row: ArrayLike<number>): Float64Array {
    this.requireClassifier();
    const raw = this.predictRaw(row);
    const out = new Float64Array(this.nClasses);
    rawToProba(this.objective, raw, 0, out, 0, this.nClasses);
    return out;
  }

  /** Probabilities of nRows rows: nRows × nClasses, row-major. Classification only. */
  predictProbaBatch(X: Float64Array, nRows: number): Float64Array {
    this.requireClassifier();
    const raw = this.predictRawBatch(X, nRows);
    const C = this.nClasses;
    const out = new Float64Array(nRows * C);
    for (let r = 0; r < nRows; r++) rawToProba(this.objective, raw, r * this.nOutputs, out, r * C, C);
    return out;
  }

  /** The prediction of one row: the regression value, or the most probable class index. */
  predict(row: ArrayLike<number>): number {
    return outputOf(this.objective, this.predictRaw(row), 0, this.nOutputs);
  }

  /** predict() for nRows rows. */
  predictBatch(X: Float64Array, nRows: number): Float64Array {
    const raw = this.predictRawBatch(X, nRows);
    const out = new Float64Array(nRows);
    for (let r = 0; r < nRows; r++) out[r] = outputOf(this.objective, raw, r * this.nOutputs, this.nOutputs);
    return out;
  }

  /** Total split gain ('gain', LightGBM's importance_type="gain") or number of splits ('split') per feature. */
  featureImportance(type: ImportanceType = "gain"): Float64Array {
    const out = new Float64Array(this.nFeatures);
    const f = this.forest;
    for (let i = 0; i < f.feature.length; i++) {
      const j = f.feature[i]!;
      out[j] = out[j]! + (type === "gain" ? f.gain[i]! : 1);
    }
    return out;
  }

  toJSON(): GbdtModelJSON {
    const f = this.forest;
    return {
      format: "gbdt",
      version: GBDT_FORMAT_VERSION,
      ...this.headerFields(),
      trees: { nodes: Array.from(f.treeNodes), leaves: Array.from(f.treeLeaves) },
      nodes: {
        feature: Array.from(f.feature),
        threshold: Array.from(f.threshold, encodeFloat),
        left: Array.from(f.left),
        right: Array.from(f.right),
        missing: Array.from(f.missing),
        catOffset: Array.from(f.catOffset),
        catWords: Array.from(f.catWords),
        gain: Array.from(f.gain),
        count: Array.from(f.nodeCount),
      },
      catBits: Array.from(f.catBits),
      leaves: { value: Array.from(f.leafValue), count: Array.from(f.leafCount) },
    };
  }

  static fromJSON(input: unknown): GbdtModel {
    const parsed = jsonSchema.safeParse(input);
    if (!parsed.success) throw invalid("Not a gbdt model", parsed.error.issues.slice(0, 10));
    const j = parsed.data;
    const forest: ForestArrays = {
      treeNodes: Int32Array.from(j.trees.nodes),
      treeLeaves: Int32Array.from(j.trees.leaves),
      feature: Int32Array.from(j.nodes.feature),
      threshold: Float64Array.from(j.nodes.threshold, decodeFloat),
      left: Int32Array.from(j.nodes.left),
      right: Int32Array.from(j.nodes.right),
      missing: Int32Array.from(j.nodes.missing),
      catOffset: Int32Array.from(j.nodes.catOffset),
      catWords: Int32Array.from(j.nodes.catWords),
      gain: Float64Array.from(j.nodes.gain),
      nodeCount: Int32Array.from(j.nodes.count),
      catBits: Uint32Array.from(j.catBits),
      leafValue: Float64Array.from(j.leaves.value),
      leafCount: Int32Array.from(j.leaves.count),
    };
    return new GbdtModel(infoFromHeader(j), forest);
  }

  /**
   * Header (small JSON, for the manifest) and the tree arrays packed little-endian into one buffer
   * (a weight file). Thresholds and leaf values stay float64: the scorer must take exactly the
   * branches the trainer took, and float32 thresholds would move rows that sit near a bin edge.
   */
  toPacked(): { header: GbdtPackedHeader; weights: Uint8Array } {
    const f = this.forest;
    const sections: PackedSection[] = [];
    let offset = 0;
    for (const [name, dtype] of PACKED_LAYOUT) {
      const arr = f[name];
      sections.push({ name, dtype, offset, length: arr.length });
      offset += align8(arr.length * BYTES[dtype]);
    }
    const weights = new Uint8Array(offset);
    const view = new DataView(weights.buffer);
    for (const s of sections) {
      const arr = f[s.name];
      for (let i = 0; i < s.length; i++) {
        const at = s.offset + i * BYTES[s.dtype];
        if (s.dtype === "float64") view.setFloat64(at, arr[i]!, true);
        else if (s.dtype === "int32") view.setInt32(at, arr[i]!, true);
        else view.setUint32(at, arr[i]!, true);
      }
    }
    return { header: { format: "gbdt-packed", version: GBDT_FORMAT_VERSION, ...this.headerFields(), sections }, weights };
  }

  static fromPacked(header: unknown, weights: Uint8Array): GbdtModel {
    const parsed = packedHeaderSchema.safeParse(header);
    if (!parsed.success) throw invalid("Not a packed gbdt model header", parsed.error.issues.slice(0, 10));
    const h = parsed.data;
    const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
    const arrays: Partial<Record<ForestKey, ForestArrays[ForestKey]>> = {};
    for (const [name, dtype] of PACKED_LAYOUT) {
      const s = h.sections.find((x) => x.name === name);
      if (!s || s.dtype !== dtype) throw invalid(`Packed gbdt model lacks section '${name}' (${dtype})`);
      if (s.offset + s.length * BYTES[dtype] > weights.byteLength) throw invalid(`Section '${name}' runs past the end of the weights`);
      if (dtype === "float64") {
        const a = new Float64Array(s.length);
        for (let i = 0; i < s.length; i++) a[i] = view.getFloat64(s.offset + 8 * i, true);
        arrays[name] = a;
      } else if (dtype === "int32") {
        const a = new Int32Array(s.length);
        for (let i = 0; i < s.length; i++) a[i] = view.getInt32(s.offset + 4 * i, true);
        arrays[name] = a;
      } else {
        const a = new Uint32Array(s.length);
        for (let i = 0; i < s.length; i++) a[i] = view.getUint32(s.offset + 4 * i, true);
        arrays[name] = a;
      }
    }
    return new GbdtModel(infoFromHeader(h), arrays as ForestArrays);
  }

  private headerFields(): HeaderFields {
    return {
      objective: this.objective,
      nFeatures: this.nFeatures,
      nClasses: this.nClasses,
      baseScore: Array.from(this.baseScore),
      categoricalFeatures: [...this.categoricalFeatures],
      nIterations: this.nIterations,
      params: this.params,
    };
  }

  private requireClassifier(): void {
    if (this.objective === "regression") throw invalid("predictProba needs a classification model");
  }
}

/**
 * The forest re-laid for the fast paths: node k (internal nodes first, then leaves) is 32 bytes,
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

function hasNaN(X: ArrayLike<number>, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (X[i] !== X[i]) return true;
  return false;
}

function categoricalChild(f: ForestArrays, node: number, co: number, v: number): number {
  if (!(v >= 0) || (v | 0) !== v) return f.missing[node]!;
  const w = v >>> 5;
  return w < f.catWords[node]! && (f.catBits[co + w]! >>> (v & 31)) & 1 ? f.left[node]! : f.right[node]!;
}

/** Softmax for multiclass, sigmoid for binary; shifted by the max so large margins do not overflow. */
export function rawToProba(objective: GbdtObjective, raw: Float64Array, ri: number, out: Float64Array, oi: number, C: number): void {
  if (objective === "binary") {
    const p = 1 / (1 + Math.exp(-raw[ri]!));
    out[oi] = 1 - p;
    out[oi + 1] = p;
    return;
  }
  let max = -Infinity;
  for (let k = 0; k < C; k++) max = Math.max(max, raw[ri + k]!);
  let sum = 0;
  for (let k = 0; k < C; k++) {
    const e = Math.exp(raw[ri + k]! - max);
    out[oi + k] = e;
    sum += e;
  }
  for (let k = 0; k < C; k++) out[oi + k] = out[oi + k]! / sum;
}

function outputOf(objective: GbdtObjective, raw: Float64Array, ri: number, K: number): number {
  if (objective === "regression") return raw[ri]!;
  if (objective === "binary") return raw[ri]! > 0 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < K; k++) if (raw[ri + k]! > raw[ri + best]!) best = k;
  return best;
}

/**
 * Rejects forests the scorer could loop on or read out of bounds with: a child must be a later
 * node of the same tree or one of its leaves, features and bitsets must be in range.
 */
function validateForest(m: GbdtModel): void {
  const f = m.forest;
  const n = f.feature.length;
  const fail = (msg: string) => {
    throw invalid(`Corrupt gbdt model: ${msg}`);
  };
  for (const k of ["threshold", "left", "right", "missing", "catOffset", "catWords", "gain", "nodeCount"] as const) {
    if (f[k].length !== n) fail(`node array '${k}' has ${f[k].length} entries, expected ${n}`);
  }
  if (f.leafCount.length !== f.leafValue.length) fail("leaf arrays differ in length");
  if (f.treeNodes.length !== f.treeLeaves.length) fail("tree arrays differ in length");
  if (m.baseScore.length !== m.nOutputs) fail(`baseScore has ${m.baseScore.length} entries, expected ${m.nOutputs}`);
  if (f.treeNodes.length % m.nOutputs !== 0) fail("tree count is not a multiple of the outputs");
  if (m.objective === "binary" && m.nClasses !== 2) fail("a binary model has 2 classes");
  if (m.objective === "regression" && m.nClasses !== 1) fail("a regression model has nClasses 1");
  if (m.objective === "multiclass" && m.nClasses < 2) fail("a multiclass model has at least 2 classes");
  let node = 0;
  let leaf = 0;
  for (let t = 0; t < f.treeNodes.length; t++) {
    const nodes = f.treeNodes[t]!;
    const leaves = f.treeLeaves[t]!;
    if (nodes < 0 || leaves !== nodes + 1) fail(`tree ${t} has ${nodes} nodes and ${leaves} leaves`);
    const nodeEnd = node + nodes;
    const leafEnd = leaf + leaves;
    if (nodeEnd > n || leafEnd > f.leafValue.length) fail(`tree ${t} runs past the arrays`);
    for (let i = node; i < nodeEnd; i++) {
      const feat = f.feature[i]!;
      if (feat < 0 || feat >= m.nFeatures) fail(`node ${i} splits on feature ${feat}`);
      for (const c of [f.left[i]!, f.right[i]!]) {
        if (c >= 0 ? c <= i || c >= nodeEnd : ~c < leaf || ~c >= leafEnd) fail(`node ${i} has child ${c} outside its tree`);
      }
      if (f.missing[i] !== f.left[i] && f.missing[i] !== f.right[i]) fail(`node ${i}: missing child is neither child`);
      const co = f.catOffset[i]!;
      if (co >= 0 && (f.catWords[i]! < 0 || co + f.catWords[i]! > f.catBits.length)) fail(`node ${i}: bitset out of range`);
    }
    node = nodeEnd;
    leaf = leafEnd;
  }
  if (node !== n || leaf !== f.leafValue.length) fail("arrays hold nodes or leaves of no tree");
}

// Infinite thresholds are legal (a bin edge at ±Infinity in the data); JSON has no literal for them.
function encodeFloat(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function decodeFloat(v: number | string): number {
  return typeof v === "number" ? v : Number(v);
}

type ForestKey = keyof ForestArrays;
type DType = "int32" | "uint32" | "float64";
const BYTES: Record<DType, number> = { int32: 4, uint32: 4, float64: 8 };
const PACKED_LAYOUT: readonly (readonly [ForestKey, DType])[] = [
  ["treeNodes", "int32"],
  ["treeLeaves", "int32"],
  ["feature", "int32"],
  ["threshold", "float64"],
  ["left", "int32"],
  ["right", "int32"],
  ["missing", "int32"],
  ["catOffset", "int32"],
  ["catWords", "int32"],
  ["gain", "float64"],
  ["nodeCount", "int32"],
  ["catBits", "uint32"],
  ["leafValue", "float64"],
  ["leafCount", "int32"],
];
const align8 = (n: number) => (n + 7) & ~7;

interface PackedSection {
  name: ForestKey;
  dtype: DType;
  offset: number;
  length: number;
}

interface HeaderFields {
  objective: GbdtObjective;
  nFeatures: number;
  nClasses: number;
  baseScore: number[];
  categoricalFeatures: number[];
  nIterations: number;
  params: GbdtParams;
}

export interface GbdtModelJSON extends HeaderFields {
  format: "gbdt";
  version: number;
  trees: { nodes: number[]; leaves: number[] };
  nodes: {
    feature: number[];
    threshold: (number | string)[];
    left: number[];
    right: number[];
    missing: number[];
    catOffset: number[];
    catWords: number[];
    gain: number[];
    count: number[];
  };
  catBits: number[];
  leaves: { value: number[]; count: number[] };
}

export interface GbdtPackedHeader extends HeaderFields {
  format: "gbdt-packed";
  version: number;
  sections: PackedSection[];
}

const int = z.number().int();
const ints = z.array(int);
const nums = z.array(z.number());
const headerSchema = {
  version: z.literal(GBDT_FORMAT_VERSION),
  objective: z.enum(["binary", "multiclass", "regression"]),
  nFeatures: int.min(1),
  nClasses: int.min(1),
  baseScore: nums,
  categoricalFeatures: ints,
  nIterations: int.min(0),
  params: gbdtParamsSchema,
};
const jsonSchema = z.object({
  format: z.literal("gbdt"),
  ...headerSchema,
  trees: z.object({ nodes: ints, leaves: ints }),
  nodes: z.object({
    feature: ints,
    threshold: z.array(z.union([z.number(), z.enum(["Infinity", "-Infinity"])])),
    left: ints,
    right: ints,
    missing: ints,
    catOffset: ints,
    catWords: ints,
    gain: nums,
    count: ints,
  }),
  catBits: z.array(int.min(0).max(0xffffffff)),
  leaves: z.object({ value: nums, count: ints }),
});
const packedHeaderSchema = z.object({
  format: z.literal("gbdt-packed"),
  ...headerSchema,
  sections: z.array(
    z.object({
      name: z.enum(PACKED_LAYOUT.map(([n]) => n) as [ForestKey, ...ForestKey[]]),
      dtype: z.enum(["int32", "uint32", "float64"]),
      offset: int.min(0),
      length: int.min(0),
    }),
  ),
});

function infoFromHeader(h: z.infer<typeof packedHeaderSchema> | z.infer<typeof jsonSchema>): GbdtModelInfo {
  return {
    objective: h.objective,
    nFeatures: h.nFeatures,
    nClasses: h.nClasses,
    baseScore: Float64Array.from(h.baseScore),
    categoricalFeatures: h.categoricalFeatures,
    params: h.params,
    nIterations: h.nIterations,
  };
}
