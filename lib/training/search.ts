// Hyperparameter search for training (`hpo` in the spec, `mlops train --hpo N`): a study over the
// chosen family's search space where every trial is a child run of one parent run, pruned on the
// per-epoch validation loss; then the best configuration is refit on train+validation and evaluated
// on test. `auto` runs a small search per family and refits the best family.
import { createReadStream } from "node:fs";
import { z } from "zod";
import { stat } from "node:fs/promises";
import { createDatasetVersion, getDatasetVersion } from "../datasets";
import { AppError, invalid } from "../errors";
import { TrialPruned, closeStudy, createInProcessStudy, type FrozenTrial, type Objective, type ObjectiveFactory, type ObjectiveSpec, type Trial } from "../hpo";
import { PermanentJobError } from "../jobs";
import { FAMILIES } from "../ml";
import { PARENT_RUN_TAG, createExperiment, createRun, getExperimentByName, logBatch, setRunTags, updateRun } from "../tracking";
import { SEARCH_TAG, awaitStudyOnWorkers, wasCancelled, type SearchOnWorkers } from "./search-workers";
import { TrainingFailedError, datasetNameFromPath, fixedBudget, runTraining, type TrainingOptions, type TrainingResult } from "./run";
import { AUTO_FAMILY, trainJobSpecSchema, type TrainingSpec } from "./spec";

export interface SearchSummary {
  studyId: string;
  studyName: string;
  parentRunId: string;
  /** Per family searched: trials run and the best validation loss. */
  families: { family: string; studyId: string; trials: number; bestValue: number | null; bestParams: Record<string, unknown> | null }[];
  bestTrial: { family: string; number: number; value: number; params: Record<string, unknown> };
}

export type SearchResult = TrainingResult & { search: SearchSummary };

/** Checks the pruner every this many epochs (each check reads the study's other trials). */
const PRUNE_EVERY = 5;

type Suggest = (trial: Trial, fixed: Record<string, unknown>) => Record<string, unknown>;

function pick<T>(fixed: Record<string, unknown>, name: string, draw: () => T): T | unknown {
  return name in fixed ? fixed[name] : draw();
}

/** Search spaces per family; parameters the user fixed in `params` are not searched. */
const SPACES: Record<string, Suggest> = {
  // Solved to the optimum unless the user asks for Adam: only the penalty matters then.
  linear: (t, f) =>
    f.solver !== "adam"
      ? { l2: pick(f, "l2", () => t.suggestFloat("l2", 1e-6, 1, { log: true })) }
      : {
          learning_rate: pick(f, "learning_rate", () => t.suggestFloat("learning_rate", 1e-3, 0.5, { log: true })),
          l2: pick(f, "l2", () => t.suggestFloat("l2", 1e-6, 1, { log: true })),
          batch_size: pick(f, "batch_size", () => t.suggestCategorical("batch_size", [32, 64, 128, 256])),
        },
  mlp: (t, f) => ({
    hidden_layers: pick(f, "hidden_layers", () => {
      const layers = t.suggestInt("n_layers", 1, 2);
      const width = t.suggestInt("width", 16, 256, { log: true });
      return Array.from({ length: layers }, () => width);
    }),
    dropout: pick(f, "dropout", () => t.suggestFloat("dropout", 0, 0.5)),
    learning_rate: pick(f, "learning_rate", () => t.suggestFloat("learning_rate", 1e-4, 3e-2, { log: true })),
    l2: pick(f, "l2", () => t.suggestFloat("l2", 1e-6, 1e-2, { log: true })),
    batch_size: pick(f, "batch_size", () => t.suggestCategorical("batch_size", [32, 64, 128])),
  }),
  gbdt: (t, f) => ({
    learning_rate: pick(f, "learning_rate", () => t.suggestFloat("learning_rate", 0.01, 0.3, { log: true })),
    max_leaves: pick(f, "max_leaves", () => t.suggestInt("max_leaves", 4, 128, { log: true })),
    min_samples_leaf: pick(f, "min_samples_leaf", () => t.suggestInt("min_samples_leaf", 2, 100, { log: true })),
    lambda_l2: pick(f, "lambda_l2", () => t.suggestFloat("lambda_l2", 1e-3, 10, { log: true })),
    subsample: pick(f, "subsample", () => t.suggestFloat("subsample", 0.5, 1)),
    colsample: pick(f, "colsample", () => t.suggestFloat("colsample", 0.5, 1)),
    n_estimators: pick(f, "n_estimators", () => 300),
  }),
};

/** The objective: validation log loss (classification) or RMSE (regression) of the kept weights. */
function validationLoss(r: TrainingResult): number {
  const v = r.task === "classification" ? r.validationMetrics.log_loss : r.validationMetrics.rmse;
  if (typeof v !== "number" || !Number.isFinite(v)) throw invalid(`the trial's run ${r.runId} has no validation ${r.task === "classification" ? "log_loss" : "rmse"}`);
  return v;
}

