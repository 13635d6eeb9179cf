// Leaf-wise (best-first) growth of one tree over binned data, LightGBM style.
//
// Rows of every leaf sit in one contiguous segment of `indices`; a split partitions the segment in
// place (left part stays in front). Histograms hold (gradient, hessian) pairs per bin, 256 bins per
// feature; only the smaller child's histogram is built from rows, the larger one is the parent's
// minus it, computed in place in the parent's array.
//
// Quantized mode (LightGBM's use_quantized_grad, on by default here for large data): each row's
// gradient and hessian are rounded stochastically to integers and packed into one double as
// gq · 2^S + hq, so a histogram bin is a single exact integer sum and building a histogram costs one
// add per row and feature instead of two (measured 1.5× faster). The bit budget follows the row
// count so sums stay below 2^53: 80k rows get 1024 gradient and 256 hessian levels. Subtraction of
// integer histograms is exact. Leaf values are computed from the exact gradients.
//
// Like LightGBM, histograms keep no row counts: a bin range's count is estimated from its hessian
// sum as round(hessian × leafRows / leafHessian), exact when every row has the same hessian
// (unweighted regression) and close otherwise. A third accumulator per bin cost about a quarter of
// the histogram time, the largest part of training. Leaf row counts themselves are exact.
//
// Histograms are built row by row from a second copy of the bins packed four features to a uint32
// (row-major): one load yields four bin codes and one gradient pair serves all features of the row,
// which measured ~2.5× faster than one pass per feature over column-major bytes. The column-major
// bytes serve the partition, which reads one feature.
import type { FeatureBins } from "./binning";
import type { GbdtParams } from "./params";
import type { Rng } from "./rng";

/** Keeps divisions finite when a hessian sum is zero and there is no L2 term (LightGBM's kEpsilon). */
const EPS = 1e-15;
/** Bins per feature at most (uint8 codes). */
const MAX_BINS = 256;
/** Doubles per feature in a histogram: 256 bins × (gradient, hessian); a quantized histogram uses half. */
const STRIDE = MAX_BINS * 2;
const QSTRIDE = MAX_BINS;
/** Below this many rows per tree, "auto" keeps exact histograms: speed does not matter there, exactness does. */
const QUANTIZE_MIN_ROWS = 20_000;
/** Fewer gradient + hessian bits than this (beyond ~4M rows per tree) would be too coarse: exact histograms then. */
const MIN_QUANT_BITS = 8;
/**
 * Relative margin a candidate must beat the best by: splits that separate the same rows differ in
 * gain only by rounding, and then the first feature (lowest index) should win, as in LightGBM,
 * rather than whichever rounding favoured.
 */
