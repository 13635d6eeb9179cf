// The boosting loop, one iteration per `step()`: binning, one tree per output per iteration, score
// updates, losses, early stopping. A stepping object (rather than one loop) lets a synchronous caller
// run it flat out and an asynchronous one await a listener between iterations (back-pressure).
import { invalid } from "../../errors";
import { binMatrix, fitBins, type FeatureBins } from "./binning";
import { checkLabels, checkMatrix, checkWeights, classCount, holdOut, rowWeights, type GbdtDataset } from "./data";
import { ForestBuilder, leafOf } from "./forest";
import { TreeGrower, type BinTree } from "./grower";
import { GbdtModel } from "./model";
import { baseScore, gradients, meanLoss, probabilities } from "./objective";
import { parseGbdtParams, type GbdtObjective, type GbdtParams, type GbdtParamsInput } from "./params";
import { Rng, sampleSorted } from "./rng";

const MAX_BINS = 256;

export interface GbdtIterationInfo {
  /** 1-based boosting iteration. */
  iteration: number;
  /** NaN when the train loss is not tracked. */
  trainLoss: number;
  /** Loss on the validation set, null when there is none. */
  validLoss: number | null;
}

export interface GbdtTrainOptions {
  objective: GbdtObjective;
  /** Multiclass: number of classes (default: largest label + 1). Ignored otherwise. */
  nClasses?: number;
  params?: GbdtParamsInput;
  /** Features whose values are category codes 0..k-1 (NaN = missing). */
  categoricalFeatures?: readonly number[];
  sampleWeight?: Float64Array;
  /** Validation set for the loss curve and early stopping; without it, early stopping holds out validation_fraction. */
  valid?: GbdtDataset;
  onIteration?: (info: GbdtIterationInfo) => void;
  signal?: AbortSignal;
}

export interface GbdtTrainResult {
  model: GbdtModel;
  /** The trainer's own raw scores of the training rows for the kept trees (nRows × nOutputs). */
  trainRaw: Float64Array;
  /** Per-iteration losses; trainLoss is only computed when onIteration is given. */
  history: { trainLoss: number[]; validLoss: number[] };
  /** Iterations kept (the best one under early stopping). */
  bestIteration: number;
  stoppedEarly: boolean;
}

export class Booster {
  readonly params: GbdtParams;
  readonly objective: GbdtObjective;
  readonly nClasses: number;
  /** Raw outputs per row (K): nClasses for multiclass, else 1. */
  readonly nOutputs: number;
  readonly train: GbdtDataset;
  readonly valid: GbdtDataset | null;
  /** Raw scores of the training and validation rows after the iterations so far (rows × K). */
  readonly scores: Float64Array;
  readonly validScores: Float64Array | null;
  readonly history: { trainLoss: number[]; validLoss: number[] } = { trainLoss: [], validLoss: [] };
  /** Iterations done (trees kept so far / K). */
  iterations = 0;
  stoppedEarly = false;
  private done = false;
  private readonly nFeatures: number;
  private readonly categorical: Set<number>;
  private readonly trackTrainLoss: boolean;
  private readonly signal: AbortSignal | undefined;
  private readonly w: Float64Array;
  private readonly wValid: Float64Array | null;
  private readonly bins: FeatureBins[];
  private readonly base: Float64Array;
  private readonly rng: Rng;
  private readonly grower: TreeGrower;
  private readonly usable: Int32Array;
  private readonly forest = new ForestBuilder();
  private readonly gh: Float64Array;
  private readonly prob: Float64Array;
  private readonly bag: Uint32Array | null;
  private readonly oob: Uint32Array | null;
  private readonly bagSize: number;
  private readonly nSelect: number;
  private readonly selected: Int32Array;
  /** Leaf value of each output's tree when it did not split (to undo an all-constant iteration). */
  private readonly constants: Float64Array;
  private bestLoss = Infinity;
  private bestIteration = 0;
  private bestScores: Float64Array | null = null;

