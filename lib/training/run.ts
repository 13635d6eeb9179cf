// The training pipeline shared by the worker's `train` job and `mlops train`: resolve the dataset
// version, create a run, fit (one family or every family for `auto`), stream epoch metrics into the
// run, store the model as run artifacts, register it under the champion/challenger policy.
import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { Actor } from "../auth";
import { createDatasetVersion, getDatasetVersion, readTable, type DatasetVersionDetail } from "../datasets";
import { PROFILE_ARTIFACT as DRIFT_PROFILE_ARTIFACT, trainingProfile } from "../drift";
import { AppError, invalid } from "../errors";
import { FAMILIES, getFamily, parseParams, predict, trainModel, type EpochReport, type Task, type TrainResult } from "../ml";
import { logger } from "../observability";
import {
  createExperiment,
  getExperimentByName,
  logBatch,
  setRunTags,
  updateRun,
  uploadRunArtifact,
  createRun,
  type Experiment,
} from "../tracking";
import { crossValidate, type CrossValidation } from "./cross-validate";
import { registerVersion, testMetricKey, type Registration } from "./register";
import { runTrainingSearch } from "./search";
import { AUTO_FAMILY, parseSpec, trainingSpecSchema, type TrainingSpec } from "./spec";

export interface TrainingOptions {
  /** Who trains (role editor); null for trusted in-process callers (the CLI, the worker on behalf of a job's creator). */
  actor: Actor | null;
  onProgress?: (fraction: number, message: string) => void | Promise<void>;
  signal?: AbortSignal;
  /** Extra run tags (e.g. the job id). */
  tags?: Record<string, string>;
  /** Called after each epoch of each family (hyperparameter search: report and prune). */
  onEpoch?: (family: string, report: EpochReport) => void | Promise<void>;
  /** What the stored model is trained on; "refit" when absent (see FinalFit). */
  fit?: FinalFit;
}

/**
 * What the stored model is trained on (docs/training.md, "What the stored model is trained on"):
 * - "refit": early stopping on the validation split picks the family (`auto`) and the number of
 *   epochs or boosting rounds, then that family is trained again on train+validation for that budget,
 *   so that the validation rows are not lost to the model (scikit-learn's defaults train on every
 *   non-test row too);
 * - "early-stopped": the early-stopped model itself, trained on the training part only (a search's
 *   trials: their objective is that model's validation loss, and a refit per trial would be wasted);
 * - "train+validation": no validation split, the given hyperparameters on train+validation (the refit
 *   of a search's best configuration, whose budget the trial chose).
 */
export type FinalFit = "refit" | "early-stopped" | "train+validation";

/**
 * The budget of a fit without validation rows: the epochs (networks) or boosting rounds (trees) at which
 * early stopping found the lowest validation loss, and no early stopping. Per epoch, the networks take
 * proportionally more steps on the larger set, as the usual "retrain for the best epoch count" does.
 */
export function fixedBudget(family: string, bestEpoch: number): Record<string, unknown> {
  const n = Math.max(1, bestEpoch);
  if (family === "gbdt") return { n_estimators: n, early_stopping_rounds: 0 };
  return { epochs: n, patience: 0 };
}

export interface TrainingResult {
  runId: string;
  runName: string;
  experimentId: string;
  experimentName: string;
  family: string;
  /** The family's `auto` variant that was chosen (autoVariants), if not its defaults. */
  variant?: string;
  task: Task;
  backend: string;
  testMetrics: Record<string, number>;
  validationMetrics: Record<string, number>;
  dataset: { id: string; name: string; version: number };
  /** What the stored model was trained on (FinalFit): the training part, or training + validation rows. */
  trainedOn: "train" | "train+validation";
  /** The refit's budget (epochs or boosting rounds early stopping chose), when the model was refit. */
  refitBudget: Record<string, unknown> | null;
  /** Validation score of each candidate tried (auto: each family, and its variants), best first. */
  candidates: { family: string; variant?: string; score: number | null; error?: string }[];
  /** How the family and budget were chosen: one validation split, or k-fold cross-validation (folds). */
  selection: Selection;
  modelVersion: Registration | null;
}