const TIE = 1e-12;

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
  /** Packed quantized gradients: row r's gq · qShift + hq. Null in exact mode. */
  private readonly qv: Float64Array | null;
  private readonly qShift: number;
  private readonly qLevelsG: number;
  private readonly qLevelsH: number;
  private gScale = 1;
  private hScale = 1;
  /** Quantized histograms decoded to (gradient, hessian) pairs for the split search. */
  private readonly decoded: Float64Array | null;
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

  // Scratch for categorical split search.
  private readonly catBins = new Int32Array(MAX_BINS);
  private readonly catKey = new Float64Array(MAX_BINS);

  readonly tree: BinTree;

  /** `rowsPerTree` (the bag size) decides whether histograms are quantized. */
  constructor(binned: Uint8Array, nRows: number, bins: readonly FeatureBins[], params: GbdtParams, rowsPerTree: number, rng: Rng) {
    this.rng = rng;
    this.nRows = nRows;
    this.nFeatures = bins.length;
    this.p = params;
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
    const logN = Math.ceil(Math.log2(rowsPerTree + 1));
    // |sum gq| < 2^(logN + gBits) and S = logN + hBits, so the packed sum needs 2·logN + gBits + hBits bits; 52 leaves a margin.
    const bits = Math.min(30, 52 - 2 * logN);
    const quantize = params.use_quantized_grad === "auto" ? rowsPerTree >= QUANTIZE_MIN_ROWS : params.use_quantized_grad;
    if (quantize && bits >= MIN_QUANT_BITS) {
      const hBits = Math.floor(bits * 0.45);
      this.qLevelsH = 2 ** hBits;
      this.qLevelsG = 2 ** (bits - hBits);
      this.qShift = 2 ** (logN + hBits);
      this.qv = new Float64Array(nRows);
      this.decoded = new Float64Array(this.groups * 4 * STRIDE);
    } else {
      this.qLevelsH = this.qLevelsG = this.qShift = 0;
      this.qv = this.decoded = null;
    }
    // Padding features of the last group accumulate into slots nobody reads.
    this.histLength = this.groups * 4 * (this.qv ? QSTRIDE : STRIDE);
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
    if (this.qv) {
      const V = this.quantize(nUsed);
      const gq = Math.floor(V / this.qShift);
      G = gq * this.gScale;
      H = (V - gq * this.qShift) * this.hScale;
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
      this.buildHistogram(this.pool[h]!, 0, nUsed, rows === null);
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
      this.buildHistogram(this.pool[hs]!, tree.leafBegin[small]!, tree.leafCount[small]!, false);
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

    if (this.qv) this.exactLeafSums(nLeaves);
    const l2 = t.lambda_l2 + EPS;
    for (let l = 0; l < nLeaves; l++) {
      tree.leafValue[l] = (-this.leafG[l]! / (this.leafH[l]! + l2)) * t.learning_rate;
    }
    tree.nLeaves = nLeaves;
    return tree;
  }

  /**
   * Stochastic rounding of the used rows' gradients into qv (unbiased: E[gq] = g / gScale).
   * Returns the packed sum over the rows, which is the root's histogram total.
   */
  private quantize(nUsed: number): number {
    const gh = this.gh;
    const idx = this.indices;
    const qv = this.qv!;
    let maxG = 0;
    let maxH = 0;
    for (let i = 0; i < nUsed; i++) {
      const r = 2 * idx[i]!;
      const g = gh[r]!;
      const a = g < 0 ? -g : g;
      if (a > maxG) maxG = a;
      if (gh[r + 1]! > maxH) maxH = gh[r + 1]!;
    }
    this.gScale = maxG > 0 ? maxG / this.qLevelsG : 1;
    this.hScale = maxH > 0 ? maxH / this.qLevelsH : 1;
    const gInv = 1 / this.gScale;
    const hInv = 1 / this.hScale;
    const shift = this.qShift;
    // xorshift32 seeded from the main generator once per tree: inline and cheap, and the rounding
    // noise only needs to be unbiased, not of high statistical quality.
    let x = this.rng.nextUint32() | 1;
    let total = 0;
    for (let i = 0; i < nUsed; i++) {
      const row = idx[i]!;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      // One 32-bit draw gives both 16-bit uniforms.
      const u = x >>> 0;
      const gq = Math.floor(gh[2 * row]! * gInv + (u & 0xffff) * (1 / 65536));
      const hq = Math.floor(gh[2 * row + 1]! * hInv + (u >>> 16) * (1 / 65536));
      const v = gq * shift + hq;
      qv[row] = v;
      total += v;
    }
    return total;
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

  /** Quantized histogram → (gradient, hessian) pairs of the selected features, in `decoded`. */
  private decode(hist: Float64Array): Float64Array {
    const out = this.decoded!;
    const shift = this.qShift;
    const inv = 1 / shift;
    const gs = this.gScale;
    const hs = this.hScale;
    const sel = this.selected;
    for (let s = 0; s < this.nSelected; s++) {
      const f = sel[s]!;
      const nb = this.nBins[f]!;
      for (let b = 0, q = f * QSTRIDE, o = f * STRIDE; b < nb; b++, q++, o += 2) {
        const v = hist[q]!;
        const gq = Math.floor(v * inv);
        out[o] = gq * gs;
        out[o + 1] = (v - gq * shift) * hs;
      }
    }
    return out;
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
  private buildHistogram(hist: Float64Array, begin: number, count: number, allRows: boolean): void {
    hist.fill(0);
    if (this.qv) {
      if (allRows) histAllRowsQ(hist, this.packed, this.groups, this.qv, count);
      else histRowsQ(hist, this.packed, this.groups, this.qv, this.indices, begin, count);
    } else if (allRows) histAllRows(hist, this.packed, this.groups, this.gh, count);
    else histRows(hist, this.packed, this.groups, this.gh, this.indices, begin, count);
  }

  private subtractHistogram(parent: Float64Array, child: Float64Array): void {
    const sel = this.selected;
    for (let s = 0; s < this.nSelected; s++) {
      const f = sel[s]!;
      const o = this.qv ? f * QSTRIDE : f * STRIDE;
      const end = o + (this.qv ? 1 : 2) * this.nBins[f]!;
      for (let i = o; i < end; i++) parent[i] = parent[i]! - child[i]!;
    }
  }

  private findBestSplit(leaf: number): void {
    const pooled = this.pool[this.leafHist[leaf]!]!;
    const hist = this.qv ? this.decode(pooled) : pooled;
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
    for (let s = 0; s < this.nSelected; s++) {
      const f = sel[s]!;
      if (this.categorical[f]) this.splitCategorical(leaf, f, hist, G, H, C, parentScore);
      else this.splitNumeric(leaf, f, hist, G, H, C, parentScore);
    }
  }

  private splitNumeric(leaf: number, f: number, hist: Float64Array, G: number, H: number, C: number, parentScore: number): void {
    const p = this.p;
    const l2 = p.lambda_l2 + EPS;
    const minLeaf = p.min_samples_leaf;
    const minHess = p.min_child_weight;
    const cntFactor = C / H;
    const o = this.histOffset[f]!;
    const miss = this.missingBin[f]!;
    const mo = o + 2 * miss;
    const hm = hist[mo + 1]!;
    // Hessians are positive for every row of positive weight, so a positive sum means rows are there.
    const hasMissing = hm > 0;
    // Better than the leaf's current best and than min_gain_to_split.
    let bestScore = Math.max(this.bestGain[leaf]!, p.min_gain_to_split) + parentScore;
    let bestBin = -1;
    let bestDefaultLeft = 0;
    let bestGl = 0;
    let bestHl = 0;

    // LightGBM's two scans, in its order, so that row-count estimates and ties resolve as there.
    // Scan 1, from the top bin down, accumulating the right side: missing values stay on the left.
    let gr = 0;
    let hr = 0;
    for (let b = miss - 1, q = o + 2 * (miss - 1); b >= 1; b--, q -= 2) {
      const gb = hist[q]!;
      const hb = hist[q + 1]!;
      // An empty bin repeats the previous candidate's partition: skip its divisions (most bins of a small leaf are empty).
      if (gb === 0 && hb === 0 && b < miss - 1) continue;
      gr += gb;
      hr += hb;
      const cr = (hr * cntFactor + 0.5) | 0;
      if (cr < minLeaf || hr < minHess) continue;
      const cl = C - cr;
      const hl = H - hr;
      if (cl < minLeaf || hl < minHess) break;
      const gl = G - gr;
      const score = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2);
      if (score > bestScore + TIE * bestScore) {
        bestScore = score;
        bestBin = b - 1;
        // Without missing values in this leaf, unseen NaNs follow the majority (scikit-learn's rule).
        bestDefaultLeft = hasMissing || cl >= cr ? 1 : 0;
        bestGl = gl;
        bestHl = hl;
      }
    }
    // Scan 2, only with missing values: from the bottom up, missing values on the right. Its last
    // candidate puts every value left and only the missing ones right.
    if (hasMissing) {
      let gl = 0;
      let hl = 0;
      for (let b = 0, q = o; b <= miss - 1; b++, q += 2) {
        const gb = hist[q]!;
        const hb = hist[q + 1]!;
        if (gb === 0 && hb === 0 && b > 0) continue;
        gl += gb;
        hl += hb;
        const cl = (hl * cntFactor + 0.5) | 0;
        if (cl < minLeaf || hl < minHess) continue;
        const cr = C - cl;
        const hr = H - hl;
        if (cr < minLeaf || hr < minHess) break;
        const gr = G - gl;
        const score = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2);
        if (score > bestScore + TIE * bestScore) {
          bestScore = score;
          bestBin = b;
          bestDefaultLeft = 0;
          bestGl = gl;
          bestHl = hl;
        }
      }
    }
    if (bestBin < 0 || isRoundingNoise(bestScore, parentScore)) return;
    this.bestGain[leaf] = bestScore - parentScore;
    this.bestFeature[leaf] = f;
    this.bestBin[leaf] = bestBin;
    this.bestDefaultLeft[leaf] = bestDefaultLeft;
    this.bestLeftG[leaf] = bestGl;
    this.bestLeftH[leaf] = bestHl;
  }

  /**
   * LightGBM's categorical search: few categories → one category against the rest; many → sort
   * categories by gradient/hessian ratio and take the best prefix from either end (at most
   * max_cat_threshold categories on the matched side, extra L2 `cat_l2`, groups of min_data_per_group).
   * The missing bin takes part like a category; the "other" bin of rare categories never joins the matched side.
   */
  private splitCategorical(leaf: number, f: number, hist: Float64Array, G: number, H: number, C: number, parentScore: number): void {
    const p = this.p;
    const minLeaf = p.min_samples_leaf;
    const minHess = p.min_child_weight;
    const o = this.histOffset[f]!;
    const nb = this.nBins[f]!;
    const other = this.otherBin[f]!;
    const cntFactor = C / H;
    const cand = this.catBins;
    let n = 0;
    for (let b = 0; b < nb; b++) if (b !== other && hist[o + 2 * b + 1]! > 0) cand[n++] = b;
    if (n < 2 && !(n === 1 && hist[o + 2 * cand[0]! + 1]! < H)) return;

    let bestScore = Math.max(this.bestGain[leaf]!, p.min_gain_to_split) + parentScore;
    let found = false;
    let bestGl = 0;
    let bestHl = 0;
    const setFlags = (bins: Int32Array, from: number, count: number, step: number) => {
      const flags = this.bestCatLeft;
      const base = leaf * MAX_BINS;
      flags.fill(0, base, base + MAX_BINS);
      for (let i = 0, j = from; i < count; i++, j += step) flags[base + bins[j]!] = 1;
    };

    if (n <= p.max_cat_to_onehot) {
      const l2 = p.lambda_l2 + EPS;
      for (let i = 0; i < n; i++) {
        const q = o + 2 * cand[i]!;
        const gl = hist[q]!;
        const hl = hist[q + 1]!;
        const cl = (hl * cntFactor + 0.5) | 0;
        const cr = C - cl;
        const hr = H - hl;
        if (cl < minLeaf || hl < minHess || cr < minLeaf || hr < minHess) continue;
        const gr = G - gl;
        const score = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2);
        if (score > bestScore + TIE * bestScore) {
          bestScore = score;
          found = true;
          bestGl = gl;
          bestHl = hl;
          setFlags(cand, i, 1, 1);
        }
      }
    } else {
      const smooth = p.cat_smooth;
      const key = this.catKey;
      let used = 0;
      for (let i = 0; i < n; i++) {
        const q = o + 2 * cand[i]!;
        // Categories rarer than cat_smooth carry too little evidence to be placed; they stay on the default side.
        if (hist[q + 1]! * cntFactor + 0.5 >= smooth) {
          cand[used] = cand[i]!;
          key[used] = hist[q]! / (hist[q + 1]! + smooth);
          used++;
        }
      }
      insertionSortByKey(cand, key, used);
      const l2 = p.lambda_l2 + p.cat_l2 + EPS;
      const maxCats = Math.min(p.max_cat_threshold, (used + 1) >> 1);
      for (let dir = 0; dir < 2; dir++) {
        const step = dir === 0 ? 1 : -1;
        let pos = dir === 0 ? 0 : used - 1;
        let gl = 0;
        let hl = 0;
        let group = 0;
        for (let i = 0; i < used && i < maxCats; i++, pos += step) {
          const q = o + 2 * cand[pos]!;
          gl += hist[q]!;
          hl += hist[q + 1]!;
          const cl = (hl * cntFactor + 0.5) | 0;
          group += hist[q + 1]! * cntFactor;
          if (cl < minLeaf || hl < minHess) continue;
          const cr = C - cl;
          if (cr < minLeaf || cr < p.min_data_per_group) break;
          const hr = H - hl;
          if (hr < minHess) break;
          if (group < p.min_data_per_group) continue;
          group = 0;
          const gr = G - gl;
          const score = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2);
          if (score > bestScore + TIE * bestScore) {
            bestScore = score;
            found = true;
            bestGl = gl;
            bestHl = hl;
            setFlags(cand, dir === 0 ? 0 : used - 1 - i, i + 1, 1);
          }
        }
      }
    }
    if (!found || isRoundingNoise(bestScore, parentScore)) return;
    this.bestGain[leaf] = bestScore - parentScore;
    this.bestFeature[leaf] = f;
    this.bestBin[leaf] = -1;
    this.bestDefaultLeft[leaf] = this.bestCatLeft[leaf * MAX_BINS + this.missingBin[f]!]!;
    this.bestLeftG[leaf] = bestGl;
    this.bestLeftH[leaf] = bestHl;
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

