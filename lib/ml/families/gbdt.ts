// Family `gbdt`: histogram gradient-boosted trees (lib/ml/gbdt) behind the shared ModelFamily interface.
// Trees take the features as they are: category codes and NaN for missing values, no scaling.
import { z } from "zod";
import { Booster, gbdtParamsShape, MAX_DEPTH_ISSUE, maxDepthValid, rawToProba, type GbdtModel } from "../gbdt";
import { gbdtFromState, gbdtToState } from "./gbdt-state";
import type { EpochReport, ModelFamily, Scorer, TrainingSet } from "./types";

export const gbdtParamsSchema = z
  .object({
    ...gbdtParamsShape,
    /** The pipeline always has validation rows: stop after this many iterations without improvement (0 = never) and keep the best. */
    early_stopping_rounds: z.number().int().min(0).default(20),
    /** Defaults to the run's seed. */
    seed: z.number().int().optional(),
  })
  .strict()
  .refine(maxDepthValid, MAX_DEPTH_ISSUE);
export type GbdtFamilyParams = z.output<typeof gbdtParamsSchema>;

/** Longest stretch of synchronous boosting before the event loop gets a turn (heartbeats, cancellation). */
const YIELD_EVERY_MS = 100;

export const gbdtFamily: ModelFamily<GbdtFamilyParams> = {
  name: "gbdt",
  params: gbdtParamsSchema,
  // Trees split on raw values: no scaling, NaN kept (routed per split), categories as codes for native
  // categorical splits; up to 254 kept categories plus `other` fit the 255 value bins.
  preprocessing: { standardize: false, impute: false, categorical: "ordinal", maxCategories: 254 },
  async fit(data, options) {
    const { rows, cols } = data.X;
    const objective = options.task === "regression" ? "regression" : options.nClasses > 2 ? "multiclass" : "binary";
    const categoricalFeatures = (options.categorical ?? []).flatMap((isCat, j) => (isCat ? [j] : []));
    const val = options.validation;
    const booster = new Booster(Float64Array.from(data.X.data), rows, cols, data.y, {
      objective,
      nClasses: options.nClasses,
      params: { ...options.params, seed: options.params.seed ?? options.seed },
      categoricalFeatures,
      valid: val ? { X: Float64Array.from(val.X.data), nRows: val.X.rows, y: val.y } : undefined,
      signal: options.signal,
      // The history is part of the result (and logged as the run's curve) even without a listener.
      trackTrainLoss: true,
    });
    const history: EpochReport[] = [];
    let lastYield = Date.now();
    for (let info = booster.step(); info; info = booster.step()) {
      const report: EpochReport = {
        epoch: info.iteration,
        maxEpochs: options.params.n_estimators,
        loss: info.trainLoss,
        valLoss: info.validLoss,
        metrics: val ? validationMetrics(booster, val, options.task) : {},
      };
      history.push(report);
      if (options.onEpoch) await options.onEpoch(report);
      else if (Date.now() - lastYield >= YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = Date.now();
      }
      options.signal?.throwIfAborted();
    }
    const result = booster.finish();
    return {
      state: gbdtToState(result.model),
      history,
      bestEpoch: result.bestIteration,
      stoppedEarly: result.stoppedEarly,
      backend: "js",
    };
  },
  scorer: (state) => gbdtScorer(gbdtFromState(state)),
};

/** Class probabilities (classification) or the regression value, over the model's raw scores. */
export function gbdtScorer(model: GbdtModel): Scorer {
  const K = model.nOutputs;
  const regression = model.objective === "regression";
  const nOutputs = regression ? 1 : model.nClasses;
  const raw = new Float64Array(K);
  return {
    nFeatures: model.nFeatures,
    nOutputs,
    scoreRow(x, out = new Float64Array(nOutputs)) {
      model.predictRaw(x, raw);
      if (regression) out[0] = raw[0]!;
      else rawToProba(model.objective, raw, 0, out, 0, nOutputs);
      return out;
    },
    scoreBatch(X, rows, out = new Float64Array(rows * nOutputs)) {
      if (regression) return model.predictRawBatch(X, rows, out);
      const r = model.predictRawBatch(X, rows);
      for (let i = 0; i < rows; i++) rawToProba(model.objective, r, i * K, out, i * nOutputs, nOutputs);
      return out;
    },
  };
}

/** val_accuracy or val_r2 from the booster's running validation scores (no extra pass over the trees). */
function validationMetrics(booster: Booster, val: TrainingSet, task: "classification" | "regression"): Record<string, number> {
  const s = booster.validScores!;
  const K = booster.nOutputs;
  const n = val.X.rows;
  const y = val.y;
  if (task === "regression") {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i]!;
    mean /= n;
    let sse = 0;
    let sst = 0;
    for (let i = 0; i < n; i++) {
      sse += (y[i]! - s[i]!) ** 2;
      sst += (y[i]! - mean) ** 2;
    }
    return { val_r2: sst > 0 ? 1 - sse / sst : 0 };
  }
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    if (K === 1) best = s[i]! > 0 ? 1 : 0;
    else for (let k = 1; k < K; k++) if (s[i * K + k]! > s[i * K + best]!) best = k;
    if (best === y[i]) hits++;
  }
  return { val_accuracy: hits / n };
}
