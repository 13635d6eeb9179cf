// Reference profiles: everything a drift report needs from the training data, built once and
// stored as JSON, so reports never re-read that data. Numeric columns keep every value (sorted)
// up to `exactLimit` rows, else a KLL sketch with a stated rank-error bound; both keep moments,
// a histogram and a distinct count. Categorical columns keep their frequencies.

import { z } from "zod";
import { invalid } from "@/lib/errors";
import {
  CategoricalAccumulator,
  DISTINCT_CAP,
  NumericAccumulator,
  OTHER,
  feed,
  inferType,
  listColumns,
  type CategoricalSummary,
  type ColumnSummary,
  type NumericSummary,
} from "./columns";
import { fromSorted, weightBelow } from "./distribution";
import { HyperLogLog } from "./hll";
import { DEFAULT_SKETCH_K, KllSketch, type KllState } from "./kll";
import { isSorted } from "./sort";
import type { ColumnType, ColumnsInput } from "./types";

export const PROFILE_FORMAT = "mlops-drift-profile";
export const PROFILE_VERSION = 1;

export interface ProfileOptions {
  /** Numeric columns with at most this many values are stored whole (default 10000, SciPy's exact-KS limit). */
  exactLimit?: number;
  /** KLL parameter for larger columns (default 2048: rank error ≈ 0.05% when built in one batch). */
  sketchK?: number;
  /** Categories kept per categorical column, most frequent first; the rest count as "(other)" (default 1000). */
  maxCategories?: number;
  /** Bars of the stored histogram (default 20). */
  histogramBins?: number;
  types?: Readonly<Record<string, ColumnType>>;
  /** Seed of the sketch's compaction coin (profiles are reproducible). */
  seed?: number;
}

interface ProfileColumnBase {
  name: string;
  /** Present values. */
  n: number;
  missing: number;
  /** Non-numeric cells of a numeric column (treated as missing). */
  invalid: number;
}

export interface NumericProfileColumn extends ProfileColumnBase {
  type: "numeric";
  mean: number;
  /** Population standard deviation (ddof = 0). */
  std: number;
  min: number;
  max: number;
  distinct: {
    count: number;
    exact: boolean;
    /** [value, count] for every value, when there are at most 100. */
    values?: [number, number][];
    /** HyperLogLog registers (base64), when the column was sketched. */
    hll?: string;
  };
  sample:
    | { kind: "exact"; values: number[] }
    | { kind: "kll"; rank_error_bound: number; rank_error_std: number; sketch: KllState };
  histogram: { edges: number[]; counts: number[] };
}

export interface CategoricalProfileColumn extends ProfileColumnBase {
  type: "categorical";
  /** [category, count], most frequent first. */
  frequencies: [string, number][];
  /** Rows in categories beyond maxCategories. */
  other: number;
  distinct: { count: number; exact: boolean };
}

/** A column with no present value in the reference: kept so reports can say why it is skipped. */
export interface EmptyProfileColumn extends ProfileColumnBase {
  type: "unknown";
}

export type ProfileColumn = NumericProfileColumn | CategoricalProfileColumn | EmptyProfileColumn;

export interface ReferenceProfile {
  format: typeof PROFILE_FORMAT;
  version: typeof PROFILE_VERSION;
  created_at: string;
  n_rows: number;
  columns: ProfileColumn[];
}

/** Builds a profile from chunks of rows (same columns in each), for training data that does not fit at once. */
export class ProfileBuilder {
  private readonly cols = new Map<string, { type: ColumnType | null; acc: NumericAccumulator | CategoricalAccumulator | null; missing: number }>();
  private rows = 0;

  constructor(private readonly options: ProfileOptions = {}) {}

