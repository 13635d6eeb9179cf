// Read paths for dashboards at scale, in SQL rather than through row-by-row ORM reads:
// - sampled metric histories: a compare view of 100 runs × 10,000 steps reads a few hundred
//   points per series from the (runId, key, step) index, then LTTB brings each to `maxPoints`;
//   series unchanged since they were last sampled come from history-cache.ts;
// - the param and metric names of an experiment's newest runs (a runs table's columns).
import { db, dbKind } from "../db";
import { invalid, notFound } from "../errors";
import { cachedSample, storeSample } from "./history-cache";
import { downsample } from "./metrics";
import { checkRunId } from "./runs";
import { keySchema } from "./schemas";
import type { MetricPoint } from "./types";

const MAX_RUNS = 100;
/** Points read per series before LTTB, as a multiple of the points kept: enough to keep the shape. */
const OVERSAMPLE = 2;
/** Series per statement, to keep the SQL text and its parameters small. */
const SERIES_PER_QUERY = 100;
/**
 * Series per sampling statement. SQLite reads on the event loop's thread: a statement for 100
 * series of 10,000 steps held it for 100 ms and more, during which a page could not send what it
 * had already rendered (the compare page streams its shell first) nor another request be served.
 */
const SAMPLED_SERIES_PER_QUERY = 20;

/**
 * SQLite: up to this many sampled steps a series names them, an index seek each; beyond, its index
 * range is scanned and filtered by stride. 200 steps of 10,000: the seeks skip 98% of the index
 * entries and cost a third less than the scan. PostgreSQL does not get a named list (without fresh
 * statistics its planner tests it against every row of the range, one by one): see SEEK_COST_ROWS.
 */
const MAX_NAMED_STEPS = 1000;

/**
 * PostgreSQL: a sampled step is read by its own index seek while it costs less than scanning this
 * many rows of the series' range (a seek is about 30 row-scans' worth). 200 steps of 10,000 are
 * read by seeks: 40 times fewer heap tuples, a third of the time; 1,000 of 10,000 scan the range.
 */
const SEEK_COST_ROWS = 30;

