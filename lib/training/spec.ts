// What a training run is asked to do: one Zod schema shared by the `train` job, the REST route,
// the dashboard form and `mlops train`. Messages are written for the person who typed the input.
import { z } from "zod";
import { datasetNameSchema } from "../datasets";
import { invalid } from "../errors";
import { CLASSIFICATION_METRICS, FAMILIES, REGRESSION_METRICS } from "../ml";
import { aliasSchema, modelNameSchema } from "../registry";

export const AUTO_FAMILY = "auto";
export const DEFAULT_SEED = 42;
export const METRIC_NAMES = [...CLASSIFICATION_METRICS, ...REGRESSION_METRICS] as const;

/** Families a spec may name: the registry of lib/ml (gbdt once it is registered) plus `auto`. */
export function familyChoices(): string[] {
  return [...Object.keys(FAMILIES), AUTO_FAMILY];
}

const familySchema = z
  .string()
  .trim()
  .superRefine((f, ctx) => {
    if (!familyChoices().includes(f)) ctx.addIssue({ code: "custom", message: `Unknown model family '${f}'; choose one of ${familyChoices().join(", ")}` });
  });

const fraction = (what: string) =>
  z.number({ error: `The ${what} fraction is a number` }).gt(0, `The ${what} fraction is above 0`).lt(1, `The ${what} fraction is below 1`);

export const splitSchema = z
  .object({
    test: fraction("test").default(0.2),
    validation: fraction("validation").default(0.2),
    /**
     * k-fold cross-validation instead of the validation fraction to choose the family and the refit's
     * budget; 0 for one validation split. Absent: 5 folds for `auto` on up to 1,000 non-test rows.
     */
    folds: z
      .number({ error: "The number of folds is a number" })
      .int("The number of folds is a whole number")
      .min(0, "The number of folds is 0 (one validation split) or 2 to 20")
      .max(20, "At most 20 folds")
      .refine((n) => n !== 1, "One fold leaves nothing to train on: use 0 (one validation split) or 2 to 20")
      .optional(),
  })
  .strict();

export const registerSchema = z
  .object({
    name: modelNameSchema,
    /** Explicit alias for the new version; overrides the champion/challenger policy. */
    alias: aliasSchema.optional(),
    /** Test metric compared with the champion's; accuracy (classification) or r2 (regression) when absent. */
    metric: z.enum(METRIC_NAMES, { error: `The metric is one of ${METRIC_NAMES.join(", ")}` }).optional(),
    /** How much better than the champion the new version must be to become the challenger. */
    margin: z.number().min(0, "The margin is 0 or more").default(0),
  })
  .strict();

const datasetRef = z
  .object({
    name: datasetNameSchema,
    version: z.union([z.literal("latest"), z.number().int().min(1, "Dataset versions start at 1")]).default("latest"),
  })
  .strict();

const common = {
  target: z.string({ error: "Name the target column" }).trim().min(1, "Name the target column").max(256),
  family: familySchema.default("linear"),
  /** Family hyperparameters; for `auto`, either shared by all families or keyed by family name. */
  params: z.record(z.string(), z.unknown()).default({}),
  seed: z.number().int("The seed is a whole number").min(0).max(2 ** 32 - 1).default(DEFAULT_SEED),
  split: splitSchema.default({ test: 0.2, validation: 0.2 }),
  /** Experiment name; the dataset's name when absent. */
  experiment: z.string().trim().min(1).max(500).optional(),
  runName: z.string().trim().min(1).max(250).optional(),
  register: registerSchema.optional(),
  /**
   * Refit the stored model on train+validation for the budget early stopping chose (the default);
   * false keeps the early-stopped model, trained on the training split alone.
   */
  refit: z.boolean({ error: "refit is true or false" }).default(true),
  /** Hyperparameter search: tune the family over this many trials, then refit the best (docs/hpo.md). */
  hpo: z
    .object({
      trials: z.number().int("The number of trials is a whole number").min(1, "At least 1 trial").max(500, "At most 500 trials"),
      seed: z.number().int().min(0).optional(),
    })
    .strict()
    .optional(),
};

/**
 * A search's trials validate on one split and its best trial's epoch is the refit's budget, so folds
 * would go unused: refused rather than ignored. `searchKey`: `hpo` in a training spec, `search` in a
 * pipeline definition.
 */
export function refuseFoldsWithSearch(searchKey: "hpo" | "search") {
  return (s: { [k: string]: unknown; split: { folds?: number } }, ctx: z.RefinementCtx): void => {
    if (!s[searchKey] || !s.split.folds) return;
    ctx.addIssue({
      code: "custom",
      message: "Cross-validation (split.folds) does not apply to a hyperparameter search: its trials validate on one split (the validation fraction). Set folds to 0 (or leave it out), or drop the search",
      path: ["split", "folds"],
    });
  };
}

/**
 * Stored input from before folds and a search were refused together (a queued job's spec, a saved
 * pipeline): the folds had no effect then, so they are dropped and the rest reads as before.
 */
export function dropFoldsUnderSearch(raw: unknown, searchKey: "hpo" | "search"): unknown {
  if (!raw || typeof raw !== "object") return raw;
  const o = raw as Record<string, unknown>;
  const split = o.split as Record<string, unknown> | undefined;
  if (!o[searchKey] || !split || typeof split !== "object" || !split.folds) return raw;
  const { folds: _unused, ...rest } = split;
  return { ...o, split: rest };
}

/** What the queue accepts: datasets by name only (a job never reads an arbitrary file of the worker). */
export const trainJobSpecSchema = z.object({ dataset: datasetRef, ...common }).strict().superRefine(refuseFoldsWithSearch("hpo"));

/** The in-process form (the CLI): a CSV file is ingested as a dataset version first, and may have a test file. */
export const trainingSpecSchema = z
  .object({
    dataset: z.union([datasetRef, z.object({ csvPath: z.string().min(1, "Give the CSV file") }).strict()]),
    /** A separate test CSV; then no test rows are split off the data. */
    test: z.string().min(1).optional(),
    ...common,
  })
  .strict()
  .superRefine(refuseFoldsWithSearch("hpo"));

export type TrainingSpecInput = z.input<typeof trainingSpecSchema>;
export type TrainingSpec = z.output<typeof trainingSpecSchema>;
export type TrainJobSpec = z.output<typeof trainJobSpecSchema>;

/** Zod parse with one readable message, as lib/datasets does. */
export function parseSpec<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  throw invalid(`Invalid training spec: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`, issues);
}
