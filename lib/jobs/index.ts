export * from "./types";
export {
  backoffMs,
  cancelJob,
  claim,
  complete,
  enqueue,
  fail,
  getJob,
  heartbeat,
  jobCounts,
  listJobs,
  markCancelled,
  reapExpiredLeases,
  release,
  reportProgress,
} from "./queue";
export { PermanentJobError, WorkerRunner, type RunnerOptions } from "./runner";
export { MAINTENANCE_JOB, runCleanup, type CleanupResult, type CleanupStep } from "./maintenance";
export {
  getPredictionRetention,
  MAX_RETENTION_DAYS,
  PREDICTION_RETENTION_KEY,
  predictionRetentionInput,
  setPredictionRetention,
  type PredictionRetention,
} from "./retention";
