// Drift reports as jobs: load the model version's reference profile (stored at training time),
// feed the prediction log window page by page into a CurrentWindow, compare, add prediction and
// performance drift, store a DriftReport with every per-column statistic, then alert and check
// the retraining policy.
import { requireRole, type Actor } from "../auth";
import { db, newId, parseJson } from "../db";
import {
  compareToProfile,
  CurrentWindow,
  parseProfile,
  PREDICTION_COLUMN,
  PROFILE_ARTIFACT,
  type ColumnReport,
  type ColumnsInput,
  type DriftOptions,
  type DriftReport,
  type ReferenceProfile,
} from "../drift";
import { AppError, notFound } from "../errors";
import { enqueue, PermanentJobError, type JobContext, type JobInfo } from "../jobs";
import { getRun, readRunArtifact } from "../tracking";
import type { ArtifactData } from "../artifacts";
import { raiseAlert } from "./alerts";
import { deleteCsvWindow, isCsvWindowPath, readCsvWindow, storeCsvWindow } from "./csv-window";
import { readConfig, windowSchema, type MonitorConfig, type ReportWindow } from "./config";
import { modelByName, monitorRow } from "./monitors";
import { parseInput } from "./parse";
import { PerformanceAccumulator, type PerformanceMetric, type PerformanceResult } from "./performance";
import { feedbackFor, pageColumns, readPredictionLog } from "./predictions";
import { evaluateRetraining } from "./retrain";
import { z } from "zod";

export const DRIFT_REPORT_JOB = "drift.report";

export interface StoredReportResult {
  /** Feature columns only; share and verdict over them. */
  report: DriftReport;
  /** The predictions' distribution against the training predictions; null without a prediction column. */
  prediction: ColumnReport | null;
  performance: PerformanceResult | null;
  model: string;
  version: number;
  /** Versions whose predictions were read (null: every version). */
  versions: number[] | null;
  window: ReportWindow & { start: string | null; end: string | null };
  trigger: "manual" | "schedule";
}

export interface DriftReportInfo {
  id: string;
  model: string;
  version: number | null;
  job_id: string | null;
  window_start: string | null;
  window_end: string | null;
  n_reference: number;
  n_current: number;
  share_drifted: number;
  dataset_drift: boolean;
  prediction_drift: boolean | null;
  performance_drift: boolean | null;
  created_at: string;
}

export interface DriftReportDetail extends DriftReportInfo {
  result: StoredReportResult;
}

export const reportRequestSchema = z
  .object({
    window: windowSchema.optional(),
    /** ISO times; with them the window is [start, end). */
    start: z.iso.datetime({ offset: true, error: "start is an ISO 8601 time" }).optional(),
    end: z.iso.datetime({ offset: true, error: "end is an ISO 8601 time" }).optional(),
    version: z.union([z.literal("champion"), z.literal("all"), z.number().int().min(1)]).optional(),
  })
  .strict()
  .refine((r) => !(r.start && r.end) || new Date(r.start) < new Date(r.end), "start is before end");
export type ReportRequest = z.output<typeof reportRequestSchema>;

/** Queues a report for the model (editor). Bad input is refused before anything is queued. */
export async function requestDriftReport(actor: Actor, name: string, input: unknown): Promise<JobInfo> {
  requireRole(actor, "editor");
  const req = parseInput(reportRequestSchema, input, "drift report request");
  const model = await modelByName(name);
  const versions = await db().modelVersion.count({ where: { modelId: model.id } });
  if (versions === 0) throw new AppError("conflict", `Model '${name}' has no versions yet: register one before asking for a drift report`);
  return enqueue(DRIFT_REPORT_JOB, { modelId: model.id, trigger: "manual", request: req, requestedBy: actor.label }, { createdById: actor.userId, maxAttempts: 2 });
}

type VersionRow = { id: string; version: number; runId: string | null; signature: string | null; tags: { key: string; value: string }[] };

async function resolveVersion(modelId: string, name: string, sel: MonitorConfig["version"]): Promise<VersionRow> {
  const include = { tags: { select: { key: true, value: true } } } as const;
  const select = { id: true, version: true, runId: true, signature: true, ...include };
  if (typeof sel === "number") {
    const v = await db().modelVersion.findUnique({ where: { modelId_version: { modelId, version: sel } }, select });
    if (!v) throw new PermanentJobError(`Model '${name}' has no version ${sel}`);
    return v;
  }
  const alias = await db().modelAlias.findUnique({ where: { modelId_alias: { modelId, alias: "champion" } }, select: { versionId: true } });
  const v = alias
    ? await db().modelVersion.findUnique({ where: { id: alias.versionId }, select })
    : await db().modelVersion.findFirst({ where: { modelId }, orderBy: { version: "desc" }, select });
  if (!v) throw new PermanentJobError(`Model '${name}' has no versions`);
  return v;
}

