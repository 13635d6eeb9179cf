// `mlops train`: the training pipeline in this process, against the configured database (no server).
// stdout carries only the result (one JSON object with --json); progress goes to stderr.
import { InvalidArgumentError, type Command } from "commander";
import { resetConfig } from "@/lib/config";
import { disconnectDb, ensureMigrated } from "@/lib/db";
import { toErrorResponse } from "@/lib/errors";
import { CLASSIFICATION_METRICS, REGRESSION_METRICS } from "@/lib/ml";
import { candidateLabel, familyChoices, METRIC_NAMES, runTraining, TrainingFailedError, type SearchResult, type SearchSummary, type TrainingResult } from "@/lib/training";

interface TrainOptions {
  data: string;
  target: string;
  test?: string;
  model: string;
  params?: Record<string, unknown>;
  seed: number;
  testSize: number;
  validationSize: number;
  folds?: number;
  experiment?: string;
  register?: string;
  alias?: string;
  metric?: (typeof METRIC_NAMES)[number];
  margin: number;
  json?: boolean;
  quiet?: boolean;
  hpo?: number;
  refit: boolean;
}

function jsonObject(v: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw new InvalidArgumentError(`not valid JSON: ${v.slice(0, 80)} (example: '{"epochs":50}')`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('expected a JSON object, e.g. \'{"epochs":50}\'');
  return parsed as Record<string, unknown>;
}

function hpoTrials(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1 || n > 500) throw new InvalidArgumentError("expected a whole number of trials from 1 to 500");
  return n;
}

function seedArg(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) throw new InvalidArgumentError("expected a whole number from 0 to 4294967295");
  return n;
}

function fractionArg(v: string): number {
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError("expected a fraction between 0 and 1, e.g. 0.2");
  return n;
}

function nonNegative(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("expected a number of at least 0");
  return n;
}

function foldsArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n === 1 || n < 0 || n > 20) throw new InvalidArgumentError("expected 0 (one validation split) or a whole number of folds from 2 to 20");
  return n;
}

