// Family `linear`: logistic regression (binary), softmax regression (multiclass) or linear regression,
// with an L2 penalty, in TensorFlow.js. By default solved to the optimum of its convex loss (regression by the
// ridge normal equations, classification by L-BFGS), since Adam with early stopping stopped short of it.
import { z } from "zod";
import { invalid } from "../../errors";
import { denseScorer } from "./dense-scorer";
import { networkInputs, standardizeParam, UNSCALED_VARIANT } from "./params";
import type { ModelFamily } from "./types";

export const linearParamsSchema = z
  .object({
    /** Penalty l2 · ½‖w‖² added to the mean loss (inputs are standardised, so one value suits most data). */
    l2: z.number().min(0).max(100).default(1e-3),
    // The loss is convex: large batches and a brisk rate converge fast and without the noise that makes
    // early stopping pick a lucky epoch.
    learning_rate: z.number().positive().max(10).default(0.05),
    batch_size: z.number().int().min(1).max(65536).default(200),
    /** Upper bound (solver adam; learning_rate, batch_size and patience are Adam's too); early stopping usually ends training well before it. */
    epochs: z.number().int().min(1).max(10000).default(1000),
    /** Epochs without validation improvement before stopping; 0 = never stop early (the best epoch's weights are still kept). */
    patience: z.number().int().min(0).max(10000).default(20),
    /** Standardise numeric inputs (params.ts, standardizeParam); false keeps them as given. */
    standardize: standardizeParam,
    /**
     * auto: lstsq for regression, lbfgs for classification; both solve to the optimum (one "epoch";
     * learning_rate, batch_size, epochs and patience unused). lstsq: closed form (regression only); lbfgs:
     * L-BFGS (classification only); adam: mini-batch gradient steps with early stopping, for both.
     */
    solver: z.enum(["auto", "lstsq", "lbfgs", "adam"]).default("auto"),
  })
  .strict();
export type LinearParams = z.infer<typeof linearParamsSchema>;

export const linearFamily: ModelFamily<LinearParams> = {
  name: "linear",
  params: linearParamsSchema,
  preprocessing: networkInputs,
  autoVariants: UNSCALED_VARIANT,
  async fit(data, options) {
    // Imported on first fit so loading a model for serving never loads TensorFlow.js.
    const { solveLeastSquares, solveLogistic, trainDense } = await import("./dense-train");
    const p = options.params;
    if (p.solver === "lstsq" && options.task !== "regression") throw invalid("solver 'lstsq' is for regression; use 'auto', 'lbfgs' or 'adam' for classification");
    if (p.solver === "lbfgs" && options.task === "regression") throw invalid("solver 'lbfgs' is for classification; use 'auto', 'lstsq' or 'adam' for regression");
    if (p.solver !== "adam") return options.task === "regression" ? solveLeastSquares(data, options) : solveLogistic(data, options);
    return trainDense(data, {
      ...options,
      params: { hidden: [], dropout: 0, l2: p.l2, learningRate: p.learning_rate, batchSize: p.batch_size, epochs: p.epochs, patience: p.patience },
    });
  },
  scorer: denseScorer,
};
