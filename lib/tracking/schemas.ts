// Zod schemas for tracking input, shared by lib functions, /api/v1 route handlers and the OpenAPI
// document. Metric values accept numbers and the strings "NaN", "Infinity", "-Infinity".
import { z } from "zod";
import { RUN_STATUSES } from "./types";

export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;
export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 8000;

/** MLflow's rule for metric, param and tag names. */
const KEY_RE = /^[A-Za-z0-9_\-. :/]+$/;

export const keySchema = z
  .string()
  .min(1, "Name is empty")
  .max(MAX_KEY_LENGTH, `Names are at most ${MAX_KEY_LENGTH} characters`)
  .regex(KEY_RE, "Names may contain only letters, digits, '_', '-', '.', ' ', ':' and '/'")
  .refine((k) => !k.split("/").some((s) => s === ".." || s === "."), "Names may not contain '.' or '..' path segments");

/** An int64 given as a JSON number or a decimal string (protobuf's JSON mapping allows both). */
export const int64Schema = z
  .union([z.number(), z.string().regex(/^-?\d+$/, "Expected a whole number")])
  .transform((v) => Number(v))
  .refine((n) => Number.isSafeInteger(n), "Expected a whole number within ±2^53");

// z.number() refuses ±Infinity, which are valid metric values here.
const anyNumber = z.custom<number>((v) => typeof v === "number", "Expected a number");

export const metricValueSchema = z
  .union([z.number(), anyNumber, z.string()])
  .transform((v, ctx) => {
    if (typeof v === "number") return v;
    const t = v.trim();
    if (t === "NaN") return NaN;
    if (t === "Infinity" || t === "+Infinity") return Infinity;
    if (t === "-Infinity") return -Infinity;
    const n = Number(t);
    if (t === "" || Number.isNaN(n)) {
      ctx.addIssue({ code: "custom", message: `'${v.slice(0, 40)}' is not a number (use a number, "NaN", "Infinity" or "-Infinity")` });
      return z.NEVER;
    }
    return n;
  });

export const MAX_MODEL_ID_LENGTH = 100;
export const MAX_DATASET_NAME_LENGTH = 500;
export const MAX_DATASET_DIGEST_LENGTH = 64;

export const metricInput = z.object({
  key: keySchema,
  value: metricValueSchema,
  timestamp: int64Schema.optional(),
  step: int64Schema.optional(),
  // MLflow 3: the point also belongs to this logged model, measured on this dataset ("" = unset, as protobuf).
  model_id: z.string().max(MAX_MODEL_ID_LENGTH).optional(),
  dataset_name: z.string().max(MAX_DATASET_NAME_LENGTH).optional(),
  dataset_digest: z.string().max(MAX_DATASET_DIGEST_LENGTH).optional(),
});

const paramValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => String(v))
  .pipe(z.string().max(MAX_PARAM_VALUE_LENGTH, `Param values are at most ${MAX_PARAM_VALUE_LENGTH} characters`));

export const paramInput = z.object({ key: keySchema, value: paramValue });
export const tagInput = z.object({
  key: keySchema,
  value: z.string().max(MAX_TAG_VALUE_LENGTH, `Tag values are at most ${MAX_TAG_VALUE_LENGTH} characters`),
});

export const logBatchInput = z
  .object({
    metrics: z.array(metricInput).max(BATCH_LIMITS.metrics, `A batch holds at most ${BATCH_LIMITS.metrics} metrics`).default([]),
    params: z.array(paramInput).max(BATCH_LIMITS.params, `A batch holds at most ${BATCH_LIMITS.params} params`).default([]),
    tags: z.array(tagInput).max(BATCH_LIMITS.tags, `A batch holds at most ${BATCH_LIMITS.tags} tags`).default([]),
  })
  .refine(
    (b) => b.metrics.length + b.params.length + b.tags.length <= BATCH_LIMITS.total,
    `A batch holds at most ${BATCH_LIMITS.total} metrics, params and tags together`,
  );
export type LogBatchInput = z.input<typeof logBatchInput>;

export const tagsRecord = z.record(keySchema, z.string().max(MAX_TAG_VALUE_LENGTH));

export const experimentName = z.string().trim().min(1, "Give the experiment a name").max(500);
export const experimentIdSchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,9}$/, "Experiment ids are whole numbers"));

export const createExperimentInput = z.object({ name: experimentName, tags: tagsRecord.optional() }).strict();
export const updateExperimentInput = z
  .object({ name: experimentName.optional(), tags: tagsRecord.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.tags !== undefined, "Send name and/or tags");

export const viewSchema = z.enum(["active", "deleted", "all"]);
export const runStatusSchema = z.enum(RUN_STATUSES);
export const runIdSchema = z.string().regex(/^[0-9a-f]{32}$/, "Run ids are 32 hexadecimal characters");
export const runName = z.string().trim().min(1).max(250);
const codeVersion = z.string().trim().min(1).max(200);

export const createRunInput = z
  .object({
    experimentId: experimentIdSchema.optional(),
    name: runName.optional(),
    startTime: int64Schema.optional(),
    tags: tagsRecord.optional(),
    parentRunId: runIdSchema.optional(),
    datasetVersionId: z.string().min(1).max(100).optional(),
    codeVersion: codeVersion.optional(),
  })
  .strict();
export type CreateRunInput = z.input<typeof createRunInput>;

export const updateRunInput = z
  .object({
    name: runName.optional(),
    status: runStatusSchema.optional(),
    endTime: int64Schema.nullable().optional(),
    datasetVersionId: z.string().min(1).max(100).nullable().optional(),
    codeVersion: codeVersion.nullable().optional(),
  })
  .strict();
export type UpdateRunInput = z.input<typeof updateRunInput>;

export const searchRunsInput = z
  .object({
    experimentIds: z.array(experimentIdSchema).max(100).default([]),
    filter: z.string().max(10_000).default(""),
    orderBy: z.array(z.string().max(500)).max(10).default([]),
    maxResults: z.number().int().min(1).max(50_000).default(100),
    pageToken: z.string().max(500).optional(),
    view: viewSchema.default("active"),
  })
  .strict();
export type SearchRunsInput = z.input<typeof searchRunsInput>;

export const listExperimentsInput = z.object({
  view: viewSchema.default("active"),
  filter: z.string().max(10_000).default(""),
  maxResults: z.coerce.number().int().min(1).max(1000).default(100),
  pageToken: z.string().max(500).optional(),
});
export type ListExperimentsInput = z.input<typeof listExperimentsInput>;

/** A compare view's histories: several runs and metrics, each series sampled to `maxPoints`. */
export const metricHistoriesInput = z.object({
  runIds: z.array(runIdSchema).min(1, "Name at least one run").max(100, "Compare at most 100 runs at once"),
  keys: z.array(keySchema).min(1, "Name at least one metric").max(20, "At most 20 metrics at once"),
  maxPoints: z.number().int().min(3).max(10_000).default(500),
});
export type MetricHistoriesInput = z.input<typeof metricHistoriesInput>;

export const metricHistoryQuery = z.object({
  key: keySchema,
  max_points: z.coerce.number().int().min(3).max(100_000).optional(),
});