async function loadProfile(name: string, v: VersionRow): Promise<ReferenceProfile> {
  const missing = `Version ${v.version} of model '${name}' has no reference profile (${PROFILE_ARTIFACT} in its run): it was not trained by this platform's training pipeline, or before profiles were stored. Retrain it to get one.`;
  if (!v.runId) throw new PermanentJobError(missing);
  let text: Buffer;
  try {
    text = await readRunArtifact(v.runId, PROFILE_ARTIFACT);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") throw new PermanentJobError(missing);
    throw err;
  }
  try {
    return parseProfile(JSON.parse(text.toString("utf8")));
  } catch (err) {
    throw new PermanentJobError(`The reference profile of version ${v.version} of model '${name}' is unreadable: ${(err as Error).message}`);
  }
}

function featureOrder(signature: string | null): string[] {
  const s = parseJson<{ inputs?: { name?: unknown }[] } | { name?: unknown }[] | null>(signature, null);
  const list = Array.isArray(s) ? s : (s?.inputs ?? []);
  return list.map((f) => (typeof f?.name === "string" ? f.name : "")).filter(Boolean);
}

/** The test-set metric of the version's run and the test size, for performance drift. */
async function referenceMetric(runId: string | null, metric: PerformanceMetric): Promise<{ value: number | null; n: number | null }> {
  if (!runId) return { value: null, n: null };
  try {
    const run = await getRun(runId);
    const value = run.metrics[`test_${metric}`]?.value ?? null;
    let n: number | null = null;
    try {
      const m = JSON.parse((await readRunArtifact(runId, "metrics.json")).toString("utf8")) as { rows?: { test?: unknown } };
      n = typeof m.rows?.test === "number" && m.rows.test > 0 ? m.rows.test : null;
    } catch {
      n = null;
    }
    return { value: typeof value === "number" && Number.isFinite(value) ? value : null, n };
  } catch {
    return { value: null, n: null };
  }
}

function driftOptions(c: MonitorConfig, features: string[]): DriftOptions {
  return {
    columns: [...features, PREDICTION_COLUMN],
    test: c.test,
    threshold: c.threshold,
    perColumn: c.per_column,
    datasetDriftShare: c.dataset_drift_share,
    minRows: c.min_rows,
  };
}

/** The report without the prediction column: share and verdict over the features only. */
function splitPrediction(full: DriftReport): { report: DriftReport; prediction: ColumnReport | null } {
  const prediction = full.columns.find((c) => c.column === PREDICTION_COLUMN) ?? null;
  const columns = full.columns.filter((c) => c.column !== PREDICTION_COLUMN);
  const tested = columns.filter((c) => c.test !== null && !c.skipped).length;
  const drifted = columns.filter((c) => c.drifted).length;
  const share = tested ? drifted / tested : 0;
  return {
    prediction,
    report: {
      ...full,
      columns,
      n_tested: tested,
      n_drifted: drifted,
      share_drifted: share,
      dataset_drift: tested > 0 && share >= full.dataset_drift_share,
      missing_in_current: full.missing_in_current.filter((c) => c !== PREDICTION_COLUMN),
      missing_in_reference: full.missing_in_reference.filter((c) => c !== PREDICTION_COLUMN),
    },
  };
}

export interface RunReportOptions {
  modelId: string;
  trigger: "manual" | "schedule";
  request?: ReportRequest;
  jobId?: string | null;
  now?: Date;
  signal?: AbortSignal;
  progress?: (fraction: number, message: string) => Promise<void>;
  /** Artifact path of an uploaded CSV to use as the current window instead of the prediction log. */
  csv?: string;
}

