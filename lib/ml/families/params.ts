// Hyperparameter validation shared by the families: Zod schemas, errors a person can act on.
import { z } from "zod";
import { invalid } from "../../errors";
import type { PreprocessOptions } from "../preprocess";

/** Parses raw hyperparameters (from a form, the CLI's --params or a search) and fills defaults. */
export function parseParams<P>(family: string, schema: z.ZodType<P>, raw: unknown): P {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  throw invalid(`Invalid hyperparameters for family '${family}': ${text}`, issues);
}

/**
 * The networks' (linear, mlp) `standardize`: scale each numeric input to zero mean and unit variance (fitted
 * on the training rows). false keeps the inputs as given: when every feature is in one unit, their spread is
 * information the penalty then keeps (a wide feature needs smaller weights); features in different units
 * need scaling. `auto` tries both (UNSCALED_VARIANT).
 */
export const standardizeParam = z.boolean().default(true);

/** The networks' preprocessing: imputed numbers, standardised unless `standardize` is false; one-hot categories. */
export function networkInputs(p: { readonly standardize: boolean }): Partial<PreprocessOptions> {
  return { standardize: p.standardize, impute: true, categorical: "onehot" };
}

/** The networks' `auto` variant: the same family on the inputs as given. */
export const UNSCALED_VARIANT = { unscaled: { standardize: false } } as const;
