// Experiment tracking: experiments, runs, params, metrics, tags, artifacts and run search.
export * from "./types";
export * from "./schemas";
export {
  archiveExperiment,
  createExperiment,
  deleteExperimentTag,
  ensureDefaultExperiment,
  experimentArtifactLocation,
  getExperiment,
  getExperimentByName,
  listExperiments,
  renameExperiment,
  restoreExperiment,
  setExperimentTags,
} from "./experiments";
export {
  createRun,
  deleteRun,
  getRun,
  getRunInfo,
  getRunLineage,
  getRuns,
  listChildRuns,
  restoreRun,
  updateRun,
  GIT_COMMIT_TAG,
  PARENT_RUN_TAG,
  RUN_NAME_TAG,
} from "./runs";
export { deleteRunTag, logBatch, logMetric, logParam, setRunTags, type LogBatchResult } from "./logging";
export { downsample, getMetricHistories, getMetricHistory, listMetricKeys, listParamKeys } from "./metrics";
export { countRuns, searchRuns, searchTuning } from "./search";
export { compareMetricHistories, listColumnKeys, sampleMetricHistories } from "./history-sample";
export { clearSampleCache, sampleCacheStats } from "./history-cache";
export {
  deleteRunArtifact,
  listRunArtifacts,
  openRunArtifact,
  readRunArtifact,
  storePathOfUri,
  uploadRunArtifact,
  TRACKING_ARTIFACT_ROOT,
} from "./artifacts";
export { generateRunName } from "./names";
export { lttb, pointsForDrawing } from "./lttb";
export { matchesFilter, parseFilter, parseOrderBy, RUN_FILTER_SPEC, type Comparison, type FilterSpec, type OrderTerm } from "./filter";
export { decodePageToken, encodePageToken } from "./paging";
export { artifactListQuery, experimentsQuery, trackingApi } from "./api";
export {
  createLoggedModel,
  deleteLoggedModel,
  deleteLoggedModelTag,
  finalizeLoggedModel,
  getLoggedModel,
  linkModelVersion,
  logLoggedModelParams,
  requireLoggedModelInExperiment,
  searchLoggedModels,
  setLoggedModelTags,
  LOGGED_MODEL_STATUSES,
  MODEL_VERSIONS_TAG,
  type LoggedModel,
  type LoggedModelMetric,
  type LoggedModelStatus,
} from "./logged-models";
export { getRunIO, logRunInputs, logRunOutputs, type DatasetInputRecord, type RunIO } from "./run-io";
