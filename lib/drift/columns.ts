// Turning caller input into per-column summaries: parsing cells, counting missing and invalid
// values, and accumulating numeric columns exactly (a sorted Float64Array) up to a limit, then
// through a KLL sketch, so any window size fits in bounded memory.

import { summarizeAgainst } from "./against";
import { fromSorted, meanStd, type EmpiricalDistribution } from "./distribution";
import { HyperLogLog } from "./hll";
import { DEFAULT_SKETCH_K, KllSketch } from "./kll";
import { trySortOnWorker, type SortTicket } from "./parallel";
import { sortValues } from "./sort";
import type { Cell, ColumnInput, ColumnType, ColumnValues, ColumnsInput } from "./types";

/** Cells read as missing: pandas' default NA tokens. */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
  "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
]);

/** Share of present cells that must parse as numbers for a column to count as numeric. */
export const NUMERIC_SHARE = 0.9;
/** Distinct values tracked exactly (with counts) per numeric column. */
export const DISTINCT_CAP = 100;
/** Distinct categories kept per categorical column of a window; the rest count as "(other)". */
export const WINDOW_CATEGORY_CAP = 100_000;
export const OTHER = "(other)";

export interface NumericSummary {
  readonly type: "numeric";
  readonly n: number;
  readonly missing: number;
  readonly invalid: number;
  readonly invalidExamples: readonly string[];
  readonly dist: EmpiricalDistribution;
  /** True when `dist` holds every value; false for a sketch. */
  readonly exact: boolean;
  /** Worst-case rank error of `dist` as a fraction of n (0 when exact). */
  readonly rankErrorBound: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** Every distinct value with its count, when there are at most DISTINCT_CAP of them. */
  readonly valueCounts: ReadonlyMap<number, number> | null;
  /** Distinct values: exact when `distinctExact`, else an estimate (or a lower bound of DISTINCT_CAP + 1). */
  readonly distinct: number;
  readonly distinctExact: boolean;
}

export interface CategoricalSummary {
  readonly type: "categorical";
  readonly n: number;
  readonly missing: number;
  readonly invalid: number;
  readonly invalidExamples: readonly string[];
  readonly counts: ReadonlyMap<string, number>;
  /** Rows whose category was folded into "(other)" (a profile keeps only its most frequent categories). */
  readonly other: number;
  readonly distinct: number;
  readonly distinctExact: boolean;
}

export type ColumnSummary = NumericSummary | CategoricalSummary;

export function isMissingCell(c: Cell): boolean {
  if (c === null || c === undefined) return true;
  if (typeof c === "number") return c !== c;
  if (typeof c === "string") return MISSING_TOKENS.has(c.trim());
  return false;
}

