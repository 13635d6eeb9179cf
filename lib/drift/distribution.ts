// Empirical distributions as sorted typed arrays, and the merged walk over two of them that
// yields the KS statistic and the Wasserstein distance in one pass. Raw data has unit weights;
// a quantile sketch is the same shape with a cumulative weight per retained value.

/** A sorted sample: `values` ascending; `cum[i]` is the total weight of values[0..i] (null: unit weights). */
export interface EmpiricalDistribution {
  readonly values: Float64Array;
  readonly cum: Float64Array | null;
  /** Number of rows the distribution stands for (the sum of its weights). */
  readonly total: number;
}

export function fromSorted(values: Float64Array): EmpiricalDistribution {
  return { values, cum: null, total: values.length };
}

export interface WalkResult {
  /** max over x of F_a(x) − F_b(x), never below 0. */
  dPlus: number;
  /** max over x of F_b(x) − F_a(x), never below 0. */
  dMinus: number;
  /** ∫ |F_a − F_b| dx. */
  wasserstein: number;
}

/**
 * One merged pass over two sorted samples. At every distinct value v, F(v) counts values ≤ v
 * (searchsorted side='right', as SciPy); the Wasserstein integral adds |F_a − F_b| times the gap
 * to the next value (SciPy's _cdf_distance with p = 1).
 */
export function mergedWalk(a: EmpiricalDistribution, b: EmpiricalDistribution): WalkResult {
  if (a.cum === null && b.cum === null) return walkUnit(a.values, b.values);
  return walkWeighted(a, b);
}

function walkUnit(a: Float64Array, b: Float64Array): WalkResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { dPlus: n1 ? 1 : 0, dMinus: n2 ? 1 : 0, wasserstein: Number.NaN };
  // F_a − F_b = (i·n2 − j·n1) / (n1·n2): integer arithmetic in the loop (exact below 2^53), one
  // division at the end. Exhausted sides read as +Infinity (the data are finite).
  let i = 0;
  let j = 0;
  let va = a[0]!;
  let vb = b[0]!;
  let maxD = 0;
  let minD = 0;
  let w = 0;
  while (i < n1 || j < n2) {
    let v: number;
    if (va < vb) {
      v = va;
      va = ++i < n1 ? a[i]! : Infinity;
    } else if (vb < va) {
      v = vb;
      vb = ++j < n2 ? b[j]! : Infinity;
    } else {
      v = va;
      va = ++i < n1 ? a[i]! : Infinity;
      vb = ++j < n2 ? b[j]! : Infinity;
    }
    // Ties: F is evaluated after every copy of v on both sides.
    while (va === v) va = ++i < n1 ? a[i]! : Infinity;
    while (vb === v) vb = ++j < n2 ? b[j]! : Infinity;
    const d = i * n2 - j * n1;
    if (d > maxD) maxD = d;
    else if (d < minD) minD = d;
    const next = va < vb ? va : vb;
    if (next === Infinity) break;
    w += (d < 0 ? -d : d) * (next - v);
  }
  const nn = n1 * n2;
  return { dPlus: maxD / nn, dMinus: -minD / nn, wasserstein: w / nn };
}

function walkWeighted(a: EmpiricalDistribution, b: EmpiricalDistribution): WalkResult {
  const av = a.values;
  const bv = b.values;
  const ac = a.cum;
  const bc = b.cum;
  const n1 = av.length;
  const n2 = bv.length;
  const t1 = a.total;
  const t2 = b.total;
  let i = 0;
  let j = 0;
  let maxD = 0;
  let minD = 0;
  let w = 0;
  let comp = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && av[i]! <= bv[j]!) ? av[i]! : bv[j]!;
    while (i < n1 && av[i]! <= v) i++;
    while (j < n2 && bv[j]! <= v) j++;
    const fa = i === 0 ? 0 : (ac ? ac[i - 1]! : i) / t1;
    const fb = j === 0 ? 0 : (bc ? bc[j - 1]! : j) / t2;
    const diff = fa - fb;
    if (diff > maxD) maxD = diff;
    else if (diff < minD) minD = diff;
    let next: number;
    if (i < n1) next = j < n2 && bv[j]! < av[i]! ? bv[j]! : av[i]!;
    else if (j < n2) next = bv[j]!;
    else break;
    const term = Math.abs(diff) * (next - v);
    const t = w + term;
    comp += w >= term ? w - t + term : term - t + w;
    w = t;
  }
  return { dPlus: maxD, dMinus: -minD, wasserstein: w + comp };
}

/** Index of the first value > x (numpy searchsorted side='right'). */
export function upperBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first value ≥ x (searchsorted side='left'). */
export function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Weight of the values ≤ x. */
export function weightAtMost(d: EmpiricalDistribution, x: number): number {
  const k = upperBound(d.values, x);
  return k === 0 ? 0 : d.cum ? d.cum[k - 1]! : k;
}

/** Weight of the values < x. */
export function weightBelow(d: EmpiricalDistribution, x: number): number {
  const k = lowerBound(d.values, x);
  return k === 0 ? 0 : d.cum ? d.cum[k - 1]! : k;
}

/**
 * Quantile at probability p. Unit weights: numpy's default 'linear' method (same arithmetic as
 * numpy's _lerp). Weighted: the smallest value whose cumulative weight reaches p·total.
 */
export function quantile(d: EmpiricalDistribution, p: number): number {
  const v = d.values;
  const n = v.length;
  if (n === 0) return Number.NaN;
  if (d.cum === null) {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    const t = h - lo;
    const a = v[lo]!;
    const b = v[hi]!;
    const diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
  }
  const target = p * d.total;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (d.cum[mid]! >= target) hi = mid;
    else lo = mid + 1;
  }
  return v[lo]!;
}

/** Mean and population standard deviation (ddof = 0, as np.std), two-pass for accuracy. */
export function meanStd(values: Float64Array): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  const mean = s / n;
  let ss = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    ss += d * d;
    c += d;
  }
  // Corrected two-pass formula: removes the rounding error of the mean.
  return { mean, std: Math.sqrt(Math.max(0, (ss - (c * c) / n) / n)) };
}