/** One turn of the event loop: what is waiting (I/O, a page's stream) runs before the next read. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Writes `?` placeholders; PostgreSQL gets `$1…$n`. The SQL text never holds user input. */
function placeholders(sql: string): string {
  if (dbKind() !== "postgres") return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const list = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/**
 * A read of the sampler. On PostgreSQL, for this statement only: no JIT compilation (a statement of
 * many branches has a high estimated cost once the table has statistics, and compiling it took
 * longer than running it: 2.5 times as long for 20 series, seconds for 100) and no parallel
 * workers (chosen on a table without statistics yet, their start-up doubled the time).
 */
function sampleQuery<T>(sql: string, args: unknown[]): Promise<T> {
  if (dbKind() !== "postgres") return db().$queryRawUnsafe<T>(sql, ...args);
  return db()
    .$transaction([
      db().$queryRawUnsafe("SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)"),
      db().$queryRawUnsafe<T>(placeholders(sql), ...args),
    ])
    .then(([, rows]) => rows);
}

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
  runIds = [...new Set(runIds)];
  keys = [...new Set(keys)];
  const out: Record<string, Record<string, MetricPoint[]>> = {};
  for (const id of runIds) out[id] = Object.fromEntries(keys.map((k) => [k, [] as MetricPoint[]]));
  if (!runIds.length || !keys.length) return out;

  // Each series' point count first (a primary-key read): series sampled before at the same count
  // come from the cache; only the others are read below.
  const pairs: { runId: string; key: string; pointCount: number }[] = [];
  const all = runIds.flatMap((runId) => keys.map((key) => ({ runId, key })));
  for (let i = 0; i < all.length; i += SERIES_PER_QUERY) {
    const chunk = all.slice(i, i + SERIES_PER_QUERY);
    const rows = await sampleQuery<{ runId: string; key: string; pointCount: bigint | number }[]>(
      `WITH s("runId", "key") AS (VALUES ${chunk.map(() => "(CAST(? AS TEXT), CAST(? AS TEXT))").join(", ")})
       SELECT l."runId", l."key", l."pointCount" FROM s JOIN "LatestMetric" l ON l."runId" = s."runId" AND l."key" = s."key"`,
      chunk.flatMap((p) => [p.runId, p.key]),
    );
    for (const r of rows) {
      const pointCount = Number(r.pointCount);
      const cached = cachedSample(r.runId, r.key, maxPoints, pointCount);
      if (cached) out[r.runId]![r.key] = cached;
      else pairs.push({ runId: r.runId, key: r.key, pointCount });
    }
  }

  const spans: { runId: string; key: string; pointCount: number; lo: number; hi: number; second: number | null }[] = [];
  // First, second and last step of each series: index seeks only, never a scan of the history.
  for (let i = 0; i < pairs.length; i += SERIES_PER_QUERY) {
    const chunk = pairs.slice(i, i + SERIES_PER_QUERY);
    // The series as a list of values: one subquery shape whatever their number, so PostgreSQL
    // plans it once (100 series written out as branches took it 140 ms to plan).
    const rows = await sampleQuery<
      { runId: string; key: string; lo: bigint | number | null; hi: bigint | number | null; second: bigint | number | null }[]
    >(
      `WITH s("runId", "key") AS (VALUES ${chunk.map(() => "(CAST(? AS TEXT), CAST(? AS TEXT))").join(", ")}),
       t AS (
         SELECT s."runId", s."key",
           (SELECT MIN(m."step") FROM "Metric" m WHERE m."runId" = s."runId" AND m."key" = s."key") AS "lo",
           (SELECT MAX(m."step") FROM "Metric" m WHERE m."runId" = s."runId" AND m."key" = s."key") AS "hi"
         FROM s
       )
       SELECT t."runId", t."key", t."lo", t."hi",
         (SELECT MIN(m."step") FROM "Metric" m WHERE m."runId" = t."runId" AND m."key" = t."key" AND m."step" > t."lo") AS "second"
       FROM t`,
      chunk.flatMap((p) => [p.runId, p.key]),
    );
    const counts = new Map(chunk.map((p) => [`${p.runId}\u0000${p.key}`, p.pointCount]));
    for (const r of rows) {
      if (r.lo === null || r.hi === null) continue;
      const pointCount = counts.get(`${r.runId}\u0000${r.key}`)!;
      spans.push({ runId: r.runId, key: r.key, pointCount, lo: Number(r.lo), hi: Number(r.hi), second: r.second === null ? null : Number(r.second) });
    }
  }

  const target = OVERSAMPLE * maxPoints;
  const nameSteps = dbKind() === "sqlite";
  for (let i = 0; i < spans.length; i += SAMPLED_SERIES_PER_QUERY) {
    await yieldToEventLoop();
    const chunk = spans.slice(i, i + SAMPLED_SERIES_PER_QUERY);
    const args: unknown[] = [];
    // One index range per series (a UNION ALL branch): an OR of series would make SQLite collect
    // and re-sort row ids instead.
    const branches = chunk.map((s, j) => {
      // Steps are usually evenly spaced (every step, or every k-th): the stride is a multiple of
      // that spacing, so about `target` points fall on it.
      const spacing = s.second === null ? 1 : Math.max(1, s.second - s.lo);
      const stride = spacing * Math.max(1, Math.floor((s.hi - s.lo) / spacing / target));
      args.push(s.runId, s.key);
      // lo, hi and stride are integers computed here, so they can be part of the text. The last
      // step is always kept: it is the value a run ended on.
      let sample = "";
      const count = Math.floor((s.hi - s.lo) / stride) + 1;
      if (stride > 1 && !nameSteps && count * SEEK_COST_ROWS <= (s.hi - s.lo) / spacing) {
        // PostgreSQL: one index seek per sampled step. The subquery is a fence (OFFSET 0) so the
        // planner cannot turn the seeks back into a scan of the whole range.
        return `SELECT ${j} AS "series", m."step", m."value", m."isNan", m."timestamp"
          FROM (SELECT generate_series(${s.lo}::bigint, ${s.hi}::bigint, ${stride}::bigint) AS "s" UNION SELECT ${s.hi}::bigint) g
          CROSS JOIN LATERAL (SELECT "step", "value", "isNan", "timestamp" FROM "Metric"
            WHERE "runId" = ? AND "key" = ? AND "step" = g."s" OFFSET 0) m`;
      }
      if (stride > 1 && nameSteps && count <= MAX_NAMED_STEPS) {
        const steps = Array.from({ length: count }, (_, k) => s.lo + k * stride);
        if (steps.at(-1) !== s.hi) steps.push(s.hi);
        sample = ` AND "step" IN (${steps.join(",")})`;
      } else if (stride > 1) {
        sample = ` AND (("step" - ${s.lo}) % ${stride} = 0 OR "step" = ${s.hi})`;
      }
      // Only indexed columns in the condition: rows are read for the sampled steps alone. Each row
      // names its series by the branch's number, not by run id and key: no two strings per point.
      return `SELECT ${j} AS "series", "step", "value", "isNan", "timestamp" FROM "Metric" WHERE "runId" = ? AND "key" = ?${sample}`;
    });
    const rows = await sampleQuery<
      { series: bigint | number; step: bigint | number; value: number | null; isNan: boolean | number; timestamp: bigint | number }[]
    >(branches.join(" UNION ALL "), args);
    for (const r of rows) {
      const value = r.value === null || r.isNan ? NaN : Number(r.value);
      if (!Number.isFinite(value)) continue;
      const s = chunk[Number(r.series)]!;
      out[s.runId]![s.key]!.push({ key: s.key, value, step: Number(r.step), timestamp: Number(r.timestamp) });
    }
  }
  const byStep = (a: MetricPoint, b: MetricPoint) => a.step - b.step || a.timestamp - b.timestamp;
  for (const s of spans) {
    const points = downsample(out[s.runId]![s.key]!.sort(byStep), maxPoints);
    out[s.runId]![s.key] = points;
    storeSample(s.runId, s.key, maxPoints, s.pointCount, points);
  }
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