/** A training that failed after its run was created: the run is FAILED (or KILLED) with this message. */
export class TrainingFailedError extends AppError {
  readonly runId: string;
  constructor(cause: unknown, runId: string) {
    const app = cause instanceof AppError ? cause : null;
    super(app?.code ?? "internal", cause instanceof Error ? cause.message : String(cause), app?.details);
    this.name = "TrainingFailedError";
    this.runId = runId;
  }
}

export const MODEL_ARTIFACT_DIR = "model";
export const TAGS = {
  family: "mlops.family",
  backend: "mlops.backend",
  task: "mlops.task",
  target: "mlops.target",
  dataset: "mlops.dataset",
  error: "mlops.error",
  registered: "mlops.registered_model",
  candidates: "mlops.candidates",
} as const;

const METRIC_FLUSH_POINTS = 200;
const METRIC_FLUSH_MS = 1000;
const PROGRESS_EVERY_MS = 500;

let gitSha: string | null | undefined;
/** The code version: the git commit of the working directory when there is one. */
function codeVersion(): string | null {
  if (gitSha !== undefined) return gitSha;
  try {
    const out = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", timeout: 3000, stdio: ["ignore", "pipe", "ignore"] }).trim();
    gitSha = /^[0-9a-f]{40}$/.test(out) ? out : null;
  } catch {
    gitSha = null;
  }
  return gitSha;
}

/** A dataset name from a file name: `iris.csv` → `iris`. */
export function datasetNameFromPath(path: string): string {
  const base = basename(path, extname(path))
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 128);
  return base || "dataset";
}

async function ingestFile(actor: Actor | null, path: string, name: string): Promise<DatasetVersionDetail> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw invalid(`Cannot read '${path}': no such file`);
  return (await createDatasetVersion(actor, { name, stream: createReadStream(path) })).version;
}

async function experimentNamed(actor: Actor | null, name: string): Promise<Experiment> {
  try {
    return await getExperimentByName(name);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "not_found") throw err;
  }
  try {
    return await createExperiment(actor, { name });
  } catch (err) {
    // Created by a concurrent run meanwhile.
    if (err instanceof AppError && err.code === "conflict") return getExperimentByName(name);
    throw err;
  }
}

function numeric(metrics: object | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics ?? {})) if (typeof v === "number") out[k] = v;
  return out;
}

/** Param values as strings; arrays and objects as JSON. */
function paramEntries(prefix: string, params: Record<string, unknown>): { key: string; value: string }[] {
  return Object.entries(params).map(([k, v]) => ({ key: `${prefix}${k}`, value: typeof v === "object" ? JSON.stringify(v) : String(v) }));
}

/** Higher is better: accuracy (ties broken by log loss) for classification, R² for regression. */
function validationScore(r: TrainResult): number | null {
  const m = numeric(r.valMetrics);
  if (r.task === "classification") return m.accuracy === undefined ? null : m.accuracy - 1e-6 * (Number.isFinite(m.log_loss) ? m.log_loss! : 1e6);
  return m.r2 ?? null;
}

/** The same score from cross-validation: the mean accuracy or R² at the epoch of the lowest mean validation loss. */
function crossValidationScore(cv: CrossValidation): number | null {
  const { accuracy, r2 } = cv.metrics;
  if (accuracy !== undefined) return accuracy - 1e-6 * (Number.isFinite(cv.loss) ? cv.loss : 1e6);
  return r2 ?? null;
}

/** One model `auto` validates: a family with its parameters, or one of the family's named variants (autoVariants). */
interface Candidate {
  family: string;
  variant?: string;
  params: unknown;
  /** The given parameters do not suit this family: reported among the candidates, not trained. */
  error?: string;
}

export function candidateLabel(c: { family: string; variant?: string }): string {
  return c.variant ? `${c.family}-${c.variant}` : c.family;
}

/**
 * `auto`'s candidates: every family, and each of its variants whose parameters the user left alone.
 * Params keyed by family name apply to that family; a flat object to every family that accepts it.
 */
