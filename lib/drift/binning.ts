// Shared discretisation: the bins that chi-square, Jensen–Shannon and PSI compare, and the
// histograms of the report. Numeric columns with few values use the values themselves; others
// use the reference's quantiles, so the bins need only the reference profile, never its rows.

import { OTHER, type ColumnSummary, type NumericSummary } from "./columns";
import { quantile, weightAtMost, weightBelow } from "./distribution";
import type { Histogram } from "./types";

export interface Binned {
  /** "values": a numeric column's distinct values; "quantiles": reference quantile bins; "categories". */
  kind: "values" | "quantiles" | "categories";
  labels: string[];
  reference: Float64Array;
  current: Float64Array;
  /** Categories present in the current data and absent from the reference. */
  newCategories: string[];
}

/**
 * Interior edges at the reference's i/bins quantiles (numpy 'linear' on exact data), duplicates
 * dropped; the bins are (−∞, e₁], (e₁, e₂], …, (e_last, ∞), so the current data never falls outside.
 */
export function quantileEdges(ref: NumericSummary, bins: number): number[] {
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const q = quantile(ref.dist, i / bins);
    if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
  }
  return edges;
}

function countsAtEdges(s: NumericSummary, edges: readonly number[]): Float64Array {
  const out = new Float64Array(edges.length + 1);
  let prev = 0;
  for (let i = 0; i < edges.length; i++) {
    const c = weightAtMost(s.dist, edges[i]!);
    out[i] = c - prev;
    prev = c;
  }
  out[edges.length] = s.dist.total - prev;
  return out;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}

/** Counts per bin on both sides, with `bins` as the bin count for many-valued numeric columns. */
export function binnedCounts(ref: ColumnSummary, cur: ColumnSummary, bins: number): Binned {
  if (ref.type === "categorical" && cur.type === "categorical") {
    const keys = new Set<string>([...ref.counts.keys()]);
    const folded = ref.other > 0;
    let curOther = cur.other;
    const newCategories: string[] = [];
    for (const [k, c] of cur.counts) {
      if (keys.has(k)) continue;
      // A profile that kept only its top categories cannot tell new from rare: both go to "(other)".
      if (folded) curOther += c;
      else {
        keys.add(k);
        newCategories.push(k);
      }
    }
    const labels = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (folded || curOther > 0) labels.push(OTHER);
    const reference = Float64Array.from(labels, (k) => (k === OTHER ? ref.other : (ref.counts.get(k) ?? 0)));
    const current = Float64Array.from(labels, (k) => (k === OTHER ? curOther : (cur.counts.get(k) ?? 0)));
    return { kind: "categories", labels, reference, current, newCategories };
  }
  if (ref.type === "numeric" && cur.type === "numeric") {
    if (ref.valueCounts && cur.valueCounts) {
      const values = new Set<number>([...ref.valueCounts.keys(), ...cur.valueCounts.keys()]);
      if (values.size <= bins) {
        const sorted = [...values].sort((a, b) => a - b);
        return {
          kind: "values",
          labels: sorted.map(fmt),
          reference: Float64Array.from(sorted, (v) => ref.valueCounts!.get(v) ?? 0),
          current: Float64Array.from(sorted, (v) => cur.valueCounts!.get(v) ?? 0),
          newCategories: sorted.filter((v) => !ref.valueCounts!.has(v)).map(fmt),
        };
      }
    }
    const edges = quantileEdges(ref, bins);
    const labels: string[] = [];
    for (let i = 0; i <= edges.length; i++) {
      const lo = i === 0 ? "-inf" : fmt(edges[i - 1]!);
      const hi = i === edges.length ? "inf" : fmt(edges[i]!);
      labels.push(`(${lo}, ${hi}]`);
    }
    return { kind: "quantiles", labels, reference: countsAtEdges(ref, edges), current: countsAtEdges(cur, edges), newCategories: [] };
  }
  throw new TypeError("reference and current summaries differ in type");
}

/** Histograms of both sides on shared bins, for display. */
export function histograms(ref: ColumnSummary, cur: ColumnSummary, bins: number): { reference: Histogram; current: Histogram } {
  if (ref.type === "numeric" && cur.type === "numeric") {
    const few = ref.valueCounts && cur.valueCounts && new Set([...ref.valueCounts.keys(), ...cur.valueCounts.keys()]).size <= bins;
    if (few) {
      const b = binnedCounts(ref, cur, bins);
      return {
        reference: { kind: "categories", categories: b.labels, counts: Array.from(b.reference) },
        current: { kind: "categories", categories: b.labels, counts: Array.from(b.current) },
      };
    }
    const lo = Math.min(ref.min, cur.min);
    const hi = Math.max(ref.max, cur.max);
    const edges: number[] = [];
    const k = hi > lo ? bins : 1;
    for (let i = 0; i <= k; i++) edges.push(i === k ? hi : lo + ((hi - lo) * i) / k);
    // Bins are [e_i, e_{i+1}) with the last one closed, as np.histogram.
    const count = (s: NumericSummary) => {
      const out: number[] = [];
      let prev = 0;
      for (let i = 1; i <= k; i++) {
        const c = i === k ? s.dist.total : weightBelow(s.dist, edges[i]!);
        out.push(c - prev);
        prev = c;
      }
      return out;
    };
    return { reference: { kind: "bins", edges, counts: count(ref) }, current: { kind: "bins", edges, counts: count(cur) } };
  }
  const b = binnedCounts(ref, cur, Infinity);
  const order = b.labels
    .map((label, i) => ({ label, i, total: b.reference[i]! + b.current[i]! }))
    .sort((x, y) => y.total - x.total || (x.label < y.label ? -1 : 1));
  const top = order.slice(0, bins);
  const rest = order.slice(bins);
  const categories = top.map((o) => o.label);
  const refCounts = top.map((o) => b.reference[o.i]!);
  const curCounts = top.map((o) => b.current[o.i]!);
  if (rest.length) {
    categories.push(rest.length === 1 ? rest[0]!.label : `${OTHER} ×${rest.length}`);
    refCounts.push(rest.reduce((s, o) => s + b.reference[o.i]!, 0));
    curCounts.push(rest.reduce((s, o) => s + b.current[o.i]!, 0));
  }
  return {
    reference: { kind: "categories", categories, counts: refCounts },
    current: { kind: "categories", categories, counts: curCounts },
  };
}
