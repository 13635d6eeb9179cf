// Loads the shared public data sets (../shared/datasets/*.csv, label in column `target`) for tests,
// without lib/datasets: numeric features, labels as class indices (sorted names) or numbers.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SHARED_DATASETS = fileURLToPath(new URL("../../../shared/datasets/", import.meta.url));

export interface CsvDataset {
  featureNames: string[];
  X: Float64Array;
  y: Float64Array;
  nRows: number;
  nFeatures: number;
  /** Class names by index for a categorical target, null for a numeric one. */
  classes: string[] | null;
}

export function loadSharedCsv(name: string): CsvDataset {
  const lines = readFileSync(`${SHARED_DATASETS}${name}.csv`, "utf8").trim().split(/\r?\n/);
  const header = lines[0]!.split(",");
  const t = header.indexOf("target");
  if (t < 0) throw new Error(`${name}.csv has no 'target' column`);
  const rows = lines.slice(1).map((l) => l.split(","));
  const featureNames = header.filter((_, i) => i !== t);
  const nFeatures = featureNames.length;
  const X = new Float64Array(rows.length * nFeatures);
  rows.forEach((r, i) => {
    if (r.length !== header.length) throw new Error(`${name}.csv line ${i + 2} has ${r.length} fields`);
    let j = 0;
    r.forEach((v, c) => {
      if (c !== t) X[i * nFeatures + j++] = v === "" ? NaN : Number(v);
    });
  });
  const raw = rows.map((r) => r[t]!);
  const numeric = raw.every((v) => v !== "" && Number.isFinite(Number(v)));
  const classes = numeric ? null : [...new Set(raw)].sort();
  const y = Float64Array.from(raw, (v) => (classes ? classes.indexOf(v) : Number(v)));
  return { featureNames, X, y, nRows: rows.length, nFeatures, classes };
}

/** Rows `idx` of a dataset as a new row-major matrix and label vector. */
export function takeRows(d: Pick<CsvDataset, "X" | "y" | "nFeatures">, idx: readonly number[]) {
  const F = d.nFeatures;
  const X = new Float64Array(idx.length * F);
  const y = new Float64Array(idx.length);
  idx.forEach((r, i) => {
    X.set(d.X.subarray(r * F, (r + 1) * F), i * F);
    y[i] = d.y[r]!;
  });
  return { X, y, nRows: idx.length };
}
