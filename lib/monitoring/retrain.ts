// The retraining policy: when the condition (dataset drift, a performance drop, or either) holds
// for K consecutive reports, retrain once. The reports counted are those after the newest report
// of the previous trigger (a compare-and-set mark in the Setting table), so concurrent report
// jobs trigger one retraining, and the next needs K new reports.
//
// Retraining runs the model's pipeline (lib/pipelines) when there is one; otherwise the `train`
// job with the champion's own training spec on the newest dataset version (plus the labelled
// predictions of the recent windows, as a new dataset version), registered as `challenger`.
// With `ab_test.enabled`, a follow-up job waits for the new version and starts an A/B test.
import { createAbTest, startAbTest } from "../abtest";
import type { Actor } from "../auth";
import { createDatasetVersion, getDatasetVersion, openDatasetFile } from "../datasets";
import { db, parseJson } from "../db";
import { AppError } from "../errors";
import { enqueue, getJob, PermanentJobError, type JobContext } from "../jobs";
import { logger } from "../observability";
import { listPipelines, runPipelineNow } from "../pipelines";
import { getRun } from "../tracking";
import { enqueueTraining } from "../training";
import { raiseAlert } from "./alerts";
import { readConfig, readPolicy, type RetrainPolicy } from "./config";
import { feedbackFor, readPredictionLog, type Labelled } from "./predictions";
import { retrainMarkKey } from "./schedule-state";

export const RETRAIN_FOLLOWUP_JOB = "drift.retrain-followup";
const FOLLOWUP_EVERY_MS = 15_000;
const FOLLOWUP_GIVE_UP_MS = 2 * 86_400_000;
const MAX_FEEDBACK_ROWS = 100_000;

/** Acts for the monitor when it retrains: an editor with no user behind it. */
export const MONITOR_ACTOR: Actor = { kind: "user", id: "system:drift-monitor", label: "drift monitor", role: "editor", userId: null };

export interface RetrainOutcome {
  alert_id: string;
  via: "pipeline" | "train";
  pipeline_run_id?: string;
  job_id: string;
  report_ids: string[];
  dataset?: string;
}

function holds(policy: RetrainPolicy, r: { datasetDrift: boolean; result: string }): boolean {
  const perf = parseJson<{ performance?: { drifted?: boolean } | null }>(r.result, {}).performance?.drifted === true;
  if (policy.on === "dataset_drift") return r.datasetDrift;
  if (policy.on === "performance") return perf;
  return r.datasetDrift || perf;
}

/** Claims the streak ending at `newest` (ISO); true for exactly one caller. */
async function claimStreak(modelId: string, previous: string | null, newest: string): Promise<boolean> {
  const key = retrainMarkKey(modelId);
  if (previous === null) {
    try {
      await db().setting.create({ data: { key, value: newest } });
      return true;
    } catch {
      return false; // another report job created it first
    }
  }
  const { count } = await db().setting.updateMany({ where: { key, value: previous }, data: { value: newest } });
  return count === 1;
}