function autoCandidates(given: Record<string, unknown>): Candidate[] {
  const keyed = Object.keys(given).length > 0 && Object.keys(given).every((k) => k in FAMILIES);
  return Object.keys(FAMILIES).flatMap((family) => {
    const own = ((keyed ? given[family] : given) ?? {}) as Record<string, unknown>;
    const variants = Object.entries(getFamily(family).autoVariants ?? {}).filter(([, overlay]) => Object.keys(overlay).every((k) => !(k in own)));
    const parse = (variant: string | undefined, overlay: Record<string, unknown>): Candidate => {
      try {
        return { family, variant, params: parseParams(family, getFamily(family).params, { ...own, ...overlay }) };
      } catch (err) {
        return { family, variant, params: null, error: (err as Error).message };
      }
    };
    const base = parse(undefined, {});
    return base.error ? [base] : [base, ...variants.map(([variant, overlay]) => parse(variant, overlay))];
  });
}

export type Selection = { method: "holdout" } | { method: "cross-validation"; folds: number };

/** `auto` picks its family by cross-validation on at most this many labelled non-test rows (docs/training.md). */
export const CV_MAX_ROWS = 1000;
export const CV_FOLDS = 5;

/**
 * How many folds choose the family and budget (0: one validation split). Only a refit can use folds:
 * the stored model is trained afterwards on all non-test rows, for the folds' budget.
 */
export function foldsFor(spec: Pick<TrainingSpec, "family" | "split">, fit: FinalFit, nonTestRows: number): number {
  if (fit !== "refit") return 0;
  if (spec.split.folds !== undefined) return spec.split.folds;
  return spec.family === AUTO_FAMILY && nonTestRows <= CV_MAX_ROWS ? CV_FOLDS : 0;
}

/** What a candidate family's validation left for the choice and the refit, from one split or from folds. */
interface Validated {
  hyperparameters: Readonly<Record<string, unknown>>;
  bestEpoch: number;
  metrics: Record<string, number>;
  history: readonly EpochReport[];
  rows: { train: number; validation: number };
  /** The early-stopped model (one split only): stored as it is when there is no refit. */
  result: TrainResult | null;
}

function validatedBySplit(r: TrainResult): Validated {
  return { hyperparameters: r.model.info.hyperparameters, bestEpoch: r.model.info.training.bestEpoch, metrics: numeric(r.valMetrics), history: r.history, rows: r.rows, result: r };
}

/** Epoch metrics in batches: one round trip per batch, never per point (DESIGN.md "Data"). */
class MetricStream {
  private points: { key: string; value: number; step: number; timestamp: number }[] = [];
  private last = Date.now();
  constructor(
    private readonly actor: Actor | null,
    private readonly runId: string,
  ) {}

  async add(prefix: string, r: EpochReport): Promise<void> {
    const timestamp = Date.now();
    this.points.push({ key: `${prefix}train_loss`, value: r.loss, step: r.epoch, timestamp });
    if (r.valLoss !== null) this.points.push({ key: `${prefix}val_loss`, value: r.valLoss, step: r.epoch, timestamp });
    for (const [k, v] of Object.entries(r.metrics)) this.points.push({ key: `${prefix}${k}`, value: v, step: r.epoch, timestamp });
    if (this.points.length >= METRIC_FLUSH_POINTS || timestamp - this.last >= METRIC_FLUSH_MS) await this.flush();
  }

  async flush(): Promise<void> {
    this.last = Date.now();
    while (this.points.length) await logBatch(this.actor, this.runId, { metrics: this.points.splice(0, 1000) });
  }
}

