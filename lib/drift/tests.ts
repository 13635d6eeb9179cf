// The drift tests. Each is a small object over two read-only column summaries that returns plain
// values; deciding "drifted" from the result and a threshold is the same rule for all of them.

import { binnedCounts, type Binned } from "./binning";
import type { ColumnSummary, NumericSummary } from "./columns";
import { ksTest } from "./ks";
import { chiSquare, jensenShannonDistance, populationStabilityIndex, twoProportionZTest, wassersteinDistance } from "./stats";
import type { TestName } from "./types";

export interface TestContext {
  readonly psiBins: number;
  readonly psiEpsilon: number;
  readonly jensenShannonBase?: number;
  /** The column's bins (computed once, shared by the binned tests and PSI). */
  binned(): Binned;
}

export interface TestOutcome {
  statistic: number;
  p_value?: number;
  notes?: string[];
}

export interface DriftTest {
  readonly name: TestName;
  readonly title: string;
  /** p_value: drift when p < threshold; distance: drift when statistic ≥ threshold. */
  readonly kind: "p_value" | "distance";
  readonly defaultThreshold: number;
  /** Why the test cannot run on this pair of columns, or null when it can. */
  unsupported(ref: ColumnSummary, cur: ColumnSummary): string | null;
  compute(ref: ColumnSummary, cur: ColumnSummary, ctx: TestContext): TestOutcome;
}

export function isDrifted(test: DriftTest, outcome: TestOutcome, threshold: number): boolean {
  if (test.kind === "p_value") return outcome.p_value !== undefined && outcome.p_value < threshold;
  return outcome.statistic >= threshold;
}

/** Standard deviation below which the Wasserstein distance is normed by this floor instead (as Evidently). */
export const WASSERSTEIN_STD_FLOOR = 0.001;

const needsNumeric = (name: string) => (ref: ColumnSummary) =>
  ref.type === "numeric" ? null : `${name} needs a numeric column; this one is categorical`;

function sketchNote(ref: ColumnSummary, cur: ColumnSummary): string[] {
  const notes: string[] = [];
  for (const [side, s] of [["reference", ref], ["current data", cur]] as const)
    if (s.type === "numeric" && !s.exact)
      notes.push(`the ${side} is summarised by a quantile sketch: ranks within ±${(s.rankErrorBound * 100).toPrecision(2)}% (worst case)`);
  return notes;
}

function binNotes(b: Binned): string[] {
  const notes: string[] = [];
  if (b.newCategories.length)
    notes.push(`values absent from the reference: ${b.newCategories.slice(0, 5).map((c) => `'${c}'`).join(", ")}${b.newCategories.length > 5 ? ` and ${b.newCategories.length - 5} more` : ""}`);
  return notes;
}

const ks: DriftTest = {
  name: "ks",
  title: "Kolmogorov–Smirnov",
  kind: "p_value",
  defaultThreshold: 0.05,
  unsupported: needsNumeric("the KS test"),
  compute(ref, cur) {
    const r = ksTest((ref as NumericSummary).dist, (cur as NumericSummary).dist);
    const notes = sketchNote(ref, cur);
    if (r.statistic === 0 && ref.type === "numeric" && cur.type === "numeric" && ref.min === ref.max && cur.min === cur.max)
      notes.push(`constant column: both sides hold only ${ref.min}, so D = 0 and there is no drift`);
    if (r.method === "asymp") notes.push("p-value from the asymptotic distribution (a sample has more than 10000 values)");
    return { statistic: r.statistic, p_value: r.pValue, notes };
  },
};

const chisquare: DriftTest = {
  name: "chisquare",
  title: "Chi-square",
  kind: "p_value",
  defaultThreshold: 0.05,
  unsupported: () => null,
  compute(_ref, _cur, ctx) {
    const b = ctx.binned();
    const notes = binNotes(b);
    if (b.kind === "quantiles") notes.push(`chi-square over ${b.labels.length} reference quantile bins`);
    if (b.labels.length < 2) {
      notes.push("a single category on both sides: nothing to compare, no drift");
      return { statistic: 0, p_value: 1, notes };
    }
    let refTotal = 0;
    let curTotal = 0;
    for (let i = 0; i < b.labels.length; i++) {
      refTotal += b.reference[i]!;
      curTotal += b.current[i]!;
    }
    // Reference proportions scaled to the current total (Evidently's chi-square).
    const expected = Float64Array.from(b.reference, (r) => (r / refTotal) * curTotal);
    const r = chiSquare(b.current, expected);
    if (r.statistic === Infinity) notes.push("a category absent from the reference makes the statistic infinite (p = 0)");
    const small = expected.filter((e) => e > 0 && e < 5).length;
    if (small) notes.push(`${small} categories expect fewer than 5 rows: the chi-square approximation is rough`);
    return { statistic: r.statistic, p_value: r.pValue, notes };
  },
};