/**
 * A "gain" at rounding-error level: both children would get the same value, so the split only
 * adds a node. Relative to the children's score, because the parent's is ~0 at a root after
 * boosting from the average.
 */
function isRoundingNoise(score: number, parentScore: number): boolean {
  return score - parentScore <= 1e-10 * score;
}

// The hot loops are free functions over typed arrays so V8 keeps each one monomorphic and inlines nothing else.

function packBins(binned: Uint8Array, n: number, F: number, groups: number): Uint32Array {
  const packed = new Uint32Array(n * groups);
  for (let f = 0; f < F; f++) {
    const shift = 8 * (f & 3);
    const j = f >> 2;
    const col = f * n;
    for (let r = 0; r < n; r++) packed[r * groups + j] = (packed[r * groups + j]! | (binned[col + r]! << shift)) >>> 0;
  }
  return packed;
}

// Four features per word, unrolled: the adds of different features are independent, so they overlap.
function histAllRows(hist: Float64Array, packed: Uint32Array, groups: number, gh: Float64Array, n: number): void {
  for (let r = 0; r < n; r++) {
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    for (let j = 0, base = r * groups, o = 0; j < groups; j++, o += 4 * STRIDE) {
      const w = packed[base + j]!;
      let q = o + 2 * (w & 255);
      hist[q] = hist[q]! + g;
      hist[q + 1] = hist[q + 1]! + h;
      q = o + STRIDE + 2 * ((w >>> 8) & 255);
      hist[q] = hist[q]! + g;
      hist[q + 1] = hist[q + 1]! + h;
      q = o + 2 * STRIDE + 2 * ((w >>> 16) & 255);
      hist[q] = hist[q]! + g;
      hist[q + 1] = hist[q + 1]! + h;
      q = o + 3 * STRIDE + 2 * (w >>> 24);
      hist[q] = hist[q]! + g;
      hist[q + 1] = hist[q + 1]! + h;
    }
  }
}

