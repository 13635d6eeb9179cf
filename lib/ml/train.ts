// The training pipeline the training job and `mlops train` call: split, preprocess (fitted on the training
// rows only), fit the family with early stopping on validation, evaluate on test, importance, manifest.
import { invalid } from "../errors";
import { getFamily, parseParams } from "./families";
import type { EpochReport, ModelFamily, TrainingSet } from "./families/types";
import { permutationImportance, type FeatureImportance } from "./importance";
import { saveModel, type ModelManifest } from "./manifest";
import { HIGHER_IS_BETTER, type MetricName } from "./metrics";
import { evaluateMatrix, selectRows, type Metrics, type Model } from "./model";
import { featureBlocks, fitPreprocessor, transform, type PreprocessOptions, type PreprocessorState } from "./preprocess";
import { deriveSeed } from "./random";
import { splitIndices, type SplitIndices } from "./split";
import { takeRows, type Table } from "./table";
import { encodeTarget, fitTarget, inferTask, rowsWithTarget, targetLabels, type Task, type TargetEncoder } from "./target";

export interface TrainOptions {
  readonly target: string;
  /** Family name (`linear`, `mlp`) or a family object. */
  readonly family: string | ModelFamily<unknown>;
  /** Hyperparameters, validated by the family (unknown keys rejected, defaults filled). */
  readonly params?: unknown;
  readonly seed?: number;
  /** Inferred from the target column when absent (numeric → regression, categorical → classification). */
  readonly task?: Task;
  /**
   * test: fraction of all rows; validation: fraction of the remaining training rows (early stopping);
   * fold: cross-validation instead, the validation rows are fold `index` of `count` (SplitOptions.fold).
   */
  readonly split?: { readonly test?: number; readonly validation?: number; readonly fold?: { readonly count: number; readonly index: number } };
  /** A separate test set (the CLI's --test); then no test rows are split off `table`. */
  readonly testTable?: Table;
  /** Overrides of the family's preferred preprocessing. */
  readonly preprocessing?: Partial<PreprocessOptions>;
  /** Permutation importance on the test rows; false to skip. Metric defaults to accuracy / r2. */
  readonly importance?: false | { readonly metric?: MetricName; readonly repeats?: number };
  readonly onEpoch?: (report: EpochReport) => void | Promise<void>;
  readonly signal?: AbortSignal;
  /** Clock for createdAt (tests). */
  readonly now?: () => Date;
}

export interface TrainResult {
  readonly model: Model;
  readonly manifest: ModelManifest;
  /** Weight files named in the manifest, for the caller to store beside it. */
  readonly files: Map<string, Uint8Array>;
  readonly task: Task;
  readonly testMetrics: Metrics | null;
  readonly valMetrics: Metrics | null;
  readonly history: readonly EpochReport[];
  readonly backend: string;
  readonly importance: readonly FeatureImportance[] | null;
  readonly rows: { readonly train: number; readonly validation: number; readonly test: number };
  /** Which rows of `table` went where (test is empty when a separate test table was given). */
  readonly split: SplitIndices;
}

const DEFAULT_SEED = 42;
const DEFAULT_TEST = 0.2;
const DEFAULT_VALIDATION = 0.2;
const DEFAULT_REPEATS = 5;

