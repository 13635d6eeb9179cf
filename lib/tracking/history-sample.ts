// Read paths for dashboards at scale, in SQL rather than through row-by-row ORM reads:
// - sampled metric histories: a compare view of 100 runs × 10,000 steps reads a few thousand
//   points per run from the (runId, key, step) index, then LTTB brings each to `maxPoints`;
// - the param and metric names of an experiment's newest runs (a runs table's columns).
import { db, dbKind } from "../db";
import { invalid, notFound } from "../errors";
import { downsample } from "./metrics";
import { checkRunId } from "./runs";
import { keySchema } from "./schemas";
import type { MetricPoint } from "./types";

const MAX_RUNS = 100;
/** Points read per series before LTTB, as a multiple of the points kept: enough to keep the shape. */
const OVERSAMPLE = 2;
/** Series per statement, to keep the SQL text and its parameters small. */
const SERIES_PER_QUERY = 100;

/** Writes `?` placeholders; PostgreSQL gets `$1…$n`. The SQL text never holds user input. */
function placeholders(sql: string): string {
  if (dbKind() !== "postgres") return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const list = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/**
 * Histories of some metrics for several runs, at most `maxPoints` finite points per series. Long
 * series are read at a regular step stride (every k-th step from the first), then reduced with
 * LTTB; short ones are read whole. NaN and ±Infinity are left out: they cannot be drawn.
 */
export async function sampleMetricHistories(
  runIds: string[],
  keys: string[],
  maxPoints: number,
): Promise<Record<string, Record<string, MetricPoint[]>>> {
  if (runIds.length > MAX_RUNS) throw invalid(`Compare at most ${MAX_RUNS} runs at once`);
  if (!Number.isSafeInteger(maxPoints) || maxPoints < 3) throw invalid("maxPoints must be a whole number of at least 3");
  runIds.forEach(checkRunId);
  for (const k of keys) if (!keySchema.safeParse(k).success) throw invalid(`'${k.slice(0, 100)}' is not a metric name`);
  const out: Record<string, Record<string, MetricPoint[]>> = {};
  for (const id of runIds) out[id] = Object.fromEntries(keys.map((k) => [k, [] as MetricPoint[]]));
  if (!runIds.length || !keys.length) return out;

  const pairs = runIds.flatMap((runId) => keys.map((key) => ({ runId, key })));
  const spans: { runId: string; key: string; lo: number; hi: number; second: number | null }[] = [];
  // First, second and last step of each series: index seeks only, never a scan of the history.
  for (let i = 0; i < pairs.length; i += SERIES_PER_QUERY) {
    const chunk = pairs.slice(i, i + SERIES_PER_QUERY);
    const bounds = chunk
      .map(
        () => `SELECT CAST(? AS TEXT) AS "runId", CAST(? AS TEXT) AS "key",
          (SELECT MIN("step") FROM "Metric" WHERE "runId" = ? AND "key" = ?) AS "lo",
          (SELECT MAX("step") FROM "Metric" WHERE "runId" = ? AND "key" = ?) AS "hi"`,
      )
      .join(" UNION ALL ");
    const rows = await db().$queryRawUnsafe<
      { runId: string; key: string; lo: bigint | number | null; hi: bigint | number | null; second: bigint | number | null }[]
    >(
      placeholders(
        `SELECT t."runId", t."key", t."lo", t."hi",
           (SELECT MIN(m."step") FROM "Metric" m WHERE m."runId" = t."runId" AND m."key" = t."key" AND m."step" > t."lo") AS "second"
         FROM (${bounds}) t`,
      ),
      ...chunk.flatMap((p) => [p.runId, p.key, p.runId, p.key, p.runId, p.key]),
    );
    for (const r of rows) {
      if (r.lo === null || r.hi === null) continue;
      spans.push({ runId: r.runId, key: r.key, lo: Number(r.lo), hi: Number(r.hi), second: r.second === null ? null : Number(r.second) });
    }
  }

  const target = OVERSAMPLE * maxPoints;
  for (let i = 0; i < spans.length; i += SERIES_PER_QUERY) {
    const chunk = spans.slice(i, i + SERIES_PER_QUERY);
    const args: unknown[] = [];
    // One index range scan per series (a UNION ALL branch): an OR of series would make SQLite
    // collect and re-sort row ids instead.
    const branches = chunk.map((s) => {
      // Steps are usually evenly spaced (every step, or every k-th): the stride is a multiple of
      // that spacing, so about `target` points fall on it.
      const spacing = s.second === null ? 1 : Math.max(1, s.second - s.lo);
      const stride = spacing * Math.max(1, Math.floor((s.hi - s.lo) / spacing / target));
      args.push(s.runId, s.key);
      // lo, hi and stride are integers computed here, so they can be part of the text. The last
      // step is always kept: it is the value a run ended on.
      const sample = stride === 1 ? "" : ` AND (("step" - ${s.lo}) % ${stride} = 0 OR "step" = ${s.hi})`;
      // Only indexed columns in the condition: rows are read for the sampled steps alone.
      return `SELECT "runId", "key", "step", "value", "isNan", "timestamp" FROM "Metric" WHERE "runId" = ? AND "key" = ?${sample}`;
    });
    const rows = await db().$queryRawUnsafe<
      { runId: string; key: string; step: bigint | number; value: number | null; isNan: boolean | number; timestamp: bigint | number }[]
    >(
      placeholders(branches.join(" UNION ALL ")),
      ...args,
    );
    for (const r of rows) {
      const value = r.value === null || r.isNan ? NaN : Number(r.value);
      if (!Number.isFinite(value)) continue;
      out[r.runId]![r.key]!.push({ key: r.key, value, step: Number(r.step), timestamp: Number(r.timestamp) });
    }
  }
  const byStep = (a: MetricPoint, b: MetricPoint) => a.step - b.step || a.timestamp - b.timestamp;
  for (const byKey of Object.values(out)) for (const k of keys) byKey[k] = downsample(byKey[k]!.sort(byStep), maxPoints);
  return out;
}

/** sampleMetricHistories for a compare request: every run must exist (404 naming the first that does not). */
export async function compareMetricHistories(
  runIds: string[],
  keys: string[],
  maxPoints: number,
): Promise<Record<string, Record<string, MetricPoint[]>>> {
  runIds.forEach(checkRunId);
  const ids = [...new Set(runIds)];
  const found = new Set((await db().run.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((r) => r.id));
  const missing = ids.find((id) => !found.has(id));
  if (missing) throw notFound("Run", missing);
  return sampleMetricHistories(ids, keys, maxPoints);
}

/** How many of the newest runs the column names are read from. */
const COLUMN_SAMPLE_RUNS = 2000;

/**
 * The param and metric names logged by the newest runs of some experiments: the columns a runs
 * table offers. Reading every run's names costs a scan of all their params at 100,000 runs, so
 * the newest runs stand for the experiment (names rarely change between runs); a key logged only
 * by older runs can still be filtered and sorted on by name.
 */
export async function listColumnKeys(experimentIds: string[]): Promise<{ params: string[]; metrics: string[] }> {
  const ids = experimentIds.map(Number).filter((n) => Number.isSafeInteger(n) && n >= 0);
  if (!ids.length) return { params: [], metrics: [] };
  const query = (table: string) =>
    db().$queryRawUnsafe<{ key: string }[]>(
      placeholders(
        `SELECT DISTINCT k."key" AS "key" FROM ${table} k
         WHERE k."runId" IN (SELECT r."id" FROM "Run" r WHERE r."experimentId" IN (${list(ids.length)})
                             ORDER BY r."startTime" DESC LIMIT ${COLUMN_SAMPLE_RUNS})
         ORDER BY 1`,
      ),
      ...ids,
    );
  const [params, metrics] = await Promise.all([query(`"Param"`), query(`"LatestMetric"`)]);
  return { params: params.map((r) => r.key), metrics: metrics.map((r) => r.key) };
}
