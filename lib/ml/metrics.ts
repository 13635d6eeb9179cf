// Evaluation metrics, defined as scikit-learn defines them (checked against its values in tests).
// Class labels are indices 0..k-1; -1 marks a class the model never saw (it counts as an error).

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly balanced_accuracy: number;
  readonly f1_macro: number;
  /** One-vs-rest, macro-averaged; binary uses the positive class (index 1). NaN when undefined. */
  readonly roc_auc: number;
  readonly log_loss: number;
  /** rows = true class, columns = predicted class. */
  readonly confusion_matrix: number[][];
}

export interface RegressionMetrics {
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
}

export type MetricName = keyof Omit<ClassificationMetrics, "confusion_matrix"> | keyof RegressionMetrics;

/** Whether a larger value is better, for choosing models and signing importance. */
export const HIGHER_IS_BETTER: Readonly<Record<MetricName, boolean>> = {
  accuracy: true,
  balanced_accuracy: true,
  f1_macro: true,
  roc_auc: true,
  log_loss: false,
  rmse: false,
  mae: false,
  r2: true,
};

export const CLASSIFICATION_METRICS = ["accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss"] as const;
export const REGRESSION_METRICS = ["rmse", "mae", "r2"] as const;

type Labels = ArrayLike<number>;

/** Index of the largest probability per row (first on ties, like numpy's argmax). */
export function argmaxRows(proba: ArrayLike<number>, nClasses: number): Int32Array {
  const n = proba.length / nClasses;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < nClasses; c++) if (proba[r * nClasses + c]! > proba[r * nClasses + best]!) best = c;
    out[r] = best;
  }
  return out;
}

export function accuracy(yTrue: Labels, yPred: Labels): number {
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/** Per label present in either array: [label, tp, fp, fn], sorted by label. */
function labelCounts(yTrue: Labels, yPred: Labels): [number, number, number, number][] {
  const counts = new Map<number, [number, number, number, number]>();
  const get = (l: number) => {
    let c = counts.get(l);
    if (!c) counts.set(l, (c = [l, 0, 0, 0]));
    return c;
  };
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    if (t === p) get(t)[1]++;
    else {
      get(p)[2]++;
      get(t)[3]++;
    }
  }
  return [...counts.values()].sort((a, b) => a[0] - b[0]);
}

/** Mean recall over the classes present in yTrue. */
export function balancedAccuracy(yTrue: Labels, yPred: Labels): number {
  let sum = 0;
  let k = 0;
  for (const [, tp, , fn] of labelCounts(yTrue, yPred)) {
    if (tp + fn === 0) continue;
    sum += tp / (tp + fn);
    k++;
  }
  return sum / k;
}

/** Unweighted mean F1 over the labels present in yTrue or yPred. */
export function f1Macro(yTrue: Labels, yPred: Labels): number {
  const counts = labelCounts(yTrue, yPred);
  let sum = 0;
  for (const [, tp, fp, fn] of counts) sum += (2 * tp) / (2 * tp + fp + fn);
  return sum / counts.length;
}

export function confusionMatrix(yTrue: Labels, yPred: Labels, nClasses: number): number[][] {
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    if (t >= 0 && t < nClasses && p >= 0 && p < nClasses) m[t]![p]!++;
  }
  return m;
}

/** Area under the ROC curve of `scores` for `positive[i]`; ties count half (Mann–Whitney U). NaN without both classes. */
export function binaryAuc(positive: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && scores[order[j]!] === scores[order[i]!]) j++;
    const rank = (i + 1 + j) / 2; // average 1-based rank of the tie group
    for (let k = i; k < j; k++) {
      if (!positive[order[k]!]) continue;
      nPos++;
      rankSum += rank;
    }
    i = j;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * ROC AUC from row-major class probabilities. Binary: the positive class's column. Multiclass: one-vs-rest,
 * macro-averaged over the classes that have both positive and negative rows. Rows of unseen classes are left out.
 */
export function rocAuc(yTrue: Labels, proba: ArrayLike<number>, nClasses: number): number {
  const rows = knownRows(yTrue, nClasses);
  const column = (c: number) => rows.map((r) => proba[r * nClasses + c]!);
  if (nClasses === 2) return binaryAuc(rows.map((r) => yTrue[r] === 1), column(1));
  let sum = 0;
  let k = 0;
  for (let c = 0; c < nClasses; c++) {
    const auc = binaryAuc(rows.map((r) => yTrue[r] === c), column(c));
    if (Number.isNaN(auc)) continue;
    sum += auc;
    k++;
  }
  return k === 0 ? NaN : sum / k;
}

/** Mean negative log-likelihood of the true class; probabilities clipped to [eps, 1 − eps] (float64 eps), as scikit-learn 1.9. */
export function logLoss(yTrue: Labels, proba: ArrayLike<number>, nClasses: number): number {
  const eps = Number.EPSILON;
  const rows = knownRows(yTrue, nClasses);
  let total = 0;
  for (const r of rows) total -= Math.log(clip(proba[r * nClasses + yTrue[r]!]!, eps));
  return total / rows.length;
}

function clip(p: number, eps: number): number {
  return p < eps ? eps : p > 1 - eps ? 1 - eps : p;
}

function knownRows(yTrue: Labels, nClasses: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i]! >= 0 && yTrue[i]! < nClasses) rows.push(i);
  return rows;
}

export function classificationMetrics(yTrue: Labels, proba: ArrayLike<number>, nClasses: number): ClassificationMetrics {
  const yPred = argmaxRows(proba, nClasses);
  return {
    accuracy: accuracy(yTrue, yPred),
    balanced_accuracy: balancedAccuracy(yTrue, yPred),
    f1_macro: f1Macro(yTrue, yPred),
    roc_auc: rocAuc(yTrue, proba, nClasses),
    log_loss: logLoss(yTrue, proba, nClasses),
    confusion_matrix: confusionMatrix(yTrue, yPred, nClasses),
  };
}

export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let ss = 0;
  for (let i = 0; i < yTrue.length; i++) ss += (yTrue[i]! - yPred[i]!) ** 2;
  return Math.sqrt(ss / yTrue.length);
}

export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i]! - yPred[i]!);
  return s / yTrue.length;
}

/** Coefficient of determination; a constant yTrue gives 1 for a perfect fit and 0 otherwise (scikit-learn's choice). */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = yTrue.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i]!;
  mean /= n;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    res += (yTrue[i]! - yPred[i]!) ** 2;
    tot += (yTrue[i]! - mean) ** 2;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  return { rmse: rmse(yTrue, yPred), mae: mae(yTrue, yPred), r2: r2(yTrue, yPred) };
}