/** Checks the policy after a report; starts one retraining when the streak is complete. */
export async function evaluateRetraining(modelId: string): Promise<RetrainOutcome | null> {
  const monitor = await db().modelMonitor.findUnique({ where: { modelId } });
  const policy = readPolicy(parseJson(monitor?.retrainPolicy, {}));
  if (!policy.enabled) return null;
  const mark = await db().setting.findUnique({ where: { key: retrainMarkKey(modelId) } });
  const since = mark ? new Date(mark.value) : null;
  const recent = await db().driftReport.findMany({
    where: { modelId, ...(since && !Number.isNaN(since.getTime()) ? { createdAt: { gt: since } } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: policy.consecutive,
    select: { id: true, createdAt: true, datasetDrift: true, result: true, windowStart: true },
  });
  if (recent.length < policy.consecutive || !recent.every((r) => holds(policy, r))) return null;
  if (!(await claimStreak(modelId, mark?.value ?? null, recent[0]!.createdAt.toISOString()))) return null;
  const model = await db().registeredModel.findUniqueOrThrow({ where: { id: modelId }, select: { id: true, name: true } });
  const reportIds = recent.map((r) => r.id).reverse();
  const reason = `${policy.consecutive} consecutive drift reports (${policy.on.replace("_", " ")}) on model '${model.name}'`;
  const windowStart = recent.map((r) => r.windowStart).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  try {
    return await startRetraining(model, policy, reason, reportIds, windowStart);
  } catch (err) {
    logger().error({ err, modelId }, "retraining could not start");
    await raiseAlert({
      modelId,
      kind: "retrain",
      severity: "error",
      message: `Retraining of '${model.name}' could not start: ${(err as Error).message}`,
      details: { reason, report_ids: reportIds, error: (err as Error).message },
    });
    return null;
  }
}

async function findPipeline(model: string, policy: RetrainPolicy): Promise<string | null> {
  if (policy.pipeline) return policy.pipeline;
  const { pipelines } = await listPipelines({ limit: 500 });
  return pipelines.find((p) => p.definition.register?.name === model)?.id ?? null;
}

/** A run param back to its value: numbers, booleans and JSON as such, other text as text. */
function paramValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

const SPEC_PARAMS = new Set(["family", "target", "seed", "split_test", "split_validation", "selected_family"]);

/** The champion's training spec, pointed at the newest dataset version and registered as challenger. */
async function lastTrainingSpec(model: { id: string; name: string }): Promise<{ spec: Record<string, unknown>; datasetName: string; target: string }> {
  const alias = await db().modelAlias.findUnique({ where: { modelId_alias: { modelId: model.id, alias: "champion" } }, select: { versionId: true } });
  const version = alias
    ? await db().modelVersion.findUnique({ where: { id: alias.versionId }, select: { runId: true, version: true } })
    : await db().modelVersion.findFirst({ where: { modelId: model.id }, orderBy: { version: "desc" }, select: { runId: true, version: true } });
  if (!version?.runId) throw new AppError("conflict", `Model '${model.name}' has no version trained here to take the training spec from; give the retraining policy a pipeline`);
  const run = await getRun(version.runId);
  const dataset = run.tags["mlops.dataset"]?.replace(/:v\d+$/, "");
  const target = run.params.target;
  if (!dataset || !target) throw new AppError("conflict", `The run of version ${version.version} of '${model.name}' does not say its dataset and target; give the retraining policy a pipeline`);
  const family = run.params.selected_family ?? run.params.family ?? "linear";
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(run.params)) if (!SPEC_PARAMS.has(k) && !k.includes("/")) params[k] = paramValue(v);
  const split: Record<string, number> = {};
  const test = Number(run.params.split_test);
  const validation = Number(run.params.split_validation);
  if (test > 0 && test < 1) split.test = test;
  if (validation > 0 && validation < 1) split.validation = validation;
  const seed = Number(run.params.seed);
  return {
    datasetName: dataset,
    target,
    spec: {
      dataset: { name: dataset, version: "latest" },
      target,
      family,
      params,
      ...(Number.isInteger(seed) && seed >= 0 ? { seed } : {}),
      ...(Object.keys(split).length ? { split } : {}),
      runName: `retrain-${model.name}-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "")}`.slice(0, 250),
      register: { name: model.name, alias: "challenger" },
    },
  };
}

function csvCell(v: unknown, delimiter: string): string {
  if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /["\r\n]/.test(s) || s.includes(delimiter) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A new version of the dataset: the newest version's bytes followed by the labelled predictions
 * (inputs, with the feedback value as the target). Null when there is no labelled prediction.
 */
async function withFeedback(modelId: string, datasetName: string, target: string, since: Date | null): Promise<number | null> {
  const latest = await getDatasetVersion(datasetName, "latest");
  const columns = latest.schema.map((c) => c.name);
  const delimiter = latest.profile.format.delimiter || ",";
  const labelled: Labelled[] = [];
  await readPredictionLog({ modelId, start: since ?? undefined }, columns.filter((c) => c !== target), async (rows) => {
    if (labelled.length < MAX_FEEDBACK_ROWS) labelled.push(...(await feedbackFor(rows)));
  });
  if (labelled.length === 0) return null;
  const file = await openDatasetFile(datasetName, latest.version);
  async function* bytes(): AsyncGenerator<Uint8Array | string> {
    let last = 10;
    for await (const chunk of file.stream as AsyncIterable<Buffer>) {
      if (chunk.length) last = chunk[chunk.length - 1]!;
      yield chunk;
    }
    if (last !== 10) yield "\n";
    for (const l of labelled.slice(0, MAX_FEEDBACK_ROWS)) {
      yield columns.map((c) => csvCell(c === target ? l.value : l.inputs[c], delimiter)).join(delimiter) + "\n";
    }
  }
  const created = await createDatasetVersion(MONITOR_ACTOR, {
    name: datasetName,
    description: `v${latest.version} plus ${Math.min(labelled.length, MAX_FEEDBACK_ROWS)} labelled predictions (drift retraining)`,
    stream: bytes(),
  });
  return created.version.version;
}

async function startRetraining(
  model: { id: string; name: string },
  policy: RetrainPolicy,
  reason: string,
  reportIds: string[],
  since: Date | null,
): Promise<RetrainOutcome> {
  const pipelineId = await findPipeline(model.name, policy);
  let outcome: Omit<RetrainOutcome, "alert_id">;
  if (pipelineId) {
    const { pipelineRun, job } = await runPipelineNow(pipelineId, { reason, trigger: "api" });
    outcome = { via: "pipeline", pipeline_run_id: pipelineRun.id, job_id: job.id, report_ids: reportIds };
  } else {
    const { spec, datasetName, target } = await lastTrainingSpec(model);
    let dataset = `${datasetName}:latest`;
    if (policy.include_feedback) {
      const v = await withFeedback(model.id, datasetName, target, since).catch((err) => {
        logger().warn({ err, model: model.name }, "labelled predictions not added to the training data");
        return null;
      });
      if (v !== null) {
        spec.dataset = { name: datasetName, version: v };
        dataset = `${datasetName}:v${v}`;
      }
    }
    const { job, spec: pinned } = await enqueueTraining(MONITOR_ACTOR, spec);
    dataset = `${pinned.dataset.name}:v${pinned.dataset.version}`;
    outcome = { via: "train", job_id: job.id, report_ids: reportIds, dataset };
  }
  const alert = await raiseAlert({
    modelId: model.id,
    kind: "retrain",
    severity: "info",
    message: `Retraining '${model.name}': ${reason}`,
    details: { reason, ...outcome, ab_test: policy.ab_test.enabled },
  });
  if (policy.ab_test.enabled) {
    await enqueue(
      RETRAIN_FOLLOWUP_JOB,
      { modelId: model.id, alertId: alert.id, jobId: outcome.job_id, startedAt: new Date().toISOString() },
      { runAt: new Date(Date.now() + FOLLOWUP_EVERY_MS), maxAttempts: 3 },
    );
  }
  return { alert_id: alert.id, ...outcome };
}

/** Newest retrainings of a model (their alerts), for the dashboard and the API. */
export async function listRetrainings(modelId: string, limit = 50) {
  const rows = await db().alert.findMany({ where: { modelId, kind: "retrain" }, orderBy: { createdAt: "desc" }, take: limit });
  return rows.map((r) => ({ id: r.id, severity: r.severity, message: r.message, details: parseJson<Record<string, unknown>>(r.details, {}), created_at: r.createdAt.toISOString() }));
}

/**
 * Follow-up of a retraining with `ab_test.enabled`: waits (by re-queueing itself) until the
 * training or pipeline job has finished, then starts an A/B test of champion against challenger.
 */
export async function retrainFollowupHandler(ctx: JobContext): Promise<unknown> {
  const p = (ctx.job.payload ?? {}) as { modelId?: string; alertId?: string; jobId?: string; startedAt?: string };
  if (!p.modelId || !p.jobId) throw new PermanentJobError("Retraining follow-up without model or job");
  const job = await getJob(p.jobId).catch(() => null);
  const model = await db().registeredModel.findUnique({ where: { id: p.modelId }, select: { id: true, name: true } });
  if (!model) return { skipped: "the model no longer exists" };
  if (job && (job.state === "queued" || job.state === "running")) {
    if (Date.now() - new Date(p.startedAt ?? ctx.job.createdAt).getTime() > FOLLOWUP_GIVE_UP_MS) return { skipped: "training still not finished after two days" };
    await enqueue(RETRAIN_FOLLOWUP_JOB, p, { runAt: new Date(Date.now() + FOLLOWUP_EVERY_MS), maxAttempts: 3 });
    return { waiting: job.state };
  }
  const result = (job?.result ?? {}) as { model_version?: { version?: number; alias?: string | null } | null; modelVersion?: { version?: number; alias?: string | null } | null };
  const mv = result.model_version ?? result.modelVersion ?? null;
  if (!job || job.state !== "succeeded" || !mv?.version) {
    await raiseAlert({ modelId: model.id, kind: "retrain", severity: "error", message: `Retraining of '${model.name}' did not produce a version: ${job?.error ?? job?.state ?? "job not found"}`, details: { job_id: p.jobId, retrain_alert_id: p.alertId } });
    return { failed: job?.state ?? "missing" };
  }
  const monitor = await db().modelMonitor.findUnique({ where: { modelId: model.id } });
  const policy = readPolicy(parseJson(monitor?.retrainPolicy, {}));
  const task = readConfig(parseJson(monitor?.config, {})).performance.metric === "mae" ? "mean" : "accuracy";
  const w = policy.ab_test.challenger_weight;
  const test = await createAbTest(
    {
      name: `${model.name}: retrained v${mv.version} vs champion`,
      model: model.name,
      arms: [
        { name: "champion", alias: "champion", weight: 100 - w },
        { name: "challenger", version: mv.version, weight: w },
      ],
      metric: { kind: task },
      ...(policy.ab_test.min_samples ? { min_samples: policy.ab_test.min_samples } : {}),
    },
    MONITOR_ACTOR,
  );
  await startAbTest(test.id, MONITOR_ACTOR);
  await raiseAlert({ modelId: model.id, kind: "retrain", severity: "info", message: `A/B test started: '${model.name}' v${mv.version} (challenger, ${w}%) against the champion`, details: { ab_test_id: test.id, version: mv.version, retrain_alert_id: p.alertId } });
  return { ab_test_id: test.id, version: mv.version };
}
