// Running a pipeline: every trigger (manual, schedule, new dataset version, drift) queues one
// `pipeline.run` job (`pipeline.search` with a search step); the worker trains through lib/training,
// applies the evaluation gate, registers and promotes per the policy, and records the outcome in
// PipelineRun.
import { requireRole, writeAudit, type Actor } from "../auth";
import { getDatasetVersion, type DatasetVersionDetail } from "../datasets";
import { db, newId, transaction } from "../db";
import { AppError } from "../errors";
import { enqueue, PermanentJobError, type JobContext, type JobInfo } from "../jobs";
import { HIGHER_IS_BETTER, type MetricName } from "../ml";
import { logger } from "../observability";
import { getRun, readRunArtifact, setRunTags } from "../tracking";
import {
  dropFoldsUnderSearch,
  JOB_ID_TAG,
  MODEL_ARTIFACT_DIR,
  parseSpec,
  runTraining,
  runTrainingSearch,
  TRAINING_TAGS,
  TrainingFailedError,
  trainingSpecSchema,
  type TrainingOptions,
} from "../training";
import { pipelineDefinitionSchema, type PipelineDefinition } from "./definition";
import { datasetVersionBySha, findPipelineRow, isPermanent, readStored } from "./pipelines";
import { registerForPipeline } from "./register";
import { settleEarlierAttempt, trainedOf, type Trained } from "./resume";
import { toRunInfo } from "./rows";
import type { GateOutcome, PipelineRunInfo, PipelineSearchSummary, PipelineTrigger } from "./types";

export const PIPELINE_JOB = "pipeline.run";
/**
 * A run whose definition has a search step: its trials are `hpo.trial` jobs on any worker and the run
 * only waits for them, so workers serve it in an orchestration lane (as `train.search`).
 */
export const PIPELINE_SEARCH_JOB = "pipeline.search";

export interface RunPipelineOptions {
  /** Why it runs, shown in the run history ("drift on model X", "manual"). */
  reason?: string;
  /** Who asks (role editor); absent or null for the system (scheduler, drift monitor). */
  actor?: Actor | null;
  trigger?: PipelineTrigger;
  /** Train on this version of the dataset instead of resolving the definition's (dataset trigger). */
  datasetVersion?: number;
}

interface PipelineJobPayload {
  pipelineRunId: string;
  pipelineId: string;
  pipelineName: string;
  /** The definition as it was when the run was queued: editing a pipeline does not change queued runs. */
  definition: PipelineDefinition;
  datasetVersion?: number;
}

/**
 * Queues a run of a pipeline now (by id or name) and returns its history entry and job. The
 * pipeline's `enabled` flag gates only the automatic triggers (schedule, dataset); callers such as
 * the drift monitor decide themselves whether to call this.
 */
export async function runPipelineNow(
  pipelineId: string,
  opts: RunPipelineOptions = {},
): Promise<{ pipelineRun: PipelineRunInfo; job: JobInfo }> {
  const actor = opts.actor ?? null;
  if (actor) requireRole(actor, "editor");
  const trigger = opts.trigger ?? (actor ? "manual" : "api");
  const reason = opts.reason?.trim().slice(0, 500) || null;
  const row = await findPipelineRow(pipelineId);
  const { definition } = readStored(row);
  const runId = newId();
  const payload: PipelineJobPayload = {
    pipelineRunId: runId,
    pipelineId: row.id,
    pipelineName: row.name,
    definition,
    ...(opts.datasetVersion ? { datasetVersion: opts.datasetVersion } : {}),
  };
  // The history row exists before the job, so the worker always finds it.
  await transaction(async (tx) => {
    await tx.pipelineRun.create({ data: { id: runId, pipelineId: row.id, trigger, reason, createdById: actor?.userId ?? null } });
    await writeAudit(tx, actor, "pipeline.run", { type: "pipeline", id: row.id }, { name: row.name, trigger, reason, pipeline_run_id: runId }, `pipeline:${trigger}`);
  });
  let job: JobInfo;
  try {
    // Two attempts, as for `train`: a worker that dies mid-run is replaced once.
    job = await enqueue(definition.search ? PIPELINE_SEARCH_JOB : PIPELINE_JOB, payload, { createdById: actor?.userId ?? null, maxAttempts: 2 });
  } catch (err) {
    await db().pipelineRun.deleteMany({ where: { id: runId } });
    throw err;
  }
  const run = await db().pipelineRun.update({ where: { id: runId }, data: { jobId: job.id } });
  return { pipelineRun: toRunInfo(run), job };
}

