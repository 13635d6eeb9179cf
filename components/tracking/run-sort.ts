// The runs table's sort state, shared by the server page (first render) and the client table.
import { filterKey } from "./format";

export type SortEntity = "attributes" | "params" | "metrics";
export interface RunSort {
  entity: SortEntity;
  key: string;
  descending: boolean;
}

export const RUNS_PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_RUNS_PAGE_SIZE = 50;

/** The search's order-by item, e.g. "metrics.accuracy DESC". */
export function orderByOf(sort: RunSort | null): string[] {
  return sort ? [`${filterKey(sort.entity, sort.key)} ${sort.descending ? "DESC" : "ASC"}`] : [];
}

/** Reads `?sort=metrics.accuracy&dir=asc`; anything else means the default order (newest first). */
export function parseSortParam(sort: unknown, dir: unknown): RunSort | null {
  if (typeof sort !== "string") return null;
  const m = /^(attributes|params|metrics)\.(.+)$/.exec(sort);
  if (!m || m[2]!.length > 250) return null;
  return { entity: m[1] as SortEntity, key: m[2]!, descending: dir !== "asc" };
}

export function sortParams(sort: RunSort | null): Record<string, string> {
  return sort ? { sort: `${sort.entity}.${sort.key}`, dir: sort.descending ? "desc" : "asc" } : {};
}
