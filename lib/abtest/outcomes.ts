// Outcomes of a test, aggregated in the database (GROUP BY arm and hour), never by loading rows.
// A prediction's outcome is its latest feedback: by prediction id, else by the unit id when the
// feedback names only the unit. conversion = feedback ≠ 0; mean = numeric feedback;
// accuracy = feedback label equals the logged prediction output (both JSON text, compared unquoted).
import { db, dbKind } from "../db";
import type { MetricKind } from "./schemas";
import type { ArmSums } from "./stats";

export interface HourSums extends ArmSums {
  /** Start of the hour, ISO 8601 (UTC). */
  hour: string;
}

export interface ArmOutcomes {
  total: ArmSums;
  /** Per-hour sums in time order (not cumulative). */
  hours: HourSums[];
}

export interface ArmTraffic {
  predictions: number;
  /** Distinct units (a prediction without a unit id counts as its own unit). */
  units: number;
  meanLatencyMs: number | null;
}

/** Hour of a timestamp column as 'YYYY-MM-DDTHH' on either database. */
function hourExpr(col: string): string {
  if (dbKind() === "postgres") return `to_char(date_trunc('hour', ${col}), 'YYYY-MM-DD"T"HH24')`;
  // SQLite keeps DateTime as ISO text (or epoch milliseconds when written raw): accept both.
  return `CASE WHEN typeof(${col}) IN ('integer','real') THEN strftime('%Y-%m-%dT%H', ${col} / 1000, 'unixepoch') ELSE strftime('%Y-%m-%dT%H', ${col}) END`;
}

/** The outcome of one prediction from its feedback (q.fvalue JSON text, q.fnum number) and its output. */
function outcomeExpr(kind: MetricKind): string {
  switch (kind) {
    case "conversion":
      return `CASE WHEN q.fnum IS NULL THEN NULL WHEN q.fnum <> 0 THEN 1.0 ELSE 0.0 END`;
    case "mean":
      return `q.fnum`;
    case "accuracy": {
      // Both sides are JSON text; comparing without the quotes lets a label sent as "1" match class 1.
      const unquote = (c: string) => (dbKind() === "postgres" ? `btrim(${c}, '"')` : `trim(${c}, '"')`);
      return `CASE WHEN ${unquote("q.fvalue")} = ${unquote("q.output")} THEN 1.0 ELSE 0.0 END`;
    }
  }
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Numbered placeholders on PostgreSQL, '?' on SQLite. */
function ph(i: number): string {
  return dbKind() === "postgres" ? `$${i}` : "?";
}

export async function armOutcomes(testId: string, kind: MetricKind): Promise<Map<string, ArmOutcomes>> {
  // Set-based: the latest feedback per prediction and per unit by window functions, then hash joins.
  // (Per-row correlated subqueries made PostgreSQL run two index probes, or worse, per prediction.)
  const sql = `
    WITH preds AS (
      SELECT p."id" AS id, p."arm" AS arm, p."unitId" AS unit, p."output" AS output, ${hourExpr(`p."createdAt"`)} AS hour
      FROM "PredictionLog" p
      WHERE p."abTestId" = ${ph(1)} AND p."arm" IS NOT NULL
    ),
    byp AS (
      SELECT f."predictionId" AS pid, f."value" AS value, f."numericValue" AS num,
        ROW_NUMBER() OVER (PARTITION BY f."predictionId" ORDER BY f."createdAt" DESC, f."id" DESC) AS rn
      FROM "Feedback" f
      WHERE f."predictionId" IN (SELECT id FROM preds)
    ),
    byu AS (
      SELECT f."unitId" AS unit, f."value" AS value, f."numericValue" AS num,
        ROW_NUMBER() OVER (PARTITION BY f."unitId" ORDER BY f."createdAt" DESC, f."id" DESC) AS rn
      FROM "Feedback" f
      WHERE f."predictionId" IS NULL AND f."unitId" IN (SELECT unit FROM preds)
    ),
    q AS (
      SELECT x.arm AS arm, x.hour AS hour, x.output AS output,
        CASE WHEN bp.pid IS NOT NULL THEN bp.value ELSE bu.value END AS fvalue,
        CASE WHEN bp.pid IS NOT NULL THEN bp.num ELSE bu.num END AS fnum
      FROM preds x
      LEFT JOIN byp bp ON bp.pid = x.id AND bp.rn = 1
      LEFT JOIN byu bu ON bu.unit = x.unit AND bu.rn = 1
    )
    SELECT o.arm AS arm, o.hour AS hour, COUNT(o.y) AS n, SUM(o.y) AS s, SUM(o.y * o.y) AS ss
    FROM (SELECT q.arm AS arm, q.hour AS hour, ${outcomeExpr(kind)} AS y FROM q WHERE q.fvalue IS NOT NULL) o
    WHERE o.y IS NOT NULL
    GROUP BY o.arm, o.hour
    ORDER BY o.hour`;
  const rows = await db().$queryRawUnsafe<{ arm: string; hour: string; n: unknown; s: unknown; ss: unknown }[]>(sql, testId);
  const out = new Map<string, ArmOutcomes>();
  for (const r of rows) {
    let arm = out.get(r.arm);
    if (!arm) out.set(r.arm, (arm = { total: { n: 0, sum: 0, sumSq: 0 }, hours: [] }));
    const h: HourSums = { hour: `${r.hour}:00:00Z`, n: num(r.n), sum: num(r.s), sumSq: num(r.ss) };
    arm.hours.push(h);
    arm.total.n += h.n;
    arm.total.sum += h.sum;
    arm.total.sumSq += h.sumSq;
  }
  return out;
}

export async function armTraffic(testId: string): Promise<Map<string, ArmTraffic>> {
  const rows = await db().$queryRawUnsafe<{ arm: string; predictions: unknown; units: unknown; latency: unknown }[]>(
    `SELECT p."arm" AS arm, COUNT(*) AS predictions, COUNT(DISTINCT COALESCE(p."unitId", p."id")) AS units, AVG(p."latencyMs") AS latency
     FROM "PredictionLog" p WHERE p."abTestId" = ${ph(1)} AND p."arm" IS NOT NULL GROUP BY p."arm"`,
    testId,
  );
  return new Map(
    rows.map((r) => [r.arm, { predictions: num(r.predictions), units: num(r.units), meanLatencyMs: r.latency === null ? null : Number(r.latency) }]),
  );
}
