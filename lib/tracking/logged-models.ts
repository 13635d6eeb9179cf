// Logged models (MLflow 3): a model with its own artifact folder
// `mlflow-artifacts:/<experimentId>/models/<modelId>/artifacts`, immutable params, mutable tags, a
// status (PENDING while its files upload, then READY or UPLOAD_FAILED) and the run that made it.
// Deleting one marks it deleted (MLflow's rule); its files stay until the experiment goes. Metric
// points a run logs with the model's id are the model's metrics (model-metrics.ts).
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { requireRole, type Actor } from "../auth";
import { db, transaction, type Tx } from "../db";
import { invalid, notFound } from "../errors";
import { parseWith } from "../http";
import { parseExperimentId } from "./experiments";
import { matchesFilter, parseFilter, type Comparison, type FilterSpec } from "./filter";
import { generateRunName } from "./names";
import { decodePageToken, pageOf } from "./paging";
import { metricValueOf } from "./rows";
import { checkRunId } from "./runs";
import { keySchema, paramInput, tagInput } from "./schemas";
import type { LifecycleStage, ModelMetricPoint, Page } from "./types";

export const LOGGED_MODEL_STATUSES = ["LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"] as const;
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number];

export interface LoggedModel {
  id: string;
  experimentId: string;
  name: string;
  modelType: string | null;
  sourceRunId: string | null;
  status: LoggedModelStatus;
  statusMessage: string | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
  createdById: string | null;
  createdAt: number;
  updatedAt: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Every point logged for the model, by key, step, time and run. */
  metrics: LoggedModelMetric[];
}

/** A metric point of a logged model, with the run that logged it. */
export interface LoggedModelMetric extends ModelMetricPoint {
  runId: string;
}

/** The tag MLflow keeps on a logged model: the model versions registered from it, as JSON. */
export const MODEL_VERSIONS_TAG = "mlflow.modelVersions";

const MODEL_ID_RE = /^m-[0-9a-f]{32}$/;
const INCLUDE = {
  params: true,
  tags: true,
  metrics: { orderBy: [{ key: "asc" as const }, { step: "asc" as const }, { timestamp: "asc" as const }, { runId: "asc" as const }] },
};

type MetricRow = {
  modelId: string;
  runId: string;
  key: string;
  value: number | null;
  isNan: boolean;
  step: bigint;
  timestamp: bigint;
  datasetName: string | null;
  datasetDigest: string | null;
};

type Row = {
  id: string;
  experimentId: number;
  name: string;
  modelType: string | null;
  sourceRunId: string | null;
  status: string;
  statusMessage: string | null;
  artifactUri: string;
  lifecycleStage: string;
  createdById: string | null;
  createdAt: bigint;
  updatedAt: bigint;
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
  metrics: MetricRow[];
};

const record = (kv: { key: string; value: string }[]) => Object.fromEntries(kv.map((t) => [t.key, t.value]));

function toLoggedModel(r: Row): LoggedModel {
  return {
    id: r.id,
    experimentId: String(r.experimentId),
    name: r.name,
    modelType: r.modelType,
    sourceRunId: r.sourceRunId,
    status: r.status as LoggedModelStatus,
    statusMessage: r.statusMessage,
    artifactUri: r.artifactUri,
    lifecycleStage: r.lifecycleStage as LifecycleStage,
    createdById: r.createdById,
    createdAt: Number(r.createdAt),
    updatedAt: Number(r.updatedAt),
    params: record(r.params),
    tags: record(r.tags),
    metrics: r.metrics.map((m) => ({
      modelId: m.modelId,
      runId: m.runId,
      key: m.key,
      value: metricValueOf(m),
      step: Number(m.step),
      timestamp: Number(m.timestamp),
      datasetName: m.datasetName,
      datasetDigest: m.datasetDigest,
    })),
  };
}

