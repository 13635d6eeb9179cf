// What a model's monitor is asked to do: the report window, the drift tests, performance drift,
// alerts and the retraining policy. One Zod schema for the REST body, the dashboard form and the
// JSON stored in ModelMonitor.config / retrainPolicy; messages are written for the person who typed.
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { TEST_NAMES } from "../drift";

const testName = z.enum(TEST_NAMES, { error: `The test is one of ${TEST_NAMES.join(", ")}` });
const threshold = z.number({ error: "A threshold is a number" }).refine(Number.isFinite, "A threshold is a finite number").min(0, "A threshold is 0 or more");
const share = z.number({ error: "The share is a number" }).min(0, "The share is between 0 and 1").max(1, "The share is between 0 and 1");

/** Which predictions a report reads: the last `hours`, or the last `last` predictions. */
export const windowSchema = z
  .object({
    hours: z.number().positive("hours is above 0").max(24 * 366, "hours is at most a year").optional(),
    last: z.number().int("last is a whole number").min(1, "last is at least 1").max(10_000_000, "last is at most 10,000,000").optional(),
  })
  .strict()
  .refine((w) => !(w.hours !== undefined && w.last !== undefined), "Give either hours or last, not both");

export const PERFORMANCE_METRICS = ["accuracy", "mae"] as const;

export const monitorConfigSchema = z
  .object({
    window: windowSchema.default({ hours: 24 }),
    /** Which version's predictions and profile: the champion (default), one version number, or every version against the champion's profile. */
    version: z.union([z.literal("champion"), z.literal("all"), z.number().int().min(1)]).default("champion"),
    test: testName.optional(),
    threshold: threshold.optional(),
    per_column: z.record(z.string(), z.object({ test: testName.optional(), threshold: threshold.optional() }).strict()).default({}),
    dataset_drift_share: share.default(0.5),
    min_rows: z.number().int().min(1, "min_rows is at least 1").max(1_000_000).default(30),
    performance: z
      .object({
        /** accuracy for classification, mae (mean absolute error) for regression; chosen from the task when absent. */
        metric: z.enum(PERFORMANCE_METRICS).optional(),
        /** accuracy: drop in points (0.05 = 5 points); mae: relative rise (0.1 = 10% worse). */
        max_drop: z.number().min(0, "max_drop is 0 or more").max(10).default(0.05),
        min_labels: z.number().int().min(1).max(1_000_000).default(30),
      })
      .strict()
      .default({ max_drop: 0.05, min_labels: 30 }),
  })
  .strict();

export const retrainPolicySchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Consecutive reports that must show the condition. */
    consecutive: z.number().int("consecutive is a whole number").min(1, "consecutive is at least 1").max(100, "consecutive is at most 100").default(3),
    /** dataset_drift, performance (a drop beyond max_drop), or either. */
    on: z.enum(["dataset_drift", "performance", "either"]).default("either"),
    /** Pipeline (id or name) to run; otherwise the model's own last training spec on the newest dataset version. */
    pipeline: z.string().trim().min(1).max(200).optional(),
    /** Add the labelled predictions of the window to the training data (fallback training only). */
    include_feedback: z.boolean().default(true),
    /** Start an A/B test of the challenger against the champion once it is registered. */
    ab_test: z
      .object({ enabled: z.boolean().default(false), challenger_weight: z.number().int().min(1).max(99).default(10), min_samples: z.number().int().min(1).optional() })
      .strict()
      .default({ enabled: false, challenger_weight: 10 }),
  })
  .strict();

export const cronSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .superRefine((expr, ctx) => {
    try {
      CronExpressionParser.parse(expr, { tz: "UTC" });
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `Not a cron expression (minute hour day month weekday, UTC): ${(err as Error).message}` });
    }
  });

export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((u) => {
    try {
      const url = new URL(u);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  }, "The webhook URL is an http:// or https:// address");

/** PUT body of a monitor; absent fields keep their stored value, null clears schedule and webhook. */
export const monitorInputSchema = z
  .object({
    schedule: cronSchema.nullable().optional(),
    config: monitorConfigSchema.optional(),
    retrain_policy: retrainPolicySchema.optional(),
    webhook_url: webhookUrlSchema.nullable().optional(),
    webhook_secret: z.string().min(16, "Use a webhook secret of at least 16 characters").max(500).nullable().optional(),
  })
  .strict();

export type MonitorConfig = z.output<typeof monitorConfigSchema>;
export type RetrainPolicy = z.output<typeof retrainPolicySchema>;
export type ReportWindow = z.output<typeof windowSchema>;
export type MonitorInput = z.input<typeof monitorInputSchema>;

/** Stored JSON read back; anything unreadable falls back to the defaults rather than failing a report. */
export function readConfig(json: unknown): MonitorConfig {
  const r = monitorConfigSchema.safeParse(json ?? {});
  return r.success ? r.data : monitorConfigSchema.parse({});
}

export function readPolicy(json: unknown): RetrainPolicy {
  const r = retrainPolicySchema.safeParse(json ?? {});
  return r.success ? r.data : retrainPolicySchema.parse({});
}