  constructor(X: Float64Array, nRows: number, nFeatures: number, y: Float64Array, opts: GbdtTrainOptions & { trackTrainLoss?: boolean }) {
    const params = parseGbdtParams(opts.params ?? {});
    this.params = params;
    this.objective = opts.objective;
    this.nFeatures = nFeatures;
    this.signal = opts.signal;
    this.trackTrainLoss = opts.trackTrainLoss ?? opts.onIteration !== undefined;
    checkMatrix("X", X, nRows, nFeatures);
    this.nClasses = classCount(this.objective, y, nRows, opts.nClasses);
    checkLabels(this.objective, y, nRows, this.nClasses, "y");
    this.categorical = new Set(opts.categoricalFeatures ?? []);
    for (const c of this.categorical) {
      if (!Number.isInteger(c) || c < 0 || c >= nFeatures) throw invalid(`categoricalFeatures: ${c} is not a feature index`);
    }
    if (opts.sampleWeight) checkWeights(opts.sampleWeight, nRows, "sampleWeight");

    // Data: the caller's validation set, a held-out part for early stopping, or none.
    let train: GbdtDataset = { X, nRows, y, sampleWeight: opts.sampleWeight };
    let valid: GbdtDataset | null = opts.valid ?? null;
    if (valid) {
      checkMatrix("valid.X", valid.X, valid.nRows, nFeatures);
      checkLabels(this.objective, valid.y, valid.nRows, this.nClasses, "valid.y");
      if (valid.sampleWeight) checkWeights(valid.sampleWeight, valid.nRows, "valid.sampleWeight");
    } else if (params.early_stopping_rounds > 0) {
      [train, valid] = holdOut(train, nFeatures, this.objective, this.nClasses, params);
    }
    this.train = train;
    this.valid = valid;

    const K = this.objective === "multiclass" ? this.nClasses : 1;
    this.nOutputs = K;
    const n = train.nRows;
    this.w = rowWeights(train, this.objective, this.nClasses, params, train);
    this.wValid = valid ? rowWeights(valid, this.objective, this.nClasses, params, train) : null;

    this.bins = fitBins(train.X, n, nFeatures, this.categorical, params.max_bins, params.min_data_in_bin, params.seed);
    const binned = binMatrix(train.X, n, nFeatures, this.bins);
    this.base = baseScore(this.objective, train.y, this.w, K);
    this.scores = filledScores(n, this.base);
    this.validScores = valid ? filledScores(valid.nRows, this.base) : null;

    this.rng = new Rng(params.seed);
    const bagging = params.subsample < 1;
    this.bagSize = bagging ? Math.max(1, Math.floor(params.subsample * n)) : n;
    this.grower = new TreeGrower(binned, n, this.bins, params, this.bagSize, this.rng);
    this.usable = this.grower.usableFeatures();
    this.gh = new Float64Array(2 * n);
    this.prob = new Float64Array(this.objective === "multiclass" ? n * K : 0);
    this.bag = bagging ? new Uint32Array(this.bagSize) : null;
    this.oob = bagging ? new Uint32Array(n - this.bagSize) : null;
    this.nSelect = Math.max(1, Math.round(params.colsample * this.usable.length));
    this.selected = new Int32Array(this.usable.length);
    this.constants = new Float64Array(K);
  }

  /** False once training has ended: all iterations done, no tree could split, or early stopping. */
  get running(): boolean {
    return !this.done && this.iterations < this.params.n_estimators;
  }