function histRows(hist: Float64Array, packed: Uint32Array, groups: number, gh: Float64Array, idx: Uint32Array, begin: number, n: number): void {
  const end = begin + n;
  for (let k = begin; k < end; k++) {
    const r = idx[k]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    for (let j = 0, base = r * groups, o = 0; j < groups; j++, o += 4 * STRIDE) {
      const w = packed[base + j]!;
      let q = o + 2 * (w & 255);
      hist[q] = hist[q]! + g;
      hist[q + 1] = hist[q + 1]! + h;
      q = o + STRIDE + 2 * ((w >>> 8) & 255);
      hist[q] = hist[q]! + g;
      hist[q + 1] = hist[q + 1]! + h;
      q = o + 2 * STRIDE + 2 * ((w >>> 16) & 255);
      hist[q] = hist[q]! + g;
      hist[q + 1] = hist[q + 1]! + h;
      q = o + 3 * STRIDE + 2 * (w >>> 24);
      hist[q] = hist[q]! + g;
      hist[q + 1] = hist[q + 1]! + h;
    }
  }
}

// Quantized: one packed value per row, one add per feature.
function histAllRowsQ(hist: Float64Array, packed: Uint32Array, groups: number, qv: Float64Array, n: number): void {
  for (let r = 0; r < n; r++) {
    const v = qv[r]!;
    for (let j = 0, base = r * groups, o = 0; j < groups; j++, o += 4 * QSTRIDE) {
      const w = packed[base + j]!;
      let q = o + (w & 255);
      hist[q] = hist[q]! + v;
      q = o + QSTRIDE + ((w >>> 8) & 255);
      hist[q] = hist[q]! + v;
      q = o + 2 * QSTRIDE + ((w >>> 16) & 255);
      hist[q] = hist[q]! + v;
      q = o + 3 * QSTRIDE + (w >>> 24);
      hist[q] = hist[q]! + v;
    }
  }
}