/** Computes and stores one report; returns it. Used by the job handler (and tests). */
export async function runDriftReport(opts: RunReportOptions): Promise<DriftReportDetail> {
  const model = await db().registeredModel.findUnique({ where: { id: opts.modelId }, select: { id: true, name: true } });
  if (!model) throw new PermanentJobError(`Model ${opts.modelId} no longer exists`);
  const monitor = await monitorRow(model.id);
  const config = readConfig(parseJson(monitor?.config, {}));
  const req = opts.request ?? {};
  const selection = req.version ?? config.version;
  const version = await resolveVersion(model.id, model.name, selection);
  const profile = await loadProfile(model.name, version);
  const types = new Map<string, "numeric" | "categorical">();
  for (const c of profile.columns) if (c.type !== "unknown") types.set(c.name, c.type);
  const features = profile.columns.map((c) => c.name).filter((n) => n !== PREDICTION_COLUMN);

  const now = opts.now ?? new Date();
  const window: ReportWindow = req.window ?? (req.start || req.end ? {} : config.window);
  const end = req.end ? new Date(req.end) : window.last !== undefined && !req.start ? undefined : now;
  const start = req.start ? new Date(req.start) : window.hours !== undefined ? new Date(now.getTime() - window.hours * 3_600_000) : undefined;
  const versionIds = selection === "all" ? undefined : [version.id];

  const tagTask = version.tags.find((t) => t.key === "task")?.value;
  const predictionProfile = profile.columns.find((c) => c.name === PREDICTION_COLUMN);
  const task = tagTask ?? (predictionProfile?.type === "numeric" ? "regression" : "classification");
  const metric: PerformanceMetric = config.performance.metric ?? (task === "regression" ? "mae" : "accuracy");
  const perf = new PerformanceAccumulator(metric);

  const current = CurrentWindow.forProfile(profile);
  await opts.progress?.(0.05, opts.csv ? "reading the uploaded CSV" : "reading the prediction log");
  const featureTypes = new Map([...types].filter(([name]) => name !== PREDICTION_COLUMN));
  const span: { rows: number; first: Date | null; last: Date | null } = opts.csv
    ? { ...(await readCsvWindow(opts.csv, featureTypes, current, opts.signal)), first: null, last: null }
    : await readPredictionLog(
        { modelId: model.id, versionIds, start, end, last: window.last },
        featureOrder(version.signature),
        async (rows) => {
          current.add(pageColumns(rows, types, PREDICTION_COLUMN) as unknown as ColumnsInput);
          perf.add(await feedbackFor(rows));
        },
        opts.signal,
      );
  // An empty window still names every column, so each says "not enough data" rather than "missing".
  if (span.rows === 0) current.add(Object.fromEntries([...types.keys()].map((k) => [k, []])));
  await opts.progress?.(0.7, `comparing ${span.rows} predictions with the reference`);
  const full = compareToProfile(profile, current, driftOptions(config, features));
  const { report, prediction } = splitPrediction(full);
  const ref = await referenceMetric(version.runId, metric);
  const performance = perf.result(ref.value, ref.n, config.performance.max_drop, config.performance.min_labels);

  const result: StoredReportResult = {
    report,
    prediction,
    performance,
    model: model.name,
    version: version.version,
    versions: versionIds ? [version.version] : null,
    window: { ...window, start: (start ?? span.first)?.toISOString() ?? null, end: (end ?? span.last)?.toISOString() ?? null },
    trigger: opts.trigger,
  };
  const row = await db().driftReport.create({
    data: {
      id: newId(),
      modelId: model.id,
      versionId: version.id,
      jobId: opts.jobId ?? null,
      windowStart: start ?? span.first,
      windowEnd: end ?? span.last,
      nReference: report.n_reference,
      nCurrent: report.n_current,
      shareDrifted: report.share_drifted,
      datasetDrift: report.dataset_drift,
      result: JSON.stringify(result, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
    },
  });
  await opts.progress?.(0.9, "alerts and retraining policy");
  await alertsFor(model, row.id, result);
  await evaluateRetraining(model.id);
  return toDetail(row, model.name, version.version);
}

async function alertsFor(model: { id: string; name: string }, reportId: string, r: StoredReportResult): Promise<void> {
  const drifted = r.report.columns.filter((c) => c.drifted).map((c) => c.column);
  const predictionDrift = r.prediction?.drifted ?? false;
  if (r.report.dataset_drift || predictionDrift) {
    const parts: string[] = [];
    if (r.report.dataset_drift) parts.push(`dataset drift: ${r.report.n_drifted} of ${r.report.n_tested} columns drifted (${(r.report.share_drifted * 100).toFixed(0)}%)`);
    if (predictionDrift) parts.push("the distribution of predictions drifted");
    await raiseAlert({
      modelId: model.id,
      kind: "drift",
      message: `Model '${model.name}' v${r.version}: ${parts.join("; ")}`,
      details: { report_id: reportId, model: model.name, version: r.version, share_drifted: r.report.share_drifted, dataset_drift: r.report.dataset_drift, drifted_columns: drifted, prediction_drift: predictionDrift, window: r.window },
    });
  }
  const p = r.performance;
  if (p?.drifted) {
    const what = p.metric === "accuracy" ? `accuracy ${p.window!.toFixed(3)} against ${p.reference!.toFixed(3)} at training` : `mean absolute error ${p.window!.toPrecision(4)} against ${p.reference!.toPrecision(4)} at training`;
    await raiseAlert({
      modelId: model.id,
      kind: "performance",
      severity: "error",
      message: `Model '${model.name}' v${r.version}: performance dropped, ${what} (${p.n_labels} labelled predictions)`,
      details: { report_id: reportId, model: model.name, version: r.version, performance: p },
    });
  }
}

type ReportRow = Awaited<ReturnType<ReturnType<typeof db>["driftReport"]["findUniqueOrThrow"]>>;

function toInfo(r: ReportRow, model: string, version: number | null, result?: StoredReportResult): DriftReportInfo {
  const res = result ?? parseJson<Partial<StoredReportResult>>(r.result, {});
  return {
    id: r.id,
    model,
    version,
    job_id: r.jobId,
    window_start: r.windowStart?.toISOString() ?? null,
    window_end: r.windowEnd?.toISOString() ?? null,
    n_reference: r.nReference,
    n_current: r.nCurrent,
    share_drifted: r.shareDrifted,
    dataset_drift: r.datasetDrift,
    prediction_drift: res.prediction ? res.prediction.drifted : null,
    performance_drift: res.performance && !res.performance.skipped ? res.performance.drifted : null,
    created_at: r.createdAt.toISOString(),
  };
}

function toDetail(r: ReportRow, model: string, version: number | null): DriftReportDetail {
  const result = parseJson<StoredReportResult>(r.result, {} as StoredReportResult);
  return { ...toInfo(r, model, version, result), result };
}

async function versionNumbers(ids: (string | null)[]): Promise<Map<string, number>> {
  const wanted = [...new Set(ids.filter((i): i is string => Boolean(i)))];
  const rows = wanted.length ? await db().modelVersion.findMany({ where: { id: { in: wanted } }, select: { id: true, version: true } }) : [];
  return new Map(rows.map((r) => [r.id, r.version]));
}

/** Newest first; `before` (a report id) pages further back. */
export async function listDriftReports(name: string, opts: { limit?: number } = {}): Promise<DriftReportInfo[]> {
  const model = await modelByName(name);
  const rows = await db().driftReport.findMany({
    where: { modelId: model.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(opts.limit ?? 50, 1), 500),
  });
  const versions = await versionNumbers(rows.map((r) => r.versionId));
  return rows.map((r) => toInfo(r, model.name, r.versionId ? (versions.get(r.versionId) ?? null) : null));
}

export async function getDriftReport(name: string, id: string): Promise<DriftReportDetail> {
  const model = await modelByName(name);
  const row = await db().driftReport.findUnique({ where: { id } });
  if (!row || row.modelId !== model.id) throw notFound("Drift report", id);
  const versions = await versionNumbers([row.versionId]);
  return toDetail(row, model.name, row.versionId ? (versions.get(row.versionId) ?? null) : null);
}

/**
 * Queues a report whose current window is an uploaded CSV (header row with the feature names) instead
 * of the prediction log. The file is stored first, so any worker can read it; the job deletes it.
 */
export async function requestCsvDriftReport(actor: Actor, name: string, data: ArtifactData, opts: { version?: number; maxBytes: number }): Promise<JobInfo> {
  requireRole(actor, "editor");
  const model = await modelByName(name);
  const versions = await db().modelVersion.count({ where: { modelId: model.id } });
  if (versions === 0) throw new AppError("conflict", `Model '${name}' has no versions yet: register one before asking for a drift report`);
  const request = opts.version === undefined ? {} : { version: opts.version };
  const csv = await storeCsvWindow(data, opts.maxBytes);
  return enqueue(DRIFT_REPORT_JOB, { modelId: model.id, trigger: "manual", request, csv, requestedBy: actor.label }, { createdById: actor.userId, maxAttempts: 2 });
}

/** The `drift.report` job. */
export async function driftReportJobHandler(ctx: JobContext): Promise<{ report_id: string; dataset_drift: boolean; share_drifted: number; n_current: number }> {
  const p = (ctx.job.payload ?? {}) as { modelId?: unknown; trigger?: unknown; request?: unknown; csv?: unknown };
  if (p.csv !== undefined && !isCsvWindowPath(p.csv)) throw new PermanentJobError("Drift report job with an invalid CSV path");
  if (typeof p.modelId !== "string") throw new PermanentJobError("Drift report job without a model id");
  let request: ReportRequest | undefined;
  try {
    request = p.request === undefined ? undefined : parseInput(reportRequestSchema, p.request, "drift report request");
  } catch (err) {
    throw new PermanentJobError((err as Error).message);
  }
  const r = await runDriftReport({
    modelId: p.modelId,
    trigger: p.trigger === "schedule" ? "schedule" : "manual",
    request,
    jobId: ctx.job.id,
    signal: ctx.signal,
    progress: (f, m) => ctx.progress(f, m),
    csv: p.csv,
  });
  if (p.csv) await deleteCsvWindow(p.csv);
  return { report_id: r.id, dataset_drift: r.dataset_drift, share_drifted: r.share_drifted, n_current: r.n_current };
}
