// Seeded train/validation/test splits. Stratified splits keep each class's share in every part
// within one row; a numeric (regression) target can be stratified by equal-frequency bins.
import { invalid } from "../errors";
import { mulberry32, shuffle } from "./prng";

export interface SplitOptions {
  /** Share of all rows for the test part, in [0, 1). The count is round(n × test). */
  test: number;
  /** Share of all rows for the validation part, in [0, 1); test + validation < 1. Default 0. */
  validation?: number;
  /** Any integer; the same seed and input give the same split on every machine. */
  seed: number;
  /**
   * true: by class (each distinct label); { bins: k }: by k equal-frequency bins of numeric labels
   * (regression); false or absent, or a row count instead of labels: uniformly at random.
   */
  stratify?: boolean | { bins: number };
}

export interface SplitIndices {
  /** Row indices, ascending. Together they are 0..n-1, each exactly once. */
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
}

export type SplitLabels = readonly (string | number | null)[] | Float64Array;

function checkShare(v: number, what: string): void {
  if (!Number.isFinite(v) || v < 0 || v >= 1) throw invalid(`The ${what} share is a number from 0 up to (not including) 1`);
}

/** Groups of row indices, in a deterministic order (by label, or by bin). */
function groups(labels: SplitLabels, stratify: true | { bins: number }): Uint32Array[] {
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) {
      throw invalid(`The label of row ${i} is missing; drop rows without a label before a stratified split`);
    }
  }
  if (stratify === true) {
    const byKey = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const key = String(labels[i]);
      const g = byKey.get(key);
      if (g) g.push(i);
      else byKey.set(key, [i]);
    }
    return [...byKey.keys()].sort().map((k) => Uint32Array.from(byKey.get(k)!));
  }
  const bins = stratify.bins;
  if (!Number.isInteger(bins) || bins < 1) throw invalid("Stratification bins is a whole number of at least 1");
  const values = Float64Array.from(labels as ArrayLike<number>, (v) => (typeof v === "number" ? v : Number(v)));
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i]!)) throw invalid(`The label of row ${i} is not a number; bins need numeric labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  const k = Math.min(bins, n);
  const out: number[][] = Array.from({ length: k }, () => []);
  order.forEach((row, rank) => out[Math.floor((rank * k) / n)]!.push(row));
  return out.map((g) => Uint32Array.from(g));
}

/**
 * Splits `total` rows between groups of the given sizes: each group gets floor or ceil of
 * size × share, the largest remainders getting the extra rows, never more than `room`.
 */
function allocate(sizes: number[], share: number, total: number, room: number[]): number[] {
  const ideal = sizes.map((s) => s * share);
  const out = ideal.map((x, i) => Math.min(Math.floor(x), room[i]!));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = ideal.map((x, i) => i).sort((a, b) => ideal[b]! - Math.floor(ideal[b]!) - (ideal[a]! - Math.floor(ideal[a]!)) || a - b);
  // First pass keeps every group within one row of its ideal; a second only runs when tiny groups lack room.
  for (const pass of [0, 1]) {
    for (const i of order) {
      if (left <= 0) break;
      const cap = pass === 0 ? Math.min(Math.ceil(ideal[i]!), room[i]!) : room[i]!;
      if (out[i]! < cap) {
        out[i]!++;
        left--;
      }
    }
  }
  return out;
}

export function splitIndices(labels: SplitLabels | number, opts: SplitOptions): SplitIndices {
  const testShare = opts.test;
  const valShare = opts.validation ?? 0;
  checkShare(testShare, "test");
  checkShare(valShare, "validation");
  if (testShare + valShare >= 1) throw invalid("The test and validation shares together must leave rows for training");
  if (!Number.isFinite(opts.seed)) throw invalid("The split seed is a number");
  const n = typeof labels === "number" ? labels : labels.length;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw invalid("The row count is a whole number");

  const rand = mulberry32(opts.seed);
  const stratify = typeof labels !== "number" && opts.stratify ? opts.stratify : null;
  const parts: Uint32Array[] = stratify ? groups(labels as SplitLabels, stratify) : [Uint32Array.from({ length: n }, (_, i) => i)];

  const nTest = Math.round(n * testShare);
  const nVal = Math.round(n * valShare);
  const sizes = parts.map((p) => p.length);
  const testCounts = allocate(sizes, testShare, nTest, sizes);
  const valCounts = allocate(sizes, valShare, nVal, sizes.map((s, i) => s - testCounts[i]!));

  const test: number[] = [];
  const validation: number[] = [];
  const train: number[] = [];
  parts.forEach((p, g) => {
    const rows = shuffle(Uint32Array.from(p), rand);
    const t = testCounts[g]!;
    const v = valCounts[g]!;
    for (let i = 0; i < rows.length; i++) (i < t ? test : i < t + v ? validation : train).push(rows[i]!);
  });
  const sorted = (a: number[]) => Uint32Array.from(a).sort();
  return { train: sorted(train), validation: sorted(validation), test: sorted(test) };
}