/** MLflow's status enum by name, by number (1–3) or by the short name ("READY"). */
export const loggedModelStatusSchema = z
  .union([z.string(), z.number()])
  .transform((v, ctx): LoggedModelStatus => {
    const s = String(v).toUpperCase();
    const byNumber: Record<string, LoggedModelStatus> = { "1": "LOGGED_MODEL_PENDING", "2": "LOGGED_MODEL_READY", "3": "LOGGED_MODEL_UPLOAD_FAILED" };
    const found = byNumber[s] ?? LOGGED_MODEL_STATUSES.find((x) => x === s || x === `LOGGED_MODEL_${s}`);
    if (!found) {
      ctx.addIssue({ code: "custom", message: `Unknown status '${String(v)}'; use LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED` });
      return z.NEVER;
    }
    return found;
  });

export const createLoggedModelInput = z.object({
  experimentId: z.union([z.string(), z.number()]),
  name: z.string().trim().max(500).optional(),
  modelType: z.string().max(500).optional(),
  sourceRunId: z.string().optional(),
  params: z.array(paramInput).max(100).default([]),
  tags: z.array(tagInput).max(100).default([]),
});

/** Loads a logged model; deleted ones are not found (as in MLflow). */
async function requireModel(tx: Tx, id: string) {
  const row = MODEL_ID_RE.test(id) ? await tx.loggedModel.findUnique({ where: { id }, include: INCLUDE }) : null;
  if (!row || row.lifecycleStage !== "active") throw notFound("Logged model", id);
  return row;
}

/** Params are immutable: the same value again is fine, another value is a 400 (as run params). */
async function writeParams(tx: Tx, modelId: string, params: { key: string; value: string }[]): Promise<void> {
  const existing = record(await tx.loggedModelParam.findMany({ where: { modelId } }));
  const fresh = new Map<string, string>();
  for (const p of params) {
    const had = existing[p.key] ?? fresh.get(p.key);
    if (had !== undefined && had !== p.value) {
      throw invalid(`Param '${p.key}' of logged model '${modelId}' is '${had}'; params cannot change (got '${p.value}')`);
    }
    if (had === undefined) fresh.set(p.key, p.value);
  }
  if (fresh.size) await tx.loggedModelParam.createMany({ data: [...fresh].map(([key, value]) => ({ modelId, key, value })) });
}

async function writeTags(tx: Tx, modelId: string, tags: { key: string; value: string }[]): Promise<void> {
  for (const t of tags) {
    await tx.loggedModelTag.upsert({
      where: { modelId_key: { modelId, key: t.key } },
      create: { modelId, key: t.key, value: t.value },
      update: { value: t.value },
    });
  }
}

export async function createLoggedModel(actor: Actor | null, input: z.input<typeof createLoggedModelInput>): Promise<LoggedModel> {
  if (actor) requireRole(actor, "editor");
  const b = parseWith(createLoggedModelInput, input, "logged model");
  const experimentId = parseExperimentId(b.experimentId);
  return transaction(async (tx) => {
    const experiment = await tx.experiment.findUnique({ where: { id: experimentId } });
    if (!experiment) throw notFound("Experiment", String(b.experimentId));
    if (experiment.lifecycleStage !== "active") throw invalid(`Experiment '${experiment.name}' is archived; restore it before adding models`);
    if (b.sourceRunId) {
      const run = await tx.run.findUnique({ where: { id: checkRunId(b.sourceRunId) }, select: { experimentId: true } });
      if (!run) throw notFound("Run", b.sourceRunId);
    }
    const id = `m-${randomBytes(16).toString("hex")}`;
    const now = BigInt(Date.now());
    await tx.loggedModel.create({
      data: {
        id,
        experimentId,
        name: b.name || generateRunName(),
        modelType: b.modelType || null,
        sourceRunId: b.sourceRunId || null,
        artifactUri: `${experiment.artifactLocation}/models/${id}/artifacts`,
        createdById: actor?.userId ?? null,
        createdAt: now,
        updatedAt: now,
      },
    });
    await writeParams(tx, id, b.params);
    await writeTags(tx, id, b.tags);
    return toLoggedModel(await requireModel(tx, id));
  });
}

