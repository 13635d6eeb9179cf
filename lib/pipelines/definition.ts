// What a pipeline is: a saved training recipe (data source → target → family → evaluation gate →
// registration and promotion) plus its triggers. One Zod schema for the REST API, the form and the CLI.
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { datasetNameSchema } from "../datasets";
import { invalid } from "../errors";
import { modelNameSchema } from "../registry";
import { DEFAULT_SEED, familyChoices, METRIC_NAMES, refuseFoldsWithSearch, splitSchema, trainingSpecSchema } from "../training";

export const PROMOTE_POLICIES = ["none", "challenger", "champion-if-better"] as const;
export type PromotePolicy = (typeof PROMOTE_POLICIES)[number];

export const pipelineNameSchema = z
  .string({ error: "A pipeline needs a name" })
  .trim()
  .min(1, "A pipeline needs a name")
  .max(128, "Pipeline names have at most 128 characters")
  .regex(/^(?:[A-Za-z0-9][A-Za-z0-9._-]*)?$/, "Pipeline names use letters, digits, '.', '_' and '-', and start with a letter or digit");

const metricSchema = z.enum(METRIC_NAMES, { error: `The metric is one of ${METRIC_NAMES.join(", ")}` });

/** The data a run trains on: the dataset's newest version when it runs, or one version pinned by number or SHA-256. */
export const dataSourceSchema = z
  .object({
    name: datasetNameSchema,
    version: z
      .union([
        z.literal("latest"),
        z.number().int().min(1, "Dataset versions start at 1"),
        z.string().trim().toLowerCase().regex(/^[0-9a-f]{64}$/, "A dataset version is 'latest', a number or a SHA-256 (64 hex digits)"),
      ])
      .default("latest"),
  })
  .strict();

export const gateSchema = z
  .object({
    metric: metricSchema,
    /** The test metric must be at least this (accuracy, r2, …). */
    min: z.number().finite().optional(),
    /** The test metric must be at most this (log_loss, rmse, mae). */
    max: z.number().finite().optional(),
  })
  .strict()
  .refine((g) => g.min !== undefined || g.max !== undefined, { message: "The evaluation gate needs min or max" });

export const pipelineDefinitionSchema = z
  .object({
    dataset: dataSourceSchema,
    target: z.string({ error: "Name the target column" }).trim().min(1, "Name the target column").max(256),
    family: z
      .string()
      .trim()
      .default("auto")
      .superRefine((f, ctx) => {
        if (!familyChoices().includes(f)) ctx.addIssue({ code: "custom", message: `Unknown model family '${f}'; choose one of ${familyChoices().join(", ")}` });
      }),
    params: z.record(z.string(), z.unknown()).default({}),
    /**
     * Optional hyperparameter search over the family (every family for `auto`) before evaluation:
     * `{trials, seed?}`, the same search as `mlops train --hpo N`; the refit of the best trial is the run
     * that is gated and registered. Parameters set in `params` stay fixed.
     */
    search: trainingSpecSchema.shape.hpo,
    seed: z.number().int("The seed is a whole number").min(0).max(2 ** 32 - 1).default(DEFAULT_SEED),
    split: splitSchema.default({ test: 0.2, validation: 0.2 }),
    /** Experiment the runs land in; the dataset's name when absent. */
    experiment: z.string().trim().min(1).max(500).optional(),
    gate: gateSchema.optional(),
    register: z
      .object({
        name: modelNameSchema,
        /** Metric compared with the champion's; accuracy (classification) or r2 (regression) when absent. */
        metric: metricSchema.optional(),
        margin: z.number().min(0, "The margin is 0 or more").default(0),
      })
      .strict()
      .optional(),
    promote: z.enum(PROMOTE_POLICIES, { error: `The promotion policy is one of ${PROMOTE_POLICIES.join(", ")}` }).default("challenger"),
  })
  .strict()
  .superRefine(refuseFoldsWithSearch("search"));

export type PipelineDefinition = z.output<typeof pipelineDefinitionSchema>;
export type PipelineDefinitionInput = z.input<typeof pipelineDefinitionSchema>;

/** A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC. */
export const cronSchema = z
  .string()
  .trim()
  .min(1, "The schedule is a cron expression such as '0 3 * * *'")
  .max(200)
  .superRefine((expr, ctx) => {
    const message = cronProblem(expr);
    if (message) ctx.addIssue({ code: "custom", message });
  });

export const triggersSchema = z
  .object({
    /** Run when a new version of the pipeline's dataset is uploaded. */
    onNewDatasetVersion: z.boolean().default(false),
  })
  .strict();

export const createPipelineInput = z
  .object({
    name: pipelineNameSchema,
    definition: pipelineDefinitionSchema,
    schedule: cronSchema.nullable().optional(),
    triggers: triggersSchema.default({ onNewDatasetVersion: false }),
    enabled: z.boolean().default(true),
  })
  .strict();

export const updatePipelineInput = z
  .object({
    definition: pipelineDefinitionSchema.optional(),
    schedule: cronSchema.nullable().optional(),
    triggers: triggersSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export type CreatePipelineInput = z.input<typeof createPipelineInput>;
export type UpdatePipelineInput = z.input<typeof updatePipelineInput>;

function cronProblem(expr: string): string | null {
  const fields = expr.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return `The schedule '${expr}' has ${fields.length} field${fields.length === 1 ? "" : "s"}; use five: minute hour day-of-month month day-of-week (e.g. '0 3 * * *')`;
  }
  try {
    CronExpressionParser.parse(expr, { tz: "UTC", strict: false });
    return null;
  } catch (err) {
    return `The schedule '${expr}' is not a valid cron expression: ${(err as Error).message}`;
  }
}

/** The first time the schedule fires strictly after `from` (UTC). */
export function nextRunAfter(schedule: string, from: Date): Date {
  const problem = cronProblem(schedule);
  if (problem) throw invalid(problem);
  return CronExpressionParser.parse(schedule, { tz: "UTC", currentDate: from }).next().toDate();
}
