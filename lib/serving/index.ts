// Model serving: predict routes (own protocol, KServe V1, Open Inference Protocol V2), the model and
// alias caches behind them, API-key auth with a per-key rate limit, the prediction log and feedback,
// and batch scoring.
export { SERVING_ROUTE_TEMPLATES, servingRoute } from "./http";
export { predict, predictNow, type PredictInput, type PredictOutcome } from "./predict";
export { compileEncoder, type Encoder, type RowProblem } from "./encode";
export { flushPredictionLog, predictionLog } from "./log";
export { recordFeedback, feedbackInput, type FeedbackRecord } from "./feedback";
export { ALIAS_TTL_MS, clearResolveCache } from "./resolve";
export { clearServedVersions, servedVersion, type ServedModel } from "./served";
export { clearServingAuth, KEY_TTL_MS } from "./auth";
export {
  BATCH_JOB,
  batchScoreJobHandler,
  getBatchScoring,
  listBatchScorings,
  openBatchOutput,
  startBatchScoring,
  type BatchInfo,
} from "./batch";
export { servingApi } from "./openapi";