  /** Runs one boosting iteration; returns its losses, or null when training has ended. */
  step(): GbdtIterationInfo | null {
    if (!this.running) return null;
    this.signal?.throwIfAborted();
    const { objective, train, valid, scores, validScores: vScores, params } = this;
    const K = this.nOutputs;
    const n = train.nRows;
    const F = this.nFeatures;
    if (this.bag && this.oob) {
      sampleSorted(this.rng, n, this.bagSize, this.bag);
      complement(this.bag, this.bagSize, n, this.oob);
    }
    if (objective === "multiclass") probabilities(objective, scores, n, K, this.prob);
    let anySplit = false;
    for (let k = 0; k < K; k++) {
      this.constants[k] = 0;
      gradients(objective, train.y, this.w, scores, this.prob, n, K, k, this.gh);
      const nSel = selectFeatures(this.rng, this.usable, this.nSelect, this.selected);
      const tree = this.grower.grow(this.gh, this.bag, this.bagSize, this.selected, nSel);
      if (tree.nLeaves > 1) anySplit = true;
      else this.constants[k] = tree.leafValue[0]!;
      const root = appendTree(this.forest, tree, this.bins);
      const view = this.forest.view();
      // In-bag rows: their leaf is known from the partition; out-of-bag rows walk the tree.
      const indices = this.grower.indices;
      for (let l = 0; l < tree.nLeaves; l++) {
        const v = tree.leafValue[l]!;
        const end = tree.leafBegin[l]! + tree.leafCount[l]!;
        for (let j = tree.leafBegin[l]!; j < end; j++) {
          const at = indices[j]! * K + k;
          scores[at] = scores[at]! + v;
        }
      }
      if (this.oob) {
        for (let j = 0; j < this.oob.length; j++) {
          const r = this.oob[j]!;
          scores[r * K + k] = scores[r * K + k]! + view.leafValue[leafOf(view, root, train.X, r * F)]!;
        }
      }
      if (valid && vScores) {
        for (let r = 0; r < valid.nRows; r++) {
          vScores[r * K + k] = vScores[r * K + k]! + view.leafValue[leafOf(view, root, valid.X, r * F)]!;
        }
      }
    }
    if (!anySplit) {
      // LightGBM stops here too: no leaf meets the split requirements, so further trees would be constants.
      this.forest.truncate(this.forest.trees - K);
      for (let i = 0; i < n * K; i++) scores[i] = scores[i]! - this.constants[i % K]!;
      if (vScores) for (let i = 0; i < vScores.length; i++) vScores[i] = vScores[i]! - this.constants[i % K]!;
      this.done = true;
      return null;
    }
    this.iterations++;
    const validLoss = valid && vScores && this.wValid ? meanLoss(objective, valid.y, this.wValid, vScores, valid.nRows, K) : null;
    if (validLoss !== null) this.history.validLoss.push(validLoss);
    // A pass of logs over every training row costs several percent of the fit: only when asked for.
    const trainLoss = this.trackTrainLoss ? meanLoss(objective, train.y, this.w, scores, n, K) : NaN;
    if (this.trackTrainLoss) this.history.trainLoss.push(trainLoss);

    if (validLoss !== null && params.early_stopping_rounds > 0) {
      if (validLoss < this.bestLoss) {
        this.bestLoss = validLoss;
        this.bestIteration = this.iterations;
        this.bestScores = this.bestScores ?? new Float64Array(n * K);
        this.bestScores.set(scores);
      } else if (this.iterations - this.bestIteration >= params.early_stopping_rounds) {
        this.stoppedEarly = true;
        this.done = true;
      }
    }
    return { iteration: this.iterations, trainLoss, validLoss };
  }

  /** The model of the iterations so far (the best one when early stopping ran); ends training. */
  finish(): GbdtTrainResult {
    this.done = true;
    let trainRaw: Float64Array = this.scores;
    let kept = this.iterations;
    if (this.params.early_stopping_rounds > 0 && this.valid && this.bestScores && this.bestIteration < this.iterations) {
      this.forest.truncate(this.bestIteration * this.nOutputs);
      trainRaw = this.bestScores;
      kept = this.bestIteration;
    }
    const model = new GbdtModel(
      {
        objective: this.objective,
        nFeatures: this.nFeatures,
        nClasses: this.nClasses,
        baseScore: this.base,
        categoricalFeatures: [...this.categorical].sort((a, b) => a - b),
        params: this.params,
        nIterations: kept,
      },
      this.forest.snapshot(),
    );
    return { model, trainRaw: trainRaw.slice(), history: this.history, bestIteration: kept, stoppedEarly: this.stoppedEarly };
  }
}

