// Input checks and per-row data preparation of the trainer: shapes, labels, weights, the held-out split.
import { invalid } from "../../errors";
import type { GbdtObjective, GbdtParams } from "./params";
import { Rng } from "./rng";

export interface GbdtDataset {
  /** Row-major, nFeatures values per row; NaN = missing. */
  X: Float64Array;
  nRows: number;
  /** Class index 0..nClasses-1 (binary: 0/1) or the regression target. */
  y: Float64Array;
  sampleWeight?: Float64Array;
}

/** Per-row weight: sample weight times class weight ('balanced' uses the training class counts). */
export function rowWeights(
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
export function holdOut(
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

export function checkMatrix(name: string, X: Float64Array, nRows: number, nFeatures: number): void {
  if (!Number.isInteger(nRows) || nRows < 1) throw invalid(`${name}: nRows must be a positive integer`);
  if (!Number.isInteger(nFeatures) || nFeatures < 1) throw invalid(`${name}: nFeatures must be a positive integer`);
  if (X.length !== nRows * nFeatures) throw invalid(`${name} has ${X.length} values, expected ${nRows} × ${nFeatures}`);
}

export function classCount(objective: GbdtObjective, y: Float64Array, nRows: number, given: number | undefined): number {
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

export function checkLabels(objective: GbdtObjective, y: Float64Array, nRows: number, nClasses: number, name: string): void {
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

export function checkWeights(w: Float64Array, nRows: number, name: string): void {
  if (w.length !== nRows) throw invalid(`${name} has ${w.length} values, expected ${nRows}`);
  for (let i = 0; i < nRows; i++) if (!(w[i]! >= 0) || !Number.isFinite(w[i]!)) throw invalid(`${name}[${i}] must be a finite non-negative number`);
}
