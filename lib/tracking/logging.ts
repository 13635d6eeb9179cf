// Logging params, metrics and tags. Everything goes through logBatch (a single metric is a batch of
// one): one transaction, a fixed number of statements whatever the batch size. Metric points travel
// to the database as one JSON parameter, expanded by SQL, because binding 6 parameters per point
// costs more than the insert itself.
import { requireRole, type Actor } from "../auth";
import { bulkTransaction, dbKind, transaction, type DbKind, type Tx } from "../db";
import { AppError, invalid, notFound } from "../errors";
import { parseWith } from "../http";
import { checkRunId, GIT_COMMIT_TAG, PARENT_RUN_TAG, RUN_NAME_TAG, requireRun } from "./runs";
import { logBatchInput, type LogBatchInput } from "./schemas";
import type { MetricPoint } from "./types";

export interface LogBatchResult {
  metrics: number;
  params: number;
  tags: number;
}

/** [key, value, kind, step, timestamp]; kind 0 = finite, 1 = NaN, 2 = +Infinity, 3 = -Infinity (JSON has neither). */
type EncodedPoint = [string, number | null, 0 | 1 | 2 | 3, number, number];

function encode(p: MetricPoint): EncodedPoint {
  const v = p.value;
  if (Number.isFinite(v)) return [p.key, v, 0, p.step, p.timestamp];
  return [p.key, null, Number.isNaN(v) ? 1 : v > 0 ? 2 : 3, p.step, p.timestamp];
}

const COLUMNS = `("runId", "key", "value", "isNan", "step", "timestamp")`;

/** SELECT that expands the JSON array parameter into metric rows, per dialect. */
function expandPoints(kind: DbKind): string {
  if (kind === "postgres") {
    return `SELECT $1, x->>0, CASE (x->>2)::int WHEN 2 THEN 'Infinity'::float8 WHEN 3 THEN '-Infinity'::float8 ELSE (x->>1)::float8 END,
        (x->>2)::int = 1, (x->>3)::bigint, (x->>4)::bigint
      FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(x, n) WHERE true ORDER BY n`;
  }
  // 9e999 overflows to Infinity: SQLite has no other spelling of it. `->>` is cheaper than json_extract().
  return `SELECT ?, value->>0, CASE value->>2 WHEN 2 THEN 9e999 WHEN 3 THEN -9e999 ELSE value->>1 END,
      value->>2 = 1, value->>3, value->>4
    FROM json_each(?) WHERE true`;
}

const sqlCache = new Map<DbKind, { insert: string; latest: string }>();

/**
 * The two statements of a metric write. Both only act when the run exists and is active (the
 * guard), so a metrics-only batch needs no separate read of the run.
 */
function statements(kind: DbKind) {
  let s = sqlCache.get(kind);
  if (!s) {
    const guard = `AND EXISTS (SELECT 1 FROM "Run" WHERE "id" = ${kind === "postgres" ? "$3" : "?"} AND "lifecycleStage" = 'active')`;
    const expand = expandPoints(kind).replace("WHERE true", `WHERE true ${guard}`);
    s = {
      insert: `INSERT INTO "Metric" ${COLUMNS} ${expand}`,
      // A point replaces the latest one when it has a higher step, or the same step and a time not earlier.
      latest: `INSERT INTO "LatestMetric" ${COLUMNS} ${expand}
        ON CONFLICT ("runId", "key") DO UPDATE SET "value" = excluded."value", "isNan" = excluded."isNan",
          "step" = excluded."step", "timestamp" = excluded."timestamp"
        WHERE excluded."step" > "LatestMetric"."step"
          OR (excluded."step" = "LatestMetric"."step" AND excluded."timestamp" >= "LatestMetric"."timestamp")`,
    };
    sqlCache.set(kind, s);
  }
  return s;
}

/** The newest point of each key in a batch (later points win ties, as they would one by one). */
function latestPerKey(points: MetricPoint[]): MetricPoint[] {
  const best = new Map<string, MetricPoint>();
  for (const p of points) {
    const b = best.get(p.key);
    if (!b || p.step > b.step || (p.step === b.step && p.timestamp >= b.timestamp)) best.set(p.key, p);
  }
  return [...best.values()];
}

/** Inside a transaction that already checked the run. */
async function writeMetrics(tx: Tx, runId: string, points: MetricPoint[]): Promise<void> {
  const s = statements(dbKind());
  await tx.$executeRawUnsafe(s.insert, runId, JSON.stringify(points.map(encode)), runId);
  await tx.$executeRawUnsafe(s.latest, runId, JSON.stringify(latestPerKey(points).map(encode)), runId);
}

/**
 * The hot path (metrics only): both statements in one bulk transaction (no query compiler for the
 * ~50 KB parameter), guarded by the run's state; only when nothing was written is the run read, to say why.
 */
async function writeMetricsOnly(runId: string, points: MetricPoint[]): Promise<void> {
  const s = statements(dbKind());
  const [inserted] = await bulkTransaction([
    { sql: s.insert, args: [runId, JSON.stringify(points.map(encode)), runId] },
    { sql: s.latest, args: [runId, JSON.stringify(latestPerKey(points).map(encode)), runId] },
  ]);
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
  const batch = parseWith(logBatchInput, input, "log-batch body");
  const now = Date.now();
  const points: MetricPoint[] = batch.metrics.map((m) => ({
    key: m.key,
    value: m.value,
    step: m.step ?? 0,
    timestamp: m.timestamp ?? now,
  }));
  const params = new Map<string, string>();
  for (const p of batch.params) {
    const seen = params.get(p.key);
    if (seen !== undefined && seen !== p.value) throw paramConflict(runId, p.key, seen, p.value);
    params.set(p.key, p.value);
  }
  const tags = new Map(batch.tags.map((t) => [t.key, t.value]));
  if (tags.has(PARENT_RUN_TAG) && tags.get(PARENT_RUN_TAG) === runId) throw invalid("A run cannot be its own parent");

  if (!params.size && !tags.size && points.length) {
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
  metric: { key: string; value: number | string; step?: number | string; timestamp?: number | string },
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