export async function listPipelineRuns(
  pipelineRef: string,
  opts: { limit?: number; offset?: number } = {},
): Promise<{ runs: PipelineRunInfo[]; total: number }> {
  const row = await findPipelineRow(pipelineRef);
  const where = { pipelineId: row.id };
  const [rows, total] = await Promise.all([
    db().pipelineRun.findMany({
      where,
      orderBy: { createdAt: "desc" },
      take: Math.min(Math.max(opts.limit ?? 50, 1), 500),
      skip: Math.max(opts.offset ?? 0, 0),
    }),
    db().pipelineRun.count({ where }),
  ]);
  return { runs: rows.map(toRunInfo), total };
}

async function resolveData(def: PipelineDefinition, pinned: number | undefined): Promise<DatasetVersionDetail> {
  if (pinned) return getDatasetVersion(def.dataset.name, pinned);
  const v = def.dataset.version;
  if (v === "latest" || typeof v === "number") return getDatasetVersion(def.dataset.name, v);
  return datasetVersionBySha(def.dataset.name, v);
}

export function evaluateGate(gate: PipelineDefinition["gate"], testMetrics: Record<string, number>): GateOutcome | null {
  if (!gate) return null;
  const value = testMetrics[gate.metric];
  const ok = value !== undefined && Number.isFinite(value) && (gate.min === undefined || value >= gate.min) && (gate.max === undefined || value <= gate.max);
  return { metric: gate.metric, min: gate.min ?? null, max: gate.max ?? null, value: value ?? null, passed: ok };
}

function gateText(g: GateOutcome): string {
  const bounds = [g.min !== null ? `≥ ${g.min}` : null, g.max !== null ? `≤ ${g.max}` : null].filter(Boolean).join(" and ");
  return `test ${g.metric} ${g.value === null ? "is missing" : g.value.toPrecision(4)}; the gate asks ${bounds}`;
}

/** Job result, also what `mlops pipelines run --wait` prints. */
export interface PipelineJobResult {
  pipeline: string;
  pipeline_run_id: string;
  state: "succeeded" | "gated";
  run_id: string;
  dataset: string;
  test_metrics: Record<string, number>;
  gate: GateOutcome | null;
  model_version: { name: string; version: number; alias: string | null } | null;
  /** With `search`: the study behind the run (the refit of its best trial). */
  search: PipelineSearchSummary | null;
}

/** Runs a pipeline in the job's own process (a search step's trials one after another). */
export function pipelineJobHandler(ctx: JobContext): Promise<PipelineJobResult> {
  return runPipelineJob(ctx, false);
}

/** Runs a pipeline whose search step's trials are spread over the workers as `hpo.trial` jobs. */
export function pipelineSearchJobHandler(ctx: JobContext): Promise<PipelineJobResult> {
  return runPipelineJob(ctx, true);
}

