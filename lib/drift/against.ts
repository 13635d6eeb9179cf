// A current column summarised against a sketched reference without sorting it. The reference
// CDF is a step function on a few thousand points s₀ < … < s_{m−1}; between two points it is
// constant, so the statistics depend on the current data only through, per gap between points:
// how many values fall in it and their sum — and, in a gap where the current CDF crosses the
// reference's level, which value it crosses at (a quickselect, not a sort). Each gap becomes at
// most three weighted points (values before the crossing at their mean, the crossing value,
// values after it at their mean), plus the ties with the points. On that sample the merged walk
// gives the same KS statistic, Wasserstein distance and reference-quantile bin counts as the
// fully sorted column (the CDF difference keeps one sign between the points, where the integral
// is linear in the values); only display histograms see the means.

import type { NumericSummary } from "./columns";
import type { EmpiricalDistribution } from "./distribution";

const TABLE = 1 << 14;

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
/** The next double above x (finite x). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  i64[0]! += x > 0 ? 1n : -1n;
  return f64[0]!;
}
function nextDown(x: number): number {
  return -nextUp(-x);
}

/** Rearranges a so that a[k] is its k-th smallest value, smaller ones before it, larger after (Hoare's quickselect). */
function select(a: Float64Array, k: number): void {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot.
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

interface Base {
  missing: number;
  invalid: number;
  invalidExamples: readonly string[];
  valueCounts: ReadonlyMap<number, number> | null;
  distinct: number;
  distinctExact: boolean;
}

export function summarizeAgainst(values: Float64Array, ref: EmpiricalDistribution, base: Base): NumericSummary {
  const n = values.length;
  // Distinct reference points and the reference CDF at each.
  const rv = ref.values;
  const pts: number[] = [];
  const refCdf: number[] = [];
  for (let i = 0; i < rv.length; i++) {
    const c = (ref.cum ? ref.cum[i]! : i + 1) / ref.total;
    if (pts.length && pts[pts.length - 1] === rv[i]) refCdf[refCdf.length - 1] = c;
    else {
      pts.push(rv[i]!);
      refCdf.push(c);
    }
  }
  const m = pts.length;
  const s = Float64Array.from(pts);
  // Each value's place: code 2k for the open gap below s_k (gap m: above the last point), 2k+1 for
  // a tie with s_k. Found through a table over the points' range and a short scan (inlined: this
  // loop is the whole cost).
  const lo = s[0]!;
  const span = s[m - 1]! - lo;
  const inv = span > 0 ? TABLE / span : 0;
  const table = new Int32Array(TABLE + 1);
  for (let t = 0, k = 0; t <= TABLE; t++) {
    const edge = lo + t / inv;
    while (k < m && s[k]! < edge) k++;
    table[t] = k;
  }
  const code = new Int32Array(n);
  const eq = new Float64Array(m);
  const cnt = new Float64Array(m + 1);
  const off = new Float64Array(m + 1);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sq = 0;
  const shift = n ? values[0]! : 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
    const d = x - shift;
    sum += d;
    sq += d * d;
    let k = 0;
    if (x >= lo) {
      if (inv !== 0) {
        const t = (x - lo) * inv;
        k = table[t < TABLE ? t | 0 : TABLE]!;
        // Rounding in the slot can overshoot by one slot: step back if so.
        while (k > 0 && s[k - 1]! > x) k--;
      }
      while (k < m && s[k]! <= x) k++;
    }
    if (k > 0 && s[k - 1] === x) {
      eq[k - 1]!++;
      code[i] = 2 * k - 1;
    } else {
      cnt[k]!++;
      off[k]! += x - (k > 0 ? s[k - 1]! : lo);
      code[i] = 2 * k;
    }
  }

  // Gaps where the current CDF passes the reference level strictly inside: the crossing value matters.
  const crossing = new Uint8Array(m + 1);
  const cross = new Int32Array(m + 1); // values of the gap before the crossing one
  let below = 0;
  let need = 0;
  let points = 0;
  for (let k = 0; k <= m; k++) {
    const c = cnt[k]!;
    const r = k === 0 ? 0 : refCdf[k - 1]!;
    if (c > 1 && below / n < r && r < (below + c) / n) {
      crossing[k] = 1;
      need += c;
      let j = 1;
      while ((below + j) / n < r) j++;
      cross[k] = j - 1;
      points += 3;
    } else if (c > 0) points++;
    if (k < m && eq[k]! > 0) points++;
    below += c + (k < m ? eq[k]! : 0);
  }
  const start = new Int32Array(m + 1);
  for (let k = 0, at = 0; k <= m; k++) {
    start[k] = at;
    if (crossing[k]) at += cnt[k]!;
  }
  const gathered = new Float64Array(need);
  if (need > 0) {
    const fill = start.slice();
    for (let i = 0; i < n; i++) {
      const c = code[i]!;
      if ((c & 1) === 0 && crossing[c >> 1]) gathered[fill[c >> 1]!++] = values[i]!;
    }
  }

  // The weighted sample, ascending: gap k's content, then the ties at s_k.
  const outV = new Float64Array(points);
  const cum = new Float64Array(points);
  let o = 0;
  let acc = 0;
  const push = (v: number, w: number) => {
    if (w <= 0) return;
    outV[o] = v;
    cum[o++] = acc += w;
  };
  for (let k = 0; k <= m; k++) {
    const c = cnt[k]!;
    const left = k > 0 ? s[k - 1]! : lo;
    const inside = (x: number) => {
      // A mean of values strictly inside the gap lies inside it; rounding must not move it onto a point.
      if (k < m && x >= s[k]!) return nextDown(s[k]!);
      if (k > 0 && x <= left) return nextUp(left);
      return x;
    };
    if (crossing[k]) {
      const g = gathered.subarray(start[k]!, start[k]! + c);
      const j = cross[k]!;
      select(g, j);
      let sumLow = 0;
      for (let i = 0; i < j; i++) sumLow += g[i]! - left;
      let sumHigh = 0;
      for (let i = j + 1; i < c; i++) sumHigh += g[i]! - left;
      if (j > 0) push(Math.min(inside(left + sumLow / j), g[j]!), j);
      push(g[j]!, 1);
      if (c - j - 1 > 0) push(Math.max(inside(left + sumHigh / (c - j - 1)), g[j]!), c - j - 1);
    } else if (c > 0) push(inside(left + off[k]! / c), c);
    if (k < m) push(s[k]!, eq[k]!);
  }
  const mean = n ? shift + sum / n : Number.NaN;
  const variance = n ? Math.max(0, sq / n - (sum / n) ** 2) : Number.NaN;
  return {
    type: "numeric",
    n,
    missing: base.missing,
    invalid: base.invalid,
    invalidExamples: base.invalidExamples,
    dist: { values: outV.subarray(0, o), cum: cum.subarray(0, o), total: n },
    exact: true,
    rankErrorBound: 0,
    mean,
    std: Math.sqrt(variance),
    min: n ? min : Number.NaN,
    max: n ? max : Number.NaN,
    valueCounts: base.valueCounts,
    distinct: base.distinct,
    distinctExact: base.distinctExact,
  };
}
