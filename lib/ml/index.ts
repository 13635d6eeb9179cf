// Public API of lib/ml: preprocessing, model families, metrics, the model format and the training pipeline.
// Scoring (loadModel, predict) never loads TensorFlow.js; only fitting a tf-backed family does.
import type { BackendName } from "./backend";

export type { BackendName };
export type { Column, ColumnType, NumericColumn, Row, StringColumn, Table } from "./table";
export { findColumn, isNumericColumn, takeRows } from "./table";
export { createRng, deriveSeed, permutation, shuffleInPlace, type Rng } from "./random";
export { splitIndices, type SplitIndices, type SplitOptions } from "./split";
export {
  featureBlocks,
  fitPreprocessor,
  OTHER,
  preprocessOptionsSchema,
  preprocessorFromJSON,
  preprocessorToJSON,
  signature,
  transform,
  type CategoricalStep,
  type FeatureSpec,
  type FeatureStep,
  type Matrix,
  type NumericStep,
  type PreprocessOptions,
  type PreprocessorState,
} from "./preprocess";
export { encodeTarget, fitTarget, inferTask, type Task, type TargetEncoder } from "./target";
export {
  accuracy,
  argmaxRows,
  balancedAccuracy,
  binaryAuc,
  CLASSIFICATION_METRICS,
  classificationMetrics,
  confusionMatrix,
  f1Macro,
  HIGHER_IS_BETTER,
  logLoss,
  mae,
  r2,
  REGRESSION_METRICS,
  regressionMetrics,
  rmse,
  rocAuc,
  type ClassificationMetrics,
  type MetricName,
  type RegressionMetrics,
} from "./metrics";
export { permutationImportance, type FeatureImportance, type ImportanceOptions } from "./importance";
export {
  FAMILIES,
  gbdtFamily,
  gbdtScorer,
  getFamily,
  linearFamily,
  linearParamsSchema,
  mlpFamily,
  mlpParamsSchema,
  parseParams,
  TrainingDivergedError,
  type EpochReport,
  type FitOptions,
  type FittedModel,
  type GbdtFamilyParams,
  type LinearParams,
  type MlpParams,
  type ModelFamily,
  type ModelState,
  type Scorer,
  type TensorData,
  type TrainingSet,
} from "./families";
export { evaluateMatrix, evaluateModel, predict, predictMatrix, type Metrics, type Model, type ModelInfo, type Predictions, type TrainingInfo } from "./model";
export { loadModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, parseManifest, saveModel, sha256, type ModelManifest, type WeightFileEntry } from "./manifest";
export { trainModel, type TrainOptions, type TrainResult } from "./train";

/**
 * Initialises TensorFlow.js (tfjs-node, else WebAssembly, else CPU) and returns the backend's name, e.g. for
 * a worker to log at start. Loaded on demand so that importing lib/ml for scoring never loads TensorFlow.js.
 */
export async function initTrainingBackend(prefer?: BackendName): Promise<BackendName> {
  const { ensureBackend } = await import("./backend");
  return ensureBackend(prefer);
}
