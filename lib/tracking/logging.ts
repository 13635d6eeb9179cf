// Logging params, metrics and tags. Everything goes through logBatch (a single metric is a batch of
// one): one transaction, a fixed number of statements whatever the batch size. Metric points travel
// to the database as a few whole parameters (JSON on SQLite, arrays on PostgreSQL), expanded by SQL,
// because binding 6 parameters per point costs more than the insert itself; the newest point per
// key is upserted set-based in the same transaction.
import { requireRole, type Actor } from "../auth";
import { config } from "../config";
import { bulkTransaction, dbKind, transaction, type DbKind, type Tx } from "../db";
import { AppError, invalid, notFound } from "../errors";
import { readLogBatch } from "./batch-input";
import { writeModelMetrics } from "./model-metrics";
import { checkRunId, GIT_COMMIT_TAG, PARENT_RUN_TAG, RUN_NAME_TAG, requireRun } from "./runs";
import type { LogBatchInput } from "./schemas";
import type { MetricPoint } from "./types";

export interface LogBatchResult {
  metrics: number;
  params: number;
  tags: number;
}

/** SQLite's form of a point: [key, value, kind, step, timestamp]; kind 0 = finite, 1 = NaN, 2 = +Infinity, 3 = -Infinity (JSON has neither). */
type EncodedPoint = [string, number | null, 0 | 1 | 2 | 3, number, number];

function encode(p: MetricPoint): EncodedPoint {
  const v = p.value;
  if (Number.isFinite(v)) return [p.key, v, 0, p.step, p.timestamp];
  return [p.key, null, Number.isNaN(v) ? 1 : v > 0 ? 2 : 3, p.step, p.timestamp];
}

const COLUMNS = `("runId", "key", "value", "isNan", "step", "timestamp")`;
const LATEST_COLUMNS = `("runId", "key", "value", "isNan", "step", "timestamp", "pointCount")`;

// A point replaces the latest one when it has a higher step, or the same step and a time not earlier;
// the key's point count grows by the batch's points either way (SET expressions read the old row).
const NEWER = `(excluded."step" > "LatestMetric"."step"
    OR (excluded."step" = "LatestMetric"."step" AND excluded."timestamp" >= "LatestMetric"."timestamp"))`;
const UPSERT_LATEST = `ON CONFLICT ("runId", "key") DO UPDATE SET
    "pointCount" = "LatestMetric"."pointCount" + excluded."pointCount",
    ${["value", "isNan", "step", "timestamp"].map((c) => `"${c}" = CASE WHEN ${NEWER} THEN excluded."${c}" ELSE "LatestMetric"."${c}" END`).join(",\n    ")}`;

/**
 * PostgreSQL: one statement that inserts the points ($2..$5: keys, values, steps, timestamps as
 * arrays) and upserts the newest point per key with the key's number of points ($6..$10, picked in
 * JS), both only when run $1 exists and is active; a single statement is atomic on its own, so a
 * metrics-only batch is one round trip.
 * The run's row is locked FOR KEY SHARE until the commit: "Metric" has no foreign key on
 * PostgreSQL (its per-point check cost a third of the batch; migration 0010), so this lock is
 * what keeps the run from being deleted under the points.
 * Arrays rather than one JSON text: unnest() of typed arrays costs the server about a quarter less
 * than expanding JSON, and the few newest points need no sort there. NaN travels as the float 'NaN'
 * and is stored as NULL with isNan, as SQLite stores it. The count is the number of points inserted.
 * With METRICS_SYNCHRONOUS_COMMIT=off the statement sets synchronous_commit = off for its own
 * (implicit) transaction, evaluated once as an InitPlan: the commit does not wait for the WAL
 * flush (about 6 ms of a batch's time here), and the connection keeps its setting afterwards.
 */
const PG_ASYNC_COMMIT = `cfg AS (SELECT set_config('synchronous_commit', 'off', true) AS v), `;
const pgWrite = (asyncCommit: boolean) => `WITH ${asyncCommit ? PG_ASYNC_COMMIT : ""}ok AS (
    SELECT 1 FROM "Run" WHERE "id" = $1 AND "lifecycleStage" = 'active'${asyncCommit ? ` AND (SELECT v FROM cfg) IS NOT NULL` : ""}
    FOR KEY SHARE
  ), latest AS (
    INSERT INTO "LatestMetric" ${LATEST_COLUMNS}
    SELECT $1, k, NULLIF(v, 'NaN'), v = 'NaN', s, t, c FROM unnest($6::text[], $7::float8[], $8::int8[], $9::int8[], $10::int8[]) AS u(k, v, s, t, c)
    WHERE EXISTS (SELECT 1 FROM ok)
    ${UPSERT_LATEST}
  )
  INSERT INTO "Metric" ${COLUMNS}
  SELECT $1, k, NULLIF(v, 'NaN'), v = 'NaN', s, t FROM unnest($2::text[], $3::float8[], $4::int8[], $5::int8[]) WITH ORDINALITY AS u(k, v, s, t, n)
  WHERE EXISTS (SELECT 1 FROM ok) ORDER BY n`;

