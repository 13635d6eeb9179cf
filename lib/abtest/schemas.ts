// Input of the A/B test API. Refusals are 400s that name the field to fix.
import { z } from "zod";

export const METRIC_KINDS = ["conversion", "mean", "accuracy"] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];
export const TEST_STATES = ["draft", "running", "paused", "stopped"] as const;
export type TestState = (typeof TEST_STATES)[number];
export const SHADOW_ARM = "shadow";

const armName = z
  .string()
  .trim()
  .min(1, "Give the arm a name")
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, "Arm names contain only letters, digits, '_', '.' and '-'")
  .refine((n) => n !== SHADOW_ARM, `'${SHADOW_ARM}' is reserved for the shadow arm`);

const versionRef = z.union([z.number(), z.string().regex(/^\d+$/, "Versions are whole numbers")]).transform(Number).pipe(z.number().int().min(1));
const aliasRef = z.string().trim().min(1).max(255);

const target = {
  alias: aliasRef.optional(),
  version: versionRef.optional(),
};

function oneTarget(v: { alias?: string; version?: number }): boolean {
  return (v.alias === undefined) !== (v.version === undefined);
}

export const armInput = z
  .object({ name: armName, ...target, weight: z.number().int("Weights are whole percents").min(0).max(100) })
  .strict()
  .refine(oneTarget, "Give an arm either 'alias' or 'version', not both");

export const guardrailInput = z
  .object({
    metric: z.literal("latency_ms", { message: "Guardrail metric is 'latency_ms' (mean prediction latency per arm)" }),
    /** Upper bound on the arm's mean latency, in milliseconds. */
    max: z.number().positive().optional(),
    /** Upper bound on the arm's increase over the baseline's mean latency, in percent. */
    max_increase_pct: z.number().positive().optional(),
  })
  .strict()
  .refine((g) => g.max !== undefined || g.max_increase_pct !== undefined, "A guardrail needs 'max' or 'max_increase_pct'");
export type Guardrail = z.infer<typeof guardrailInput>;

export const createAbTestInput = z
  .object({
    name: z.string().trim().min(1, "Give the test a name").max(200),
    model: z.string().trim().min(1, "Name the registered model"),
    arms: z
      .array(armInput)
      .min(2, "A test needs at least two arms: the first is the baseline")
      .max(10, "At most 10 arms")
      .refine((arms) => new Set(arms.map((a) => a.name)).size === arms.length, "Arm names must be unique")
      .refine((arms) => arms.reduce((s, a) => s + a.weight, 0) === 100, "Arm weights must sum to 100")
      .refine((arms) => arms.every((a) => a.weight > 0), "Every arm needs a weight above 0"),
    shadow: z.object(target).strict().refine(oneTarget, "Give the shadow either 'alias' or 'version', not both").nullish(),
    metric: z.object({ kind: z.enum(METRIC_KINDS, { message: `Metric kind is one of ${METRIC_KINDS.join(", ")}` }) }).strict(),
    guardrails: z.array(guardrailInput).max(10).optional(),
    min_samples: z.number().int().min(1).max(100_000_000).optional(),
    /** Mixing spread of the sequential test, in per-unit standard deviations (docs/ab-testing.md). */
    sequential_tau: z.number().positive().max(10).optional(),
  })
  .strict();
export type CreateAbTestInput = z.input<typeof createAbTestInput>;

export const listAbTestsQuery = z
  .object({
    model: z.string().trim().min(1).optional(),
    state: z.enum(TEST_STATES).optional(),
  })
  .strict();

export const promoteWinnerInput = z.object({ reason: z.string().trim().max(2000).optional() }).strict().default({});
