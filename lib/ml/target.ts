// The target column: label encoding (classification) or standardisation (regression), fitted on training rows.
import { z } from "zod";
import { invalid } from "../errors";
import { isNumericColumn, type Column } from "./table";

export type Task = "classification" | "regression";

export type TargetEncoder =
  | { readonly task: "classification"; readonly name: string; readonly classes: readonly string[] }
  /** Networks train on (y − mean) / std so the learning rate means the same for any target scale. */
  | { readonly task: "regression"; readonly name: string; readonly mean: number; readonly std: number };

export const targetEncoderSchema = z.discriminatedUnion("task", [
  z.object({ task: z.literal("classification"), name: z.string(), classes: z.array(z.string()).min(2) }),
  z.object({ task: z.literal("regression"), name: z.string(), mean: z.number(), std: z.number().positive() }),
]);

/** Integer columns with at most this many distinct values are taken as classes unless the task is given. */
const MAX_INTEGER_CLASSES = 20;

export function inferTask(col: Column): Task {
  if (!isNumericColumn(col)) return "classification";
  if (col.type === "boolean") return "classification";
  if (col.type === "datetime") throw invalid(`Target '${col.name}' is a datetime column; choose a numeric or categorical target`);
  if (col.type === "integer") {
    const distinct = new Set<number>();
    for (const v of col.values) if (!Number.isNaN(v) && distinct.add(v).size > MAX_INTEGER_CLASSES) return "regression";
    return "classification";
  }
  return "regression";
}

/** The target as label strings (classification), null where missing. */
export function targetLabels(col: Column): (string | null)[] {
  if (!isNumericColumn(col)) return col.values.map((v) => (v === null || v === "" ? null : v));
  return Array.from(col.values, (v) => (Number.isNaN(v) ? null : String(v)));
}

/** Rows whose target is present. */
export function rowsWithTarget(col: Column): Int32Array {
  const keep: number[] = [];
  if (isNumericColumn(col)) col.values.forEach((v, i) => Number.isNaN(v) || keep.push(i));
  else col.values.forEach((v, i) => v === null || v === "" || keep.push(i));
  return Int32Array.from(keep);
}

export function fitTarget(col: Column, task: Task): TargetEncoder {
  if (task === "classification") {
    const labels = new Set(targetLabels(col).filter((v): v is string => v !== null));
    // Sorted like scikit-learn's LabelEncoder: numerically for numeric columns, by code unit otherwise.
    const classes = isNumericColumn(col)
      ? [...labels].sort((a, b) => Number(a) - Number(b))
      : [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (classes.length < 2) {
      throw invalid(`Target '${col.name}' has ${classes.length === 0 ? "no values" : `a single class '${classes[0]}'`}; classification needs at least two classes`);
    }
    return { task, name: col.name, classes };
  }
  if (!isNumericColumn(col) || col.type === "boolean" || col.type === "datetime") {
    throw invalid(`Target '${col.name}' is ${col.type}; regression needs a numeric target`);
  }
  let n = 0;
  let sum = 0;
  for (const v of col.values) {
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
  }
  if (n === 0) throw invalid(`Target '${col.name}' has no values`);
  const mean = sum / n;
  let ss = 0;
  for (const v of col.values) if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
  const std = Math.sqrt(ss / n);
  if (!(std > 0)) throw invalid(`Target '${col.name}' is constant (${mean}); there is nothing to learn`);
  return { task, name: col.name, mean, std };
}

/**
 * Encoded target: class index (classification) or standardised value (regression).
 * Classes unseen in training encode as -1 (a test set may hold them; metrics count them as errors).
 */
export function encodeTarget(enc: TargetEncoder, col: Column): Float64Array {
  const n = col.values.length;
  const y = new Float64Array(n);
  if (enc.task === "classification") {
    const index = new Map(enc.classes.map((c, i) => [c, i]));
    targetLabels(col).forEach((v, i) => (y[i] = v === null ? NaN : (index.get(v) ?? -1)));
    return y;
  }
  if (!isNumericColumn(col)) throw invalid(`Target '${col.name}' must be numeric for regression`);
  for (let i = 0; i < n; i++) y[i] = (col.values[i]! - enc.mean) / enc.std;
  return y;
}