function histRowsQ(hist: Float64Array, packed: Uint32Array, groups: number, qv: Float64Array, idx: Uint32Array, begin: number, n: number): void {
  const end = begin + n;
  for (let k = begin; k < end; k++) {
    const r = idx[k]!;
    const v = qv[r]!;
    for (let j = 0, base = r * groups, o = 0; j < groups; j++, o += 4 * QSTRIDE) {
      const w = packed[base + j]!;
      let q = o + (w & 255);
      hist[q] = hist[q]! + v;
      q = o + QSTRIDE + ((w >>> 8) & 255);
      hist[q] = hist[q]! + v;
      q = o + 2 * QSTRIDE + ((w >>> 16) & 255);
      hist[q] = hist[q]! + v;
      q = o + 3 * QSTRIDE + (w >>> 24);
      hist[q] = hist[q]! + v;
    }
  }
}

/** Stable in-place partition: left rows stay in front, right rows go through scratch. Returns the left count. */
function partitionNumeric(
  idx: Uint32Array,
  scratch: Uint32Array,
  col: Uint8Array,
  begin: number,
  count: number,
  thr: number,
  missing: number,
  defaultLeft: number,
): number {
  let l = begin;
  let r = 0;
  const end = begin + count;
  // Missing is the highest bin: mapping it to 0 (missing left) or 255 (right) makes the test one compare.
  const missTo = defaultLeft === 1 ? 0 : 255;
  for (let k = begin; k < end; k++) {
    const row = idx[k]!;
    const b = col[row]!;
    // Branch-free: the row is written to both sides and only one cursor advances (the direction is a coin flip for the predictor).
    // (thr - bin) >>> 31 is 1 exactly when bin > thr: a compare without a branch.
    const goLeft = ((thr - (b === missing ? missTo : b)) >>> 31) ^ 1;
    idx[l] = row;
    scratch[r] = row;
    l += goLeft;
    r += 1 - goLeft;
  }
  idx.set(scratch.subarray(0, r), l);
  return l - begin;
}

function partitionCategorical(
  idx: Uint32Array,
  scratch: Uint32Array,
  col: Uint8Array,
  begin: number,
  count: number,
  flags: Uint8Array,
  base: number,
): number {
  let l = begin;
  let r = 0;
  const end = begin + count;
  for (let k = begin; k < end; k++) {
    const row = idx[k]!;
    const goLeft = flags[base + col[row]!]!;
    idx[l] = row;
    scratch[r] = row;
    l += goLeft;
    r += 1 - goLeft;
  }
  idx.set(scratch.subarray(0, r), l);
  return l - begin;
}

/** Stable ascending sort of bins by key; at most 256 entries, so insertion sort is the cheap choice. */
function insertionSortByKey(bins: Int32Array, key: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const b = bins[i]!;
    const k = key[i]!;
    let j = i - 1;
    while (j >= 0 && key[j]! > k) {
      bins[j + 1] = bins[j]!;
      key[j + 1] = key[j]!;
      j--;
    }
    bins[j + 1] = b;
    key[j + 1] = k;
  }
}
