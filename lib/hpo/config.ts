// Sampler and pruner as plain JSON configuration: a study stored in the database keeps its config so
// that every worker builds the same sampler and pruner for it.
import { z } from "zod";
import type { ParamValue } from "./distributions";
import { MedianPruner } from "./pruners/median";
import { NopPruner } from "./pruners/nop";
import { SuccessiveHalvingPruner } from "./pruners/successive-halving";
import type { Pruner } from "./pruners/types";
import { GridSampler } from "./samplers/grid";
import { RandomSampler } from "./samplers/random";
import { TPESampler } from "./samplers/tpe";
import type { Sampler } from "./samplers/types";

export const SAMPLER_NAMES = ["tpe", "random", "grid"] as const;
export const PRUNER_NAMES = ["median", "sha", "none"] as const;

const paramValue = z.union([z.string(), z.number().finite(), z.boolean(), z.null()]);

export const samplerConfigSchema = z
  .object({
    name: z.enum(SAMPLER_NAMES).default("tpe"),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    /** Grid only: parameter name → values. */
    searchSpace: z.record(z.string(), z.array(paramValue).min(1)).optional(),
  })
  .strict()
  .refine((c) => c.name !== "grid" || c.searchSpace !== undefined, { message: "the grid sampler needs searchSpace (name → array of values)" });

export const prunerConfigSchema = z
  .object({
    name: z.enum(PRUNER_NAMES).default("median"),
    nStartupTrials: z.number().int().min(0).optional(),
    nWarmupSteps: z.number().int().min(0).optional(),
  })
  .strict();

export type SamplerConfig = z.infer<typeof samplerConfigSchema>;
export type PrunerConfig = z.infer<typeof prunerConfigSchema>;

export function samplerFromConfig(c: SamplerConfig): Sampler {
  if (c.name === "random") return new RandomSampler({ seed: c.seed });
  if (c.name === "grid") return new GridSampler(c.searchSpace as Record<string, ParamValue[]>, { seed: c.seed });
  return new TPESampler({ seed: c.seed });
}

export function prunerFromConfig(c: PrunerConfig): Pruner {
  if (c.name === "none") return new NopPruner();
  if (c.name === "sha") return new SuccessiveHalvingPruner();
  return new MedianPruner({ nStartupTrials: c.nStartupTrials, nWarmupSteps: c.nWarmupSteps });
}
