// The `train` job: the web process validates and enqueues, a worker runs runTraining.
import { requireRole, type Actor } from "../auth";
import { getDatasetVersion } from "../datasets";
import { AppError, invalid } from "../errors";
import { enqueue, PermanentJobError, type JobContext, type JobInfo } from "../jobs";
import { runTraining, TrainingFailedError, type TrainingResult } from "./run";
import { parseSpec, trainJobSpecSchema, type TrainJobSpec } from "./spec";

export const TRAIN_JOB = "train";

/**
 * Checks what can be checked without training (spec, dataset version, target column) so that bad
 * input is a 4xx that changes nothing, then queues the job.
 */
export async function enqueueTraining(actor: Actor, input: unknown): Promise<{ job: JobInfo; spec: TrainJobSpec }> {
  requireRole(actor, "editor");
  const spec = parseSpec(trainJobSpecSchema, input);
  const version = await getDatasetVersion(spec.dataset.name, spec.dataset.version);
  if (!version.schema.some((c) => c.name === spec.target)) {
    throw invalid(`Target column '${spec.target}' does not exist in dataset '${version.datasetName}'; columns are: ${version.schema.map((c) => c.name).join(", ")}`);
  }
  // Pin "latest" to the version seen now: the run trains on what the person chose, even if a new version lands meanwhile.
  const pinned: TrainJobSpec = { ...spec, dataset: { name: spec.dataset.name, version: version.version } };
  // Two attempts: a worker that dies mid-training gets one retry; a training that failed is not retried (see the handler).
  const job = await enqueue(TRAIN_JOB, { spec: pinned, requestedBy: actor.label }, { createdById: actor.userId, maxAttempts: 2 });
  return { job, spec: pinned };
}

/** Job result: what the Jobs page and API clients need to find the run and the model version. */
export interface TrainJobResult {
  run_id: string;
  experiment_id: string;
  family: string;
  task: string;
  test_metrics: Record<string, number>;
  model_version: { name: string; version: number; alias: string | null } | null;
}

export async function trainJobHandler(ctx: JobContext): Promise<TrainJobResult> {
  const payload = (ctx.job.payload ?? {}) as { spec?: unknown };
  let spec: TrainJobSpec;
  try {
    spec = parseSpec(trainJobSpecSchema, payload.spec);
  } catch (err) {
    throw new PermanentJobError((err as Error).message);
  }
  let result: TrainingResult;
  try {
    result = await runTraining(spec, {
      actor: null,
      signal: ctx.signal,
      onProgress: (fraction, message) => ctx.progress(fraction, message),
      tags: { "mlops.job_id": ctx.job.id },
    });
  } catch (err) {
    // A run that failed recorded its error; retrying would only add another failed run. Bad input never heals.
    if (err instanceof TrainingFailedError) throw new PermanentJobError(`${err.message} (run ${err.runId})`);
    if (err instanceof AppError && (err.code === "invalid" || err.code === "not_found")) throw new PermanentJobError(err.message);
    throw err;
  }
  return {
    run_id: result.runId,
    experiment_id: result.experimentId,
    family: result.family,
    task: result.task,
    test_metrics: result.testMetrics,
    model_version: result.modelVersion ? { name: result.modelVersion.name, version: result.modelVersion.version, alias: result.modelVersion.alias } : null,
  };
}
