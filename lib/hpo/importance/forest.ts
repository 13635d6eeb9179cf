// A small random forest regressor (CART trees on bootstrap samples, all features at every split, like
// scikit-learn's RandomForestRegressor defaults that Optuna's fANOVA uses).
import { Rng } from "../rng";

export interface TreeNode {
  /** -1 for a leaf. */
  feature: number;
  threshold: number;
  left: number;
  right: number;
  value: number;
}

export interface ForestOptions {
  nTrees?: number;
  maxDepth?: number;
  minSamplesSplit?: number;
  minSamplesLeaf?: number;
  seed?: number;
}

export function fitTree(X: readonly Float64Array[], y: Float64Array, rows: number[], opts: Required<ForestOptions>): TreeNode[] {
  const nodes: TreeNode[] = [];
  const nFeatures = X[0]?.length ?? 0;
  const build = (idx: number[], depth: number): number => {
    const id = nodes.length;
    let sum = 0;
    for (const i of idx) sum += y[i]!;
    const mean = sum / idx.length;
    nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value: mean });
    if (depth >= opts.maxDepth || idx.length < opts.minSamplesSplit) return id;
    let bestGain = 1e-12;
    let bestFeature = -1;
    let bestThreshold = 0;
    let total2 = 0;
    for (const i of idx) total2 += y[i]! * y[i]!;
    const parentSse = total2 - (sum * sum) / idx.length;
    if (parentSse <= 1e-12 * Math.max(1, total2)) return id;
    for (let f = 0; f < nFeatures; f++) {
      const sorted = [...idx].sort((a, b) => X[a]![f]! - X[b]![f]!);
      let ls = 0;
      let ls2 = 0;
      for (let k = 0; k < sorted.length - 1; k++) {
        const yi = y[sorted[k]!]!;
        ls += yi;
        ls2 += yi * yi;
        const nl = k + 1;
        const nr = sorted.length - nl;
        if (nl < opts.minSamplesLeaf || nr < opts.minSamplesLeaf) continue;
        const a = X[sorted[k]!]![f]!;
        const b = X[sorted[k + 1]!]![f]!;
        if (a === b) continue;
        const rs = sum - ls;
        const rs2 = total2 - ls2;
        const sse = ls2 - (ls * ls) / nl + (rs2 - (rs * rs) / nr);
        const gain = parentSse - sse;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestThreshold = (a + b) / 2;
        }
      }
    }
    if (bestFeature < 0) return id;
    const li = idx.filter((i) => X[i]![bestFeature]! <= bestThreshold);
    const ri = idx.filter((i) => X[i]![bestFeature]! > bestThreshold);
    const node = nodes[id]!;
    node.feature = bestFeature;
    node.threshold = bestThreshold;
    node.left = build(li, depth + 1);
    node.right = build(ri, depth + 1);
    return id;
  };
  build(rows, 0);
  return nodes;
}

export function fitForest(X: readonly Float64Array[], y: Float64Array, options: ForestOptions = {}): TreeNode[][] {
  const opts: Required<ForestOptions> = {
    nTrees: options.nTrees ?? 64,
    maxDepth: options.maxDepth ?? 64,
    minSamplesSplit: options.minSamplesSplit ?? 2,
    minSamplesLeaf: options.minSamplesLeaf ?? 1,
    seed: options.seed ?? 0,
  };
  const n = y.length;
  const trees: TreeNode[][] = [];
  for (let t = 0; t < opts.nTrees; t++) {
    const rng = new Rng(opts.seed, "tree", t);
    const rows = Array.from({ length: n }, () => rng.int(n));
    trees.push(fitTree(X, y, rows, opts));
  }
  return trees;
}
