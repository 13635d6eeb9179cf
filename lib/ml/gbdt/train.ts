// Synchronous training entry points over the Booster (see booster.ts for the loop itself).
import { Booster, type GbdtTrainOptions, type GbdtTrainResult } from "./booster";
import type { GbdtModel } from "./model";

export type { GbdtIterationInfo, GbdtTrainOptions, GbdtTrainResult } from "./booster";
export type { GbdtDataset } from "./data";

/** Trains a gradient-boosted tree model; see trainGbdtDetailed for the loss history and training scores. */
export function trainGbdt(X: Float64Array, nRows: number, nFeatures: number, y: Float64Array, opts: GbdtTrainOptions): GbdtModel {
  return trainGbdtDetailed(X, nRows, nFeatures, y, opts).model;
}

export function trainGbdtDetailed(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  y: Float64Array,
  opts: GbdtTrainOptions,
): GbdtTrainResult {
  const booster = new Booster(X, nRows, nFeatures, y, opts);
  for (let info = booster.step(); info; info = booster.step()) opts.onIteration?.(info);
  return booster.finish();
}
