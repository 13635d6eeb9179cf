// Domain objects → MLflow's JSON: snake_case, ids as strings, int64 milliseconds as numbers, enum
// names, unset fields and empty lists left out (as protobuf's JSON printer does). Non-finite metric
// values become "NaN"/"Infinity"/"-Infinity" when the response is written.
import { z } from "zod";
import type { ModelVersion, RegisteredModel } from "../registry";
import type { Experiment, LoggedModel, LoggedModelMetric, MetricPoint, MetricValue, Run, RunInfo, RunIO, ViewType } from "../tracking";

type Wire = Record<string, unknown>;

/** Drops undefined/null fields and empty arrays. */
export function compact<T extends Wire>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)),
  ) as T;
}

const kv = (r: Record<string, string>) => Object.entries(r).map(([key, value]) => ({ key, value }));

export function experimentWire(e: Experiment): Wire {
  return compact({
    experiment_id: e.id,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.createdAt,
    tags: kv(e.tags),
  });
}

export function runInfoWire(r: RunInfo, tags?: Record<string, string>): Wire {
  return compact({
    run_id: r.id,
    run_uuid: r.id,
    run_name: r.name,
    experiment_id: r.experimentId,
    user_id: tags?.["mlflow.user"],
    status: r.status,
    start_time: r.startTime,
    end_time: r.endTime,
    artifact_uri: r.artifactUri,
    lifecycle_stage: r.lifecycleStage,
  });
}

export function metricWire(key: string, m: MetricValue): Wire {
  return { key, value: m.value, timestamp: m.timestamp, step: m.step };
}

/** A run; `io` (get-run) adds its dataset and model inputs and its model outputs. */
export function runWire(r: Run, io?: RunIO): Wire {
  return compact({
    info: runInfoWire(r, r.tags),
    data: compact({
      metrics: Object.entries(r.metrics).map(([k, m]) => metricWire(k, m)),
      params: kv(r.params),
      tags: kv(r.tags),
    }),
    inputs: compact({
      dataset_inputs: io?.datasetInputs.map((d) =>
        compact({
          tags: kv(d.tags),
          dataset: compact({ name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source, schema: d.schema, profile: d.profile }),
        }),
      ),
      model_inputs: io?.modelInputs.map((model_id) => ({ model_id })),
    }),
    outputs: io?.modelOutputs.length ? { model_outputs: io.modelOutputs.map((o) => ({ model_id: o.modelId, step: o.step })) } : undefined,
  });
}

/** A logged model's metric point: MLflow's Metric with the run, model and dataset it belongs to. */
function loggedModelMetricWire(p: LoggedModelMetric): Wire {
  return compact({
    key: p.key,
    value: p.value,
    timestamp: p.timestamp,
    step: p.step,
    dataset_name: p.datasetName,
    dataset_digest: p.datasetDigest,
    model_id: p.modelId,
    run_id: p.runId,
  });
}

/** A logged model; `registrations`: the model versions registered from it (LoggedModelInfo.registrations). */
export function loggedModelWire(m: LoggedModel, registrations: { name: string; version: number }[] = []): Wire {
  return {
    info: compact({
      model_id: m.id,
      experiment_id: m.experimentId,
      name: m.name,
      creation_timestamp_ms: m.createdAt,
      last_updated_timestamp_ms: m.updatedAt,
      artifact_uri: m.artifactUri,
      status: m.status,
      model_type: m.modelType,
      source_run_id: m.sourceRunId,
      status_message: m.statusMessage,
      tags: kv(m.tags),
      registrations: registrations.map((r) => ({ name: r.name, version: String(r.version) })),
    }),
    data: compact({ params: kv(m.params), metrics: m.metrics.map(loggedModelMetricWire) }),
  };
}

export function historyWire(points: MetricPoint[]): Wire[] {
  return points.map((p) => metricWire(p.key, p));
}

export function modelVersionWire(v: ModelVersion): Wire {
  return compact({
    name: v.modelName,
    version: String(v.version),
    creation_timestamp: v.createdAt,
    last_updated_timestamp: v.updatedAt,
    user_id: v.createdById,
    current_stage: v.stage,
    description: v.description,
    source: v.source,
    run_id: v.runId,
    model_id: v.loggedModelId,
    status: v.status,
    tags: kv(v.tags),
    aliases: v.aliases,
  });
}

export function registeredModelWire(m: RegisteredModel): Wire {
  return compact({
    name: m.name,
    creation_timestamp: m.createdAt,
    last_updated_timestamp: m.updatedAt,
    description: m.description,
    latest_versions: m.latestVersions.map(modelVersionWire),
    tags: kv(m.tags),
    aliases: Object.entries(m.aliases).map(([alias, version]) => ({ alias, version: String(version) })),
  });
}

// ---- request pieces shared by the handlers

/** MLflow's ViewType enum, by name or number. */
export const viewTypeSchema = z
  .union([z.enum(["ACTIVE_ONLY", "DELETED_ONLY", "ALL"]), z.literal(1), z.literal(2), z.literal(3), z.enum(["1", "2", "3"])])
  .optional()
  .transform((v): ViewType => {
    const s = String(v ?? "ACTIVE_ONLY");
    return s === "DELETED_ONLY" || s === "2" ? "deleted" : s === "ALL" || s === "3" ? "all" : "active";
  });

export const kvList = z.array(z.object({ key: z.string(), value: z.string().default("") })).default([]);

export function kvToRecord(list: { key: string; value: string }[]): Record<string, string> {
  return Object.fromEntries(list.map((t) => [t.key, t.value]));
}

/** An optional int given as a number or a decimal string (query strings carry strings). */
export const optInt = z.union([z.number(), z.string()]).optional().transform((v) => (v === undefined || v === "" ? undefined : Number(v)));

/** A string or a list of strings (a repeated query parameter), as a list. */
export const stringList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** The run id of a request: run_id, or the deprecated run_uuid. */
export const runIdFields = z
  .object({ run_id: z.string().optional(), run_uuid: z.string().optional() })
  .transform((b, ctx) => {
    const id = b.run_id || b.run_uuid;
    if (!id) {
      ctx.addIssue({ code: "custom", message: "run_id is required", path: ["run_id"] });
      return z.NEVER;
    }
    return id;
  });

export function runIdOf(input: Record<string, unknown>): string {
  return runIdFields.parse(input);
}
