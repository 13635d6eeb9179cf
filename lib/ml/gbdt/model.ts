// GbdtModel: the trained forest with its scorer (scorer.ts) and stored forms (serialize.ts).
import { invalid } from "../../errors";
import type { ForestArrays } from "./forest";
import type { GbdtObjective, GbdtParams } from "./params";
import { ForestScorer } from "./scorer";
import {
  forestFromJSON,
  forestFromPacked,
  forestToJSON,
  forestToPacked,
  validateForest,
  type GbdtModelInfo,
  type GbdtModelJSON,
  type GbdtPackedHeader,
} from "./serialize";

export { GBDT_FORMAT_VERSION, type GbdtModelInfo, type GbdtModelJSON, type GbdtPackedHeader } from "./serialize";

export type ImportanceType = "gain" | "split";

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
  private readonly scorer: ForestScorer;

  constructor(info: GbdtModelInfo, forest: ForestArrays) {
    validateForest(info, forest);
    this.objective = info.objective;
    this.nFeatures = info.nFeatures;
    this.nClasses = info.nClasses;
    this.nOutputs = info.objective === "multiclass" ? info.nClasses : 1;
    this.baseScore = info.baseScore;
    this.categoricalFeatures = [...info.categoricalFeatures];
    this.params = info.params;
    this.nIterations = info.nIterations;
    this.forest = forest;
    this.scorer = new ForestScorer(forest, this.nFeatures, this.nOutputs);
  }

  get nTrees(): number {
    return this.scorer.nTrees;
  }

  /** How this model is scored: the compiled bitvector kernel, or walking the trees (categorical splits, trees over 32 leaves). */
  get scoringKernel(): "bitvector" | "walk" {
    return this.scorer.kernel;
  }

  /** Raw scores (margins) of one row: length nOutputs. */
  predictRaw(row: ArrayLike<number>, out: Float64Array = new Float64Array(this.nOutputs)): Float64Array {
    if (row.length < this.nFeatures) throw invalid(`Row has ${row.length} values, the model needs ${this.nFeatures}`);
    for (let k = 0; k < this.nOutputs; k++) out[k] = this.baseScore[k]!;
    this.scorer.addRow(row, out);
    return out;
  }

  /** Raw scores of nRows rows of X (row-major, nFeatures per row): nRows × nOutputs, row-major. */
  predictRawBatch(X: Float32Array | Float64Array, nRows: number, out: Float64Array = new Float64Array(nRows * this.nOutputs)): Float64Array {
    if (X.length < nRows * this.nFeatures) throw invalid(`X has ${X.length} values, ${nRows} rows need ${nRows * this.nFeatures}`);
    const K = this.nOutputs;
    for (let r = 0; r < nRows; r++) for (let k = 0; k < K; k++) out[r * K + k] = this.baseScore[k]!;
    this.scorer.addBatch(X, nRows, out);
    return out;
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
  predictProbaBatch(X: Float32Array | Float64Array, nRows: number): Float64Array {
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
  predictBatch(X: Float32Array | Float64Array, nRows: number): Float64Array {
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
    return forestToJSON(this, this.forest);
  }

  static fromJSON(input: unknown): GbdtModel {
    const { info, forest } = forestFromJSON(input);
    return new GbdtModel(info, forest);
  }

  /**
   * Header (small JSON, for a manifest) and the tree arrays packed little-endian into one buffer
   * (a weight file); thresholds and leaf values stay float64.
   */
  toPacked(): { header: GbdtPackedHeader; weights: Uint8Array } {
    return forestToPacked(this, this.forest);
  }

  static fromPacked(header: unknown, weights: Uint8Array): GbdtModel {
    const { info, forest } = forestFromPacked(header, weights);
    return new GbdtModel(info, forest);
  }

  private requireClassifier(): void {
    if (this.objective === "regression") throw invalid("predictProba needs a classification model");
  }
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