/** Number in a cell: NaN when missing, null when present but not a finite number. */
export function parseNumericCell(c: Cell): number | null {
  if (typeof c === "number") return c !== c ? Number.NaN : Number.isFinite(c) ? c : null;
  if (c === null || c === undefined) return Number.NaN;
  if (typeof c === "boolean") return c ? 1 : 0;
  const t = c.trim();
  if (MISSING_TOKENS.has(t)) return Number.NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

export function categoryOf(c: Cell): string | null {
  if (isMissingCell(c)) return null;
  return typeof c === "string" ? c.trim() : String(c);
}

/** Normalises either input shape to a list of named columns. */
export function listColumns(input: ColumnsInput): ColumnInput[] {
  if (Array.isArray(input)) return input as ColumnInput[];
  return Object.entries(input as Record<string, ColumnValues>).map(([name, values]) => ({ name, values }));
}

/** numeric when ≥ 90% of present cells are numbers (a Float64Array always is); null when every cell is missing. */
export function inferType(values: ColumnValues): ColumnType | null {
  if (values instanceof Float64Array) return "numeric";
  let present = 0;
  let numeric = 0;
  for (let i = 0; i < values.length; i++) {
    const c = values[i];
    if (isMissingCell(c)) continue;
    present++;
    if (typeof c !== "boolean" && parseNumericCell(c) !== null) numeric++;
  }
  if (present === 0) return null;
  return numeric >= NUMERIC_SHARE * present ? "numeric" : "categorical";
}

export interface AccumulatorOptions {
  /** Values kept exactly; beyond, the column goes through a KLL sketch. */
  exactLimit?: number;
  sketchK?: number;
  seed?: number;
  /** Keep a HyperLogLog distinct estimate (profiles do; windows need only "more than 100"). */
  trackDistinct?: boolean;
}

const CHUNK = 1 << 20;
const EXAMPLES = 5;

export class NumericAccumulator {
  private buf: Float64Array = new Float64Array(1024);
  private len = 0;
  private sketch: KllSketch | null = null;
  private missing = 0;
  private invalid = 0;
  private readonly invalidExamples: string[] = [];
  // Running moments of the sketched values (Chan et al. merge of per-chunk two-pass moments).
  private sn = 0;
  private smean = 0;
  private sm2 = 0;
  private smin = Infinity;
  private smax = -Infinity;
  private counts: Map<number, number> | null = new Map();
  private hll: HyperLogLog | null = null;
  private readonly exactLimit: number;
  private readonly k: number;
  private readonly seed: number;
  private readonly trackDistinct: boolean;
  private done: NumericSummary | null = null;

  constructor(opts: AccumulatorOptions = {}) {
    this.exactLimit = opts.exactLimit ?? Infinity;
    this.k = opts.sketchK ?? DEFAULT_SKETCH_K;
    this.seed = opts.seed ?? 0x5eed;
    this.trackDistinct = opts.trackDistinct ?? false;
  }

  private invalidCell(c: Cell): void {
    this.invalid++;
    const text = String(c);
    if (this.invalidExamples.length < EXAMPLES && !this.invalidExamples.includes(text)) this.invalidExamples.push(text);
  }

  /** New values after prepare(): let the sort finish (it works on the buffer) and drop it. */
  private settle(): void {
    if (!this.pending) return;
    this.buf = this.pending.join();
    this.pending = null;
  }

  /** Called when the buffer is full: flush to the sketch, switch to it, or grow. */
  private makeRoom(remaining: number): void {
    if (this.sketch) return this.flush();
    if (this.len >= this.exactLimit) return this.toSketch();
    this.grow(Math.min(this.exactLimit, Math.max(this.buf.length * 2, this.len + remaining)));
  }

  private grow(size: number): void {
    const b = new Float64Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  private toSketch(): void {
    this.scan();
    this.sketch = new KllSketch(this.k, this.seed);
    if (this.trackDistinct) this.hll = new HyperLogLog();
    this.flush();
    if (this.buf.length < CHUNK) this.buf = new Float64Array(CHUNK);
  }

  /** Sorts the pending values and folds them into the sketch and the running statistics. */
  private flush(): void {
    this.scan();
    if (this.len === 0) return;
    const chunk = sortValues(this.buf.subarray(0, this.len));
    const n = chunk.length;
    const { mean, std } = meanStd(chunk);
    const m2 = std * std * n;
    const tot = this.sn + n;
    const delta = mean - this.smean;
    this.sm2 += m2 + (delta * delta * this.sn * n) / tot;
    this.smean += (delta * n) / tot;
    this.sn = tot;
    if (chunk[0]! < this.smin) this.smin = chunk[0]!;
    if (chunk[n - 1]! > this.smax) this.smax = chunk[n - 1]!;
    for (let i = 0; i < n; ) {
      const v = chunk[i]!;
      let j = i + 1;
      while (j < n && chunk[j] === v) j++;
      if (this.counts) {
        this.counts.set(v, (this.counts.get(v) ?? 0) + (j - i));
        if (this.counts.size > DISTINCT_CAP) this.counts = null;
      }
      this.hll?.addNumber(v);
      if (!this.counts && !this.hll) break;
      i = j;
    }
    this.sketch!.addSorted(chunk);
    this.len = 0;
  }

  /** Start of the values copied in bulk and not yet checked for NaN and ±Infinity. */
  private unscanned = -1;

  /** Moves missing (NaN) and invalid (±Infinity) values out of the bulk-copied range. */
  private scan(): void {
    if (this.unscanned < 0) return;
    const buf = this.buf;
    let w = this.unscanned;
    for (let i = this.unscanned; i < this.len; i++) {
      const v = buf[i]!;
      if (v - v !== 0) {
        // NaN or ±Infinity (x − x is NaN for both).
        if (v !== v) this.missing++;
        else this.invalidCell(v);
        continue;
      }
      buf[w++] = v;
    }
    this.len = w;
    this.unscanned = -1;
  }

  addNumbers(values: ArrayLike<number>): void {
    this.done = null;
    this.settle();
    // Whole typed columns are copied natively and checked later, in one tight loop.
    if (!this.sketch && values instanceof Float64Array && this.len + values.length <= this.exactLimit) {
      if (this.len + values.length > this.buf.length) this.grow(this.len + values.length);
      if (this.unscanned < 0) this.unscanned = this.len;
      this.buf.set(values, this.len);
      this.len += values.length;
      return;
    }
    this.scan();
    // One allocation for a bulk column instead of repeated doubling.
    if (!this.sketch) {
      const need = Math.min(this.len + values.length, this.exactLimit);
      if (need > this.buf.length) this.grow(need);
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== v) {
        this.missing++;
        continue;
      }
      if (v === Infinity || v === -Infinity) {
        this.invalidCell(v);
        continue;
      }
      if (this.len === this.buf.length) this.makeRoom(values.length - i);
      this.buf[this.len++] = v;
    }
  }

  addCells(values: ArrayLike<Cell>): void {
    if (values instanceof Float64Array) return this.addNumbers(values);
    this.done = null;
    this.settle();
    this.scan();
    for (let i = 0; i < values.length; i++) {
      const c = values[i];
      const v = parseNumericCell(c);
      if (v === null) {
        this.invalidCell(c);
        continue;
      }
      if (v !== v) {
        this.missing++;
        continue;
      }
      if (this.len === this.buf.length) this.makeRoom(values.length - i);
      this.buf[this.len++] = v;
    }
  }

  /** Counts `count` of the missing values seen so far as invalid cells (a CSV parser found them). */
  reclassify(count: number, examples: readonly string[]): void {
    this.scan();
    const k = Math.min(count, this.missing);
    this.missing -= k;
    this.invalid += k;
    for (const e of examples) if (this.invalidExamples.length < EXAMPLES && !this.invalidExamples.includes(e)) this.invalidExamples.push(e);
    this.done = null;
  }

  private pending: SortTicket | null = null;

  /**
   * Hands the exact values to the sorting thread when it is idle (see parallel.ts), so the caller
   * can sort another column meanwhile; summary() collects them (or sorts here if it was busy).
   */
  prepare(): void {
    if (this.done || this.sketch || this.pending) return;
    this.scan();
    // Sorting happens in place: a buffer much larger than its content is traded for a tight copy.
    if (this.len * 2 < this.buf.length) this.buf = this.buf.slice(0, this.len);
    this.pending = trySortOnWorker(this.buf, this.len);
  }

  summary(): NumericSummary {
    if (this.done) return this.done;
    const base = { type: "numeric" as const, missing: this.missing, invalid: this.invalid, invalidExamples: [...this.invalidExamples] };
    if (!this.sketch) {
      this.scan();
      if (this.pending) this.buf = this.pending.join();
      else sortValues(this.buf.subarray(0, this.len));
      this.pending = null;
      const sorted = this.buf.subarray(0, this.len);
      const n = sorted.length;
      const { mean, std } = meanStd(sorted);
      // Reports only need to know whether there are more than DISTINCT_CAP values; profiles count them all.
      let distinct = 0;
      let counts: Map<number, number> | null = new Map();
      for (let i = 0; i < n; ) {
        const v = sorted[i]!;
        let j = i + 1;
        while (j < n && sorted[j] === v) j++;
        distinct++;
        if (counts) {
          counts.set(v, j - i);
          if (counts.size > DISTINCT_CAP) {
            counts = null;
            if (!this.trackDistinct) break;
          }
        }
        i = j;
      }
      this.done = {
        ...base,
        n,
        dist: fromSorted(sorted),
        exact: true,
        rankErrorBound: 0,
        mean,
        std,
        min: n ? sorted[0]! : Number.NaN,
        max: n ? sorted[n - 1]! : Number.NaN,
        valueCounts: counts,
        distinct,
        distinctExact: counts !== null || this.trackDistinct,
      };
      return this.done;
    }
    this.flush();
    const s = this.sketch;
    const { values, cum } = s.toSorted();
    const counts = this.counts;
    this.done = {
      ...base,
      n: this.sn,
      dist: { values, cum, total: s.n },
      exact: false,
      rankErrorBound: s.rankErrorBound,
      mean: this.smean,
      std: Math.sqrt(this.sm2 / this.sn),
      min: this.smin,
      max: this.smax,
      valueCounts: counts,
      distinct: counts ? counts.size : this.hll ? Math.max(DISTINCT_CAP + 1, this.hll.estimate()) : DISTINCT_CAP + 1,
      distinctExact: counts !== null,
    };
    return this.done;
  }

  /**
   * The summary to compare with a sketched reference: no sort, the same statistics (see against.ts).
   * A column that went into its own sketch gives its ordinary summary.
   */
  summaryAgainst(ref: EmpiricalDistribution): NumericSummary {
    if (this.sketch || this.done) return this.summary();
    this.settle();
    this.scan();
    const values = this.buf.subarray(0, this.len);
    let counts: Map<number, number> | null = new Map();
    for (let i = 0; i < values.length && counts; i++) {
      const v = values[i]!;
      counts.set(v, (counts.get(v) ?? 0) + 1);
      if (counts.size > DISTINCT_CAP) counts = null;
    }
    const sorted = counts ? new Map([...counts.entries()].sort((a, b) => a[0] - b[0])) : null;
    return summarizeAgainst(values, ref, {
      missing: this.missing,
      invalid: this.invalid,
      invalidExamples: [...this.invalidExamples],
      valueCounts: sorted,
      distinct: sorted ? sorted.size : DISTINCT_CAP + 1,
      distinctExact: sorted !== null,
    });
  }

  /** The sketch (when the column outgrew the exact limit), for profiles. */
  get kll(): KllSketch | null {
    if (this.sketch) this.flush();
    return this.sketch;
  }

  get distinctSketch(): HyperLogLog | null {
    return this.hll;
  }
}

export class CategoricalAccumulator {
  private readonly counts = new Map<string, number>();
  private other = 0;
  private missing = 0;
  private done: CategoricalSummary | null = null;

  constructor(private readonly cap = WINDOW_CATEGORY_CAP) {}

  addCells(values: ArrayLike<Cell>): void {
    this.done = null;
    for (let i = 0; i < values.length; i++) {
      const c = values[i];
      const key = categoryOf(c);
      if (key === null) {
        this.missing++;
        continue;
      }
      const prev = this.counts.get(key);
      if (prev !== undefined) this.counts.set(key, prev + 1);
      else if (this.counts.size < this.cap) this.counts.set(key, 1);
      else this.other++;
    }
  }

  summary(): CategoricalSummary {
    if (this.done) return this.done;
    let n = this.other;
    for (const c of this.counts.values()) n += c;
    const sorted = new Map([...this.counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    this.done = {
      type: "categorical",
      n,
      missing: this.missing,
      invalid: 0,
      invalidExamples: [],
      counts: sorted,
      other: this.other,
      distinct: sorted.size + (this.other > 0 ? 1 : 0),
      distinctExact: this.other === 0,
    };
    return this.done;
  }
}

export type Accumulator = NumericAccumulator | CategoricalAccumulator;

export function accumulatorFor(type: ColumnType, opts: AccumulatorOptions = {}): Accumulator {
  return type === "numeric" ? new NumericAccumulator(opts) : new CategoricalAccumulator();
}

/** Feeds a column to an accumulator of either kind. */
export function feed(acc: Accumulator, values: ColumnValues, invalid?: ColumnInput["invalid"]): void {
  if (acc instanceof NumericAccumulator) {
    if (values instanceof Float64Array) {
      acc.addNumbers(values);
      if (invalid && invalid.count > 0) acc.reclassify(invalid.count, invalid.examples);
    } else acc.addCells(values);
  } else if (values instanceof Float64Array) {
    acc.addCells(Array.from(values, (v) => (v !== v ? null : v)));
  } else acc.addCells(values);
}