function filledScores(rows: number, base: Float64Array): Float64Array {
  const K = base.length;
  const out = new Float64Array(rows * K);
  for (let i = 0; i < rows; i++) for (let k = 0; k < K; k++) out[i * K + k] = base[k]!;
  return out;
}

/** Copies a bin-space tree into the forest with raw thresholds and category bitsets; returns its root reference. */
function appendTree(forest: ForestBuilder, tree: BinTree, bins: readonly FeatureBins[]): number {
  const nNodes = tree.nLeaves - 1;
  const { nodeBase, leafBase } = forest.beginTree(nNodes, tree.nLeaves);
  const ref = (c: number) => (c >= 0 ? nodeBase + c : ~(leafBase + ~c));
  for (let i = 0; i < nNodes; i++) {
    const g = nodeBase + i;
    const f = tree.feature[i]!;
    const fb = bins[f]!;
    forest.feature[g] = f;
    forest.left[g] = ref(tree.left[i]!);
    forest.right[g] = ref(tree.right[i]!);
    forest.missing[g] = tree.defaultLeft[i] ? forest.left[g]! : forest.right[g]!;
    forest.gain[g] = tree.gain[i]!;
    forest.nodeCount[g] = tree.nodeCount[i]!;
    if (fb.categorical) {
      const flags = tree.catLeft.subarray(i * MAX_BINS, (i + 1) * MAX_BINS);
      let maxCode = -1;
      for (let b = 0; b < fb.binToCategory.length; b++) if (flags[b]) maxCode = Math.max(maxCode, fb.binToCategory[b]!);
      const words = maxCode < 0 ? 0 : (maxCode >>> 5) + 1;
      const off = forest.allocCatWords(words);
      forest.catBits.fill(0, off, off + words);
      for (let b = 0; b < fb.binToCategory.length; b++) {
        if (!flags[b]) continue;
        const c = fb.binToCategory[b]!;
        forest.catBits[off + (c >>> 5)] = (forest.catBits[off + (c >>> 5)]! | (1 << (c & 31))) >>> 0;
      }
      forest.catOffset[g] = off;
      forest.catWords[g] = words;
      forest.threshold[g] = 0;
    } else {
      const b = tree.thresholdBin[i]!;
      // The last value bin as threshold means "every value left, only missing right".
      forest.threshold[g] = b < fb.thresholds.length ? fb.thresholds[b]! : Infinity;
      forest.catOffset[g] = -1;
      forest.catWords[g] = 0;
    }
  }
  for (let l = 0; l < tree.nLeaves; l++) {
    forest.leafValue[leafBase + l] = tree.leafValue[l]!;
    forest.leafCount[leafBase + l] = tree.leafCount[l]!;
  }
  return nNodes > 0 ? nodeBase : ~leafBase;
}

/** Partial Fisher–Yates over the usable features; sorted so histogram passes walk features in order. */
function selectFeatures(rng: Rng, usable: Int32Array, k: number, out: Int32Array): number {
  out.set(usable);
  if (k >= usable.length) return usable.length;
  for (let i = 0; i < k; i++) {
    const j = i + rng.nextInt(usable.length - i);
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  out.subarray(0, k).sort();
  return k;
}

function complement(sorted: Uint32Array, k: number, n: number, out: Uint32Array): void {
  let j = 0;
  let w = 0;
  for (let i = 0; i < n; i++) {
    if (j < k && sorted[j] === i) j++;
    else out[w++] = i;
  }
}
