// Evaluates parsed comparisons in memory, for the small collections (experiments, registered
// models) that are filtered after loading rather than in SQL.
import type { Comparison, Entity, Literal } from "./ast";

export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let re = "";
  for (const ch of pattern) {
    if (ch === "%") re += "[\\s\\S]*";
    else if (ch === "_") re += "[\\s\\S]";
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, caseInsensitive ? "i" : "");
}

function compare(actual: Literal, op: string, expected: Literal): boolean {
  switch (op) {
    case "=":
      return actual === expected;
    case "!=":
      return actual !== expected;
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
    case "LIKE":
      return likeToRegExp(String(expected), false).test(String(actual));
    case "ILIKE":
      return likeToRegExp(String(expected), true).test(String(actual));
    default:
      return false;
  }
}

/** True when the object passes every comparison; `get` returns undefined/null for a missing value. */
export function matchesFilter(
  comparisons: Comparison[],
  get: (entity: Entity, key: string) => Literal | null | undefined,
): boolean {
  return comparisons.every((c) => {
    const actual = get(c.entity, c.key);
    if (c.op === "IS NULL") return actual === null || actual === undefined;
    if (c.op === "IS NOT NULL") return actual !== null && actual !== undefined;
    if (actual === null || actual === undefined) return false;
    if (c.op === "IN") return (c.value as Literal[]).includes(actual);
    if (c.op === "NOT IN") return !(c.value as Literal[]).includes(actual);
    return compare(actual, c.op, c.value as Literal);
  });
}
