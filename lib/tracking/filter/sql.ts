// Run search → one parameterized SQL query that returns the ids of a page of runs. Every value from
// the filter is a bound parameter; only column names chosen from fixed tables appear in the text.
import type { DbKind } from "../../db";
import { invalid } from "../../errors";
import type { Comparison, Literal, OrderTerm } from "./ast";

const ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: `r."id"`,
  run_name: `r."name"`,
  status: `r."status"`,
  user_id: `r."userId"`,
  artifact_uri: `r."artifactUri"`,
  lifecycle_stage: `r."lifecycleStage"`,
  parent_run_id: `r."parentRunId"`,
  dataset_version_id: `r."datasetVersionId"`,
  code_version: `r."codeVersion"`,
  experiment_id: `r."experimentId"`,
  start_time: `r."startTime"`,
  end_time: `r."endTime"`,
};

const KEYED_TABLES = { metric: `"LatestMetric"`, param: `"Param"`, tag: `"RunTag"` } as const;

export interface RunSearchQuery {
  experimentIds: number[];
  comparisons: Comparison[];
  order: OrderTerm[];
  view: "active" | "deleted" | "all";
  limit: number;
  offset: number;
  /** Keyset paging in the default order (newest first): the rows after this one. */
  after?: { startTime: number; id: string };
  /** Every match is one of these runs (found first through a selective filter's index). */
  candidates?: string[];
  /**
   * Two-part search, `with` part: the lead sort value of the page's last row; no row of the page
   * lies beyond it, so the rows past it need not be read (nor sorted by the other terms).
   */
  leadBound?: unknown;
}

/** Comparisons a (key, value, runId) index can answer with a range or a few lookups. */
const INDEXABLE_OPS = new Set(["=", ">", ">=", "<", "<=", "IN"]);

export function isIndexable(c: Comparison): boolean {
  return c.entity !== "attribute" && INDEXABLE_OPS.has(c.op);
}