function metricArg(v: string): (typeof METRIC_NAMES)[number] {
  if (!(METRIC_NAMES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${METRIC_NAMES.join(", ")}`);
  return v as (typeof METRIC_NAMES)[number];
}

/** The object `--json` prints: the shape issue 4 fixes. */
export function trainJson(r: TrainingResult) {
  const keys: readonly string[] = r.task === "classification" ? CLASSIFICATION_METRICS : REGRESSION_METRICS;
  return {
    run_id: r.runId,
    family: r.family,
    task: r.task,
    test_metrics: Object.fromEntries(keys.map((k) => [k, r.testMetrics[k] ?? null])),
    ...(r.modelVersion ? { model_version: { name: r.modelVersion.name, version: r.modelVersion.version, alias: r.modelVersion.alias } } : {}),
    ...(searchOf(r) ? { study: studyJson(searchOf(r)!) } : {}),
  };
}

function searchOf(r: TrainingResult): SearchSummary | undefined {
  return (r as Partial<SearchResult>).search;
}

/** With --hpo: the search behind the refit run. */
function studyJson(s: SearchSummary) {
  return {
    study_id: s.studyId,
    parent_run_id: s.parentRunId,
    best_trial: { family: s.bestTrial.family, number: s.bestTrial.number, value: s.bestTrial.value, params: s.bestTrial.params },
    families: s.families.map((f) => ({ family: f.family, study_id: f.studyId, trials: f.trials, best_value: f.bestValue })),
  };
}

const fmt = (v: number | null) => (v === null ? "-" : Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));

function summary(r: TrainingResult): string {
  const j = trainJson(r);
  const lines = [
    `Run ${r.runId} (${r.runName}) finished in experiment '${r.experimentName}'.`,
    `  ${r.task}, family ${r.family}${r.variant ? `, variant ${r.variant}` : ""} (backend ${r.backend}), dataset ${r.dataset.name} v${r.dataset.version}`,
    `  test: ${Object.entries(j.test_metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}`,
  ];
  const scoredBy = r.selection.method === "cross-validation" ? `${r.selection.folds}-fold cross-validation score` : "validation score";
  if (r.candidates.length > 1) lines.push(`  candidates (${scoredBy}): ${r.candidates.map((c) => `${candidateLabel(c)} ${c.error ? "failed" : fmt(c.score)}`).join(", ")}`);
  if (r.refitBudget) {
    const budget = Object.entries(r.refitBudget).find(([k]) => k === "epochs" || k === "n_estimators");
    lines.push(`  stored model: refit on train+validation${budget ? ` for ${budget[1]} ${budget[0] === "epochs" ? "epochs" : "boosting rounds"}` : ""}, the budget ${r.selection.method === "cross-validation" ? "the folds' mean validation loss" : "early stopping"} chose`);
  }
  const search = searchOf(r);
  if (search) {
    lines.push(`  search: ${search.families.map((f) => `${f.family} ${f.trials} trials, best validation loss ${fmt(f.bestValue)}`).join("; ")}`);
    lines.push(`  refit of ${search.bestTrial.family} trial ${search.bestTrial.number} on train+validation; parent run ${search.parentRunId}`);
  }
  if (r.modelVersion) {
    const m = r.modelVersion;
    lines.push(`  registered ${m.name} version ${m.version}${m.alias ? ` as ${m.alias}` : " (no alias)"}: ${m.reason}`);
  }
  return lines.join("\n");
}

export function registerTrainCommand(program: Command): void {
  program
    .command("train")
    .description("Train a model on a CSV file in this process, track it as a run and optionally register it")
    .requiredOption("--data <file>", "training data (CSV with a header row); ingested as a dataset version")
    .requiredOption("--target <column>", "the column to predict")
    .option("--test <file>", "a separate test CSV (default: a stratified split of --data)")
    .option("--model <family>", `model family: ${familyChoices().join(", ")}`, "auto")
    .option("--params <json>", 'hyperparameters as a JSON object, e.g. \'{"epochs":50}\'', jsonObject)
    .option("--seed <n>", "random seed", seedArg, 42)
    .option("--test-size <fraction>", "test fraction when there is no --test", fractionArg, 0.2)
    .option("--validation-size <fraction>", "validation fraction of the training part (early stopping)", fractionArg, 0.2)
    .option("--folds <k>", "choose the family and the refit's budget by k-fold cross-validation (0: one validation split; default: 5 for auto on up to 1,000 rows)", foldsArg)
    .option("--experiment <name>", "experiment (default: the dataset's name)")
    .option("--register <name>", "register the model as a new version of this model")
    .option("--alias <alias>", "alias for the new version (default: champion if none, challenger if it beats the champion)")
    .option("--metric <name>", "test metric the registration policy compares", metricArg)
    .option("--margin <x>", "how much better than the champion a challenger must be", nonNegative, 0)
    .option("--hpo <trials>", "tune the family's hyperparameters over this many trials, then refit the best on train+validation", hpoTrials)
    .option("--no-refit", "keep the early-stopped model (trained on the training split alone) instead of refitting it on train+validation")
    .option("--quiet", "no progress lines on stderr")
    .option("--json", "print one JSON object: run_id, family, task, test_metrics, model_version")
    .action(async (opts: TrainOptions) => {
      // pino writes to stdout: keep it quiet unless asked, so stdout holds only the result.
      if (!process.env.LOG_LEVEL) {
        process.env.LOG_LEVEL = "silent";
        resetConfig();
      }
      // TensorFlow.js greets on console.log; that must not reach stdout either.
      const log = console.log;
      console.log = (...args: unknown[]) => console.error(...args);
      let last = "";
      try {
        await ensureMigrated();
        const result = await runTraining(
          {
            dataset: { csvPath: opts.data },
            test: opts.test,
            target: opts.target,
            family: opts.model,
            params: opts.params ?? {},
            seed: opts.seed,
            split: { test: opts.testSize, validation: opts.validationSize, folds: opts.folds },
            experiment: opts.experiment,
            register: opts.register ? { name: opts.register, alias: opts.alias, metric: opts.metric, margin: opts.margin } : undefined,
            hpo: opts.hpo ? { trials: opts.hpo } : undefined,
            refit: opts.refit,
          },
          {
            actor: null,
            onProgress: (fraction, message) => {
              if (opts.quiet || message === last) return;
              last = message;
              process.stderr.write(`[${String(Math.round(fraction * 100)).padStart(3)}%] ${message}\n`);
            },
          },
        );
        console.log = log;
        if (opts.json) process.stdout.write(`${JSON.stringify(trainJson(result), (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))}\n`);
        else process.stdout.write(`${summary(result)}\n`);
        await disconnectDb();
      } catch (err) {
        console.log = log;
        const { body, status } = toErrorResponse(err);
        const message = status === 500 && err instanceof Error ? err.message : body.error.message;
        console.error(`error: ${message}${err instanceof TrainingFailedError ? ` (run ${err.runId} FAILED)` : ""}`);
        await disconnectDb().catch(() => undefined);
        process.exitCode = 1;
      }
    });
}
