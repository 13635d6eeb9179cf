// The boosting loop: binning, one tree per output per iteration, score updates, losses, early stopping.
import { invalid } from "../../errors";
import { binMatrix, fitBins, type FeatureBins } from "./binning";
import { ForestBuilder, leafOf, type ForestArrays } from "./forest";
import { TreeGrower, type BinTree } from "./grower";
import { GbdtModel } from "./model";
import { baseScore, gradients, meanLoss, probabilities } from "./objective";
import { parseGbdtParams, type GbdtObjective, type GbdtParams, type GbdtParamsInput } from "./params";
import { Rng, sampleSorted } from "./rng";

const MAX_BINS = 256;

export interface GbdtIterationInfo {
  /** 1-based boosting iteration. */
  iteration: number;
  trainLoss: number;
  /** Loss on the validation set, null when there is none. */
  validLoss: number | null;
}

export interface GbdtDataset {
  /** Row-major, nFeatures values per row; NaN = missing. */
  X: Float64Array;
  nRows: number;
  /** Class index 0..nClasses-1 (binary: 0/1) or the regression target. */
  y: Float64Array;
  sampleWeight?: Float64Array;
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

/** Trains a gradient-boosted tree model; see trainGbdtDetailed for the loss history and training scores. */
export function trainGbdt(X: Float64Array, nRows: number, nFeatures: number, y: Float64Array, opts: GbdtTrainOptions): GbdtModel {
  return trainGbdtDetailed(X, nRows, nFeatures, y, opts).model;
}

export function trainGbdtDetailed(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  y: Float64Array,
  opts: GbdtTrainOptions,
): GbdtTrainResult {
  const params = parseGbdtParams(opts.params ?? {});
  const objective = opts.objective;
  checkMatrix("X", X, nRows, nFeatures);
  const nClasses = classCount(objective, y, nRows, opts.nClasses);
  checkLabels(objective, y, nRows, nClasses, "y");
  const categorical = new Set(opts.categoricalFeatures ?? []);
  for (const c of categorical) {
    if (!Number.isInteger(c) || c < 0 || c >= nFeatures) throw invalid(`categoricalFeatures: ${c} is not a feature index`);
  }
  if (opts.sampleWeight) checkWeights(opts.sampleWeight, nRows, "sampleWeight");

  // Data: the caller's validation set, a held-out part for early stopping, or none.
  let train: GbdtDataset = { X, nRows, y, sampleWeight: opts.sampleWeight };
  let valid: GbdtDataset | null = opts.valid ?? null;
  if (valid) {
    checkMatrix("valid.X", valid.X, valid.nRows, nFeatures);
    checkLabels(objective, valid.y, valid.nRows, nClasses, "valid.y");
    if (valid.sampleWeight) checkWeights(valid.sampleWeight, valid.nRows, "valid.sampleWeight");
  } else if (params.early_stopping_rounds > 0) {
    [train, valid] = holdOut(train, nFeatures, objective, nClasses, params);
  }

  const K = objective === "multiclass" ? nClasses : 1;
  const n = train.nRows;
  const w = rowWeights(train, objective, nClasses, params, train);
  const wValid = valid ? rowWeights(valid, objective, nClasses, params, train) : null;

  const bins = fitBins(train.X, n, nFeatures, categorical, params.max_bins, params.min_data_in_bin, params.seed);
  const binned = binMatrix(train.X, n, nFeatures, bins);
  const base = baseScore(objective, train.y, w, K);

  const scores = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) scores[i * K + k] = base[k]!;
  const vScores = valid ? new Float64Array(valid.nRows * K) : null;
  if (valid && vScores) for (let i = 0; i < valid.nRows; i++) for (let k = 0; k < K; k++) vScores[i * K + k] = base[k]!;

  const rng = new Rng(params.seed);
  const bagging = params.subsample < 1;
  const bagSize = bagging ? Math.max(1, Math.floor(params.subsample * n)) : n;
  const grower = new TreeGrower(binned, n, bins, params, bagSize, rng);
  const usable = grower.usableFeatures();
  const forest = new ForestBuilder();
  const gh = new Float64Array(2 * n);
  const prob = new Float64Array(objective === "multiclass" ? n * K : 0);
  const bag = bagging ? new Uint32Array(bagSize) : null;
  const oob = bagging ? new Uint32Array(n - bagSize) : null;
  const nSelect = Math.max(1, Math.round(params.colsample * usable.length));
  const selected = new Int32Array(usable.length);
  // Leaf value of each output's tree when it did not split (to undo an all-constant iteration).
  const constants = new Float64Array(K);

  const history = { trainLoss: [] as number[], validLoss: [] as number[] };
  let bestLoss = Infinity;
  let bestIteration = 0;
  let bestScores: Float64Array | null = null;
  let stoppedEarly = false;
  let iterations = 0;