async function experimentId(name: string): Promise<string> {
  try {
    return (await getExperimentByName(name)).id;
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "not_found") throw err;
  }
  try {
    return (await createExperiment(null, { name })).id;
  } catch (err) {
    if (err instanceof AppError && err.code === "conflict") return (await getExperimentByName(name)).id;
    throw err;
  }
}

/** What one trial of a training search needs; stored as the study's objective spec (plain JSON). */
interface TrialSetup {
  family: string;
  /** The training spec every trial starts from (dataset by name and version, no search, no test). */
  spec: TrainingSpec;
  /** Hyperparameters the user fixed; the rest of the family's space is searched. */
  userParams: Record<string, unknown>;
  /** Run name prefix. */
  label: string;
}

export const TRAINING_OBJECTIVE = "training";
/** Tag of the refit run: `studyId:trialNumber` of the configuration it refits. */
export const REFIT_OF_TRIAL_TAG = "mlops.refit_of_trial";

function trainingObjectiveSpec(s: TrialSetup): ObjectiveSpec {
  return {
    kind: TRAINING_OBJECTIVE,
    family: s.family,
    spec: { ...s.spec, family: s.family, params: s.userParams },
    params: s.userParams,
    label: s.label,
  };
}

/**
 * One trial: a child run of the parent run trained with the sampled hyperparameters, reporting every
 * epoch's validation loss and asking the pruner every PRUNE_EVERY epochs.
 */
function trainingTrialObjective(s: TrialSetup & { studyId: string; parentRunId: string; opts: TrainingOptions }): Objective {
  const { family, userParams, label, studyId, parentRunId, opts } = s;
  return async (trial) => {
    const params = { ...userParams, ...SPACES[family]!(trial, userParams) };
    const prune = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, prune.signal]) : prune.signal;
    let pruned = false;
    let bestEpoch = { loss: Infinity, epoch: 0 };
    try {
      const r = await runTraining(
        { ...s.spec, family, params, runName: `${label}-${family}-trial-${trial.number}` },
        {
          actor: opts.actor,
          signal,
          fit: "early-stopped",
          tags: { ...opts.tags, [PARENT_RUN_TAG]: parentRunId, "mlops.study": studyId, "mlops.trial": String(trial.number) },
          onEpoch: async (_f, rep) => {
            if (rep.valLoss === null || !Number.isFinite(rep.valLoss)) return;
            if (rep.valLoss < bestEpoch.loss) bestEpoch = { loss: rep.valLoss, epoch: rep.epoch };
            trial.report(rep.valLoss, rep.epoch);
            if (rep.epoch % PRUNE_EVERY === 0 && (await trial.shouldPrune())) {
              pruned = true;
              prune.abort(new TrialPruned());
            }
          },
        },
      );
      trial.setUserAttr("run_id", r.runId);
      trial.setUserAttr("best_epoch", bestEpoch.epoch);
      trial.setUserAttr("params", params);
      return validationLoss(r);
    } catch (err) {
      if (err instanceof TrainingFailedError) trial.setUserAttr("run_id", err.runId);
      if (pruned && !opts.signal?.aborted) throw new TrialPruned(`pruned at epoch ${Object.keys(trial.frozenView().intermediateValues).length}`);
      throw err;
    }
  };
}

const objectiveSpecSchema = z.object({
  kind: z.literal(TRAINING_OBJECTIVE),
  family: z.string().refine((f) => f in SPACES, { message: `family has no search space; one of ${Object.keys(SPACES).join(", ")}` }),
  spec: trainJobSpecSchema,
  params: z.record(z.string(), z.unknown()).default({}),
  label: z.string().min(1),
});

/**
 * The objective factory for `hpo.trial` jobs of a training study (`{kind: "training", ...}`), so that
 * the platform's workers can run a training search's trials: each trial is a child run of the
 * study's parent run, as in the in-process search.
 */
