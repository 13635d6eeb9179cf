// One pass, bounded memory, per column: which types every value so far fits, moments and a
// uniform sample of the numbers (for quartiles, histograms and outliers), date range, string
// lengths, and value frequencies (exact up to a bound, then Misra–Gries plus HyperLogLog).
import { HyperLogLog, hashString, hashHi, hashLo } from "./hash";
import { numberKind, parseBoolean, parseDatetime } from "./values";

/** A value that breaks a type, kept to explain why an override was refused. */
export interface Counterexample {
  value: string;
  line: number;
}

export interface StatsBudget {
  /** Numbers sampled per column. */
  reservoir: number;
  /** Distinct values counted exactly per column before switching to a bounded summary. */
  distinct: number;
}

// Totals over all columns: about 32 MB of samples and 250k (up to 500k) frequency entries, so a
// 10,000-column file gets 400 samples and 64 exact distinct values per column.
const RESERVOIR_TOTAL = 4_000_000;
const DISTINCT_TOTAL = 250_000;

export function budgetFor(columns: number): StatsBudget {
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.floor(v)));
  return {
    reservoir: clamp(RESERVOIR_TOTAL / columns, 256, 100_000),
    distinct: clamp(DISTINCT_TOTAL / columns, 64, 10_000),
  };
}

const LONG_VALUE = 200;
const ELLIPSIS = "\u2026";

/** Frequency key: long values keep a prefix and their 64-bit hash, so memory stays bounded but distinct values stay distinct. */
function keyOf(v: string, hi: number, lo: number): string {
  if (v.length <= LONG_VALUE) return v;
  return `${v.slice(0, LONG_VALUE)}${ELLIPSIS}#${hi.toString(16).padStart(8, "0")}${lo.toString(16).padStart(8, "0")}`;
}

/** What a frequency key shows to people. */
export function displayKey(key: string): string {
  if (key.length <= LONG_VALUE) return key;
  const at = key.lastIndexOf(`${ELLIPSIS}#`);
  return at === -1 ? key : key.slice(0, at + 1);
}

function keyHash(key: string): [number, number] {
  if (key.length > LONG_VALUE) {
    const at = key.lastIndexOf(`${ELLIPSIS}#`);
    if (at !== -1) {
      const hex = key.slice(at + 2);
      return [parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8, 16), 16)];
    }
  }
  hashString(key);
  return [hashHi, hashLo];
}

export class ColumnAccumulator {
  /** Non-missing values. */
  count = 0;
  missing = 0;

  notNumeric: Counterexample | null = null;
  notInteger: Counterexample | null = null;
  notBoolean: Counterexample | null = null;
  /** Like notBoolean but 0 and 1 are accepted (for a boolean override). */
  notBoolean01: Counterexample | null = null;
  notDatetime: Counterexample | null = null;

  // Numbers: only kept while every value is a number (else the column cannot be numeric).
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  sample: Float64Array = new Float64Array(0);
  sampled = 0; // numbers offered to the sample

  minTime = Infinity;
  maxTime = -Infinity;

  minLength = Infinity;
  maxLength = 0;
  totalLength = 0;

  freq = new Map<string, number>();
  /** Set once distinct values exceed the budget: counts become lower bounds, distinct an estimate. */
  hll: HyperLogLog | null = null;

  constructor(
    readonly name: string,
    private readonly budget: StatsBudget,
    private readonly rand: () => number,
  ) {}

  /** `v` is trimmed and not missing; hi/lo are its 64-bit hash. */
  add(v: string, line: number, hi: number, lo: number): void {
    this.count++;
    const len = v.length;
    if (len < this.minLength) this.minLength = len;
    if (len > this.maxLength) this.maxLength = len;
    this.totalLength += len;

    if (this.notNumeric === null) {
      const kind = numberKind(v);
      const x = kind === 0 ? NaN : Number(v);
      if (!Number.isFinite(x)) {
        this.notNumeric = { value: v, line };
        if (this.notInteger === null) this.notInteger = { value: v, line };
      } else {
        if (this.notInteger === null && !(Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER)) {
          this.notInteger = { value: v, line };
        }
        this.addNumber(x);
      }
    }
    if (this.notBoolean01 === null) {
      const b = parseBoolean(v, true);
      if (b === -1) this.notBoolean01 = { value: v, line };
    }
    if (this.notBoolean === null) {
      const b = parseBoolean(v);
      if (b === -1) this.notBoolean = { value: v, line };
    }
    if (this.notDatetime === null) {
      const t = parseDatetime(v);
      if (Number.isNaN(t)) this.notDatetime = { value: v, line };
      else {
        if (t < this.minTime) this.minTime = t;
        if (t > this.maxTime) this.maxTime = t;
      }
    }

    if (this.hll) {
      this.hll.add(hi, lo);
      // Past the bound, a column of numbers only needs its distinct estimate (value counts are for
      // categories), and a frequency map over near-unique numbers was most of the ingestion time.
      // Counts frozen here stay lower bounds; they resume if a non-number shows up.
      if (this.notNumeric === null) return;
      const key = keyOf(v, hi, lo);
      this.freq.set(key, (this.freq.get(key) ?? 0) + 1);
      if (this.freq.size > 2 * this.budget.distinct) this.reduce();
      return;
    }
    const key = keyOf(v, hi, lo);
    this.freq.set(key, (this.freq.get(key) ?? 0) + 1);
    if (this.freq.size > this.budget.distinct) {
      this.hll = new HyperLogLog();
      for (const k of this.freq.keys()) {
        const [h, l] = keyHash(k);
        this.hll.add(h, l);
      }
    }
  }

  get distinctExact(): boolean {
    return this.hll === null;
  }

  private estimated = -1;
  private estimatedAt = -1;

  distinct(): number {
    if (!this.hll) return this.freq.size;
    // Inference, profile and validation all ask; the estimate walks 2048 registers.
    if (this.estimatedAt !== this.count) {
      this.estimated = Math.max(this.hll.estimate(), this.freq.size);
      this.estimatedAt = this.count;
    }
    return this.estimated;
  }

  /** The sampled numbers (all of them when sampled <= budget), unsorted. */
  numbers(): Float64Array {
    return this.sample.subarray(0, Math.min(this.sampled, this.budget.reservoir));
  }

  get sampleComplete(): boolean {
    return this.sampled <= this.budget.reservoir;
  }

  private addNumber(x: number): void {
    // Welford's update: stable for large counts, one pass. Numbers are only accumulated while
    // every value is a number, so `count` is the number count.
    const n = this.count;
    const d = x - this.mean;
    this.mean += d / n;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    const cap = this.budget.reservoir;
    const seen = this.sampled++;
    if (seen < cap) {
      if (seen >= this.sample.length) {
        const grown = new Float64Array(Math.min(cap, Math.max(64, this.sample.length * 2)));
        grown.set(this.sample);
        this.sample = grown;
      }
      this.sample[seen] = x;
    } else {
      // Reservoir sampling (Algorithm R): every number ends up in the sample with equal probability.
      const j = Math.floor(this.rand() * (seen + 1));
      if (j < cap) this.sample[j] = x;
    }
  }

  /** Misra–Gries: drop the smallest counts so that at most `distinct` keys remain. */
  private reduce(): void {
    const counts = Float64Array.from(this.freq.values()).sort();
    const cut = counts[counts.length - this.budget.distinct - 1]!;
    for (const [k, c] of this.freq) {
      if (c <= cut) this.freq.delete(k);
      else this.freq.set(k, c - cut);
    }
  }
}
