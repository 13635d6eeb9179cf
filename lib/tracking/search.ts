// Run search: filter language → AST → parameterized SQL for the page's ids; then the runs are
// loaded with their params, tags and latest metrics. What keeps a page cheap at 100,000 runs:
// - the default order (newest first) reads the (experimentId, startTime DESC, id) index and pages
//   by keyset (the token holds the last row), so page 500 costs what page 1 does;
// - sorting by a metric, param or tag reads that table's (key, value, runId) index in order;
// - a selective metric, param or tag condition is answered from the same index first, and only
//   the runs it finds are looked at (instead of testing every run in order until a page is full).
import { db, dbKind } from "../db";
import { parseWith } from "../http";
import { parseFilter, parseOrderBy } from "./filter";
import { buildCandidateSql, buildRunSearchSql, isIndexable, type RunSearchQuery } from "./filter/sql";
import { decodePageCursor, encodePageToken } from "./paging";
import { getRuns } from "./runs";
import { searchRunsInput, type SearchRunsInput } from "./schemas";
import type { Page, Run } from "./types";

/**
 * A condition matching at most `selectiveMatches` runs in scope is selective: its runs are fetched
 * first and only they are looked at. The probe reads at most that many index entries (plus one)
 * for each indexable condition, so the cap is also its cost when a condition is not selective;
 * measured at 100,000 runs, testing runs in order is cheaper once a condition matches a few
 * percent of them. Mutable for tuning (0 turns the shortcut off).
 */
export const searchTuning = { selectiveMatches: 500 };

interface Row {
  id: string;
  startTime: number | bigint;
}

export async function searchRuns(input: SearchRunsInput = {}): Promise<Page<Run>> {
  const q = parseWith(searchRunsInput, input, "run search");
  const comparisons = parseFilter(q.filter);
  const order = q.orderBy.map((o) => parseOrderBy(o));
  const identity = { e: q.experimentIds, f: q.filter, o: q.orderBy, v: q.view };
  const cursor = decodePageCursor(q.pageToken, identity);
  // Keyset paging needs a total order the token can name: the default one (start time, id).
  const keyset = order.length === 0;
  const after = keyset ? cursor.after : undefined;
  const base: RunSearchQuery = {
    experimentIds: q.experimentIds.map(Number),
    comparisons,
    order,
    view: q.view,
    limit: q.maxResults + 1,
    offset: after ? 0 : cursor.offset,
    after,
  };
  base.candidates = await selectiveCandidates(base);
  if (base.candidates?.length === 0) return { items: [], nextPageToken: null };
  // A few candidate runs are simply looked up and sorted; reading a sort index in order pays when many runs match.
  const keyFirst = order[0] !== undefined && order[0].entity !== "attribute" && !base.candidates;
  const rows = keyFirst ? await rowsByKeyFirst(base) : await rowsOf(base);
  const more = rows.length > q.maxResults;
  const pageRows = more ? rows.slice(0, q.maxResults) : rows;
  let nextPageToken: string | null = null;
  if (more) {
    const last = pageRows.at(-1)!;
    const lastSeen = keyset ? { startTime: Number(last.startTime), id: last.id } : undefined;
    nextPageToken = encodePageToken(cursor.offset + q.maxResults, identity, lastSeen);
  }
  return { items: await getRuns(pageRows.map((r) => r.id)), nextPageToken };
}

/**
 * The runs of the most selective indexable condition, when one matches at most
 * `searchTuning.selectiveMatches` runs in scope; undefined when none does (the page query then tests runs in order).
 */
async function selectiveCandidates(query: RunSearchQuery): Promise<string[] | undefined> {
  const cap = searchTuning.selectiveMatches;
  if (cap <= 0) return undefined;
  let best: string[] | undefined;
  for (const c of query.comparisons.filter(isIndexable)) {
    const { sql, params } = buildCandidateSql(dbKind(), c, query, cap + 1);
    const ids = (await db().$queryRawUnsafe<{ id: string }[]>(sql, ...params)).map((r) => r.id);
    if (ids.length <= cap && (!best || ids.length < best.length)) best = ids;
    if (best?.length === 0) break;
  }
  return best;
}

async function rowsOf(query: RunSearchQuery, part?: "with" | "without"): Promise<Row[]> {
  const { sql, params } = buildRunSearchSql(dbKind(), query, { part });
  return db().$queryRawUnsafe<Row[]>(sql, ...params);
}

/**
 * Sorted by a metric, param or tag: first the runs that have a value for it (read in index order),
 * then the runs without one. The second part starts where the first one ends in the overall order.
 */
async function rowsByKeyFirst(query: RunSearchQuery): Promise<Row[]> {
  // Many runs can share the lead value (a param with a few values): bound the part to the page's
  // last lead value, so the database reads and sorts by the other terms only the rows up to it.
  const bound = buildRunSearchSql(dbKind(), query, { part: "with", boundary: true });
  const edge = (await db().$queryRawUnsafe<{ v: unknown }[]>(bound.sql, ...bound.params))[0];
  const withValue = await rowsOf(edge ? { ...query, leadBound: edge.v } : query, "with");
  if (withValue.length >= query.limit) return withValue;
  let before: number;
  if (withValue.length > 0 || query.offset === 0) before = query.offset + withValue.length;
  else {
    const { sql, params } = buildRunSearchSql(dbKind(), query, { count: true, part: "with" });
    before = Number((await db().$queryRawUnsafe<{ n: number | bigint }[]>(sql, ...params))[0]?.n ?? 0);
  }
  const rest = await rowsOf({ ...query, limit: query.limit - withValue.length, offset: Math.max(0, query.offset - before) }, "without");
  return [...withValue, ...rest];
}

/** How many runs match a filter (for a table's "n runs" label). */
export async function countRuns(input: Pick<SearchRunsInput, "experimentIds" | "filter" | "view"> = {}): Promise<number> {
  const q = parseWith(searchRunsInput, input, "run search");
  const query: RunSearchQuery = {
    experimentIds: q.experimentIds.map(Number),
    comparisons: parseFilter(q.filter),
    order: [],
    view: q.view,
    limit: 0,
    offset: 0,
  };
  query.candidates = await selectiveCandidates(query);
  if (query.candidates?.length === 0) return 0;
  const { sql, params } = buildRunSearchSql(dbKind(), query, { count: true });
  const rows = await db().$queryRawUnsafe<{ n: number | bigint }[]>(sql, ...params);
  return Number(rows[0]?.n ?? 0);
}