const z: DriftTest = {
  name: "z",
  title: "Two-proportion z-test",
  kind: "p_value",
  defaultThreshold: 0.05,
  unsupported(ref, cur) {
    const n = distinctUnion(ref, cur);
    return n > 2 ? `the z-test needs a binary column; this one has ${n > 100 ? "more than 100" : n} distinct values` : null;
  },
  compute(_ref, _cur, ctx) {
    const b = ctx.binned();
    const notes = binNotes(b);
    if (b.labels.length < 2) {
      notes.push(`constant column: both sides hold only '${b.labels[0] ?? ""}', so there is no drift`);
      return { statistic: 0, p_value: 1, notes };
    }
    const n1 = b.reference[0]! + b.reference[1]!;
    const n2 = b.current[0]! + b.current[1]!;
    const r = twoProportionZTest(b.reference[0]!, n1, b.current[0]!, n2);
    notes.push(`proportion of '${b.labels[0]}': ${(b.reference[0]! / n1).toPrecision(4)} in the reference, ${(b.current[0]! / n2).toPrecision(4)} now`);
    return { statistic: r.statistic, p_value: r.pValue, notes };
  },
};

const wasserstein: DriftTest = {
  name: "wasserstein",
  title: "Wasserstein distance (normed)",
  kind: "distance",
  defaultThreshold: 0.1,
  unsupported: needsNumeric("the Wasserstein distance"),
  compute(ref, cur) {
    const r = ref as NumericSummary;
    const c = cur as NumericSummary;
    const notes = sketchNote(ref, cur);
    const norm = Math.max(r.std, WASSERSTEIN_STD_FLOOR);
    if (r.std < WASSERSTEIN_STD_FLOOR)
      notes.push(`the reference is (nearly) constant (std ${r.std.toPrecision(3)}): the distance is divided by ${WASSERSTEIN_STD_FLOOR} instead`);
    return { statistic: wassersteinDistance(r.dist, c.dist) / norm, notes };
  },
};

const jensenshannon: DriftTest = {
  name: "jensenshannon",
  title: "Jensen–Shannon distance",
  kind: "distance",
  defaultThreshold: 0.1,
  unsupported: () => null,
  compute(_ref, _cur, ctx) {
    const b = ctx.binned();
    const notes = binNotes(b);
    if (b.kind === "quantiles") notes.push(`Jensen–Shannon over ${b.labels.length} reference quantile bins`);
    return { statistic: jensenShannonDistance(b.reference, b.current, ctx.jensenShannonBase), notes };
  },
};

const psi: DriftTest = {
  name: "psi",
  title: "Population stability index",
  kind: "distance",
  defaultThreshold: 0.1,
  unsupported: () => null,
  compute(_ref, _cur, ctx) {
    const b = ctx.binned();
    return { statistic: populationStabilityIndex(b.reference, b.current, ctx.psiEpsilon), notes: binNotes(b) };
  },
};

export const DRIFT_TESTS: Readonly<Record<TestName, DriftTest>> = { ks, chisquare, z, wasserstein, jensenshannon, psi };

/** Distinct values over both sides (a lower bound of 101 when either side has more than 100). */
export function distinctUnion(ref: ColumnSummary, cur: ColumnSummary): number {
  if (ref.type === "categorical" && cur.type === "categorical") {
    const keys = new Set([...ref.counts.keys(), ...cur.counts.keys()]);
    return keys.size + (ref.other > 0 || cur.other > 0 ? 1 : 0);
  }
  if (ref.type === "numeric" && cur.type === "numeric") {
    if (!ref.valueCounts || !cur.valueCounts) return Math.max(ref.distinct, cur.distinct, 101);
    return new Set([...ref.valueCounts.keys(), ...cur.valueCounts.keys()]).size;
  }
  return Infinity;
}

export { binnedCounts };
