// Family `mlp`: a multilayer perceptron (ReLU hidden layers, optional dropout, Adam) in TensorFlow.js.
import { z } from "zod";
import { denseScorer } from "./dense-scorer";
import { networkInputs, standardizeParam, UNSCALED_VARIANT } from "./params";
import type { ModelFamily } from "./types";

export const mlpParamsSchema = z
  .object({
    hidden_layers: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([100]),
    activation: z.literal("relu").default("relu"),
    dropout: z.number().min(0).max(0.9).default(0),
    /**
     * Penalty l2 · ½‖W‖² on the kernels, added to the mean loss. 1e-2 rather than 1e-4: over 95 splits of six
     * public sets it was better or even everywhere (Friedman #1 +0.011 R², diabetes +0.003; docs/training.md).
     */
    l2: z.number().min(0).max(100).default(1e-2),
    learning_rate: z.number().positive().max(10).default(1e-3),
    batch_size: z.number().int().min(1).max(65536).default(64),
    /** Upper bound; early stopping usually ends training well before it. */
    epochs: z.number().int().min(1).max(10000).default(1000),
    /** Epochs without validation improvement before stopping; 0 = never stop early (the best epoch's weights are still kept). */
    patience: z.number().int().min(0).max(10000).default(20),
    /** Standardise numeric inputs (params.ts, standardizeParam); false keeps them as given. */
    standardize: standardizeParam,
  })
  .strict();
export type MlpParams = z.infer<typeof mlpParamsSchema>;

export const mlpFamily: ModelFamily<MlpParams> = {
  name: "mlp",
  params: mlpParamsSchema,
  preprocessing: networkInputs,
  autoVariants: UNSCALED_VARIANT,
  async fit(data, options) {
    // Imported on first fit so loading a model for serving never loads TensorFlow.js.
    const { trainDense } = await import("./dense-train");
    const p = options.params;
    return trainDense(data, {
      ...options,
      params: {
        hidden: p.hidden_layers,
        dropout: p.dropout,
        l2: p.l2,
        learningRate: p.learning_rate,
        batchSize: p.batch_size,
        epochs: p.epochs,
        patience: p.patience,
      },
    });
  },
  scorer: denseScorer,
};