export const trainingObjectiveFactory: ObjectiveFactory = (raw, ctx) => {
  const parsed = objectiveSpecSchema.safeParse(raw);
  if (!parsed.success) throw new PermanentJobError(`bad training objective: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  if (!ctx.parentRunId) throw new PermanentJobError(`study ${ctx.study.id} has no parent run for its trials`);
  const o = parsed.data;
  const spec = o.spec as TrainingSpec;
  return trainingTrialObjective({
    family: o.family,
    spec,
    userParams: o.params,
    label: o.label,
    studyId: ctx.study.id,
    parentRunId: ctx.parentRunId,
    opts: { actor: null, signal: ctx.signal },
  });
};

/**
 * Runs the search described by `spec.hpo` and the refit; the result is the refit run's, plus the search
 * summary. Without `onWorkers` the trials run one after another in this process; with it they are
 * `hpo.trial` jobs of a database study that any worker serves, and this call only waits for them.
 */
export async function runTrainingSearch(spec: TrainingSpec, opts: TrainingOptions, onWorkers?: SearchOnWorkers): Promise<SearchResult> {
  const hpo = spec.hpo!;
  const families = spec.family === AUTO_FAMILY ? Object.keys(FAMILIES) : [spec.family];
  for (const f of families) if (!SPACES[f] && families.length === 1) throw invalid(`family '${f}' has no search space; search one of ${Object.keys(SPACES).join(", ")}`);
  // A CSV is ingested once; every trial then reads that dataset version.
  let dataset = spec.dataset;
  if ("csvPath" in dataset) {
    const info = await stat(dataset.csvPath).catch(() => null);
    if (!info?.isFile()) throw invalid(`Cannot read '${dataset.csvPath}': no such file`);
    const v = (await createDatasetVersion(opts.actor, { name: datasetNameFromPath(dataset.csvPath), stream: createReadStream(dataset.csvPath) })).version;
    dataset = { name: v.datasetName, version: v.version };
  }
  // Bad input is reported before any run exists, as runTraining does.
  const version = await getDatasetVersion(dataset.name, dataset.version);
  const columns = version.schema.map((c) => c.name);
  if (!columns.includes(spec.target)) {
    throw invalid(`Target column '${spec.target}' does not exist in dataset '${version.datasetName}'; columns are: ${columns.join(", ")}`);
  }
  dataset = { name: version.datasetName, version: version.version };
  const base: TrainingSpec = { ...spec, dataset, hpo: undefined, register: undefined, test: undefined };
  const experiment = spec.experiment ?? dataset.name;
  const searched = families.filter((f) => SPACES[f]);
  const perFamily = searched.length === 1 ? hpo.trials : Math.max(2, Math.floor(hpo.trials / searched.length));
  const label = spec.runName ?? `search-${spec.family}`;

  // A retried search job carries on under the parent run (and studies) of its earlier attempts.
  let parentRunId: string;
  if (onWorkers?.parentRunId) {
    parentRunId = onWorkers.parentRunId;
    await updateRun(opts.actor, parentRunId, { status: "RUNNING" });
  } else {
    const parent = await createRun(opts.actor, {
      experimentId: await experimentId(experiment),
      name: label,
      tags: { "mlops.family": spec.family, [SEARCH_TAG]: "tpe", ...opts.tags },
    });
    await logBatch(opts.actor, parent.id, {
      params: [
        { key: "family", value: spec.family },
        { key: "target", value: spec.target },
        { key: "hpo_trials", value: String(hpo.trials) },
        { key: "seed", value: String(spec.seed) },
      ],
    });
    parentRunId = parent.id;
  }
  try {
    const summaries: SearchSummary["families"] = [];
    let firstFailure: string | null = null;
    let best: { family: string; studyId: string; studyName: string; trial: FrozenTrial; value: number; epoch: number } | null = null;
    // One study per family. On the workers they all run at once (their trial jobs queued together, so
    // no slot idles between families); in-process one after another.
    const done = new Map<string, number>();
    type FamilySearch = { family: string; studyId: string; studyName: string; trials: readonly FrozenTrial[] };
    const searchFamily = async (family: string): Promise<FamilySearch> => {
      const userParams = (families.length > 1 && spec.params[family] && typeof spec.params[family] === "object" ? spec.params[family] : families.length > 1 ? {} : spec.params) as Record<string, unknown>;
      const input = {
        direction: "minimize" as const,
        sampler: { name: "tpe" as const, seed: hpo.seed ?? spec.seed },
        pruner: { name: "median" as const, nStartupTrials: 3, nWarmupSteps: 5 },
        nTrials: perFamily,
        objective: trainingObjectiveSpec({ family, spec: base, userParams, label }),
        parentRunId,
      };
      const report = (n: number, bestValue: number | null) => {
        done.set(family, n);
        const total = [...done.values()].reduce((a, b) => a + b, 0);
        return opts.onProgress?.(
          Math.min(0.9, total / (perFamily * searched.length)) * 0.9,
          `${searched.length > 1 ? `${family}: ` : ""}trial ${n}/${perFamily}${bestValue === null ? "" : `, best ${bestValue.toPrecision(4)}`}`,
        );
      };
      if (onWorkers) {
        // Keyed by the job: a retried attempt finds and waits for the study its dead attempt started.
        return { family, ...(await awaitStudyOnWorkers({ ...input, name: `${label}-${family}-job-${onWorkers.jobId}` }, onWorkers, opts.signal, report)) };
      }
      const study = await createInProcessStudy({ ...input, name: `${label}-${family}-${parentRunId.slice(0, 8)}` });
      let finished = 0;
      // A separate test file (the CLI's --test) goes to the trials too: without it each trial would split
      // test rows off the training data and train and validate on fewer rows than the refit learns from.
      const trialSpec = spec.test ? { ...base, test: spec.test } : base;
      const objective = trainingTrialObjective({ family, spec: trialSpec, userParams, label, studyId: study.id, parentRunId, opts });
      await study.optimize(
        async (trial) => {
          try {
            return await objective(trial);
          } finally {
            finished++;
            await report(finished, study.trials.some((t) => t.state === "COMPLETE") ? study.bestValue : null);
          }
        },
        { nTrials: perFamily, signal: opts.signal },
      );
      await closeStudy(study.id, "complete");
      return { family, studyId: study.id, studyName: study.name, trials: study.trials };
    };
    let searchedFamilies: FamilySearch[];
    if (onWorkers) {
      // Every family's wait ends (a cancel closes each study) before the first error is raised.
      const settled = await Promise.allSettled(searched.map(searchFamily));
      const rejected = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (rejected) throw rejected.reason;
      searchedFamilies = settled.map((r) => (r as PromiseFulfilledResult<FamilySearch>).value);
    } else {
      searchedFamilies = [];
      for (const family of searched) searchedFamilies.push(await searchFamily(family));
    }
    for (const { family, studyId, studyName, trials } of searchedFamilies) {
      await setRunTags(opts.actor, parentRunId, { [`mlops.study.${family}`]: studyId });
      const bt = trials.filter((t) => t.state === "COMPLETE").sort((a, b) => (a.value as number) - (b.value as number))[0];
      const failed = trials.find((t) => t.state === "FAIL");
      if (failed) firstFailure ??= `${family} trial ${failed.number}: ${String(failed.systemAttrs.fail_reason)}`;
      summaries.push({
        family,
        studyId,
        trials: trials.length,
        bestValue: bt ? (bt.value as number) : null,
        bestParams: bt ? ((bt.userAttrs.params as Record<string, unknown>) ?? null) : null,
      });
      if (bt && (!best || (bt.value as number) < best.value)) best = { family, studyId, studyName, trial: bt, value: bt.value as number, epoch: Number(bt.userAttrs.best_epoch ?? 0) };
    }
    if (!best) throw invalid(`no trial completed (${summaries.map((s) => `${s.family}: ${s.trials} trial(s)`).join("; ")})${firstFailure ? `; first failure: ${firstFailure}` : ""}`);
    const bestTrial = best.trial;
    const bestParams = bestTrial.userAttrs.params as Record<string, unknown>;

    // refit: false keeps the best configuration's early-stopped model (training split alone).
    const onAll = spec.refit;
    await opts.onProgress?.(0.9, onAll ? `refitting ${best.family} on train+validation` : `training ${best.family} with the best configuration`);
    const refit = await runTraining(
      {
        ...base,
        test: spec.test,
        register: spec.register,
        family: best.family,
        params: onAll ? { ...bestParams, ...fixedBudget(best.family, best.epoch) } : bestParams,
        runName: `${label}-refit`,
      },
      { ...opts, fit: onAll ? "train+validation" : "early-stopped", onProgress: (f, m) => opts.onProgress?.(0.9 + 0.1 * f, `refit: ${m}`), tags: { ...opts.tags, [PARENT_RUN_TAG]: parentRunId, [REFIT_OF_TRIAL_TAG]: `${best.studyId}:${bestTrial.number}` } },
    );
    await logBatch(opts.actor, parentRunId, {
      metrics: [
        { key: "best_validation_loss", value: best.value, step: 0 },
        ...Object.entries(refit.testMetrics).map(([k, v]) => ({ key: `test_${k}`, value: v, step: 0 })),
      ],
      tags: [
        { key: "mlops.best_family", value: best.family },
        { key: "mlops.refit_run", value: refit.runId },
      ],
    });
    await updateRun(opts.actor, parentRunId, { status: "FINISHED" });
    return {
      ...refit,
      search: {
        studyId: best.studyId,
        studyName: best.studyName,
        parentRunId,
        families: summaries,
        bestTrial: { family: best.family, number: bestTrial.number, value: best.value, params: bestParams },
      },
    };
  } catch (err) {
    // A worker that stops or loses the lease leaves the parent running: the job's retry carries on.
    if (onWorkers && opts.signal?.aborted && !wasCancelled(opts.signal)) throw err;
    await setRunTags(opts.actor, parentRunId, { "mlops.error": (err instanceof Error ? err.message : String(err)).slice(0, 8000) }).catch(() => undefined);
    await updateRun(opts.actor, parentRunId, { status: opts.signal?.aborted ? "KILLED" : "FAILED" }).catch(() => undefined);
    throw err;
  }
}
