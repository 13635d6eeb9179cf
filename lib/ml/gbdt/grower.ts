// Leaf-wise (best-first) growth of one tree over binned data, LightGBM style.
//
// Rows of every leaf sit in one contiguous segment of `indices`; a split partitions the segment in
// place (left part stays in front). Histograms hold (gradient, hessian) pairs per bin, 256 bins per
// feature; only the smaller child's histogram is built from rows, the larger one is the parent's
// minus it, computed in place in the parent's array.
//
// Quantized mode (quantize.ts, LightGBM's use_quantized_grad, on by default for large data): one
// exact integer add per row and feature instead of two; leaf values use the exact gradients.
//
// Like LightGBM, histograms keep no row counts: a bin range's count is estimated from its hessian
// sum as round(hessian × leafRows / leafHessian), exact when every row has the same hessian
// (unweighted regression) and close otherwise. A third accumulator per bin cost about a quarter of
// the histogram time, the largest part of training. Leaf row counts themselves are exact.
//
// Histograms are built from a row-major copy of the bins packed four features to a uint32
// (histogram.ts); the column-major bytes serve the partition (partition.ts), which reads one
// feature. The split search itself is in split-search.ts.
import type { FeatureBins } from "./binning";
import { histRows, histRowsQ, packBins, QSTRIDE, STRIDE } from "./histogram";
import type { GbdtParams } from "./params";
import { partitionCategorical, partitionNumeric } from "./partition";
import { GradientQuantizer } from "./quantize";
import type { Rng } from "./rng";
import { EPS, MAX_BINS, SplitFinder } from "./split-search";

/** One tree in bin space, as the trainer needs it right after growth. Arrays are reused by the next tree. */
export interface BinTree {
  nLeaves: number;
  /** Internal node i: feature, threshold bin (numeric), missing goes left, categorical left-bin flags. */
  feature: Int32Array;
  thresholdBin: Int32Array;
  defaultLeft: Uint8Array;
  isCategorical: Uint8Array;
  /** 256 flags per node: bin goes left. Only for categorical nodes. */
  catLeft: Uint8Array;
  /** Children: >= 0 internal node, < 0 leaf ~child. */
  left: Int32Array;
  right: Int32Array;
  gain: Float64Array;
  nodeCount: Int32Array;
  /** Per leaf: output (already scaled by the learning rate), training rows, segment in `indices`. */
  leafValue: Float64Array;
  leafCount: Int32Array;
  leafBegin: Int32Array;
}

export class TreeGrower {
  readonly nRows: number;
  readonly nFeatures: number;
  private readonly p: GbdtParams;
  private readonly cols: Uint8Array[];
  /** Row r's bins of features 4j..4j+3 in packed[r * groups + j], feature 4j + i in byte i. */
  private readonly packed: Uint32Array;
  private readonly groups: number;
  private readonly nBins: Int32Array;
  private readonly missingBin: Int32Array;
  private readonly otherBin: Int32Array;
  private readonly categorical: Uint8Array;
  /** Start of feature f's triples in a histogram, in doubles. */
  private readonly histOffset: Int32Array;
  private readonly histLength: number;
  /** Null in exact mode. */
  private readonly quant: GradientQuantizer | null;
  private readonly rng: Rng;
  private readonly pool: Float64Array[] = [];
  private readonly freeHists: number[] = [];

  /** Row ids, partitioned by leaf. */
  readonly indices: Uint32Array;
  private readonly scratch: Uint32Array;
  private gh: Float64Array = new Float64Array(0);

  private selected: Int32Array = new Int32Array(0);
  private nSelected = 0;

  // Per-leaf state of the tree being grown.
  private readonly leafG: Float64Array;
  private readonly leafH: Float64Array;
  private readonly leafDepth: Int32Array;
  private readonly leafHist: Int32Array;
  private readonly leafParent: Int32Array;
  private readonly leafIsLeft: Uint8Array;
  // Best split found for each leaf.
  private readonly bestGain: Float64Array;
  private readonly bestFeature: Int32Array;
  private readonly bestBin: Int32Array;
  private readonly bestDefaultLeft: Uint8Array;
  private readonly bestLeftG: Float64Array;
  private readonly bestLeftH: Float64Array;
  private readonly bestCatLeft: Uint8Array;

  private readonly finder: SplitFinder;

  readonly tree: BinTree;