  for (let it = 0; it < params.n_estimators; it++) {
    opts.signal?.throwIfAborted();
    if (bag && oob) {
      sampleSorted(rng, n, bagSize, bag);
      complement(bag, bagSize, n, oob);
    }
    if (objective === "multiclass") probabilities(objective, scores, n, K, prob);
    let anySplit = false;
    for (let k = 0; k < K; k++) {
      constants[k] = 0;
      gradients(objective, train.y, w, scores, prob, n, K, k, gh);
      const nSel = selectFeatures(rng, usable, nSelect, selected);
      const tree = grower.grow(gh, bag, bagSize, selected, nSel);
      if (tree.nLeaves > 1) anySplit = true;
      else constants[k] = tree.leafValue[0]!;
      const t = appendTree(forest, tree, bins);
      const view = forest.view();
      const root = rootOf(view, t);
      // In-bag rows: their leaf is known from the partition; out-of-bag rows walk the tree.
      for (let l = 0; l < tree.nLeaves; l++) {
        const v = tree.leafValue[l]!;
        const end = tree.leafBegin[l]! + tree.leafCount[l]!;
        for (let j = tree.leafBegin[l]!; j < end; j++) {
          const at = grower.indices[j]! * K + k;
          scores[at] = scores[at]! + v;
        }
      }
      if (oob) {
        for (let j = 0; j < oob.length; j++) {
          const r = oob[j]!;
          scores[r * K + k] = scores[r * K + k]! + view.leafValue[leafOf(view, root, train.X, r * nFeatures)]!;
        }
      }
      if (valid && vScores) {
        for (let r = 0; r < valid.nRows; r++) {
          vScores[r * K + k] = vScores[r * K + k]! + view.leafValue[leafOf(view, root, valid.X, r * nFeatures)]!;
        }
      }
    }
    if (!anySplit) {
      // LightGBM stops here too: no leaf meets the split requirements, so further trees would be constants.
      forest.truncate(forest.trees - K);
      for (let i = 0; i < n * K; i++) scores[i] = scores[i]! - constants[i % K]!;
      if (vScores) for (let i = 0; i < vScores.length; i++) vScores[i] = vScores[i]! - constants[i % K]!;
      break;
    }
    iterations = it + 1;
    const validLoss = valid && vScores && wValid ? meanLoss(objective, valid.y, wValid, vScores, valid.nRows, K) : null;
    if (validLoss !== null) history.validLoss.push(validLoss);
    if (opts.onIteration) {
      // Only for a listener: a pass of logs over every training row costs several percent of the fit.
      const trainLoss = meanLoss(objective, train.y, w, scores, n, K);
      history.trainLoss.push(trainLoss);
      opts.onIteration({ iteration: iterations, trainLoss, validLoss });
    }

    if (validLoss !== null && params.early_stopping_rounds > 0) {
      if (validLoss < bestLoss) {
        bestLoss = validLoss;
        bestIteration = iterations;
        bestScores = bestScores ?? new Float64Array(n * K);
        bestScores.set(scores);
      } else if (iterations - bestIteration >= params.early_stopping_rounds) {
        stoppedEarly = true;
        break;
      }
    }
  }

  let trainRaw: Float64Array = scores;
  let kept = iterations;
  if (params.early_stopping_rounds > 0 && valid && bestScores && bestIteration < iterations) {
    forest.truncate(bestIteration * K);
    trainRaw = bestScores;
    kept = bestIteration;
  }
  const model = new GbdtModel(
    {
      objective,
      nFeatures,
      nClasses,
      baseScore: base,
      categoricalFeatures: [...categorical].sort((a, b) => a - b),
      params,
      nIterations: kept,
    },
    forest.snapshot(),
  );
  return { model, trainRaw: trainRaw.slice(), history, bestIteration: kept, stoppedEarly };
}

function rootOf(f: ForestArrays, t: number): number {
  let node = 0;
  let leaf = 0;
  for (let i = 0; i < t; i++) {
    node += f.treeNodes[i]!;
    leaf += f.treeLeaves[i]!;
  }
  return f.treeNodes[t]! > 0 ? node : ~leaf;
}

/** Copies a bin-space tree into the forest with raw thresholds and category bitsets; returns its tree index. */
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
  return forest.trees - 1;
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

