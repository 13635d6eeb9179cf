// Split search over one feature's histogram, LightGBM's scans and tie-breaking. Histograms hold
// (gradient, hessian) pairs per bin; row counts are estimated from hessians (see grower.ts).
import type { GbdtParams } from "./params";

/** Keeps divisions finite when a hessian sum is zero and there is no L2 term (LightGBM's kEpsilon). */
export const EPS = 1e-15;
/** Bins per feature at most (uint8 codes). */
export const MAX_BINS = 256;
/**
 * Relative margin a candidate must beat the best by: splits that separate the same rows differ in
 * gain only by rounding, and then the first feature (lowest index) should win, as in LightGBM,
 * rather than whichever rounding favoured.
 */
const TIE = 1e-12;

/** Finds splits; the last one found is in gain/bin/defaultLeft/leftG/leftH (categorical: the flags given). */
export class SplitFinder {
  gain = 0;
  /** Threshold bin (numeric), -1 for categorical. */
  bin = -1;
  defaultLeft = 0;
  leftG = 0;
  leftH = 0;
  // Scratch for categorical split search.
  private readonly catBins = new Int32Array(MAX_BINS);
  private readonly catKey = new Float64Array(MAX_BINS);

  constructor(private readonly p: GbdtParams) {}

  /** Best numeric split of a leaf whose histogram for one feature starts at `o`; true when one beats `minScore`. */
  numeric(hist: Float64Array, o: number, miss: number, G: number, H: number, C: number, minScore: number, parentScore: number): boolean {
    const p = this.p;
    const l2 = p.lambda_l2 + EPS;
    const minLeaf = p.min_samples_leaf;
    const minHess = p.min_child_weight;
    const cntFactor = C / H;
    const mo = o + 2 * miss;
    const hm = hist[mo + 1]!;
    // Hessians are positive for every row of positive weight, so a positive sum means rows are there.
    const hasMissing = hm > 0;
    // Better than the leaf's current best and than min_gain_to_split.
    let bestScore = minScore;
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
    if (bestBin < 0 || isRoundingNoise(bestScore, parentScore)) return false;
    this.gain = bestScore - parentScore;
    this.bin = bestBin;
    this.defaultLeft = bestDefaultLeft;
    this.leftG = bestGl;
    this.leftH = bestHl;
    return true;
  }

  /**
   * LightGBM's categorical search: few categories → one category against the rest; many → sort
   * categories by gradient/hessian ratio and take the best prefix from either end (at most
   * max_cat_threshold categories on the matched side, extra L2 `cat_l2`, groups of min_data_per_group).
   * The missing bin takes part like a category; the "other" bin of rare categories never joins the matched side.
   */
  categorical(
    hist: Float64Array,
    o: number,
    nb: number,
    other: number,
    miss: number,
    G: number,
    H: number,
    C: number,
    minScore: number,
    parentScore: number,
    flags: Uint8Array,
    flagBase: number,
  ): boolean {
    const p = this.p;
    const minLeaf = p.min_samples_leaf;
    const minHess = p.min_child_weight;
    const cntFactor = C / H;
    const cand = this.catBins;
    let n = 0;
    for (let b = 0; b < nb; b++) if (b !== other && hist[o + 2 * b + 1]! > 0) cand[n++] = b;
    if (n < 2 && !(n === 1 && hist[o + 2 * cand[0]! + 1]! < H)) return false;

    let bestScore = minScore;
    let found = false;
    let bestGl = 0;
    let bestHl = 0;
    const setFlags = (bins: Int32Array, from: number, count: number, step: number) => {
      flags.fill(0, flagBase, flagBase + MAX_BINS);
      for (let i = 0, j = from; i < count; i++, j += step) flags[flagBase + bins[j]!] = 1;
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
    if (!found || isRoundingNoise(bestScore, parentScore)) return false;
    this.gain = bestScore - parentScore;
    this.bin = -1;
    this.defaultLeft = flags[flagBase + miss]!;
    this.leftG = bestGl;
    this.leftH = bestHl;
    return true;
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