async function runPipelineJob(ctx: JobContext, onWorkers: boolean): Promise<PipelineJobResult> {
  const p = (ctx.job.payload ?? {}) as Partial<PipelineJobPayload>;
  const parsed = pipelineDefinitionSchema.safeParse(dropFoldsUnderSearch(p.definition, "search"));
  if (!p.pipelineRunId || !p.pipelineName || !parsed.success) throw new PermanentJobError("The pipeline job's payload is not a pipeline run");
  const def = parsed.data;
  const runRowId = p.pipelineRunId;
  const log = logger().child({ pipeline: p.pipelineName, pipelineRunId: runRowId });
  const update = (data: Parameters<ReturnType<typeof db>["pipelineRun"]["updateMany"]>[0]["data"]) =>
    db().pipelineRun.updateMany({ where: { id: runRowId }, data });

  await update({ state: "running", startedAt: new Date(), message: null });
  let training: Trained | null = null;
  try {
    const data = await resolveData(def, p.datasetVersion);
    const label = `${data.datasetName}:v${data.version}`;
    await update({ datasetVersionId: data.id, datasetLabel: label });
    await ctx.progress(0.01, `training on ${label}`);
    const spec = {
      dataset: { name: data.datasetName, version: data.version },
      target: def.target,
      family: def.family,
      params: def.params,
      seed: def.seed,
      split: def.split,
      experiment: def.experiment,
      // A search returns its refit run (best trial's parameters on train+validation): that run is gated and registered.
      ...(def.search ? { hpo: def.search } : {}),
    };
    const opts: TrainingOptions = {
      actor: null,
      signal: ctx.signal,
      onProgress: (f, m) => ctx.progress(0.9 * f, m),
      tags: { [JOB_ID_TAG]: ctx.job.id, "mlops.pipeline": p.pipelineName, "mlops.pipeline_run": runRowId },
    };
    // Always looked for: a worker that shut down released the job without counting the attempt.
    const earlier = await settleEarlierAttempt(ctx.job.id, ctx.job.attempts, onWorkers && !!def.search);
    training =
      "trained" in earlier
        ? earlier.trained
        : trainedOf(
            onWorkers && def.search
              ? await runTrainingSearch(parseSpec(trainingSpecSchema, spec), opts, { jobId: ctx.job.id, parentRunId: earlier.parentRunId })
              : await runTraining(spec, opts),
          );
    await update({ runId: training.runId, testMetrics: JSON.stringify(training.testMetrics) });

    const gate = evaluateGate(def.gate, training.testMetrics);
    if (gate) await update({ gate: JSON.stringify(gate) });
    const search = training.search;
    const searched = search ? `Search: ${search.trials} trials, refit of ${search.best_trial.family} trial ${search.best_trial.number}. ` : "";
    if (gate && !gate.passed) {
      const message = `${searched}Not registered: ${gateText(gate)}`;
      await update({ state: "gated", message, finishedAt: new Date() });
      await markPipelineRan(p.pipelineId);
      await ctx.progress(1, message);
      return result(p, runRowId, "gated", training, label, gate, null);
    }

    let modelVersion: PipelineJobResult["model_version"] = null;
    let message = `${searched}${gate ? `Gate passed: ${gateText(gate)}` : "Finished"}`;
    if (def.register) {
      await ctx.progress(0.95, `registering as '${def.register.name}'`);
      const run = await getRun(training.runId);
      const manifest = await readManifestSignature(training.runId);
      const reg = await registerForPipeline(p.pipelineName, def, {
        runId: training.runId,
        source: `${run.artifactUri}/${MODEL_ARTIFACT_DIR}`,
        signature: manifest,
        task: training.task,
        family: training.family,
        testMetrics: training.testMetrics,
      });
      await setRunTags(null, training.runId, { [TRAINING_TAGS.registered]: `${reg.name}:v${reg.version}` });
      modelVersion = { name: reg.name, version: reg.version, alias: reg.alias };
      message = `${message}. Registered ${reg.name} v${reg.version}${reg.alias ? ` as ${reg.alias}` : ""} (${reg.reason})`;
      await update({ modelName: reg.name, modelVersion: reg.version, alias: reg.alias });
    }
    await update({ state: "succeeded", message: message.slice(0, 2000), finishedAt: new Date() });
    await markPipelineRan(p.pipelineId);
    await ctx.progress(1, "finished");
    return result(p, runRowId, "succeeded", training, label, gate, modelVersion);
  } catch (err) {
    const cancelled = ctx.signal.aborted && /cancel/i.test(String(ctx.signal.reason));
    const message = err instanceof Error ? err.message : String(err);
    const runId = err instanceof TrainingFailedError ? err.runId : (training?.runId ?? undefined);
    await update({ state: cancelled ? "cancelled" : "failed", message: message.slice(0, 2000), runId, finishedAt: new Date() }).catch((e) =>
      log.error({ err: e }, "could not record the pipeline run's failure"),
    );
    await markPipelineRan(p.pipelineId).catch(() => undefined);
    if (err instanceof TrainingFailedError) throw new PermanentJobError(`${message} (run ${err.runId})`);
    if (isPermanent(err)) throw new PermanentJobError(message);
    throw err;
  }
}

async function markPipelineRan(pipelineId: string | undefined): Promise<void> {
  if (pipelineId) await db().pipeline.updateMany({ where: { id: pipelineId }, data: { lastRunAt: new Date() } });
}

/** The registered version's signature: the model manifest's feature schema, as `train` registers it. */
async function readManifestSignature(runId: string): Promise<unknown> {
  const bytes = await readRunArtifact(runId, `${MODEL_ARTIFACT_DIR}/manifest.json`);
  const manifest = JSON.parse(bytes.toString("utf8")) as { signature?: unknown };
  if (manifest.signature === undefined) throw new AppError("internal", "The model manifest has no signature");
  return manifest.signature;
}

function result(
  p: Partial<PipelineJobPayload>,
  pipelineRunId: string,
  state: "succeeded" | "gated",
  t: Trained,
  dataset: string,
  gate: GateOutcome | null,
  modelVersion: PipelineJobResult["model_version"],
): PipelineJobResult {
  return { pipeline: p.pipelineName!, pipeline_run_id: pipelineRunId, state, run_id: t.runId, dataset, test_metrics: t.testMetrics, gate, model_version: modelVersion, search: t.search };
}

/** Which direction is better for a metric (the form's hint for min/max). */
export function gateDirection(metric: MetricName): "min" | "max" {
  return HIGHER_IS_BETTER[metric] ? "min" : "max";
}

