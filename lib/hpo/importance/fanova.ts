// Parameter importance by fANOVA (Hutter et al. 2014), as Optuna's default FanovaImportanceEvaluator: a
// random forest is fitted to (parameters → objective) over COMPLETE trials, and each parameter's
// importance is the share of the forest's variance explained by its main effect, normalised to sum to 1.
import { invalid } from "@/lib/errors";
import type { Distribution } from "../distributions";
import { contains, toInternal } from "../distributions";
import { intersectionSearchSpace } from "../search-space";
import type { FrozenTrial } from "../types";
import { fitForest, type TreeNode } from "./forest";

export interface ImportanceOptions {
  /** Only these parameters (default: every parameter all COMPLETE trials share). */
  params?: string[];
  nTrees?: number;
  maxDepth?: number;
  seed?: number;
}

interface Leaf {
  lo: Float64Array;
  hi: Float64Array;
  value: number;
}

/** Importance per parameter, summing to 1 (all 0 when the objective does not vary), most important first. */
export function fanovaImportances(trials: readonly FrozenTrial[], opts: ImportanceOptions = {}): Record<string, number> {
  const complete = trials.filter((t) => t.state === "COMPLETE" && t.value !== null && Number.isFinite(t.value));
  const full = intersectionSearchSpace(complete);
  const names = (opts.params ?? Object.keys(full)).slice();
  for (const n of names) if (!full[n]) throw invalid(`parameter '${n}' is not shared by all COMPLETE trials (or has only one value)`);
  if (names.length === 0) return {};
  const rows = complete.filter((t) => names.every((n) => n in t.params && contains(full[n]!, t.params[n]!)));
  if (rows.length < 2) throw invalid("parameter importance needs at least 2 COMPLETE trials");

  // Encode: numbers (log scale for log ranges) in one column; categories one-hot, one column per choice.
  const columnsOf: number[][] = [];
  const bounds: [number, number][] = [];
  for (const n of names) {
    const d = full[n]!;
    const cols: number[] = [];
    if (d.type === "categorical") for (let c = 0; c < d.choices.length; c++) cols.push(bounds.push([0, 1]) - 1);
    else cols.push(bounds.push(d.log ? [Math.log(d.low), Math.log(d.high)] : [d.low, d.high]) - 1);
    columnsOf.push(cols);
  }
  const X = rows.map((t) => {
    const x = new Float64Array(bounds.length);
    names.forEach((n, j) => {
      const d: Distribution = full[n]!;
      const v = t.params[n]!;
      if (d.type === "categorical") x[columnsOf[j]![toInternal(d, v)]!] = 1;
      else x[columnsOf[j]![0]!] = d.log ? Math.log(v as number) : (v as number);
    });
    return x;
  });
  const y = Float64Array.from(rows, (t) => t.value as number);
  const forest = fitForest(X, y, { nTrees: opts.nTrees ?? 64, maxDepth: opts.maxDepth ?? 64, seed: opts.seed ?? 0 });

  const sums = new Array<number>(names.length).fill(0);
  let counted = 0;
  for (const tree of forest) {
    const leaves = leavesOf(tree, bounds);
    const { mean, variance } = treeMoments(leaves, bounds);
    if (!(variance > 0)) continue;
    counted++;
    names.forEach((_, j) => (sums[j]! += Math.max(0, marginalVariance(leaves, bounds, columnsOf[j]!, mean)) / variance));
  }
  const raw = sums.map((s) => (counted > 0 ? s / counted : 0));
  const total = raw.reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  names
    .map((n, j) => [n, total > 0 ? raw[j]! / total : 0] as const)
    .sort((a, b) => b[1] - a[1])
    .forEach(([n, v]) => (out[n] = v));
  return out;
}

function leavesOf(tree: TreeNode[], bounds: [number, number][]): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (id: number, lo: Float64Array, hi: Float64Array) => {
    const node = tree[id]!;
    if (node.feature < 0) {
      leaves.push({ lo, hi, value: node.value });
      return;
    }
    const f = node.feature;
    const t = Math.min(hi[f]!, Math.max(lo[f]!, node.threshold));
    const lhi = hi.slice();
    lhi[f] = t;
    const rlo = lo.slice();
    rlo[f] = t;
    walk(node.left, lo, lhi);
    walk(node.right, rlo, hi);
  };
  walk(0, Float64Array.from(bounds, (b) => b[0]), Float64Array.from(bounds, (b) => b[1]));
  return leaves;
}

/** Fraction of the domain's extent along feature f covered by [a, b] (a degenerate domain counts as 1). */
function frac(bounds: [number, number][], f: number, a: number, b: number): number {
  const w = bounds[f]![1] - bounds[f]![0];
  return w > 0 ? Math.max(0, b - a) / w : 1;
}

function treeMoments(leaves: Leaf[], bounds: [number, number][]): { mean: number; variance: number } {
  let mean = 0;
  const vols = leaves.map((l) => {
    let v = 1;
    for (let f = 0; f < bounds.length; f++) v *= frac(bounds, f, l.lo[f]!, l.hi[f]!);
    return v;
  });
  leaves.forEach((l, i) => (mean += vols[i]! * l.value));
  let variance = 0;
  leaves.forEach((l, i) => (variance += vols[i]! * (l.value - mean) ** 2));
  return { mean, variance };
}

/** Variance over the features `cols` of the tree's prediction averaged over all other features. */
function marginalVariance(leaves: Leaf[], bounds: [number, number][], cols: number[], mean: number): number {
  // Cells: the product of the intervals cut by every threshold on these features.
  const cuts = cols.map((f) => {
    const s = new Set<number>([bounds[f]![0], bounds[f]![1]]);
    for (const l of leaves) {
      s.add(l.lo[f]!);
      s.add(l.hi[f]!);
    }
    return [...s].sort((a, b) => a - b);
  });
  const colSet = new Set(cols);
  const restVol = leaves.map((l) => {
    let v = 1;
    for (let f = 0; f < bounds.length; f++) if (!colSet.has(f)) v *= frac(bounds, f, l.lo[f]!, l.hi[f]!);
    return v;
  });
  let variance = 0;
  const idx = new Array<number>(cols.length).fill(0);
  const sizes = cuts.map((c) => c.length - 1);
  if (sizes.some((s) => s <= 0)) return 0;
  for (;;) {
    let cellVol = 1;
    const mids = cols.map((f, k) => {
      const a = cuts[k]![idx[k]!]!;
      const b = cuts[k]![idx[k]! + 1]!;
      cellVol *= frac(bounds, f, a, b);
      return (a + b) / 2;
    });
    if (cellVol > 0) {
      let m = 0;
      leaves.forEach((l, i) => {
        for (let k = 0; k < cols.length; k++) {
          const f = cols[k]!;
          if (mids[k]! < l.lo[f]! || mids[k]! > l.hi[f]!) return;
        }
        m += restVol[i]! * l.value;
      });
      variance += cellVol * (m - mean) ** 2;
    }
    let k = 0;
    while (k < cols.length && ++idx[k]! >= sizes[k]!) idx[k++] = 0;
    if (k === cols.length) break;
  }
  return variance;
}
