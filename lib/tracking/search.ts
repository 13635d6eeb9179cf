// Run search: filter language → AST → parameterized SQL for the page's ids; then the runs are
// loaded with their params, tags and latest metrics. Sorting by a metric uses LatestMetric.
import { db, dbKind } from "../db";
import { parseWith } from "../http";
import { parseFilter, parseOrderBy } from "./filter";
import { buildRunSearchSql, type RunSearchQuery } from "./filter/sql";
import { decodePageToken, pageOf } from "./paging";
import { getRuns } from "./runs";
import { searchRunsInput, type SearchRunsInput } from "./schemas";
import type { Page, Run } from "./types";

export async function searchRuns(input: SearchRunsInput = {}): Promise<Page<Run>> {
  const q = parseWith(searchRunsInput, input, "run search");
  const comparisons = parseFilter(q.filter);
  const order = q.orderBy.map((o) => parseOrderBy(o));
  const identity = { e: q.experimentIds, f: q.filter, o: q.orderBy, v: q.view };
  const offset = decodePageToken(q.pageToken, identity);
  const base: RunSearchQuery = { experimentIds: q.experimentIds.map(Number), comparisons, order, view: q.view, limit: q.maxResults + 1, offset };
  const ids = order[0]?.entity === "metric" ? await idsByMetricFirst(base) : await idsOf(base);
  const page = pageOf(ids, offset, q.maxResults, identity);
  return { items: await getRuns(page.items), nextPageToken: page.nextPageToken };
}

async function idsOf(query: RunSearchQuery, part?: "with" | "without"): Promise<string[]> {
  const { sql, params } = buildRunSearchSql(dbKind(), query, { part });
  return (await db().$queryRawUnsafe<{ id: string }[]>(sql, ...params)).map((r) => r.id);
}

/**
 * Sorted by a metric: first the runs that have a value for it (read in index order), then the
 * runs without one. The second part starts where the first one ends in the overall order.
 */
async function idsByMetricFirst(query: RunSearchQuery): Promise<string[]> {
  const withMetric = await idsOf(query, "with");
  if (withMetric.length >= query.limit) return withMetric;
  let before: number;
  if (withMetric.length > 0 || query.offset === 0) before = query.offset + withMetric.length;
  else {
    const { sql, params } = buildRunSearchSql(dbKind(), query, { count: true, part: "with" });
    before = Number((await db().$queryRawUnsafe<{ n: number | bigint }[]>(sql, ...params))[0]?.n ?? 0);
  }
  const rest = await idsOf({ ...query, limit: query.limit - withMetric.length, offset: Math.max(0, query.offset - before) }, "without");
  return [...withMetric, ...rest];
}

/** How many runs match a filter (for a table's "n runs" label). */
export async function countRuns(input: Pick<SearchRunsInput, "experimentIds" | "filter" | "view"> = {}): Promise<number> {
  const q = parseWith(searchRunsInput, input, "run search");
  const { sql, params } = buildRunSearchSql(
    dbKind(),
    { experimentIds: q.experimentIds.map(Number), comparisons: parseFilter(q.filter), order: [], view: q.view, limit: 0, offset: 0 },
    { count: true },
  );
  const rows = await db().$queryRawUnsafe<{ n: number | bigint }[]>(sql, ...params);
  return Number(rows[0]?.n ?? 0);
}
