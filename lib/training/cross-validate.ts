// k-fold cross-validation of one family, for choosing `auto`'s family on small data (docs/training.md,
// "How auto picks a family"). The folds' validation-loss curves are averaged and the epoch (boosting
// round) where the mean is lowest is both the score and the refit's budget, as lightgbm.cv and
// xgboost.cv do: scoring each fold at its own best epoch would flatter the families that stop early
// over those that solve exactly (their score is chosen on the very rows it is measured on).
import { trainModel, type EpochReport, type Table, type TrainOptions } from "../ml";

export interface CrossValidation {
  readonly folds: number;
  /** 1-based epoch (boosting round) with the lowest mean validation loss: the refit's budget. */
  readonly bestEpoch: number;
  /** Mean validation loss over the folds at bestEpoch. */
  readonly loss: number;
  /** Mean validation metrics at bestEpoch: `accuracy` (classification) or `r2`, and `loss`. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Per epoch, the mean over the folds, up to the last epoch every fold reached (meanCurves). */
  readonly history: readonly EpochReport[];
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  /** Rows of the first fold (the others differ by at most one per class). */
  readonly rows: { readonly train: number; readonly validation: number };
}

export interface CrossValidateOptions extends Omit<TrainOptions, "split" | "onEpoch" | "importance"> {
  readonly folds: number;
  /** test: fraction of `table` held out for testing (ignored with `testTable`); the folds split the rest. */
  readonly test?: number;
  readonly onEpoch?: (fold: number, report: EpochReport) => void | Promise<void>;
}

export async function crossValidate(table: Table, opts: CrossValidateOptions): Promise<CrossValidation> {
  const { folds, test, onEpoch, ...train } = opts;
  const histories: (readonly EpochReport[])[] = [];
  let hyperparameters: Readonly<Record<string, unknown>> = {};
  let rows = { train: 0, validation: 0 };
  for (let index = 0; index < folds; index++) {
    const r = await trainModel(table, {
      ...train,
      split: { test, fold: { count: folds, index } },
      importance: false,
      onEpoch: onEpoch && ((report) => onEpoch(index, report)),
    });
    histories.push(r.history);
    if (index === 0) {
      hyperparameters = r.model.info.hyperparameters;
      rows = { train: r.rows.train, validation: r.rows.validation };
    }
  }
  const history = meanCurves(histories);
  let best = history[0]!;
  for (const h of history) if ((h.valLoss ?? Infinity) < (best.valLoss ?? Infinity)) best = h;
  return {
    folds,
    bestEpoch: best.epoch,
    loss: best.valLoss ?? NaN,
    metrics: { ...Object.fromEntries(Object.entries(best.metrics).map(([k, v]) => [k.replace(/^val_/, ""), v])), loss: best.valLoss ?? NaN },
    history,
    hyperparameters,
    rows,
  };
}

/**
 * The folds' curves averaged epoch by epoch, over the epochs every fold reached. Each fold stopped
 * `patience` epochs after its own best, so up to there this is the curve the folds trained side by
 * side would show, and its lowest point is where early stopping on the mean would have stopped them
 * (lightgbm.cv) whenever it lies `patience` epochs before the end. Carrying a stopped fold's last values
 * further would let the fold that trains longest pull the minimum to its own end.
 */
export function meanCurves(histories: readonly (readonly EpochReport[])[]): EpochReport[] {
  const length = Math.min(...histories.map((h) => h.length));
  const maxEpochs = Math.max(...histories.map((h) => h[0]?.maxEpochs ?? 0));
  const out: EpochReport[] = [];
  for (let e = 0; e < length; e++) {
    const at = histories.map((h) => h[e]!);
    const mean = (pick: (r: EpochReport) => number) => at.reduce((s, r) => s + pick(r), 0) / at.length;
    const metricNames = Object.keys(at[0]!.metrics);
    out.push({
      epoch: e + 1,
      maxEpochs,
      loss: mean((r) => r.loss),
      valLoss: mean((r) => r.valLoss ?? NaN),
      metrics: Object.fromEntries(metricNames.map((k) => [k, mean((r) => r.metrics[k] ?? NaN)])),
    });
  }
  return out;
}