export async function getLoggedModel(id: string): Promise<LoggedModel> {
  return toLoggedModel(await requireModel(db() as unknown as Tx, id));
}

/** Changes a model and returns it; `change` runs in the transaction after the model is checked. */
async function changeModel(actor: Actor | null, id: string, change: (tx: Tx) => Promise<unknown>): Promise<LoggedModel> {
  if (actor) requireRole(actor, "editor");
  return transaction(async (tx) => {
    await requireModel(tx, id);
    await change(tx);
    await tx.loggedModel.update({ where: { id }, data: { updatedAt: BigInt(Date.now()) } });
    return toLoggedModel(await requireModel(tx, id));
  });
}

export async function finalizeLoggedModel(actor: Actor | null, id: string, status: unknown): Promise<LoggedModel> {
  const s = parseWith(loggedModelStatusSchema, status, "status");
  if (s === "LOGGED_MODEL_PENDING") throw invalid("A logged model is finalized as LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED");
  return changeModel(actor, id, (tx) => tx.loggedModel.update({ where: { id }, data: { status: s } }));
}

export async function deleteLoggedModel(actor: Actor | null, id: string): Promise<void> {
  if (actor) requireRole(actor, "editor");
  await transaction(async (tx) => {
    await requireModel(tx, id);
    await tx.loggedModel.update({ where: { id }, data: { lifecycleStage: "deleted", updatedAt: BigInt(Date.now()) } });
  });
}

export async function setLoggedModelTags(actor: Actor | null, id: string, tags: unknown): Promise<LoggedModel> {
  const list = parseWith(z.array(tagInput).max(100), tags, "tags");
  return changeModel(actor, id, (tx) => writeTags(tx, id, list));
}

export async function deleteLoggedModelTag(actor: Actor | null, id: string, key: string): Promise<void> {
  const k = parseWith(keySchema, key, "tag key");
  await changeModel(actor, id, async (tx) => {
    const { count } = await tx.loggedModelTag.deleteMany({ where: { modelId: id, key: k } });
    if (!count) throw notFound("Tag", `${id}/${k}`);
  });
}

export async function logLoggedModelParams(actor: Actor | null, id: string, params: unknown): Promise<LoggedModel> {
  const list = parseWith(z.array(paramInput).max(100), params, "params");
  return changeModel(actor, id, (tx) => writeParams(tx, id, list));
}