  add(columns: ColumnsInput): this {
    const list = listColumns(columns);
    let chunkRows = 0;
    for (const c of list) chunkRows = Math.max(chunkRows, c.values.length);
    const seen = new Set<string>();
    for (const c of list) {
      seen.add(c.name);
      let entry = this.cols.get(c.name);
      if (!entry) {
        entry = { type: null, acc: null, missing: this.rows };
        this.cols.set(c.name, entry);
      }
      if (!entry.type) {
        const t = this.options.types?.[c.name] ?? c.type ?? inferType(c.values);
        if (t) {
          entry.type = t;
          entry.acc =
            t === "numeric"
              ? new NumericAccumulator({
                  exactLimit: this.options.exactLimit ?? 10_000,
                  sketchK: this.options.sketchK ?? DEFAULT_SKETCH_K,
                  seed: this.options.seed,
                  trackDistinct: true,
                })
              : new CategoricalAccumulator(Infinity);
        }
      }
      if (entry.acc) feed(entry.acc, c.values, c.invalid);
      else entry.missing += c.values.length;
      // A short column is padded with missing values to the chunk's row count.
      entry.missing += chunkRows - c.values.length;
    }
    for (const [name, entry] of this.cols) if (!seen.has(name)) entry.missing += chunkRows;
    this.rows += chunkRows;
    return this;
  }

  finish(): ReferenceProfile {
    const bins = this.options.histogramBins ?? 20;
    const columns: ProfileColumn[] = [];
    for (const [name, entry] of this.cols) {
      if (!entry.acc) {
        columns.push({ name, type: "unknown", n: 0, missing: entry.missing, invalid: 0 });
        continue;
      }
      if (entry.acc instanceof NumericAccumulator) columns.push(numericColumn(name, entry.acc, entry.missing, bins));
      else columns.push(categoricalColumn(name, entry.acc.summary(), entry.missing, this.options.maxCategories ?? 1000));
    }
    return { format: PROFILE_FORMAT, version: PROFILE_VERSION, created_at: new Date().toISOString(), n_rows: this.rows, columns };
  }
}

function numericColumn(name: string, acc: NumericAccumulator, padMissing: number, bins: number): NumericProfileColumn {
  const s = acc.summary();
  const kll = acc.kll;
  const hll = acc.distinctSketch;
  const lo = s.min;
  const hi = s.max;
  const k = s.n === 0 ? 0 : hi > lo ? bins : 1;
  const edges: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i <= k; i++) edges.push(i === k ? hi : lo + ((hi - lo) * i) / k);
  let prev = 0;
  for (let i = 1; i <= k; i++) {
    const c = i === k ? s.dist.total : weightBelow(s.dist, edges[i]!);
    counts.push(c - prev);
    prev = c;
  }
  return {
    name,
    type: "numeric",
    n: s.n,
    missing: s.missing + padMissing,
    invalid: s.invalid,
    mean: s.mean,
    std: s.std,
    min: s.min,
    max: s.max,
    distinct: {
      count: s.distinct,
      exact: s.distinctExact,
      ...(s.valueCounts ? { values: [...s.valueCounts.entries()].sort((a, b) => a[0] - b[0]) } : {}),
      ...(hll ? { hll: hll.toBase64() } : {}),
    },
    sample: kll
      ? { kind: "kll", rank_error_bound: kll.rankErrorBound, rank_error_std: kll.rankErrorStd, sketch: kll.toJSON() }
      : { kind: "exact", values: Array.from(s.dist.values) },
    histogram: { edges, counts },
  };
}

