// Evidently's default test per column. Small reference (≤ 1000 rows): statistical tests —
// KS for numeric columns with more than 5 distinct values, chi-square for categorical or
// few-valued numeric ones, the z-test for binary ones. Larger reference: distances —
// normed Wasserstein for numeric columns with more than 5 values, Jensen–Shannon otherwise.
// Distinct values are counted over both sides together, as Evidently does.

import type { ColumnSummary } from "./columns";
import { distinctUnion } from "./tests";
import type { TestName } from "./types";

export const SMALL_REFERENCE_ROWS = 1000;
export const FEW_VALUES = 5;

export interface Selection {
  test: TestName;
  reason: string;
}

export function selectTest(ref: ColumnSummary, cur: ColumnSummary, smallReferenceRows = SMALL_REFERENCE_ROWS): Selection {
  const distinct = distinctUnion(ref, cur);
  const many = distinct > 100 ? "more than 100" : String(distinct);
  const small = ref.n <= smallReferenceRows;
  const size = `${ref.n} reference rows ${small ? "≤" : ">"} ${smallReferenceRows}`;
  if (small) {
    if (ref.type === "numeric" && distinct > FEW_VALUES) return { test: "ks", reason: `${size}; numeric with ${many} values` };
    if (distinct <= 2) return { test: "z", reason: `${size}; binary (${distinct} value${distinct === 1 ? "" : "s"})` };
    return { test: "chisquare", reason: `${size}; ${ref.type === "numeric" ? `numeric with only ${distinct} values` : "categorical"}` };
  }
  if (ref.type === "numeric" && distinct > FEW_VALUES) return { test: "wasserstein", reason: `${size}; numeric with ${many} values` };
  return { test: "jensenshannon", reason: `${size}; ${ref.type === "numeric" ? `numeric with only ${distinct} values` : "categorical"}` };
}
