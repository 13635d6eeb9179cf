// Hyperparameters of the gbdt family: one schema for the CLI's --params, the manifest and the trainer.
import { z } from "zod";
import { invalid } from "../../errors";

export type GbdtObjective = "binary" | "multiclass" | "regression";

const classWeight = z.union([z.literal("balanced"), z.record(z.string().regex(/^\d+$/), z.number().positive())]);

/** The fields without the object-level checks, for schemas that change a default (the model family). */
export const gbdtParamsShape = {
  n_estimators: z.number().int().min(1).max(100_000).default(100),
  learning_rate: z.number().positive().max(10).default(0.1),
  max_leaves: z.number().int().min(2).max(4096).default(31),
  max_depth: z.number().int().min(-1).max(64).default(-1),
  min_samples_leaf: z.number().int().min(1).default(20),
  min_child_weight: z.number().min(0).default(1e-3),
  min_gain_to_split: z.number().min(0).default(0),
  lambda_l2: z.number().min(0).default(0),
  max_bins: z.number().int().min(2).max(255).default(255),
  min_data_in_bin: z.number().int().min(1).default(3),
  subsample: z.number().gt(0).max(1).default(1),
  colsample: z.number().gt(0).max(1).default(1),
  early_stopping_rounds: z.number().int().min(0).default(0),
  validation_fraction: z.number().gt(0).lt(1).default(0.1),
  class_weight: classWeight.nullable().default(null),
  max_cat_threshold: z.number().int().min(1).default(32),
  max_cat_to_onehot: z.number().int().min(1).default(4),
  cat_smooth: z.number().min(0).default(10),
  cat_l2: z.number().min(0).default(10),
  min_data_per_group: z.number().int().min(1).default(100),
  seed: z.number().int().default(0),
  /** Quantized-gradient histograms (see grower.ts); "auto" = on from 20,000 rows per tree. */
  use_quantized_grad: z.union([z.boolean(), z.literal("auto")]).default("auto"),
};

/** max_depth 0 would be a tree without splits: -1 means no limit. */
export const maxDepthValid = (p: { max_depth: number }): boolean => p.max_depth !== 0;
export const MAX_DEPTH_ISSUE = { message: "max_depth must be -1 (no limit) or at least 1", path: ["max_depth"] };

export const gbdtParamsSchema = z
  .object(gbdtParamsShape)
  .strict()
  .refine(maxDepthValid, MAX_DEPTH_ISSUE);

/** Fully resolved hyperparameters (every field present). */
export type GbdtParams = z.output<typeof gbdtParamsSchema>;
/** What a caller may pass: any subset; missing fields take their defaults. */
export type GbdtParamsInput = z.input<typeof gbdtParamsSchema>;

/** Fills defaults and rejects unknown or out-of-range fields with an `invalid` AppError listing every problem. */
export function parseGbdtParams(input: unknown = {}): GbdtParams {
  const result = gbdtParamsSchema.safeParse(input ?? {});
  if (!result.success) {
    const details = result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    throw invalid(`Invalid gbdt parameters: ${details.map((d) => `${d.path || "(root)"}: ${d.message}`).join("; ")}`, details);
  }
  return result.data;
}

export const GBDT_DEFAULTS: GbdtParams = parseGbdtParams({});