  /** `rowsPerTree` (the bag size) decides whether histograms are quantized. */
  constructor(binned: Uint8Array, nRows: number, bins: readonly FeatureBins[], params: GbdtParams, rowsPerTree: number, rng: Rng) {
    this.rng = rng;
    this.nRows = nRows;
    this.nFeatures = bins.length;
    this.p = params;
    this.finder = new SplitFinder(params);
    const F = bins.length;
    this.cols = [];
    this.nBins = new Int32Array(F);
    this.missingBin = new Int32Array(F);
    this.otherBin = new Int32Array(F);
    this.categorical = new Uint8Array(F);
    this.histOffset = new Int32Array(F);
    this.groups = (F + 3) >> 2;
    this.packed = packBins(binned, nRows, F, this.groups);
    for (let f = 0; f < F; f++) {
      const b = bins[f]!;
      this.cols.push(binned.subarray(f * nRows, (f + 1) * nRows));
      this.nBins[f] = b.nBins;
      this.missingBin[f] = b.missingBin;
      this.otherBin[f] = b.categorical ? b.otherBin : -1;
      this.categorical[f] = b.categorical ? 1 : 0;
      this.histOffset[f] = f * STRIDE;
    }
    this.quant = GradientQuantizer.create(params, rowsPerTree, nRows, this.groups * 4);
    // Padding features of the last group accumulate into slots nobody reads.
    this.histLength = this.groups * 4 * (this.quant ? QSTRIDE : STRIDE);
    this.indices = new Uint32Array(nRows);
    this.scratch = new Uint32Array(nRows);

    const L = params.max_leaves;
    this.leafG = new Float64Array(L);
    this.leafH = new Float64Array(L);
    this.leafDepth = new Int32Array(L);
    this.leafHist = new Int32Array(L);
    this.leafParent = new Int32Array(L);
    this.leafIsLeft = new Uint8Array(L);
    this.bestGain = new Float64Array(L);
    this.bestFeature = new Int32Array(L);
    this.bestBin = new Int32Array(L);
    this.bestDefaultLeft = new Uint8Array(L);
    this.bestLeftG = new Float64Array(L);
    this.bestLeftH = new Float64Array(L);
    this.bestCatLeft = new Uint8Array(L * MAX_BINS);
    this.tree = {
      nLeaves: 0,
      feature: new Int32Array(L),
      thresholdBin: new Int32Array(L),
      defaultLeft: new Uint8Array(L),
      isCategorical: new Uint8Array(L),
      catLeft: new Uint8Array(L * MAX_BINS),
      left: new Int32Array(L),
      right: new Int32Array(L),
      gain: new Float64Array(L),
      nodeCount: new Int32Array(L),
      leafValue: new Float64Array(L),
      leafCount: new Int32Array(L),
      leafBegin: new Int32Array(L),
    };
  }

  /** Features that can split at all: more than one value bin, or missing values beside values. */
  usableFeatures(): Int32Array {
    const out: number[] = [];
    for (let f = 0; f < this.nFeatures; f++) if (this.nBins[f]! > 2) out.push(f);
    return Int32Array.from(out);
  }

