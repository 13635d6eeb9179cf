// Hyperparameter validation shared by the families: Zod schemas, errors a person can act on.
import type { z } from "zod";
import { invalid } from "../../errors";

/** Parses raw hyperparameters (from a form, the CLI's --params or a search) and fills defaults. */
export function parseParams<P>(family: string, schema: z.ZodType<P>, raw: unknown): P {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  throw invalid(`Invalid hyperparameters for family '${family}': ${text}`, issues);
}