const numbered = (sql: string): string => {
  // No user text is ever part of the SQL, so every '?' is a placeholder.
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** A bound list of run ids: one JSON parameter, whatever the number of ids. */
const idList = (kind: DbKind) => (kind === "postgres" ? `(SELECT jsonb_array_elements_text(?::jsonb))` : `(SELECT value FROM json_each(?))`);

/**
 * The ids of at most `cap` runs matching one indexable comparison, read from the keyed table's
 * (key, value, runId) index and joined to the runs in scope. When fewer than `cap` come back the
 * comparison is selective, and the page query only looks at those runs (instead of testing every
 * run of the experiment in order until a page is full).
 */
export function buildCandidateSql(
  kind: DbKind,
  c: Comparison,
  scope: Pick<RunSearchQuery, "experimentIds" | "view">,
  cap: number,
): { sql: string; params: unknown[] } {
  if (!isIndexable(c)) throw new Error(`${c.entity}.${c.key} ${c.op} cannot be read from an index`);
  const params: unknown[] = [c.key];
  const bind = (v: unknown) => (params.push(v), "?");
  const cond =
    c.op === "IN" ? `k."value" IN (${(c.value as Literal[]).map(bind).join(", ")})` : `k."value" ${c.op} ${bind(c.value)}`;
  const where = [`k."key" = ?`, cond];
  if (scope.experimentIds.length) where.push(`r."experimentId" IN (${scope.experimentIds.map(bind).join(", ")})`);
  if (scope.view !== "all") where.push(`r."lifecycleStage" = ${bind(scope.view === "active" ? "active" : "deleted")}`);
  // SQLite: CROSS JOIN keeps the index of the keyed table as the outer loop.
  const join = kind === "postgres" ? "JOIN" : "CROSS JOIN";
  const sql = `SELECT k."runId" AS "id" FROM ${KEYED_TABLES[c.entity as keyof typeof KEYED_TABLES]} k ${join} "Run" r ON r."id" = k."runId"
    WHERE ${where.join(" AND ")} LIMIT ${bind(cap)}`;
  return { sql: kind === "postgres" ? numbered(sql) : sql, params };
}

/** MLflow's LIKE is case-sensitive; SQLite's is not, so SQLite gets the GLOB equivalent. */
function likeToGlob(pattern: string): string {
  let out = "";
  for (const ch of pattern) {
    if (ch === "%") out += "*";
    else if (ch === "_") out += "?";
    else if (ch === "*" || ch === "?" || ch === "[") out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

/**
 * The page query, or with `count` the number of matching runs. When the first sort term is a
 * metric, param or tag, a search runs in two parts (see searchRuns): `with` reads the runs that
 * have a value for it in the keyed table's (key, value, runId) index order, so a page needs no
 * sort of every run; `without` reads the rest (nulls last).
 */
export function buildRunSearchSql(
  kind: DbKind,
  q: RunSearchQuery,
  opts: { count?: boolean; part?: "with" | "without"; boundary?: boolean } = {},
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const bind = (v: unknown): string => {
    params.push(v);
    return "?";
  };

  const attributeValue = (c: Comparison, v: Literal): unknown => {
    if (c.key === "experiment_id") {
      if (!/^\d{1,9}$/.test(String(v))) throw invalid(`Invalid filter at position ${c.position}: experiment ids are whole numbers`);
      return Number(v);
    }
    if ((c.key === "start_time" || c.key === "end_time") && !Number.isSafeInteger(v)) {
      throw invalid(`Invalid filter at position ${c.position}: ${c.key} is a whole number of milliseconds`);
    }
    return v;
  };

  /** The condition on one column for one comparison. */
  const condition = (col: string, c: Comparison, convert: (v: Literal) => unknown = (v) => v): string => {
    switch (c.op) {
      case "IS NULL":
        return `${col} IS NULL`;
      case "IS NOT NULL":
        return `${col} IS NOT NULL`;
      case "IN":
      case "NOT IN":
        return `${col} ${c.op} (${(c.value as Literal[]).map((v) => bind(convert(v))).join(", ")})`;
      case "LIKE":
        if (c.key === "experiment_id" && c.entity === "attribute") break;
        return kind === "postgres" ? `${col} LIKE ${bind(c.value)} ESCAPE ''` : `${col} GLOB ${bind(likeToGlob(String(c.value)))}`;
      case "ILIKE":
        if (c.key === "experiment_id" && c.entity === "attribute") break;
        return kind === "postgres" ? `${col} ILIKE ${bind(c.value)} ESCAPE ''` : `${col} LIKE ${bind(c.value)}`;
      case "!=":
        return `${col} <> ${bind(convert(c.value as Literal))}`;
      default:
        return `${col} ${c.op} ${bind(convert(c.value as Literal))}`;
    }
    throw invalid(`Invalid filter at position ${c.position}: ${c.op} does not apply to experiment_id`);
  };

  const lead = opts.part ? q.order[0] : undefined;
  if (opts.part && (!lead || lead.entity === "attribute")) throw new Error("A two-part search needs a metric, param or tag as its first sort term");
  if (opts.boundary && opts.part !== "with") throw new Error("The lead bound belongs to the `with` part");
  const order = opts.count || opts.boundary ? [] : lead ? q.order.slice(1) : q.order;

  // Parameters are numbered in text order: FROM (joins), then WHERE, then LIMIT/OFFSET.
  let from = `"Run" r`;
  if (opts.part === "with") from = `${KEYED_TABLES[lead!.entity as keyof typeof KEYED_TABLES]} o0 JOIN "Run" r ON r."id" = o0."runId"`;
  const joins: string[] = [];
  const orderSql: string[] = [];
  if (opts.part === "with" && !opts.count) orderSql.push(`o0."value" ${lead!.descending ? "DESC" : "ASC"}`);
  order.forEach((t, i) => {
    let col: string;
    if (t.entity === "attribute") col = ATTRIBUTE_COLUMNS[t.key]!;
    else {
      const alias = `o${i + 1}`;
      joins.push(`LEFT JOIN ${KEYED_TABLES[t.entity]} ${alias} ON ${alias}."runId" = r."id" AND ${alias}."key" = ${bind(t.key)}`);
      col = `${alias}."value"`;
    }
    orderSql.push(`${col} ${t.descending ? "DESC" : "ASC"} NULLS LAST`);
  });
  orderSql.push(`r."startTime" DESC`, `r."id" ASC`);

  const where: string[] = [];
  // Params and tags always have a value; a metric's NaN is stored as NULL and sorts with the runs without one.
  const valued = lead?.entity === "metric" ? ` AND o0."value" IS NOT NULL` : "";
  if (opts.part === "with") where.push(`o0."key" = ${bind(lead!.key)}${valued}`);
  if (opts.part === "with" && q.leadBound !== undefined && !opts.boundary) {
    where.push(`o0."value" ${lead!.descending ? ">=" : "<="} ${bind(q.leadBound)}`);
  }
  if (opts.part === "without") {
    const table = KEYED_TABLES[lead!.entity as keyof typeof KEYED_TABLES];
    where.push(`NOT EXISTS (SELECT 1 FROM ${table} o0 WHERE o0."runId" = r."id" AND o0."key" = ${bind(lead!.key)}${valued})`);
  }
  if (q.candidates) {
    where.push(`r."id" IN ${idList(kind)}`);
    params.push(JSON.stringify(q.candidates));
  }
  if (q.after && !opts.count) {
    // Newest first: rows older than the last one seen, or as old with a greater id. The first
    // conjunct is a range on the (experimentId, startTime DESC, id) index.
    where.push(`r."startTime" <= ? AND (r."startTime" < ? OR r."id" > ?)`);
    params.push(q.after.startTime, q.after.startTime, q.after.id);
  }
  // With candidates, SQLite must look the few runs up by id, not scan the experiment's index and
  // test each run: a unary + keeps these columns from choosing an index.
  const noIndex = q.candidates && kind === "sqlite" ? "+" : "";
  if (q.experimentIds.length) where.push(`${noIndex}r."experimentId" IN (${q.experimentIds.map(bind).join(", ")})`);
  if (q.view !== "all") where.push(`${noIndex}r."lifecycleStage" = ${bind(q.view === "active" ? "active" : "deleted")}`);
  for (const c of q.comparisons) {
    if (c.entity === "attribute") {
      where.push(condition(ATTRIBUTE_COLUMNS[c.key]!, c, (v) => attributeValue(c, v)));
      continue;
    }
    const table = KEYED_TABLES[c.entity];
    const has = (extra: string) => `EXISTS (SELECT 1 FROM ${table} k WHERE k."runId" = r."id" AND k."key" = ${bind(c.key)}${extra})`;
    if (c.op === "IS NULL") where.push(`NOT ${has("")}`);
    else if (c.op === "IS NOT NULL") where.push(has(""));
    else {
      // A correlated EXISTS stops at the first page of matches; a selective condition is also
      // answered from the index first (the candidates, see buildCandidateSql).
      const keyed = `EXISTS (SELECT 1 FROM ${table} k WHERE k."runId" = r."id" AND k."key" = ${bind(c.key)} AND `;
      where.push(`${keyed}${condition(`k."value"`, c)})`);
    }
  }

  const whereSql = where.length ? where.join(" AND ") : "1 = 1";
  const sql = opts.count
    ? `SELECT COUNT(*) AS "n" FROM ${from} WHERE ${whereSql}`
    : opts.boundary
      ? `SELECT o0."value" AS "v" FROM ${from} WHERE ${whereSql}
        ORDER BY o0."value" ${lead!.descending ? "DESC" : "ASC"} LIMIT 1 OFFSET ${bind(q.offset + q.limit - 1)}`
      : `SELECT r."id" AS "id", r."startTime" AS "startTime" FROM ${from} ${joins.join(" ")} WHERE ${whereSql}
      ORDER BY ${orderSql.join(", ")} LIMIT ${bind(q.limit)} OFFSET ${bind(q.offset)}`;
  return { sql: kind === "postgres" ? numbered(sql) : sql, params };
}
