// How long the prediction log (and the feedback joined to it) is kept: a workspace setting an admin
// changes at run time (REST, Settings page), stored in the Setting table and read by the cleanup job.
// Without it, the general retention applies (the `retention.days` setting, else RETENTION_DAYS).
import { z } from "zod";
import { requireRole, writeAudit, type Actor } from "../auth";
import { config } from "../config";
import { db, transaction } from "../db";
import { invalid } from "../errors";

export const PREDICTION_RETENTION_KEY = "retention.predictions.days";
/** The general retention (finished jobs, stopped workers, and predictions when no own setting). */
export const RETENTION_KEY = "retention.days";
export const MAX_RETENTION_DAYS = 3650;

export const predictionRetentionInput = z
  .object({
    days: z
      .number({ error: "days is a number of days, e.g. 30" })
      .int("days is a whole number of days")
      .min(1, "Keep predictions for at least 1 day")
      .max(MAX_RETENTION_DAYS, `Keep predictions for at most ${MAX_RETENTION_DAYS} days (10 years)`),
  })
  .strict();

export interface PredictionRetention {
  days: number;
  /** `setting`: set here; `default`: the general retention (`retention.days` setting or RETENTION_DAYS). */
  source: "setting" | "default";
  updatedAt: string | null;
}

/** A stored day count, or null when absent or not a whole number in range (then the fallback applies). */
function storedDays(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= MAX_RETENTION_DAYS ? n : null;
}

/** The general retention in days: the `retention.days` setting, else `fallbackDays` (RETENTION_DAYS). */
export async function generalRetentionDays(fallbackDays = config().RETENTION_DAYS): Promise<number> {
  const row = await db().setting.findUnique({ where: { key: RETENTION_KEY } });
  return storedDays(row?.value) ?? fallbackDays;
}

export async function getPredictionRetention(fallbackDays?: number): Promise<PredictionRetention> {
  const rows = await db().setting.findMany({ where: { key: { in: [PREDICTION_RETENTION_KEY, RETENTION_KEY] } } });
  const own = rows.find((r) => r.key === PREDICTION_RETENTION_KEY);
  const days = storedDays(own?.value);
  if (own && days !== null) return { days, source: "setting", updatedAt: own.updatedAt.toISOString() };
  const general = storedDays(rows.find((r) => r.key === RETENTION_KEY)?.value) ?? fallbackDays ?? config().RETENTION_DAYS;
  return { days: general, source: "default", updatedAt: null };
}

/** Sets the prediction log's retention (admins; audited with the previous value). Applies from the next cleanup. */
export async function setPredictionRetention(actor: Actor, input: z.input<typeof predictionRetentionInput>): Promise<PredictionRetention> {
  requireRole(actor, "admin");
  const parsed = predictionRetentionInput.safeParse(input);
  if (!parsed.success) throw invalid(`Invalid retention: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  const { days } = parsed.data;
  const before = await getPredictionRetention();
  const row = await transaction(async (tx) => {
    const saved = await tx.setting.upsert({
      where: { key: PREDICTION_RETENTION_KEY },
      create: { key: PREDICTION_RETENTION_KEY, value: String(days) },
      update: { value: String(days) },
    });
    await writeAudit(tx, actor, "settings.prediction_retention", { type: "setting", id: PREDICTION_RETENTION_KEY }, { days, previous: before.days, previous_source: before.source });
    return saved;
  });
  return { days, source: "setting", updatedAt: row.updatedAt.toISOString() };
}