export async function runTraining(input: unknown, opts: TrainingOptions): Promise<TrainingResult> {
  const spec: TrainingSpec = parseSpec(trainingSpecSchema, input);
  if (spec.hpo) return runTrainingSearch(spec, opts);
  const { actor } = opts;
  const report = async (fraction: number, message: string) => opts.onProgress?.(Math.min(1, Math.max(0, fraction)), message);

  // Everything checkable before a run exists is checked here: bad input leaves no run behind.
  if (spec.split.folds && !spec.refit && !opts.fit) {
    throw invalid("Cross-validation (split.folds) chooses the budget of a refit: drop refit: false, or set folds to 0");
  }
  await report(0, "loading data");
  const version =
    "csvPath" in spec.dataset
      ? await ingestFile(actor, spec.dataset.csvPath, datasetNameFromPath(spec.dataset.csvPath))
      : await getDatasetVersion(spec.dataset.name, spec.dataset.version);
  const columns = version.schema.map((c) => c.name);
  if (!columns.includes(spec.target)) {
    throw invalid(`Target column '${spec.target}' does not exist in dataset '${version.datasetName}'; columns are: ${columns.join(", ")}`);
  }
  const testVersion = spec.test ? await ingestFile(actor, spec.test, `${datasetNameFromPath(spec.test)}`) : null;
  if (testVersion && !testVersion.schema.some((c) => c.name === spec.target)) {
    throw invalid(`The test file has no target column '${spec.target}'`);
  }
  // Single family: its parameters are checked now (a typo must not cost a run); auto checks per candidate.
  const candidates = spec.family === AUTO_FAMILY ? autoCandidates(spec.params) : [{ family: spec.family, params: parseParams(spec.family, getFamily(spec.family).params, spec.params) }];
  const singleParams = spec.family === AUTO_FAMILY ? null : (candidates[0]!.params as Record<string, unknown>);
  const experiment = await experimentNamed(actor, spec.experiment ?? version.datasetName);

  const run = await createRun(actor, {
    experimentId: experiment.id,
    name: spec.runName,
    datasetVersionId: version.id,
    codeVersion: codeVersion() ?? undefined,
    tags: {
      [TAGS.family]: spec.family,
      [TAGS.target]: spec.target,
      [TAGS.dataset]: `${version.datasetName}:v${version.version}`,
      ...(testVersion ? { "mlops.test_dataset": `${testVersion.datasetName}:v${testVersion.version}` } : {}),
      ...opts.tags,
    },
  });
  const log = logger().child({ runId: run.id });
  try {
    await logBatch(actor, run.id, {
      params: [
        { key: "family", value: spec.family },
        { key: "target", value: spec.target },
        { key: "seed", value: String(spec.seed) },
        { key: "split_test", value: testVersion ? "separate file" : String(spec.split.test) },
        { key: "split_validation", value: String(spec.split.validation) },
        ...(singleParams ? paramEntries("", singleParams) : []),
      ],
    });
    const [table, testTable] = await Promise.all([readTable({ id: version.id }), testVersion ? readTable({ id: testVersion.id }) : null]);
    const metrics = new MetricStream(actor, run.id);
    const results: { family: string; variant?: string; validated: Validated | null; score: number | null; error?: string }[] = [];
    let lastProgress = 0;
    const fit = opts.fit ?? (spec.refit ? "refit" : "early-stopped");
    const refit = fit === "refit";
    const folds = foldsFor(spec, fit, testTable ? table.rowCount : table.rowCount - Math.round(table.rowCount * spec.split.test));
    const selection: Selection = folds > 0 ? { method: "cross-validation", folds } : { method: "holdout" };
    // Progress: the candidates share [0.05, 0.05 + span], the refit takes the rest up to 0.9.
    const span = refit ? 0.65 : 0.85;

    for (const [i, candidate] of candidates.entries()) {
      const { family, params } = candidate;
      const label = candidateLabel(candidate);
      const who = { family, variant: candidate.variant };
      const prefix = candidates.length > 1 ? `${label}/` : "";
      if (candidate.error) {
        results.push({ ...who, validated: null, score: null, error: candidate.error });
        continue;
      }
      await report(0.05 + (span * i) / candidates.length, `training ${label}`);
      try {
        if (folds > 0) {
          const cv = await crossValidate(table, {
            target: spec.target,
            family,
            params,
            seed: spec.seed,
            folds,
            test: spec.split.test,
            testTable: testTable ?? undefined,
            signal: opts.signal,
            onEpoch: async (fold, r) => {
              if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
                lastProgress = Date.now();
                const done = (fold + r.epoch / r.maxEpochs) / folds;
                await report(0.05 + (span * (i + done)) / candidates.length, `${label}: fold ${fold + 1} of ${folds}, epoch ${r.epoch}, loss ${r.loss.toPrecision(4)}`);
              }
            },
          });
          // The folds' mean curves, once they are all done (small data: seconds).
          for (const r of cv.history) await metrics.add(prefix, r);
          await metrics.flush();
          const validated = { hyperparameters: cv.hyperparameters, bestEpoch: cv.bestEpoch, metrics: { ...cv.metrics }, history: cv.history, rows: cv.rows, result: null };
          results.push({ ...who, validated, score: crossValidationScore(cv) });
          continue;
        }
        const result = await trainModel(table, {
          target: spec.target,
          family,
          params,
          seed: spec.seed,
          split: fit === "train+validation" ? { ...spec.split, validation: 0 } : spec.split,
          testTable: testTable ?? undefined,
          // The refit's importance is the one stored; the candidates' would be thrown away.
          importance: refit ? false : undefined,
          signal: opts.signal,
          onEpoch: async (r) => {
            await metrics.add(prefix, r);
            await opts.onEpoch?.(family, r);
            if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
              lastProgress = Date.now();
              await report(0.05 + (span * (i + r.epoch / r.maxEpochs)) / candidates.length, `${label}: epoch ${r.epoch}, loss ${r.loss.toPrecision(4)}`);
            }
          },
        });
        await metrics.flush();
        results.push({ ...who, validated: validatedBySplit(result), score: validationScore(result) });
      } catch (err) {
        await metrics.flush();
        // One family failing must not sink `auto`; a single family's failure is the run's.
        if (candidates.length === 1 || opts.signal?.aborted) throw err;
        log.warn({ err, ...who }, "candidate family failed");
        results.push({ ...who, validated: null, score: null, error: (err as Error).message });
      }
    }

    const ranked = results
      .filter((r) => r.validated)
      .sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity));
    const best = ranked[0];
    if (!best?.validated) throw invalid(`No family could be trained: ${results.map((r) => `${r.family}: ${r.error}`).join("; ")}`);
    // The validation (early-stopped model or folds) chose the family and the budget; its metrics are the run's.
    const selected = best.validated;
    const hyper = selected.hyperparameters;
    let result = selected.result;
    let budget: Record<string, unknown> | null = null;
    // Folds leave no model to keep (they only come with a refit).
    if (refit || !result) {
      budget = fixedBudget(best.family, selected.bestEpoch);
      const family = best.family;
      await report(0.05 + span, `refitting ${family} on train+validation`);
      result = await trainModel(table, {
        target: spec.target,
        family,
        params: { ...hyper, ...budget },
        seed: spec.seed,
        split: { ...spec.split, validation: 0 },
        testTable: testTable ?? undefined,
        signal: opts.signal,
        onEpoch: async (r) => {
          await metrics.add("refit/", r);
          if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
            lastProgress = Date.now();
            await report(0.05 + span + (0.85 - span) * (r.epoch / r.maxEpochs), `refit ${family}: epoch ${r.epoch}, loss ${r.loss.toPrecision(4)}`);
          }
        },
      });
      await metrics.flush();
    }
    await report(0.92, "evaluating and storing the model");

    const testMetrics = numeric(result.testMetrics);
    const validationMetrics = selected.metrics;
    const trainedOn = fit === "early-stopped" ? "train" : "train+validation";
    await logBatch(actor, run.id, {
      params: [
        ...(candidates.length > 1 ? [{ key: "selected_family", value: best.family }, ...paramEntries("", hyper)] : []),
        // What the stored model saw: the training part alone, or training + validation rows.
        { key: "trained_on", value: trainedOn },
        ...(folds > 0 ? [{ key: "validation", value: `${folds}-fold cross-validation` }] : []),
        ...(budget ? paramEntries("refit_", budget) : []),
      ],
      metrics: [
        ...Object.entries(testMetrics).map(([k, v]) => ({ key: testMetricKey(k), value: v, step: 0 })),
        ...Object.entries(validationMetrics).map(([k, v]) => ({ key: `validation_${k}`, value: v, step: 0 })),
      ],
      tags: [
        { key: TAGS.family, value: best.family },
        { key: TAGS.backend, value: result.backend },
        { key: TAGS.task, value: result.task },
        ...(candidates.length > 1 ? [{ key: TAGS.candidates, value: JSON.stringify(results.map((r) => ({ family: r.family, variant: r.variant, score: r.score, error: r.error }))) }] : []),
      ],
    });
    if (candidates.length > 1) {
      // The chosen family's curves also under the plain names, so charts of auto runs look like any run's.
      for (const r of selected.history) await metrics.add("", r);
      await metrics.flush();
    }

    await uploadRunArtifact(actor, run.id, `${MODEL_ARTIFACT_DIR}/manifest.json`, JSON.stringify(result.manifest, null, 2));
    for (const [file, bytes] of result.files) await uploadRunArtifact(actor, run.id, `${MODEL_ARTIFACT_DIR}/${file}`, bytes);
    await uploadRunArtifact(actor, run.id, "importance.json", JSON.stringify(result.importance ?? [], null, 2));
    // rows: the stored model's; early_stopping (refit only): the fit whose validation metrics these are, which chose the budget.
    const earlyStopping = budget
      ? { early_stopping: { rows: selected.rows, epochs: selected.history.length, best_epoch: selected.bestEpoch, ...(folds > 0 ? { folds } : {}) } }
      : {};
    const validation = selected.result?.valMetrics ?? selected.metrics;
    await uploadRunArtifact(actor, run.id, "metrics.json", JSON.stringify({ test: result.testMetrics, validation, rows: result.rows, ...earlyStopping }, null, 2));
    try {
      // Drift reports compare production inputs with this profile and never re-read the training data (docs/drift.md).
      await uploadRunArtifact(actor, run.id, DRIFT_PROFILE_ARTIFACT, JSON.stringify(trainingProfile(table, spec.target, predict(result.model, table))));
    } catch (err) {
      log.warn({ err }, "could not store the drift reference profile");
    }

    let modelVersion: Registration | null = null;
    // A job whose lease was lost (another worker retries it) must not register: that attempt will.
    opts.signal?.throwIfAborted();
    if (spec.register) {
      await report(0.96, `registering as '${spec.register.name}'`);
      modelVersion = await registerVersion(actor, spec.register, {
        runId: run.id,
        source: `${run.artifactUri}/${MODEL_ARTIFACT_DIR}`,
        signature: result.manifest.signature,
        task: result.task,
        family: best.family,
        testMetrics,
      });
      await setRunTags(actor, run.id, { [TAGS.registered]: `${modelVersion.name}:v${modelVersion.version}` });
    }
    await updateRun(actor, run.id, { status: "FINISHED" });
    await report(1, "finished");
    return {
      runId: run.id,
      runName: run.name,
      experimentId: experiment.id,
      experimentName: experiment.name,
      family: best.family,
      ...(best.variant ? { variant: best.variant } : {}),
      task: result.task,
      backend: result.backend,
      testMetrics,
      validationMetrics,
      trainedOn,
      refitBudget: budget,
      dataset: { id: version.id, name: version.datasetName, version: version.version },
      candidates: [...ranked, ...results.filter((r) => !r.validated)].map((r) => ({ family: r.family, ...(r.variant ? { variant: r.variant } : {}), score: r.score, ...(r.error ? { error: r.error } : {}) })),
      selection,
      modelVersion,
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const status = opts.signal?.aborted ? "KILLED" : "FAILED";
    try {
      await setRunTags(actor, run.id, { [TAGS.error]: message.slice(0, 8000) });
      await updateRun(actor, run.id, { status });
    } catch (e) {
      log.error({ err: e }, "could not mark the run as failed");
    }
    throw new TrainingFailedError(err, run.id);
  }
}
