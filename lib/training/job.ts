// The `train` job: the web process validates and enqueues, a worker runs runTraining.
import { requireRole, type Actor } from "../auth";
import { getDatasetVersion } from "../datasets";
import { AppError, invalid } from "../errors";
import { enqueue, PermanentJobError, type JobContext, type JobInfo } from "../jobs";
import type { Task } from "../ml";
import { searchRuns, setRunTags, updateRun, type Run } from "../tracking";
import { registerVersion, testMetricKey, versionOfRun } from "./register";
import { runTraining, TAGS, TrainingFailedError, type TrainingOptions, type TrainingResult } from "./run";
import { dropFoldsUnderSearch, parseSpec, trainJobSpecSchema, type TrainJobSpec } from "./spec";

export const TRAIN_JOB = "train";
/** A training with a search (`hpo`): its trials are `hpo.trial` jobs, this job waits for them and refits. */
export const TRAIN_SEARCH_JOB = "train.search";
/** Run tag naming the job that trained the run: how a retried attempt finds what earlier ones left. */
export const JOB_ID_TAG = "mlops.job_id";

export const TRAIN_MAX_ATTEMPTS = 6;

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
  // A worker that dies mid-training (killed, node lost) is retried, up to 5 times: a retry resumes
  // from what earlier attempts left (see the handler). A training that failed is not retried.
  // A search waits for its trial jobs in the workers' orchestration lane (docs/hpo.md).
  const type = pinned.hpo ? TRAIN_SEARCH_JOB : TRAIN_JOB;
  const job = await enqueue(type, { spec: pinned, requestedBy: actor.label }, { createdById: actor.userId, maxAttempts: TRAIN_MAX_ATTEMPTS });
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
  /** A search's study and parent run (`train.search` jobs). */
  search?: { study_id: string; parent_run_id: string; best_trial: number; best_value: number };
}

export async function trainJobHandler(ctx: JobContext): Promise<TrainJobResult> {
  const spec = jobSpec(ctx);
  const resumed = await settleEarlierAttempts(ctx.job, spec);
  if (resumed) return resumed;
  let result: TrainingResult;
  try {
    result = await runTraining(spec, jobTrainingOptions(ctx));
  } catch (err) {
    throw jobError(err);
  }
  return trainJobResult(result);
}

export function jobSpec(ctx: JobContext): TrainJobSpec {
  const payload = (ctx.job.payload ?? {}) as { spec?: unknown };
  try {
    return parseSpec(trainJobSpecSchema, dropFoldsUnderSearch(payload.spec, "hpo"));
  } catch (err) {
    throw new PermanentJobError((err as Error).message);
  }
}

export function jobTrainingOptions(ctx: JobContext): TrainingOptions {
  return {
    actor: null,
    signal: ctx.signal,
    onProgress: (fraction, message) => ctx.progress(fraction, message),
    tags: { [JOB_ID_TAG]: ctx.job.id, ...(ctx.job.attempts > 1 ? { "mlops.job_attempt": String(ctx.job.attempts) } : {}) },
  };
}

/** A run that failed recorded its error; retrying would only add another failed run. Bad input never heals. */
export function jobError(err: unknown): unknown {
  if (err instanceof TrainingFailedError) return new PermanentJobError(`${err.message} (run ${err.runId})`);
  if (err instanceof AppError && (err.code === "invalid" || err.code === "not_found")) return new PermanentJobError(err.message);
  return err;
}

export function trainJobResult(result: TrainingResult): TrainJobResult {
  return {
    run_id: result.runId,
    experiment_id: result.experimentId,
    family: result.family,
    task: result.task,
    test_metrics: result.testMetrics,
    model_version: result.modelVersion ? { name: result.modelVersion.name, version: result.modelVersion.version, alias: result.modelVersion.alias } : null,
  };
}

/**
 * A retried attempt (the worker of an earlier one died: SIGKILL, out of memory, a lost node) first
 * looks at the runs earlier attempts left. A run that got as far as its model version is finished
 * instead of trained again, so a job registers one version however often it is retried; runs a dead
 * worker left RUNNING are marked KILLED, so the job ends with exactly one FINISHED run.
 */
async function settleEarlierAttempts(job: JobInfo, spec: TrainJobSpec): Promise<TrainJobResult | null> {
  if (job.attempts <= 1) return null;
  const runs = (await searchRuns({ filter: `tags.\`${JOB_ID_TAG}\` = '${job.id.replace(/'/g, "''")}'`, view: "all", maxResults: 1000 })).items;
  // A search's runs (parent, trials, refit) are not one training's run: it starts over, and only the
  // runs its dead attempt left RUNNING are closed.
  for (const run of spec.hpo ? [] : runs) {
    const registered = spec.register ? await versionOfRun(spec.register.name, run.id) : null;
    if (registered || (run.status === "FINISHED" && !spec.register)) return finishEarlierRun(run, spec, registered);
  }
  for (const run of runs.filter((r) => r.status === "RUNNING")) {
    await setRunTags(null, run.id, { [TAGS.error]: `Its worker stopped before the run ended; job ${job.id} was retried (attempt ${job.attempts})` });
    await updateRun(null, run.id, { status: "KILLED" });
  }
  return null;
}

export async function finishEarlierRun(run: Run, spec: TrainJobSpec, registered: { source: string; signature: unknown } | null): Promise<TrainJobResult> {
  const family = run.tags[TAGS.family] ?? spec.family;
  const task = run.tags[TAGS.task] as Task;
  const testMetrics = testMetricsOfRun(run);
  let version: TrainJobResult["model_version"] = null;
  if (spec.register && registered) {
    // Registering again is idempotent per run: it completes an alias step the dead worker may have missed.
    const reg = await registerVersion(null, spec.register, { runId: run.id, source: registered.source, signature: registered.signature, task, family, testMetrics });
    await setRunTags(null, run.id, { [TAGS.registered]: `${reg.name}:v${reg.version}` });
    version = { name: reg.name, version: reg.version, alias: reg.alias };
  }
  if (run.status !== "FINISHED") await updateRun(null, run.id, { status: "FINISHED" });
  return { run_id: run.id, experiment_id: run.experimentId, family, task, test_metrics: testMetrics, model_version: version };
}

/** The test metrics a finished training logged on its run (`test_accuracy` → `accuracy`). */
export function testMetricsOfRun(run: Run): Record<string, number> {
  const prefix = testMetricKey("");
  return Object.fromEntries(
    Object.entries(run.metrics)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v.value]),
  );
}
