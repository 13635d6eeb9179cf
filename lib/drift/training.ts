// The reference profile a training run stores next to its model: every feature column of the
// training data and the model's predictions on it (prediction drift compares against that column).
import type { Predictions, Table } from "../ml";
import { buildReferenceProfile, type ReferenceProfile } from "./profile";
import type { ColumnInput } from "./types";

/** Run artifact holding the profile (relative to the run's artifact root). */
export const PROFILE_ARTIFACT = "drift/profile.json";
/** Profile column holding the model's predictions: a name no feature can have (schema names are plain). */
export const PREDICTION_COLUMN = "@prediction";

/**
 * Profile of a training table without its target, plus the model's predictions on every row
 * (labels for classification, values for regression). Predictions are passed in so that this
 * module, and the CLI that imports lib/drift, never load lib/ml.
 */
export function trainingProfile(table: Table, target: string, p: Predictions): ReferenceProfile {
  const columns: ColumnInput[] = [];
  for (const c of table.columns) {
    if (c.name === target) continue;
    // Booleans are 0/1 in the table and true/false in requests: both read as numbers (window.ts maps them).
    if (c.type !== "categorical" && c.type !== "text") columns.push({ name: c.name, values: c.values, type: "numeric" });
    else columns.push({ name: c.name, values: c.values, type: "categorical" });
  }
  columns.push(
    p.task === "classification"
      ? { name: PREDICTION_COLUMN, values: p.labels, type: "categorical" }
      : { name: PREDICTION_COLUMN, values: p.values, type: "numeric" },
  );
  return buildReferenceProfile(columns);
}
