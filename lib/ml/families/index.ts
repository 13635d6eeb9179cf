// The registry of model families: the pipeline, the manifest loader and the CLI find a family by name here.
import { invalid } from "../../errors";
import { gbdtFamily } from "./gbdt";
import { linearFamily } from "./linear";
import { mlpFamily } from "./mlp";
import type { ModelFamily } from "./types";

/** Erases a family's parameter type: the pipeline only ever passes a family the output of its own schema. */
const erase = <P>(family: ModelFamily<P>) => family as unknown as ModelFamily<unknown>;

export const FAMILIES: Readonly<Record<string, ModelFamily<unknown>>> = {
  linear: erase(linearFamily),
  mlp: erase(mlpFamily),
  gbdt: erase(gbdtFamily),
};

export function getFamily(name: string): ModelFamily<unknown> {
  const family = Object.hasOwn(FAMILIES, name) ? FAMILIES[name] : undefined;
  if (!family) throw invalid(`Unknown model family '${name}'; available: ${Object.keys(FAMILIES).join(", ")}`);
  return family;
}

export { gbdtFamily, gbdtParamsSchema as gbdtFamilyParamsSchema, gbdtScorer, type GbdtFamilyParams } from "./gbdt";
export { linearFamily, linearParamsSchema, type LinearParams } from "./linear";
export { mlpFamily, mlpParamsSchema, type MlpParams } from "./mlp";
export { TrainingDivergedError } from "./errors";
export { parseParams } from "./params";
export type * from "./types";