/**
 * The columns of points as the PostgreSQL statement binds them (JS arrays become array literals).
 * Values go as text ('NaN', 'Infinity', '-1.5'), which PostgreSQL parses as float8: numbers would
 * lose NaN and ±Infinity on Prisma's raw-query path (a batch with params or tags).
 */
function pgColumns(points: MetricPoint[]): [string[], string[], number[], number[]] {
  const n = points.length;
  const keys = new Array<string>(n);
  const values = new Array<string>(n);
  const steps = new Array<number>(n);
  const times = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    keys[i] = p.key;
    values[i] = String(p.value);
    steps[i] = p.step;
    times[i] = p.timestamp;
  }
  return [keys, values, steps, times];
}

/**
 * SQLite: two statements (points, newest point per key computed in JS), each taking the run id, the
 * points as JSON and the run id again for the guard. In-process, so a second statement costs no
 * round trip. 9e999 overflows to Infinity: SQLite has no other spelling of it; `->>` is cheaper
 * than json_extract().
 */
const SQLITE_POINTS = `SELECT ?, value->>0, CASE value->>2 WHEN 2 THEN 9e999 WHEN 3 THEN -9e999 ELSE value->>1 END,
    value->>2 = 1, value->>3, value->>4
  FROM json_each(?) WHERE EXISTS (SELECT 1 FROM "Run" WHERE "id" = ? AND "lifecycleStage" = 'active')`;
const SQLITE_INSERT = `INSERT INTO "Metric" ${COLUMNS} ${SQLITE_POINTS}`;
// The newest points carry their key's point count as a sixth element.
const SQLITE_LATEST = `INSERT INTO "LatestMetric" ${LATEST_COLUMNS} ${SQLITE_POINTS.replace("value->>4", "value->>4, value->>5")} ${UPSERT_LATEST}`;

/** The newest point of each key in a batch (later points win ties, as they would one by one) and the key's number of points. */
function latestPerKey(points: MetricPoint[]): { latest: MetricPoint[]; counts: number[] } {
  const best = new Map<string, { point: MetricPoint; count: number }>();
  for (const p of points) {
    const b = best.get(p.key);
    if (!b) best.set(p.key, { point: p, count: 1 });
    else {
      b.count++;
      if (p.step > b.point.step || (p.step === b.point.step && p.timestamp >= b.point.timestamp)) b.point = p;
    }
  }
  const entries = [...best.values()];
  return { latest: entries.map((e) => e.point), counts: entries.map((e) => e.count) };
}

const PG_WRITE = { durable: pgWrite(false), relaxed: pgWrite(true) };

/** The metric statements of a batch, for the database in use; `relaxed`: PostgreSQL may commit without waiting for the flush. */
function metricStatements(kind: DbKind, runId: string, points: MetricPoint[], relaxed = false): { sql: string; args: unknown[] }[] {
  const { latest, counts } = latestPerKey(points);
  if (kind === "postgres") {
    return [{ sql: relaxed ? PG_WRITE.relaxed : PG_WRITE.durable, args: [runId, ...pgColumns(points), ...pgColumns(latest), counts] }];
  }
  return [
    { sql: SQLITE_INSERT, args: [runId, JSON.stringify(points.map(encode)), runId] },
    { sql: SQLITE_LATEST, args: [runId, JSON.stringify(latest.map((p, i) => [...encode(p), counts[i]!])), runId] },
  ];
}

/** Inside a transaction that already checked the run. */
async function writeMetrics(tx: Tx, runId: string, points: MetricPoint[]): Promise<void> {
  for (const s of metricStatements(dbKind(), runId, points)) await tx.$executeRawUnsafe(s.sql, ...s.args);
}

/**
 * The hot path (metrics only): on the driver adapter without the query compiler (no per-byte cost
 * for the ~50 KB parameter), guarded by the run's state; only when nothing was written is the run
 * read, to say why.
 */
async function writeMetricsOnly(runId: string, points: MetricPoint[]): Promise<void> {
  // Only here, a metrics-only batch on its own: a mixed batch commits its params and tags durably.
  const relaxed = config().METRICS_SYNCHRONOUS_COMMIT === "off";
  const [inserted] = await bulkTransaction(metricStatements(dbKind(), runId, points, relaxed));
  if (inserted === 0) {
    await transaction((tx) => requireRun(tx, runId, { active: true }));
    throw new AppError("unavailable", `Run '${runId}' changed while logging; retry`);
  }
}

