// Column types from the statistics of one pass, and user overrides checked against the data.
import { invalid } from "../errors";
import type { ColumnAccumulator, Counterexample } from "./column-stats";
import type { ColumnSchema, ColumnType } from "./types";

/** Strings with at most this many distinct values are always categorical. */
export const CATEGORICAL_MIN_LEVELS = 20;
/** Strings with more distinct values than this are text. */
export const CATEGORICAL_MAX_LEVELS = 1000;
/** Between the two bounds: categorical when distinct values are at most this share of the values. */
export const CATEGORICAL_MAX_SHARE = 0.5;

/**
 * The first rule that holds, over the non-missing values:
 * 1. no values at all → numeric (an all-missing column; the validation report flags it);
 * 2. every value a boolean word (true/false, yes/no, t/f, y/n, any case) → boolean;
 * 3. every value a whole number (1, -3, 2.0, 1e3) within ±2^53 → integer;
 * 4. every value a number → numeric;
 * 5. every value an ISO 8601 date or date-time → datetime;
 * 6. at most 20 distinct values, or at most 1000 and no more than half the values → categorical;
 * 7. otherwise → text (high-cardinality strings).
 */
export function inferType(acc: ColumnAccumulator): ColumnType {
  if (acc.count === 0) return "numeric";
  if (acc.notBoolean === null) return "boolean";
  if (acc.notInteger === null) return "integer";
  if (acc.notNumeric === null) return "numeric";
  if (acc.notDatetime === null) return "datetime";
  const distinct = acc.distinct();
  if (
    distinct <= CATEGORICAL_MIN_LEVELS ||
    (distinct <= CATEGORICAL_MAX_LEVELS && distinct <= CATEGORICAL_MAX_SHARE * acc.count)
  ) {
    return "categorical";
  }
  return "text";
}

/** Why the data does not fit `type`, or null when it does. Categorical and text fit anything. */
export function overrideConflict(acc: ColumnAccumulator, type: ColumnType): Counterexample | null {
  switch (type) {
    case "numeric":
      return acc.notNumeric;
    case "integer":
      return acc.notInteger;
    case "boolean":
      return acc.notBoolean01;
    case "datetime":
      return acc.notDatetime;
    case "categorical":
    case "text":
      return null;
  }
}

const EXPECTED: Record<ColumnType, string> = {
  numeric: "a number",
  integer: "a whole number",
  boolean: "true/false, yes/no, t/f, y/n or 1/0",
  datetime: "an ISO 8601 date or date-time (YYYY-MM-DD[THH:MM[:SS][Z|±HH:MM]])",
  categorical: "any value",
  text: "any value",
};

/** Inferred schema with overrides applied; an override the data does not fit is refused with an example. */
export function buildSchema(columns: ColumnAccumulator[], overrides: Record<string, ColumnType> = {}): ColumnSchema[] {
  const names = new Set(columns.map((c) => c.name));
  const unknown = Object.keys(overrides).filter((n) => !names.has(n));
  if (unknown.length > 0) {
    throw invalid(`The schema overrides name column${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `'${n}'`).join(", ")}, not in the header`, {
      columns: unknown,
    });
  }
  return columns.map((acc) => {
    const inferredType = inferType(acc);
    const wanted = overrides[acc.name];
    if (wanted !== undefined && wanted !== inferredType) {
      const bad = overrideConflict(acc, wanted);
      if (bad) {
        throw invalid(
          `Column '${acc.name}' cannot be ${wanted}: the value '${bad.value.length > 80 ? `${bad.value.slice(0, 80)}…` : bad.value}' on line ${bad.line} is not ${EXPECTED[wanted]}`,
          { column: acc.name, type: wanted, value: bad.value.slice(0, 200), line: bad.line },
        );
      }
    }
    return { name: acc.name, type: wanted ?? inferredType, inferredType, nullable: acc.missing > 0 };
  });
}
