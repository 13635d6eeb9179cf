// Per-column statistics for the profile, from the accumulators of one pass. Numbers follow pandas
// and numpy conventions (sample std, linear-interpolated quantiles, numpy.histogram bins) so that
// they can be checked against them.
import { displayKey, type ColumnAccumulator } from "./column-stats";
import type { IngestResult } from "./ingest";
import type {
  CategoricalColumnProfile,
  ColumnProfile,
  ColumnSchema,
  DatasetProfile,
  DatetimeColumnProfile,
  Histogram,
  NumericColumnProfile,
  ValueCount,
} from "./types";
import { parseBoolean } from "./values";

export const MAX_VALUE_COUNTS = 50;
export const MAX_HISTOGRAM_BINS = 50;

/** numpy.quantile's default ("linear", type 7) over an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  // numpy's _lerp: interpolate from the nearer end for accuracy.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** Sturges' rule, as numpy's bins="sturges": ceil(log2(n) + 1), capped. */
export function sturgesBins(n: number): number {
  if (n <= 1) return 1;
  return Math.min(MAX_HISTOGRAM_BINS, Math.ceil(Math.log2(n) + 1));
}

/**
 * numpy.histogram(values, bins) with equal-width bins over [min, max] (a zero range becomes
 * [v - 0.5, v + 0.5]); the last bin includes its right edge.
 */
export function histogram(values: ArrayLike<number>, bins: number, min: number, max: number): { edges: number[]; counts: number[] } {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const step = (last - first) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? last : first + i * step));
  const counts = new Array<number>(bins).fill(0);
  const width = last - first;
  for (let k = 0; k < values.length; k++) {
    const x = values[k]!;
    if (!(x >= first && x <= last)) continue;
    // Same arithmetic and edge corrections as numpy's fast path for uniform bins.
    let i = Math.floor(((x - first) / width) * bins);
    if (i === bins) i--;
    if (x < edges[i]!) i--;
    else if (i !== bins - 1 && x >= edges[i + 1]!) i++;
    counts[i]!++;
  }
  return { edges, counts };
}

/** Scales sample counts to `total`, rounding so that they still add up (largest remainder). */
export function scaleCounts(counts: number[], total: number): number[] {
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum === 0 || sum === total) return counts.slice();
  const raw = counts.map((c) => (c * total) / sum);
  const out = raw.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

function numericProfile(acc: ColumnAccumulator, type: "numeric" | "integer"): NumericColumnProfile {
  const base = { name: acc.name, type, count: acc.count, missing: acc.missing, distinct: acc.distinct(), distinctExact: acc.distinctExact };
  const sample = Float64Array.from(acc.numbers()).sort();
  const exact = acc.sampleComplete;
  if (acc.count === 0) {
    return { ...base, mean: null, std: null, min: null, q25: null, median: null, q75: null, max: null, quantilesExact: true, sampleSize: 0, histogram: null };
  }
  const h = histogram(sample, sturgesBins(acc.count), acc.min, acc.max);
  const hist: Histogram = { edges: h.edges, counts: exact ? h.counts : scaleCounts(h.counts, acc.count), exact };
  return {
    ...base,
    mean: acc.mean,
    std: acc.count > 1 ? Math.sqrt(acc.m2 / (acc.count - 1)) : null,
    min: acc.min,
    // The sample holds the exact min and max only by chance; quartiles beyond them are clamped.
    q25: clamp(quantileSorted(sample, 0.25), acc.min, acc.max),
    median: clamp(quantileSorted(sample, 0.5), acc.min, acc.max),
    q75: clamp(quantileSorted(sample, 0.75), acc.min, acc.max),
    max: acc.max,
    quantilesExact: exact,
    sampleSize: sample.length,
    histogram: hist,
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/** Frequencies, most frequent first, ties by value; at most `limit`. */
export function topValues(acc: ColumnAccumulator, limit = MAX_VALUE_COUNTS): ValueCount[] {
  const all = [...acc.freq.entries()].map(([k, c]) => ({ value: displayKey(k), count: c }));
  all.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return all.slice(0, limit);
}

function categoricalProfile(acc: ColumnAccumulator, type: "categorical" | "boolean" | "text"): CategoricalColumnProfile {
  let values: ValueCount[];
  if (type === "boolean") {
    // Spellings (Yes, y, TRUE, 1) collapse to two values.
    let t = 0;
    let f = 0;
    for (const [k, c] of acc.freq) {
      const b = parseBoolean(k, true);
      if (b === 1) t += c;
      else if (b === 0) f += c;
    }
    values = [
      { value: "true", count: t },
      { value: "false", count: f },
    ].sort((a, b) => b.count - a.count);
  } else {
    values = topValues(acc);
  }
  const listed = values.reduce((s, v) => s + v.count, 0);
  return {
    name: acc.name,
    type,
    count: acc.count,
    missing: acc.missing,
    distinct: type === "boolean" ? values.filter((v) => v.count > 0).length : acc.distinct(),
    distinctExact: acc.distinctExact,
    values,
    otherCount: Math.max(0, acc.count - listed),
    countsExact: acc.distinctExact,
    minLength: acc.count ? acc.minLength : null,
    maxLength: acc.count ? acc.maxLength : null,
    meanLength: acc.count ? acc.totalLength / acc.count : null,
  };
}

function datetimeProfile(acc: ColumnAccumulator): DatetimeColumnProfile {
  return {
    name: acc.name,
    type: "datetime",
    count: acc.count,
    missing: acc.missing,
    distinct: acc.distinct(),
    distinctExact: acc.distinctExact,
    min: acc.count ? new Date(acc.minTime).toISOString() : null,
    max: acc.count ? new Date(acc.maxTime).toISOString() : null,
  };
}

export function columnProfile(acc: ColumnAccumulator, column: ColumnSchema): ColumnProfile {
  switch (column.type) {
    case "numeric":
    case "integer":
      return numericProfile(acc, column.type);
    case "datetime":
      return datetimeProfile(acc);
    default:
      return categoricalProfile(acc, column.type);
  }
}

export function buildProfile(ingest: IngestResult, schema: ColumnSchema[]): DatasetProfile {
  return {
    rowCount: ingest.rowCount,
    columnCount: ingest.header.length,
    format: { delimiter: ingest.delimiter, hasBom: ingest.hasBom, encoding: "utf-8" },
    columns: ingest.columns.map((acc, i) => columnProfile(acc, schema[i]!)),
  };
}
