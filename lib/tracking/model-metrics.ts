// Metrics of logged models (MLflow 3): a run's metric point that carries a `model_id` is also kept
// for that model (LoggedModelMetric), whose `data.metrics` answers it with its run and dataset.
// logBatch writes them in its transaction only when some point carries a model_id, so the ordinary
// ingest path never pays for them.
import { dbKind, type Tx } from "../db";
import { notFound } from "../errors";
import type { ModelMetricPoint } from "./types";

const COLUMNS = `("modelId", "runId", "key", "value", "isNan", "step", "timestamp", "datasetName", "datasetDigest")`;

// Points travel as one JSON parameter, as in logging.ts: [modelId, key, value, kind, step, timestamp,
// datasetName, datasetDigest]; kind 0 = finite, 1 = NaN, 2 = +Infinity, 3 = -Infinity. A point
// already kept (same model, key, time, step and run) stays as it was (MLflow's primary key).
// SQLite: 9e999 overflows to Infinity; "WHERE true" lets the parser tell ON CONFLICT from a join.
const SQLITE_INSERT = `INSERT INTO "LoggedModelMetric" ${COLUMNS}
  SELECT value->>0, ?, value->>1, CASE value->>3 WHEN 2 THEN 9e999 WHEN 3 THEN -9e999 ELSE value->>2 END,
    value->>3 = 1, value->>4, value->>5, value->>6, value->>7
  FROM json_each(?) WHERE true
  ON CONFLICT DO NOTHING`;
const PG_INSERT = `INSERT INTO "LoggedModelMetric" ${COLUMNS}
  SELECT x->>0, $1, x->>1,
    CASE (x->>3)::int WHEN 2 THEN 'Infinity'::float8 WHEN 3 THEN '-Infinity'::float8 ELSE (x->>2)::float8 END,
    (x->>3)::int = 1, (x->>4)::bigint, (x->>5)::bigint, x->>6, x->>7
  FROM json_array_elements($2::json) AS t(x)
  ON CONFLICT DO NOTHING`;

type Encoded = [string, string, number | null, 0 | 1 | 2 | 3, number, number, string | null, string | null];

function encode(p: ModelMetricPoint): Encoded {
  const v = p.value;
  const kind = Number.isFinite(v) ? 0 : Number.isNaN(v) ? 1 : v > 0 ? 2 : 3;
  return [p.modelId, p.key, kind === 0 ? v : null, kind, p.step, p.timestamp, p.datasetName, p.datasetDigest];
}

/**
 * Inside logBatch's transaction, after the run was checked: every named logged model must exist and
 * be active (else RESOURCE_DOES_NOT_EXIST and the whole batch is rolled back), then the points are kept.
 */
export async function writeModelMetrics(tx: Tx, runId: string, points: ModelMetricPoint[]): Promise<void> {
  const ids = [...new Set(points.map((p) => p.modelId))];
  const found = await tx.loggedModel.findMany({ where: { id: { in: ids } }, select: { id: true, lifecycleStage: true } });
  const active = new Set(found.filter((m) => m.lifecycleStage === "active").map((m) => m.id));
  const missing = ids.find((id) => !active.has(id));
  if (missing !== undefined) throw notFound("Logged model", missing);
  const json = JSON.stringify(points.map(encode));
  if (dbKind() === "postgres") await tx.$executeRawUnsafe(PG_INSERT, runId, json);
  else await tx.$executeRawUnsafe(SQLITE_INSERT, runId, json);
}