export async function trainModel(table: Table, opts: TrainOptions): Promise<TrainResult> {
  const started = Date.now();
  const family = typeof opts.family === "string" ? getFamily(opts.family) : opts.family;
  const params = parseParams(family.name, family.params, opts.params);
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw invalid(`seed must be an integer, got ${seed}`);
  const targetCol = table.columns.find((c) => c.name === opts.target);
  if (!targetCol) {
    throw invalid(`Target column '${opts.target}' does not exist; columns are: ${table.columns.map((c) => c.name).join(", ")}`);
  }
  const task = opts.task ?? inferTask(targetCol);

  // Rows without a target cannot be learned from or scored.
  const labelledRows = rowsWithTarget(targetCol);
  const labelled = takeRows(table, labelledRows);
  const labelledTarget = labelled.columns.find((c) => c.name === opts.target)!;
  const strata = task === "classification" ? classIds(targetLabels(labelledTarget)) : undefined;
  const split = splitIndices(labelled.rowCount, {
    test: opts.testTable ? 0 : (opts.split?.test ?? DEFAULT_TEST),
    validation: opts.split?.validation ?? DEFAULT_VALIDATION,
    fold: opts.split?.fold,
    seed,
    strata,
  });
  const trainTable = takeRows(labelled, split.train);
  const valTable = takeRows(labelled, split.validation);
  const testTable = opts.testTable ? withTarget(opts.testTable, opts.target) : takeRows(labelled, split.test);
  if (trainTable.rowCount < 2) throw invalid(`Only ${trainTable.rowCount} training row(s) after the split; need at least 2`);

  const target = fitTarget(trainTable.columns.find((c) => c.name === opts.target)!, task);
  const nClasses = target.task === "classification" ? target.classes.length : 1;
  const preferred = typeof family.preprocessing === "function" ? family.preprocessing(params) : family.preprocessing;
  const preprocessor = fitPreprocessor(trainTable, { ...preferred, ...opts.preprocessing }, [opts.target]);
  const train = encode(preprocessor, target, trainTable);
  // Validation rows of classes absent from training carry no usable loss: leave them out.
  const validation = task === "classification" ? dropUnknownClasses(encode(preprocessor, target, valTable)) : encode(preprocessor, target, valTable);
  const test = encode(preprocessor, target, testTable);

  const fitted = await family.fit(train, {
    task,
    nClasses,
    params,
    seed: deriveSeed(seed, `fit:${family.name}`),
    validation: validation.X.rows > 0 ? validation : undefined,
    categorical: categoricalColumns(preprocessor),
    onEpoch: opts.onEpoch,
    signal: opts.signal,
  });

  const scorer = family.scorer(fitted.state);
  const partial: Model = {
    info: {
      family: family.name,
      hyperparameters: params as Record<string, unknown>,
      metrics: { validation: null, test: null },
      importance: null,
      training: {
        backend: fitted.backend,
        seed,
        epochs: fitted.history.length,
        bestEpoch: fitted.bestEpoch,
        stoppedEarly: fitted.stoppedEarly,
        rows: { train: train.X.rows, validation: validation.X.rows, test: test.X.rows },
        durationMs: 0,
      },
      createdAt: (opts.now?.() ?? new Date()).toISOString(),
    },
    preprocessor,
    target,
    state: fitted.state,
    scorer,
  };
  const valMetrics = validation.X.rows > 0 ? evaluateMatrix(partial, validation.X, validation.y) : null;
  const testMetrics = test.X.rows > 0 ? evaluateMatrix(partial, test.X, test.y) : null;

  let importance: FeatureImportance[] | null = null;
  if (opts.importance !== false && test.X.rows > 1) {
    const metric = opts.importance?.metric ?? (task === "classification" ? "accuracy" : "r2");
    const score = (X: typeof test.X) => (evaluateMatrix(partial, X, test.y) as unknown as Record<string, number>)[metric]!;
    importance = permutationImportance(score, test.X, featureBlocks(preprocessor), {
      repeats: opts.importance?.repeats ?? DEFAULT_REPEATS,
      seed: deriveSeed(seed, "importance"),
      higherIsBetter: HIGHER_IS_BETTER[metric],
    });
  }

  const model: Model = {
    ...partial,
    info: {
      ...partial.info,
      metrics: { validation: valMetrics, test: testMetrics },
      importance,
      training: { ...partial.info.training, durationMs: Date.now() - started },
    },
  };
  const { manifest, files } = saveModel(model);
  return {
    model,
    manifest,
    files,
    task,
    testMetrics,
    valMetrics,
    history: fitted.history,
    backend: fitted.backend,
    importance,
    rows: model.info.training.rows,
    split: {
      train: split.train.map((i) => labelledRows[i]!),
      validation: split.validation.map((i) => labelledRows[i]!),
      test: split.test.map((i) => labelledRows[i]!),
    },
  };
}

function encode(preprocessor: PreprocessorState, target: TargetEncoder, table: Table): TrainingSet {
  const col = table.columns.find((c) => c.name === target.name)!;
  return { X: transform(preprocessor, table), y: encodeTarget(target, col) };
}

function dropUnknownClasses(set: TrainingSet): TrainingSet {
  const keep: number[] = [];
  set.y.forEach((v, i) => v >= 0 && keep.push(i));
  return keep.length === set.y.length ? set : { X: selectRows(set.X, keep), y: Float64Array.from(keep, (r) => set.y[r]!) };
}

function withTarget(table: Table, target: string): Table {
  const col = table.columns.find((c) => c.name === target);
  if (!col) throw invalid(`The test set has no target column '${target}'`);
  return takeRows(table, rowsWithTarget(col));
}

/** Label → integer id in sorted label order, so strata do not depend on row order. */
function classIds(labels: readonly (string | null)[]): Int32Array {
  const sorted = [...new Set(labels.map((l) => l ?? ""))].sort();
  const ids = new Map(sorted.map((l, i) => [l, i]));
  return Int32Array.from(labels, (l) => ids.get(l ?? "")!);
}

function categoricalColumns(pre: PreprocessorState): boolean[] {
  return pre.steps.flatMap((s) => {
    if (s.kind === "numeric") return [false];
    if (s.encoding === "ordinal") return [true];
    return new Array<boolean>(s.categories.length + (s.other ? 1 : 0)).fill(false);
  });
}