  /**
   * Grows one tree. `gh` holds interleaved (gradient, hessian) per row; `rows` (length nUsed, sorted)
   * restricts growth to a bag, null means every row. `features` lists the candidate features.
   */
  grow(gh: Float64Array, rows: Uint32Array | null, nUsed: number, features: Int32Array, nFeatures: number): BinTree {
    this.gh = gh;
    this.selected = features;
    this.nSelected = nFeatures;
    const idx = this.indices;
    if (rows === null) for (let i = 0; i < nUsed; i++) idx[i] = i;
    else idx.set(rows.subarray(0, nUsed));

    const tree = this.tree;
    const t = this.p;
    const canSplitDepth = (d: number) => t.max_depth < 0 || d < t.max_depth;
    const minRowsToSplit = 2 * t.min_samples_leaf;

    let G = 0;
    let H = 0;
    if (this.quant) {
      const V = this.quant.quantize(gh, idx, nUsed, this.rng);
      G = this.quant.gradient(V);
      H = this.quant.hessian(V);
    } else {
      for (let i = 0; i < nUsed; i++) {
        const r = idx[i]!;
        G += gh[2 * r]!;
        H += gh[2 * r + 1]!;
      }
    }
    tree.leafBegin[0] = 0;
    tree.leafCount[0] = nUsed;
    this.leafG[0] = G;
    this.leafH[0] = H;
    this.leafDepth[0] = 0;
    this.leafParent[0] = -1;
    this.leafHist[0] = -1;
    this.bestGain[0] = -Infinity;
    let nLeaves = 1;
    let nNodes = 0;

    if (t.max_leaves > 1 && nUsed >= minRowsToSplit && canSplitDepth(0)) {
      const h = this.takeHist();
      this.leafHist[0] = h;
      this.buildHistogram(this.pool[h]!, 0, nUsed);
      this.findBestSplit(0);
      if (!(this.bestGain[0]! > -Infinity)) this.releaseLeafHist(0);
    }

    while (nLeaves < t.max_leaves) {
      let leaf = -1;
      let best = -Infinity;
      for (let l = 0; l < nLeaves; l++) {
        if (this.bestGain[l]! > best) {
          best = this.bestGain[l]!;
          leaf = l;
        }
      }
      if (leaf < 0) break;

      const node = nNodes++;
      const right = nLeaves++;
      this.applySplit(leaf, right, node);

      const depth = this.leafDepth[leaf]! + 1;
      this.leafDepth[leaf] = depth;
      this.leafDepth[right] = depth;
      this.bestGain[leaf] = -Infinity;
      this.bestGain[right] = -Infinity;
      this.leafHist[right] = -1;

      const parentHist = this.leafHist[leaf]!;
      this.leafHist[leaf] = -1;
      const more = nLeaves < t.max_leaves && canSplitDepth(depth);
      const leftOk = more && tree.leafCount[leaf]! >= minRowsToSplit;
      const rightOk = more && tree.leafCount[right]! >= minRowsToSplit;
      if (!leftOk && !rightOk) {
        this.freeHist(parentHist);
        continue;
      }
      const smallIsLeft = tree.leafCount[leaf]! <= tree.leafCount[right]!;
      const small = smallIsLeft ? leaf : right;
      const large = smallIsLeft ? right : leaf;
      const smallOk = smallIsLeft ? leftOk : rightOk;
      const largeOk = smallIsLeft ? rightOk : leftOk;
      const hs = this.takeHist();
      this.buildHistogram(this.pool[hs]!, tree.leafBegin[small]!, tree.leafCount[small]!);
      if (largeOk) {
        this.subtractHistogram(this.pool[parentHist]!, this.pool[hs]!);
        this.leafHist[large] = parentHist;
        this.findBestSplit(large);
        if (!(this.bestGain[large]! > -Infinity)) this.releaseLeafHist(large);
      } else {
        this.freeHist(parentHist);
      }
      if (smallOk) {
        this.leafHist[small] = hs;
        this.findBestSplit(small);
        if (!(this.bestGain[small]! > -Infinity)) this.releaseLeafHist(small);
      } else {
        this.freeHist(hs);
      }
    }
    for (let l = 0; l < nLeaves; l++) this.releaseLeafHist(l);

    if (this.quant) this.exactLeafSums(nLeaves);
    const l2 = t.lambda_l2 + EPS;
    for (let l = 0; l < nLeaves; l++) {
      tree.leafValue[l] = (-this.leafG[l]! / (this.leafH[l]! + l2)) * t.learning_rate;
    }
    tree.nLeaves = nLeaves;
    return tree;
  }

  /** Replaces the leaves' quantized sums by exact ones, for the leaf values. */
  private exactLeafSums(nLeaves: number): void {
    const gh = this.gh;
    const idx = this.indices;
    const tree = this.tree;
    for (let l = 0; l < nLeaves; l++) {
      let G = 0;
      let H = 0;
      const end = tree.leafBegin[l]! + tree.leafCount[l]!;
      for (let k = tree.leafBegin[l]!; k < end; k++) {
        const r = 2 * idx[k]!;
        G += gh[r]!;
        H += gh[r + 1]!;
      }
      this.leafG[l] = G;
      this.leafH[l] = H;
    }
  }

  private takeHist(): number {
    const free = this.freeHists.pop();
    if (free !== undefined) return free;
    this.pool.push(new Float64Array(this.histLength));
    return this.pool.length - 1;
  }

  private freeHist(h: number): void {
    this.freeHists.push(h);
  }

  private releaseLeafHist(leaf: number): void {
    const h = this.leafHist[leaf]!;
    if (h >= 0) {
      this.freeHists.push(h);
      this.leafHist[leaf] = -1;
    }
  }

  /** Histogram of the rows indices[begin, begin + count), all features (unselected ones are never read). */
  private buildHistogram(hist: Float64Array, begin: number, count: number): void {
    hist.fill(0);
    if (this.quant) histRowsQ(hist, this.packed, this.groups, this.quant.qv, this.indices, begin, count);
    else histRows(hist, this.packed, this.groups, this.gh, this.indices, begin, count);
  }