/** Per-row weight: sample weight times class weight ('balanced' uses the training class counts). */
function rowWeights(
  data: GbdtDataset,
  objective: GbdtObjective,
  nClasses: number,
  params: GbdtParams,
  train: GbdtDataset,
): Float64Array {
  const w = new Float64Array(data.nRows);
  for (let i = 0; i < data.nRows; i++) w[i] = data.sampleWeight ? data.sampleWeight[i]! : 1;
  const cw = params.class_weight;
  if (cw === null || objective === "regression") return w;
  const perClass = new Float64Array(nClasses).fill(1);
  if (cw === "balanced") {
    const counts = new Float64Array(nClasses);
    for (let i = 0; i < train.nRows; i++) counts[train.y[i]!] = counts[train.y[i]!]! + 1;
    for (let c = 0; c < nClasses; c++) perClass[c] = counts[c]! > 0 ? train.nRows / (nClasses * counts[c]!) : 1;
  } else {
    for (const [key, value] of Object.entries(cw)) {
      const c = Number(key);
      if (c >= nClasses) throw invalid(`class_weight names class ${c}, but there are ${nClasses} classes`);
      perClass[c] = value;
    }
  }
  for (let i = 0; i < data.nRows; i++) w[i] = w[i]! * perClass[data.y[i]!]!;
  return w;
}

/** Splits off validation_fraction of the rows (stratified by class for classification) for early stopping. */
function holdOut(
  data: GbdtDataset,
  nFeatures: number,
  objective: GbdtObjective,
  nClasses: number,
  params: GbdtParams,
): [GbdtDataset, GbdtDataset] {
  const rng = new Rng(params.seed ^ 0x2545f491);
  const isValid = new Uint8Array(data.nRows);
  const groups: number[][] = [];
  if (objective === "regression") groups.push(Array.from({ length: data.nRows }, (_, i) => i));
  else {
    for (let c = 0; c < nClasses; c++) groups.push([]);
    for (let i = 0; i < data.nRows; i++) groups[data.y[i]!]!.push(i);
  }
  for (const g of groups) {
    for (let i = g.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [g[i], g[j]] = [g[j]!, g[i]!];
    }
    const take = Math.round(params.validation_fraction * g.length);
    for (let i = 0; i < take; i++) isValid[g[i]!] = 1;
  }
  const pick = (want: number): GbdtDataset => {
    let m = 0;
    for (let i = 0; i < data.nRows; i++) if (isValid[i] === want) m++;
    const X = new Float64Array(m * nFeatures);
    const y = new Float64Array(m);
    const sw = data.sampleWeight ? new Float64Array(m) : undefined;
    let r = 0;
    for (let i = 0; i < data.nRows; i++) {
      if (isValid[i] !== want) continue;
      X.set(data.X.subarray(i * nFeatures, (i + 1) * nFeatures), r * nFeatures);
      y[r] = data.y[i]!;
      if (sw && data.sampleWeight) sw[r] = data.sampleWeight[i]!;
      r++;
    }
    return { X, nRows: m, y, sampleWeight: sw };
  };
  const train = pick(0);
  const valid = pick(1);
  if (train.nRows === 0 || valid.nRows === 0) throw invalid("Too few rows to hold out a validation set for early stopping");
  return [train, valid];
}

function checkMatrix(name: string, X: Float64Array, nRows: number, nFeatures: number): void {
  if (!Number.isInteger(nRows) || nRows < 1) throw invalid(`${name}: nRows must be a positive integer`);
  if (!Number.isInteger(nFeatures) || nFeatures < 1) throw invalid(`${name}: nFeatures must be a positive integer`);
  if (X.length !== nRows * nFeatures) throw invalid(`${name} has ${X.length} values, expected ${nRows} × ${nFeatures}`);
}

function classCount(objective: GbdtObjective, y: Float64Array, nRows: number, given: number | undefined): number {
  if (objective === "regression") return 1;
  if (objective === "binary") return 2;
  if (given !== undefined) {
    if (!Number.isInteger(given) || given < 2) throw invalid("nClasses must be an integer of at least 2");
    return given;
  }
  let max = 0;
  for (let i = 0; i < nRows; i++) if (y[i]! > max) max = y[i]!;
  return Math.max(2, max + 1);
}

function checkLabels(objective: GbdtObjective, y: Float64Array, nRows: number, nClasses: number, name: string): void {
  if (y.length !== nRows) throw invalid(`${name} has ${y.length} values, expected ${nRows}`);
  for (let i = 0; i < nRows; i++) {
    const v = y[i]!;
    if (objective === "regression") {
      if (!Number.isFinite(v)) throw invalid(`${name}[${i}] is not a finite number`);
    } else if (!Number.isInteger(v) || v < 0 || v >= nClasses) {
      throw invalid(`${name}[${i}] = ${v} is not a class index in 0..${nClasses - 1}`);
    }
  }
}

function checkWeights(w: Float64Array, nRows: number, name: string): void {
  if (w.length !== nRows) throw invalid(`${name} has ${w.length} values, expected ${nRows}`);
  for (let i = 0; i < nRows; i++) if (!(w[i]! >= 0) || !Number.isFinite(w[i]!)) throw invalid(`${name}[${i}] must be a finite non-negative number`);
}