function paramConflict(runId: string, key: string, logged: string, attempted: string) {
  return invalid(
    `Changing param values is not allowed. Param '${key}' was already logged with value '${logged}' for run '${runId}'; attempted value '${attempted}'`,
    { mlflowCode: "INVALID_PARAMETER_VALUE", key, loggedValue: logged, attemptedValue: attempted },
  );
}

/**
 * Logs up to 1000 metrics, 100 params and 100 tags in one transaction; over a limit, or with a
 * param that would change, nothing is stored. Tags named like MLflow's run fields update them.
 */
export async function logBatch(actor: Actor | null, runId: string, input: LogBatchInput): Promise<LogBatchResult> {
  if (actor) requireRole(actor, "editor");
  const batch = readLogBatch(input);
  const points = batch.points;
  const params = new Map<string, string>();
  for (const p of batch.params) {
    const seen = params.get(p.key);
    if (seen !== undefined && seen !== p.value) throw paramConflict(runId, p.key, seen, p.value);
    params.set(p.key, p.value);
  }
  const tags = new Map(batch.tags.map((t) => [t.key, t.value]));
  if (tags.has(PARENT_RUN_TAG) && tags.get(PARENT_RUN_TAG) === runId) throw invalid("A run cannot be its own parent");

  // Points for logged models (MLflow 3 model_id) need the transaction below; other batches never do.
  if (!params.size && !tags.size && points.length && !batch.modelPoints) {
    await writeMetricsOnly(checkRunId(runId), points);
    return { metrics: points.length, params: 0, tags: 0 };
  }
  await transaction(async (tx) => {
    const run = await requireRun(tx, runId, { active: true });
    if (params.size) {
      const existing = await tx.param.findMany({ where: { runId: run.id, key: { in: [...params.keys()] } } });
      for (const e of existing) {
        if (e.value !== params.get(e.key)) throw paramConflict(run.id, e.key, e.value, params.get(e.key)!);
        params.delete(e.key);
      }
      if (params.size) await tx.param.createMany({ data: [...params].map(([key, value]) => ({ runId: run.id, key, value })) });
    }
    if (tags.size) {
      await tx.runTag.deleteMany({ where: { runId: run.id, key: { in: [...tags.keys()] } } });
      await tx.runTag.createMany({ data: [...tags].map(([key, value]) => ({ runId: run.id, key, value })) });
      await applyFieldTags(tx, run.id, tags);
    }
    if (points.length) await writeMetrics(tx, run.id, points);
    if (batch.modelPoints) await writeModelMetrics(tx, run.id, batch.modelPoints);
  });
  return { metrics: points.length, params: batch.params.length, tags: tags.size };
}

/** MLflow clients set some run fields through tags; keep the columns in step. */
async function applyFieldTags(tx: Tx, runId: string, tags: Map<string, string>): Promise<void> {
  const data: { name?: string; parentRunId?: string; codeVersion?: string } = {};
  const name = tags.get(RUN_NAME_TAG)?.trim();
  if (name) data.name = name.slice(0, 250);
  const parent = tags.get(PARENT_RUN_TAG);
  if (parent !== undefined) {
    if (!(await tx.run.findUnique({ where: { id: parent }, select: { id: true } }))) throw notFound("Parent run", parent);
    data.parentRunId = parent;
  }
  const commit = tags.get(GIT_COMMIT_TAG)?.trim();
  if (commit) data.codeVersion = commit.slice(0, 200);
  if (Object.keys(data).length) await tx.run.update({ where: { id: runId }, data });
}

export async function logMetric(
  actor: Actor | null,
  runId: string,
  metric: {
    key: string;
    value: number | string;
    step?: number | string;
    timestamp?: number | string;
    model_id?: string;
    dataset_name?: string;
    dataset_digest?: string;
  },
): Promise<void> {
  await logBatch(actor, runId, { metrics: [metric] });
}

export async function logParam(actor: Actor | null, runId: string, key: string, value: string | number | boolean): Promise<void> {
  await logBatch(actor, runId, { params: [{ key, value }] });
}

export async function setRunTags(actor: Actor | null, runId: string, tags: Record<string, string>): Promise<void> {
  await logBatch(actor, runId, { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
}

export async function deleteRunTag(actor: Actor | null, runId: string, key: string): Promise<void> {
  if (actor) requireRole(actor, "editor");
  await transaction(async (tx) => {
    const run = await requireRun(tx, runId, { active: true });
    const { count } = await tx.runTag.deleteMany({ where: { runId: run.id, key } });
    if (!count) throw notFound("Run tag", key);
  });
}