  private subtractHistogram(parent: Float64Array, child: Float64Array): void {
    const sel = this.selected;
    for (let s = 0; s < this.nSelected; s++) {
      const f = sel[s]!;
      const o = this.quant ? f * QSTRIDE : f * STRIDE;
      const end = o + (this.quant ? 1 : 2) * this.nBins[f]!;
      for (let i = o; i < end; i++) parent[i] = parent[i]! - child[i]!;
    }
  }

  private findBestSplit(leaf: number): void {
    const pooled = this.pool[this.leafHist[leaf]!]!;
    const hist = this.quant ? this.quant.decode(pooled, this.selected, this.nSelected, this.nBins) : pooled;
    const G = this.leafG[leaf]!;
    const H = this.leafH[leaf]!;
    const C = this.tree.leafCount[leaf]!;
    const l2 = this.p.lambda_l2 + EPS;
    const parentScore = (G * G) / (H + l2);
    this.bestGain[leaf] = -Infinity;
    this.bestFeature[leaf] = -1;
    // Only rows of zero weight: nothing to fit, and row counts could not be estimated from hessians.
    if (!(H > 0)) return;
    const sel = this.selected;
    const finder = this.finder;
    for (let s = 0; s < this.nSelected; s++) {
      const f = sel[s]!;
      // Better than the leaf's best so far and than min_gain_to_split.
      const minScore = Math.max(this.bestGain[leaf]!, this.p.min_gain_to_split) + parentScore;
      const o = this.histOffset[f]!;
      const found = this.categorical[f]
        ? finder.categorical(hist, o, this.nBins[f]!, this.otherBin[f]!, this.missingBin[f]!, G, H, C, minScore, parentScore, this.bestCatLeft, leaf * MAX_BINS)
        : finder.numeric(hist, o, this.missingBin[f]!, G, H, C, minScore, parentScore);
      if (!found) continue;
      this.bestGain[leaf] = finder.gain;
      this.bestFeature[leaf] = f;
      this.bestBin[leaf] = finder.bin;
      this.bestDefaultLeft[leaf] = finder.defaultLeft;
      this.bestLeftG[leaf] = finder.leftG;
      this.bestLeftH[leaf] = finder.leftH;
    }
  }

  /** Turns leaf `leaf` into internal node `node` with children `leaf` (left) and `right`. */
  private applySplit(leaf: number, right: number, node: number): void {
    const tree = this.tree;
    const f = this.bestFeature[leaf]!;
    const isCat = this.categorical[f]!;
    tree.feature[node] = f;
    tree.thresholdBin[node] = this.bestBin[leaf]!;
    tree.defaultLeft[node] = this.bestDefaultLeft[leaf]!;
    tree.isCategorical[node] = isCat;
    tree.gain[node] = this.bestGain[leaf]!;
    tree.nodeCount[node] = tree.leafCount[leaf]!;
    if (isCat) tree.catLeft.set(this.bestCatLeft.subarray(leaf * MAX_BINS, (leaf + 1) * MAX_BINS), node * MAX_BINS);
    tree.left[node] = ~leaf;
    tree.right[node] = ~right;
    const parent = this.leafParent[leaf]!;
    if (parent >= 0) {
      if (this.leafIsLeft[leaf]) tree.left[parent] = node;
      else tree.right[parent] = node;
    }
    this.leafParent[leaf] = node;
    this.leafIsLeft[leaf] = 1;
    this.leafParent[right] = node;
    this.leafIsLeft[right] = 0;

    const begin = tree.leafBegin[leaf]!;
    const count = tree.leafCount[leaf]!;
    const nLeft = isCat
      ? partitionCategorical(this.indices, this.scratch, this.cols[f]!, begin, count, tree.catLeft, node * MAX_BINS)
      : partitionNumeric(
          this.indices,
          this.scratch,
          this.cols[f]!,
          begin,
          count,
          this.bestBin[leaf]!,
          this.missingBin[f]!,
          this.bestDefaultLeft[leaf]!,
        );
    tree.leafCount[leaf] = nLeft;
    tree.leafBegin[right] = begin + nLeft;
    tree.leafCount[right] = count - nLeft;
    const G = this.leafG[leaf]!;
    const H = this.leafH[leaf]!;
    this.leafG[leaf] = this.bestLeftG[leaf]!;
    this.leafH[leaf] = this.bestLeftH[leaf]!;
    this.leafG[right] = G - this.bestLeftG[leaf]!;
    this.leafH[right] = H - this.bestLeftH[leaf]!;
  }
}