/** Python's json.dumps (", " and ": " separators, non-ASCII as \uXXXX): how MLflow writes its tags. */
function pythonJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(", ")}]`;
  if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${pythonJson(k)}: ${pythonJson(x)}`).join(", ")}}`;
  return (JSON.stringify(v) ?? "null").replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Inside the registry's transaction that creates version `version` of `name` from logged model
 * `modelId`: the model must exist and be active (else RESOURCE_DOES_NOT_EXIST). With `tag`, the
 * version is added to the model's `mlflow.modelVersions` tag, as MLflow's server does for a
 * model-versions/create that names a model_id (an entry already there is not repeated; a tag
 * that is not a JSON list is left as it is).
 */
export async function linkModelVersion(tx: Tx, modelId: string, reg: { name: string; version: number }, opts: { tag: boolean }): Promise<void> {
  const m = MODEL_ID_RE.test(modelId) ? await tx.loggedModel.findUnique({ where: { id: modelId }, select: { lifecycleStage: true } }) : null;
  if (!m || m.lifecycleStage !== "active") throw notFound("Logged model", modelId);
  if (!opts.tag) return;
  // Touching the model first locks its row (PostgreSQL), so concurrent registrations of one model
  // append to the tag one after the other instead of overwriting each other.
  await tx.loggedModel.update({ where: { id: modelId }, data: { updatedAt: BigInt(Date.now()) } });
  const key = { modelId_key: { modelId, key: MODEL_VERSIONS_TAG } };
  const row = await tx.loggedModelTag.findUnique({ where: key });
  let list: unknown[] = [];
  if (row) {
    try {
      const parsed: unknown = JSON.parse(row.value);
      if (!Array.isArray(parsed)) return;
      list = parsed;
    } catch {
      return;
    }
  }
  const entry = { name: reg.name, version: reg.version };
  const same = (e: unknown) => {
    const o = e as Record<string, unknown> | null;
    return !!o && typeof o === "object" && Object.keys(o).length === 2 && o.name === entry.name && o.version === entry.version;
  };
  if (list.some(same)) return;
  const value = pythonJson([...list, entry]);
  await tx.loggedModelTag.upsert({ where: key, create: { modelId, key: MODEL_VERSIONS_TAG, value }, update: { value } });
}

/** The logged model whose folder an artifact upload targets; it must exist and be active. */
export async function requireLoggedModelInExperiment(experimentId: string, modelId: string): Promise<LoggedModel> {
  const m = await getLoggedModel(modelId);
  if (m.experimentId !== experimentId) throw notFound("Logged model", `${experimentId}/${modelId}`);
  return m;
}

const LOGGED_MODEL_FILTER_SPEC: FilterSpec = {
  entities: ["metric", "param", "tag", "attribute"],
  attributes: {
    model_id: "string",
    name: "string",
    model_type: "string",
    status: "string",
    source_run_id: "string",
    experiment_id: "string",
    creation_timestamp: "number",
    last_updated_timestamp: "number",
  },
  aliases: { creation_time: "creation_timestamp", creation_timestamp_ms: "creation_timestamp", last_updated_timestamp_ms: "last_updated_timestamp" },
};

const ORDER_FIELDS: Record<string, (m: LoggedModel) => string | number> = {
  name: (m) => m.name,
  model_id: (m) => m.id,
  creation_timestamp: (m) => m.createdAt,
  creation_time: (m) => m.createdAt,
  last_updated_timestamp: (m) => m.updatedAt,
};

const datasetScope = z.object({
  datasetName: z.string().min(1, "`dataset_name` in the `datasets` clause must be specified."),
  datasetDigest: z.string().optional(),
});
type DatasetScope = z.infer<typeof datasetScope>;

export const searchLoggedModelsInput = z.object({
  experimentIds: z.array(z.union([z.string(), z.number()])).min(1, "Give at least one experiment id"),
  filter: z.string().default(""),
  /** Metric conditions count only points measured on one of these datasets (digest optional). */
  datasets: z.array(datasetScope).max(100).default([]),
  orderBy: z
    .array(
      z.object({
        field: z.string(),
        ascending: z.boolean().default(true),
        /** For `metrics.<key>`: the newest point on this dataset. */
        datasetName: z.string().optional(),
        datasetDigest: z.string().optional(),
      }),
    )
    .default([]),
  maxResults: z.number().int().min(1).max(50).default(50),
  pageToken: z.string().optional(),
});

/** Whether a point was measured on one of the datasets (any point when none is named); an empty digest is unset. */
function onDatasets(p: LoggedModelMetric, datasets: DatasetScope[]): boolean {
  return !datasets.length || datasets.some((d) => p.datasetName === d.datasetName && (!d.datasetDigest || p.datasetDigest === d.datasetDigest));
}

/** A metric condition holds when some point of that metric (on the datasets) satisfies it, as in MLflow. */
function matchesMetric(m: LoggedModel, c: Comparison, datasets: DatasetScope[]): boolean {
  const values = m.metrics.filter((p) => p.key === c.key && onDatasets(p, datasets)).map((p) => p.value);
  if (c.op === "IS NULL") return values.length === 0;
  if (c.op === "IS NOT NULL") return values.length > 0;
  return values.some((v) => matchesFilter([c], () => v));
}

/** The value a `metrics.<key>` order uses: the newest point (by time, then step) on the dataset, or null. */
function metricOrderValue(m: LoggedModel, key: string, name?: string, digest?: string): number | null {
  let best: LoggedModelMetric | null = null;
  for (const p of m.metrics) {
    if (p.key !== key || (name && p.datasetName !== name) || (digest && p.datasetDigest !== digest)) continue;
    if (!best || p.timestamp > best.timestamp || (p.timestamp === best.timestamp && p.step > best.step)) best = p;
  }
  return best && !Number.isNaN(best.value) ? best.value : null;
}

/**
 * Active logged models of some experiments, newest first unless ordered otherwise. Filtered in
 * memory with the run filter language (attributes, metrics.*, params.*, tags.*): an experiment
 * holds few logged models next to its runs. As in MLflow, `datasets` scopes the metric conditions,
 * and with no metric condition keeps the models with a metric on one of them; ordering by
 * `metrics.<key>` uses each model's newest point of it and puts models without one last.
 */
export async function searchLoggedModels(input: z.input<typeof searchLoggedModelsInput>): Promise<Page<LoggedModel>> {
  const q = parseWith(searchLoggedModelsInput, input, "logged model search");
  const comparisons = parseFilter(q.filter, LOGGED_MODEL_FILTER_SPEC);
  const order = q.orderBy.map((o) => {
    const metric = /^metrics\.(.+)$/.exec(o.field)?.[1];
    if (metric !== undefined) {
      return { ...o, get: (m: LoggedModel) => metricOrderValue(m, metric, o.datasetName || undefined, o.datasetDigest || undefined) };
    }
    if (o.field.includes(".")) throw invalid(`Invalid order by field name: ${o.field}. Only metrics are supported.`);
    const get = ORDER_FIELDS[o.field];
    if (!get) throw invalid(`Cannot order logged models by '${o.field}'; use one of ${Object.keys(ORDER_FIELDS).join(", ")} or metrics.<key>`);
    return { ...o, get };
  });
  const ids = q.experimentIds.map((e) => parseExperimentId(e));
  const query = { ids, filter: q.filter, orderBy: q.orderBy, datasets: q.datasets };
  const offset = decodePageToken(q.pageToken, query);
  const rows = await db().loggedModel.findMany({
    where: { experimentId: { in: ids }, lifecycleStage: "active" },
    include: INCLUDE,
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  const attr = (m: LoggedModel, key: string): string | number | null => {
    const table: Record<string, string | number | null> = {
      model_id: m.id,
      name: m.name,
      model_type: m.modelType,
      status: m.status.replace(/^LOGGED_MODEL_/, ""),
      source_run_id: m.sourceRunId,
      experiment_id: m.experimentId,
      creation_timestamp: m.createdAt,
      last_updated_timestamp: m.updatedAt,
    };
    return table[key] ?? null;
  };
  const metricConditions = comparisons.filter((c) => c.entity === "metric");
  const otherConditions = comparisons.filter((c) => c.entity !== "metric");
  const models = rows.map(toLoggedModel).filter(
    (m) =>
      matchesFilter(otherConditions, (entity, key) => (entity === "param" ? m.params[key] : entity === "tag" ? m.tags[key] : attr(m, key))) &&
      metricConditions.every((c) => matchesMetric(m, c, q.datasets)) &&
      (metricConditions.length > 0 || !q.datasets.length || m.metrics.some((p) => onDatasets(p, q.datasets))),
  );
  if (order.length) {
    // Stable: models equal on every term stay newest first.
    models.sort((a, b) => {
      for (const o of order) {
        const x = o.get(a);
        const y = o.get(b);
        if (x === y) continue;
        if (x === null) return 1; // nulls last, whatever the direction
        if (y === null) return -1;
        return (x < y ? -1 : 1) * (o.ascending ? 1 : -1);
      }
      return 0;
    });
  }
  return pageOf(models.slice(offset, offset + q.maxResults + 1), offset, q.maxResults, query);
}
