// Reading a log-batch body. A 1,000-metric batch through the Zod schema costs several milliseconds
// (about as much as writing it), so a well-formed batch is checked by hand with exactly the rules
// of `logBatchInput`; anything the hand check does not accept goes through Zod, which then either
// accepts it (strings for numbers, say) or produces the usual error message. The hand check never
// accepts what Zod would refuse.
import { parseWith } from "../http";
import {
  BATCH_LIMITS,
  MAX_DATASET_DIGEST_LENGTH,
  MAX_DATASET_NAME_LENGTH,
  MAX_KEY_LENGTH,
  MAX_MODEL_ID_LENGTH,
  MAX_PARAM_VALUE_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  logBatchInput,
} from "./schemas";
import type { MetricPoint, ModelMetricPoint } from "./types";

export interface ReadBatch {
  points: MetricPoint[];
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
  /** The points that carry a `model_id` (MLflow 3), again with it; absent when none does. */
  modelPoints?: ModelMetricPoint[];
}

const KEY_RE = /^[A-Za-z0-9_\-. :/]+$/;

// Batches repeat the same few names: remember the ones already found valid (bounded).
const goodKeys = new Set<string>();
const GOOD_KEYS_MAX = 10_000;

function keyOk(k: unknown): k is string {
  if (typeof k !== "string") return false;
  if (goodKeys.has(k)) return true;
  if (k.length < 1 || k.length > MAX_KEY_LENGTH || !KEY_RE.test(k) || k.split("/").some((s) => s === ".." || s === ".")) return false;
  if (goodKeys.size >= GOOD_KEYS_MAX) goodKeys.clear();
  goodKeys.add(k);
  return true;
}

/** A metric value as metricValueSchema reads it, or undefined when Zod must decide. */
function valueOf(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return undefined;
}

/** An optional int64 given as a number, or null when Zod must decide. */
function int64Of(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  return Number.isSafeInteger(v) ? (v as number) : null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** An optional string field of at most `max` characters ("" = unset, as protobuf), or null when Zod must decide. */
function optString(v: unknown, max: number): string | undefined | null {
  if (v === undefined || v === "") return undefined;
  return typeof v === "string" && v.length <= max ? v : null;
}

/**
 * The model point of metric `m` (read as `p`): undefined without a model_id (a dataset alone only
 * matters for a model's metrics, as in MLflow), null when a field is not what the schema accepts.
 */
function modelPointOf(m: Record<string, unknown>, p: MetricPoint): ModelMetricPoint | undefined | null {
  const modelId = optString(m.model_id, MAX_MODEL_ID_LENGTH);
  const datasetName = optString(m.dataset_name, MAX_DATASET_NAME_LENGTH);
  const datasetDigest = optString(m.dataset_digest, MAX_DATASET_DIGEST_LENGTH);
  if (modelId === null || datasetName === null || datasetDigest === null) return null;
  if (modelId === undefined) return undefined;
  return { ...p, modelId, datasetName: datasetName ?? null, datasetDigest: datasetDigest ?? null };
}

function listOf(v: unknown, max: number): unknown[] | null {
  if (v === undefined) return [];
  return Array.isArray(v) && v.length <= max ? v : null;
}

function fast(input: unknown, now: number): ReadBatch | null {
  if (!isObject(input)) return null;
  const metrics = listOf(input.metrics, BATCH_LIMITS.metrics);
  const params = listOf(input.params, BATCH_LIMITS.params);
  const tags = listOf(input.tags, BATCH_LIMITS.tags);
  if (!metrics || !params || !tags || metrics.length + params.length + tags.length > BATCH_LIMITS.total) return null;

  const points: MetricPoint[] = new Array(metrics.length);
  let modelPoints: ModelMetricPoint[] | undefined;
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i];
    if (!isObject(m) || !keyOk(m.key)) return null;
    const value = valueOf(m.value);
    const step = int64Of(m.step);
    const timestamp = int64Of(m.timestamp);
    if (value === undefined || step === null || timestamp === null) return null;
    const p = { key: m.key, value, step: step ?? 0, timestamp: timestamp ?? now };
    points[i] = p;
    // Ordinary metrics carry none of these: three missing-property lookups per point.
    if (m.model_id !== undefined || m.dataset_name !== undefined || m.dataset_digest !== undefined) {
      const mp = modelPointOf(m, p);
      if (mp === null) return null;
      if (mp) (modelPoints ??= []).push(mp);
    }
  }
  const outParams: ReadBatch["params"] = [];
  for (const p of params) {
    if (!isObject(p) || !keyOk(p.key)) return null;
    const v = p.value;
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return null;
    const value = String(v);
    if (value.length > MAX_PARAM_VALUE_LENGTH) return null;
    outParams.push({ key: p.key, value });
  }
  const outTags: ReadBatch["tags"] = [];
  for (const t of tags) {
    if (!isObject(t) || !keyOk(t.key) || typeof t.value !== "string" || t.value.length > MAX_TAG_VALUE_LENGTH) return null;
    outTags.push({ key: t.key, value: t.value });
  }
  return modelPoints ? { points, params: outParams, tags: outTags, modelPoints } : { points, params: outParams, tags: outTags };
}

/** The batch with defaults applied (step 0, timestamp now); a 400 naming the field when it is invalid. */
export function readLogBatch(input: unknown, now = Date.now()): ReadBatch {
  const quick = fast(input, now);
  if (quick) return quick;
  const b = parseWith(logBatchInput, input, "log-batch body");
  const points = b.metrics.map((m) => ({ key: m.key, value: m.value, step: m.step ?? 0, timestamp: m.timestamp ?? now }));
  const modelPoints = b.metrics.flatMap((m, i): ModelMetricPoint[] =>
    m.model_id ? [{ ...points[i]!, modelId: m.model_id, datasetName: m.dataset_name || null, datasetDigest: m.dataset_digest || null }] : [],
  );
  const batch: ReadBatch = { points, params: b.params, tags: b.tags };
  if (modelPoints.length) batch.modelPoints = modelPoints;
  return batch;
}