function categoricalColumn(name: string, s: CategoricalSummary, padMissing: number, maxCategories: number): CategoricalProfileColumn {
  const all = [...s.counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = all.slice(0, maxCategories);
  const other = all.slice(maxCategories).reduce((t, [, c]) => t + c, s.other);
  return {
    name,
    type: "categorical",
    n: s.n,
    missing: s.missing + padMissing,
    invalid: 0,
    frequencies: kept,
    other,
    distinct: { count: all.length, exact: true },
  };
}

/** Builds a profile from the training data in one go (see ProfileBuilder for chunks). */
export function buildReferenceProfile(columns: ColumnsInput, options: ProfileOptions = {}): ReferenceProfile {
  return new ProfileBuilder(options).add(columns).finish();
}

/** A profile column as the summary the tests read; null for a column with no value. */
export function profileSummary(col: ProfileColumn): ColumnSummary | null {
  if (col.type === "unknown") return null;
  if (col.type === "categorical") {
    const counts = new Map<string, number>(col.frequencies);
    return {
      type: "categorical",
      n: col.n,
      missing: col.missing,
      invalid: col.invalid,
      invalidExamples: [],
      counts: new Map([...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))),
      other: col.other,
      distinct: col.distinct.count,
      distinctExact: col.distinct.exact,
    };
  }
  let dist;
  let rankErrorBound = 0;
  if (col.sample.kind === "exact") dist = fromSorted(Float64Array.from(col.sample.values));
  else {
    const { values, cum } = KllSketch.fromJSON(col.sample.sketch).toSorted();
    dist = { values, cum, total: col.sample.sketch.n };
    rankErrorBound = col.sample.rank_error_bound;
  }
  const summary: NumericSummary = {
    type: "numeric",
    n: col.n,
    missing: col.missing,
    invalid: col.invalid,
    invalidExamples: [],
    dist,
    exact: col.sample.kind === "exact",
    rankErrorBound,
    mean: col.mean,
    std: col.std,
    min: col.min,
    max: col.max,
    valueCounts: col.distinct.values ? new Map(col.distinct.values) : null,
    distinct: col.distinct.count,
    distinctExact: col.distinct.exact,
  };
  return summary;
}

const finite = z.number().refine(Number.isFinite, "must be a finite number");
const count = z.number().int().min(0);
const base = { name: z.string().min(1), n: count, missing: count, invalid: count };
const kllState = z.object({
  k: z.number().int().min(8),
  n: count,
  min: finite,
  max: finite,
  error_bound: z.number().min(0),
  error_var: z.number().min(0),
  levels: z.array(z.array(finite)),
});
const profileSchema = z.object({
  format: z.literal(PROFILE_FORMAT),
  version: z.literal(PROFILE_VERSION),
  created_at: z.string(),
  n_rows: count,
  columns: z.array(
    z.discriminatedUnion("type", [
      z.object({
        ...base,
        type: z.literal("numeric"),
        mean: finite,
        std: z.number().min(0),
        min: finite,
        max: finite,
        distinct: z.object({
          count: count,
          exact: z.boolean(),
          values: z.array(z.tuple([finite, count])).max(DISTINCT_CAP).optional(),
          hll: z.string().optional(),
        }),
        sample: z.discriminatedUnion("kind", [
          z.object({ kind: z.literal("exact"), values: z.array(finite) }),
          z.object({ kind: z.literal("kll"), rank_error_bound: z.number().min(0), rank_error_std: z.number().min(0), sketch: kllState }),
        ]),
        histogram: z.object({ edges: z.array(finite), counts: z.array(z.number().min(0)) }),
      }),
      z.object({
        ...base,
        type: z.literal("categorical"),
        frequencies: z.array(z.tuple([z.string(), count])),
        other: count,
        distinct: z.object({ count: count, exact: z.boolean() }),
      }),
      z.object({ ...base, type: z.literal("unknown") }),
    ]),
  ),
});

/** Validates a stored profile (parsed JSON); a malformed one is rejected with the reasons. */
export function parseProfile(data: unknown): ReferenceProfile {
  const r = profileSchema.safeParse(data);
  if (!r.success)
    throw invalid(
      "Not a valid drift reference profile",
      r.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    );
  const p = r.data as ReferenceProfile;
  for (const c of p.columns) {
    if (c.type === "numeric" && c.sample.kind === "exact") {
      if (c.sample.values.length !== c.n || !isSorted(Float64Array.from(c.sample.values)))
        throw invalid(`Profile column '${c.name}': the stored values must be sorted and number n`);
    }
    if (c.type === "numeric" && c.distinct.hll !== undefined) HyperLogLog.fromBase64(c.distinct.hll);
  }
  return p;
}

export { OTHER };
