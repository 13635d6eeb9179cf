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
 * metric, a search runs in two parts (see searchRuns): `with` reads the runs that have a value for
 * it in LatestMetric's (key, value) index order, so a page needs no sort of every run; `without`
 * reads the rest (nulls last).
 */
export function buildRunSearchSql(
  kind: DbKind,
  q: RunSearchQuery,
  opts: { count?: boolean; part?: "with" | "without" } = {},
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
  if (opts.part && lead?.entity !== "metric") throw new Error("A two-part search needs a metric as its first sort term");
  const order = opts.count ? [] : lead ? q.order.slice(1) : q.order;

  // Parameters are numbered in text order: FROM (joins), then WHERE, then LIMIT/OFFSET.
  let from = `"Run" r`;
  if (opts.part === "with") from = `"LatestMetric" o0 JOIN "Run" r ON r."id" = o0."runId"`;
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
  if (opts.part === "with") where.push(`o0."key" = ${bind(lead!.key)} AND o0."value" IS NOT NULL`);
  if (opts.part === "without") {
    where.push(`NOT EXISTS (SELECT 1 FROM "LatestMetric" w WHERE w."runId" = r."id" AND w."key" = ${bind(lead!.key)} AND w."value" IS NOT NULL)`);
  }
  if (q.experimentIds.length) where.push(`r."experimentId" IN (${q.experimentIds.map(bind).join(", ")})`);
  if (q.view !== "all") where.push(`r."lifecycleStage" = ${bind(q.view === "active" ? "active" : "deleted")}`);
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
      // A correlated EXISTS stops at the first page of matches; an IN over LatestMetric's index
      // would build the whole matching set first, which only pays for very selective filters.
      const keyed = `EXISTS (SELECT 1 FROM ${table} k WHERE k."runId" = r."id" AND k."key" = ${bind(c.key)} AND `;
      where.push(`${keyed}${condition(`k."value"`, c)})`);
    }
  }

  const whereSql = where.length ? where.join(" AND ") : "1 = 1";
  let sql = opts.count
    ? `SELECT COUNT(*) AS "n" FROM ${from} WHERE ${whereSql}`
    : `SELECT r."id" AS "id" FROM ${from} ${joins.join(" ")} WHERE ${whereSql}
      ORDER BY ${orderSql.join(", ")} LIMIT ${bind(q.limit)} OFFSET ${bind(q.offset)}`;
  if (kind === "postgres") {
    // No user text is ever part of the SQL, so every '?' is a placeholder.
    let n = 0;
    sql = sql.replace(/\?/g, () => `$${++n}`);
  }
  return { sql, params };
}
