// A trained model in memory: preprocessing, target encoding, family state and its plain scorer.
// Prediction and evaluation are plain functions over it; nothing here touches TensorFlow.js.
import { invalid } from "../errors";
import type { ModelState, Scorer } from "./families/types";
import type { FeatureImportance } from "./importance";
import { argmaxRows, classificationMetrics, regressionMetrics, type ClassificationMetrics, type RegressionMetrics } from "./metrics";
import { transform, type Matrix, type PreprocessorState } from "./preprocess";
import type { Row, Table } from "./table";
import { encodeTarget, type TargetEncoder } from "./target";

export interface TrainingInfo {
  /** TensorFlow.js backend (or "js" for families trained in plain TypeScript). */
  readonly backend: string;
  readonly seed: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly rows: { readonly train: number; readonly validation: number; readonly test: number };
  readonly durationMs: number;
}

export type Metrics = ClassificationMetrics | RegressionMetrics;

export interface ModelInfo {
  readonly family: string;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  readonly metrics: { readonly validation: Metrics | null; readonly test: Metrics | null };
  readonly importance: readonly FeatureImportance[] | null;
  readonly training: TrainingInfo;
  /** ISO 8601. */
  readonly createdAt: string;
}

export interface Model {
  readonly info: ModelInfo;
  readonly preprocessor: PreprocessorState;
  readonly target: TargetEncoder;
  readonly state: ModelState;
  readonly scorer: Scorer;
}

export type Predictions =
  | {
      readonly task: "classification";
      readonly classes: readonly string[];
      /** Most probable class per row. */
      readonly labels: string[];
      /** rows × classes, row-major. */
      readonly probabilities: Float64Array;
    }
  | { readonly task: "regression"; readonly values: Float64Array };

/** Predictions for a table or for row objects (the serving layer's JSON rows). */
export function predict(model: Model, input: Table | readonly Row[]): Predictions {
  return predictMatrix(model, transform(model.preprocessor, input));
}

/** Predictions for rows already preprocessed with the model's preprocessor. */
export function predictMatrix(model: Model, X: Matrix): Predictions {
  const raw = model.scorer.scoreBatch(X.data, X.rows);
  const target = model.target;
  if (target.task === "regression") {
    const values = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) values[i] = raw[i]! * target.std + target.mean;
    return { task: "regression", values };
  }
  const labels = Array.from(argmaxRows(raw, target.classes.length), (c) => target.classes[c]!);
  return { task: "classification", classes: target.classes, labels, probabilities: raw };
}

/** Metrics of the model on a labelled table (rows with a missing target are skipped). */
export function evaluateModel(model: Model, table: Table): Metrics {
  const col = table.columns.find((c) => c.name === model.target.name);
  if (!col) throw invalid(`Table has no target column '${model.target.name}'`);
  const y = encodeTarget(model.target, col);
  return evaluateMatrix(model, transform(model.preprocessor, table), y);
}

/** Metrics from preprocessed rows and the encoded target (class index, or standardised value); NaN targets skipped. */
export function evaluateMatrix(model: Model, X: Matrix, y: Float64Array): Metrics {
  const keep: number[] = [];
  y.forEach((v, i) => Number.isNaN(v) || keep.push(i));
  const Xk = keep.length === X.rows ? X : selectRows(X, keep);
  const yk = keep.length === y.length ? y : Float64Array.from(keep, (i) => y[i]!);
  const p = predictMatrix(model, Xk);
  if (p.task === "classification") return classificationMetrics(yk, p.probabilities, p.classes.length);
  const target = model.target as Extract<TargetEncoder, { task: "regression" }>;
  return regressionMetrics(
    yk.map((v) => v * target.std + target.mean),
    p.values,
  );
}

export function selectRows(X: Matrix, rows: ArrayLike<number>): Matrix {
  const data = new Float32Array(rows.length * X.cols);
  for (let i = 0; i < rows.length; i++) data.set(X.data.subarray(rows[i]! * X.cols, (rows[i]! + 1) * X.cols), i * X.cols);
  return { data, rows: rows.length, cols: X.cols };
}
