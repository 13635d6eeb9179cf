// The plugin interface every model family implements (linear, mlp, gbdt).
// Two required methods over read-only inputs returning plain values; the pipeline (train.ts) decides
// when to call which, so a family never splits data, evaluates, or stores anything.
import type { z } from "zod";
import type { Matrix, PreprocessOptions } from "../preprocess";
import type { Task } from "../target";

/** A named float32 array with its shape; saved as one little-endian weight file. */
export interface TensorData {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** What a family needs to rebuild its scorer: JSON config plus named float32 tensors. */
export interface ModelState {
  readonly config: Readonly<Record<string, unknown>>;
  readonly tensors: Readonly<Record<string, TensorData>>;
}

/**
 * Plain TypeScript inference, no framework call. Outputs are in the encoded target space:
 * class probabilities (nOutputs = number of classes) or the standardised regression value (nOutputs = 1).
 */
export interface Scorer {
  readonly nFeatures: number;
  readonly nOutputs: number;
  scoreRow(x: ArrayLike<number>, out?: Float64Array): Float64Array;
  /** Row-major X of `rows` × nFeatures; returns rows × nOutputs. */
  scoreBatch(X: Float32Array | Float64Array, rows: number, out?: Float64Array): Float64Array;
}

export interface TrainingSet {
  readonly X: Matrix;
  /** Class index (classification) or standardised target (regression), one per row. */
  readonly y: Float64Array;
}

/** One epoch (networks) or boosting iteration (trees), for live curves and progress. */
export interface EpochReport {
  /** 1-based. */
  readonly epoch: number;
  /** Upper bound on epochs, for progress bars. */
  readonly maxEpochs: number;
  /** Mean training loss of the epoch (cross-entropy or squared error, without the penalty). */
  readonly loss: number;
  readonly valLoss: number | null;
  /** Validation metrics: `val_accuracy` (classification) or `val_r2` (regression). */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface FitOptions<P> {
  readonly task: Task;
  /** Number of classes; 1 for regression. */
  readonly nClasses: number;
  /** Already validated by the family's `params` schema. */
  readonly params: P;
  readonly seed: number;
  /** Held-out rows for early stopping; without it the family trains for its full budget. */
  readonly validation?: TrainingSet;
  /** Which matrix columns hold category codes (ordinal preprocessing), for families with native categorical splits. */
  readonly categorical?: readonly boolean[];
  /** Awaited, so a slow consumer (database writes) applies back-pressure instead of piling up. */
  readonly onEpoch?: (report: EpochReport) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

export interface FittedModel {
  readonly state: ModelState;
  readonly history: readonly EpochReport[];
  /** Epoch whose weights were kept (best validation loss), 1-based. */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  /** Framework backend used for training, recorded on the run ("tensorflow", "wasm", "cpu", or "js"). */
  readonly backend: string;
}

export interface ModelFamily<P = unknown> {
  readonly name: string;
  /** Validates user hyperparameters and fills defaults; unknown keys are rejected. */
  readonly params: z.ZodType<P>;
  /** The preprocessing this family expects (networks: one-hot, standardised unless their params say not; trees: ordinal codes and NaN). */
  readonly preprocessing: Partial<PreprocessOptions> | ((params: P) => Partial<PreprocessOptions>);
  /**
   * Named parameter overlays `auto` also tries beside the defaults, chosen between by the same validation
   * (e.g. `unscaled`: inputs as given, when all features share one unit and their spread is telling).
   */
  readonly autoVariants?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  fit(data: TrainingSet, options: FitOptions<P>): Promise<FittedModel>;
  scorer(state: ModelState): Scorer;
}
