// Training as one pipeline (issue 4, part 3): the worker's `train` job and `mlops train` both call runTraining.
export { runTraining, candidateLabel, datasetNameFromPath, MODEL_ARTIFACT_DIR, TAGS as TRAINING_TAGS, TrainingFailedError, type TrainingOptions, type TrainingResult } from "./run";
export { defaultMetric, registerVersion, testMetricKey, versionFromRun, type RegisterRequest, type Registration } from "./register";
export {
  AUTO_FAMILY,
  DEFAULT_SEED,
  dropFoldsUnderSearch,
  familyChoices,
  METRIC_NAMES,
  parseSpec,
  refuseFoldsWithSearch,
  registerSchema,
  splitSchema,
  trainingSpecSchema,
  trainJobSpecSchema,
  type TrainingSpec,
  type TrainingSpecInput,
  type TrainJobSpec,
} from "./spec";
export { JOB_ID_TAG, TRAIN_JOB, TRAIN_SEARCH_JOB, enqueueTraining, testMetricsOfRun, trainJobHandler, type TrainJobResult } from "./job";
export { earlierSearchRuns, killLeftRunning, trainSearchJobHandler } from "./search-job";
export { SEARCH_TAG, type SearchOnWorkers } from "./search-workers";
export { trainingApi } from "./api";
export { REFIT_OF_TRIAL_TAG, TRAINING_OBJECTIVE, runTrainingSearch, trainingObjectiveFactory, type SearchResult, type SearchSummary } from "./search";
