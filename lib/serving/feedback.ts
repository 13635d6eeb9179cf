// Outcomes joined to predictions: a ground-truth label, a conversion (0/1) or a numeric outcome, for
// one prediction (by id) or for every prediction of a unit (by unit id).
import { z } from "zod";
import type { Actor } from "../auth";
import { db, newId } from "../db";
import { notFound } from "../errors";
import { parseWith } from "../http";
import { flushPredictionLog } from "./log";

export const feedbackInput = z
  .object({
    prediction_id: z.string().min(1).max(200).optional(),
    unit_id: z.string().min(1).max(200).optional(),
    value: z.union([z.number().finite(), z.string().min(1).max(1000), z.boolean()], {
      error: "value must be a number (outcome, conversion 0/1), a label (string) or a boolean",
    }),
  })
  .strict()
  .refine((v) => (v.prediction_id === undefined) !== (v.unit_id === undefined), {
    message: "Send exactly one of prediction_id and unit_id",
  });

export interface FeedbackRecord {
  id: string;
  prediction_id: string | null;
  unit_id: string | null;
  value: number | string | boolean;
  created_at: string;
}

/** Looks a prediction up; one that may still sit in the log buffer is written first. */
async function findPrediction(where: { id: string } | { unitId: string }): Promise<{ id: string; unitId: string | null } | null> {
  const read = () => db().predictionLog.findFirst({ where, select: { id: true, unitId: true } });
  const row = await read();
  if (row) return row;
  await flushPredictionLog();
  return read();
}

export async function recordFeedback(_actor: Actor, input: unknown): Promise<FeedbackRecord> {
  const data = parseWith(feedbackInput, input, "feedback");
  let predictionId: string | null = null;
  let unitId: string | null = null;
  if (data.prediction_id !== undefined) {
    const p = await findPrediction({ id: data.prediction_id });
    if (!p) throw notFound("Prediction", data.prediction_id);
    predictionId = p.id;
    unitId = p.unitId;
  } else {
    const p = await findPrediction({ unitId: data.unit_id! });
    if (!p) throw notFound("Prediction for unit", data.unit_id);
    unitId = data.unit_id!;
  }
  const v = data.value;
  const numericValue = typeof v === "number" ? v : typeof v === "boolean" ? (v ? 1 : 0) : null;
  const row = await db().feedback.create({
    data: { id: newId(), predictionId, unitId, value: JSON.stringify(v), numericValue },
  });
  return { id: row.id, prediction_id: predictionId, unit_id: unitId, value: v, created_at: row.createdAt.toISOString() };
}
