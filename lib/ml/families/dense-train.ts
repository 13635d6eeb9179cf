// Training of dense networks with TensorFlow.js (the linear and mlp families share it: linear = no hidden layer).
// A hand-written loop over tf variables rather than LayersModel.fit: it was ~1.7× faster per step on small batches,
// lets us seed initialisation, shuffling and dropout masks ourselves (same seed → same weights), and check
// abort and divergence between steps.
import * as tf from "@tensorflow/tfjs";
import { invalid } from "../../errors";
import { ensureBackend } from "../backend";
import { createRng, deriveSeed, permutation, type Rng } from "../random";
import { biasName, denseConfigSchema, denseScorer, kernelName, type DenseConfig } from "./dense-scorer";
import { TrainingDivergedError } from "./errors";
import { minimizeLbfgs } from "./lbfgs";
import type { EpochReport, FitOptions, FittedModel, ModelState, TrainingSet } from "./types";

export interface DenseParams {
  readonly hidden: readonly number[];
  readonly dropout: number;
  /** Penalty l2 · ½‖W‖² on kernels (not biases), added to the mean loss. */
  readonly l2: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** Epochs without a validation-loss improvement before stopping; 0 trains every epoch (the best one's weights are still kept). */
  readonly patience: number;
}

/** Validation loss must drop by more than this to count as an improvement. */
const MIN_DELTA = 1e-4;

export function denseConfig(inputs: number, task: FitOptions<unknown>["task"], nClasses: number, hidden: readonly number[]): DenseConfig {
  const head = task === "regression" ? "identity" : nClasses === 2 ? "sigmoid" : "softmax";
  const outputs = head === "softmax" ? nClasses : 1;
  return {
    inputs,
    layers: [...hidden.map((units) => ({ units, activation: "relu" as const })), { units: outputs, activation: "linear" as const }],
    head,
  };
}

export async function trainDense(data: TrainingSet, opts: FitOptions<DenseParams>): Promise<FittedModel> {
  const backend = await ensureBackend();
  const { params } = opts;
  const config = denseConfig(data.X.cols, opts.task, opts.nClasses, params.hidden);
  const rows = data.X.rows;
  if (rows === 0) throw invalid("No training rows");
  const batchSize = Math.min(params.batchSize, rows);
  const initRng = createRng(deriveSeed(opts.seed, "dense:init"));
  const shuffleRng = createRng(deriveSeed(opts.seed, "dense:shuffle"));
  const dropoutRng = createRng(deriveSeed(opts.seed, "dense:dropout"));

  const kernels: tf.Variable[] = [];
  const biases: tf.Variable[] = [];
  let fanIn = config.inputs;
  for (const layer of config.layers) {
    const w = glorotUniform(fanIn, layer.units, initRng);
    const shape: [number, number] = [fanIn, layer.units];
    const units = layer.units;
    kernels.push(tf.tidy(() => tf.variable(tf.tensor2d(w, shape), true)));
    biases.push(tf.tidy(() => tf.variable(tf.zeros([units]), true)));
    fanIn = layer.units;
  }
  const variables = [...kernels, ...biases];
  const optimizer = tf.train.adam(params.learningRate);
  const X = tf.tensor2d(data.X.data, [rows, data.X.cols]);
  const Y = targetTensor(config, data.y, opts.nClasses);
  const val = opts.validation;
  const Xv = val ? tf.tensor2d(val.X.data, [val.X.rows, val.X.cols]) : null;
  let best: tf.Tensor[] | null = null;
  // Outside the loop so an abort or divergence mid-epoch still frees it.
  let lossSum: tf.Tensor | null = null;

  const forward = (x: tf.Tensor2D, masks: (tf.Tensor | null)[] | null): tf.Tensor2D => {
    let h = x;
    config.layers.forEach((layer, i) => {
      h = tf.add(tf.matMul(h, kernels[i]!), biases[i]!);
      if (layer.activation === "relu") {
        h = tf.relu(h);
        const mask = masks?.[i];
        if (mask) h = tf.mul(h, mask);
      }
    });
    return h;
  };

  /** One Adam step on the given rows; returns their mean loss (without the penalty), kept for the caller to free. */
  const step = (batch: Int32Array): tf.Scalar => {
    const masks = dropoutMasks(config, params.dropout, batch.length, dropoutRng);
    let dataLoss: tf.Scalar | null = null;
    try {
      tf.tidy(() => {
        const idx = tf.tensor1d(batch, "int32");
        const xb = tf.gather(X, idx) as tf.Tensor2D;
        const yb = tf.gather(Y, idx);
        const objective = (): tf.Scalar => {
          // Kept out of the gradient scope so the epoch loss can be summed on the device without a sync per step.
          dataLoss = tf.keep(lossFn(config, yb, forward(xb, masks)));
          // minimize() disposes the returned cost: hand it a clone, never the kept loss itself.
          if (params.l2 === 0) return tf.clone(dataLoss);
          const penalty = tf.addN(kernels.map((k) => tf.sum(tf.square(k))));
          return tf.add(dataLoss, tf.mul(penalty, params.l2 / 2));
        };
        optimizer.minimize(objective, false, variables);
      });
    } finally {
      tf.dispose(masks.filter((m): m is tf.Tensor => m !== null));
    }
    return dataLoss!;
  };

  try {
    const history: EpochReport[] = [];
    let bestLoss = Infinity;
    let bestEpoch = 0;
    let stoppedEarly = false;
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      const order = permutation(rows, shuffleRng);
      lossSum = tf.scalar(0);
      for (let start = 0; start < rows; start += batchSize) {
        throwIfAborted(opts.signal);
        const end = Math.min(rows, start + batchSize);
        const dataLoss = step(order.subarray(start, end));
        const previous: tf.Tensor = lossSum;
        const summed = tf.tidy(() => tf.add(previous, tf.mul(dataLoss, end - start)));
        tf.dispose([dataLoss, previous]);
        lossSum = summed;
      }
      const loss = (await lossSum.data())[0]! / rows;
      lossSum.dispose();
      lossSum = null;
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(epoch, loss);

      let valLoss: number | null = null;
      let metrics: Record<string, number> = {};
      if (val && Xv) {
        const logits = tf.tidy(() => forward(Xv, null));
        const z = await logits.data();
        logits.dispose();
        ({ loss: valLoss, metrics } = evaluateLogits(config, z, val.y, opts.nClasses));
        if (!Number.isFinite(valLoss)) throw new TrainingDivergedError(epoch, valLoss);
      }
      const report: EpochReport = { epoch, maxEpochs: params.epochs, loss, valLoss, metrics };
      history.push(report);
      await opts.onEpoch?.(report);

      const monitored = valLoss ?? loss;
      if (monitored < bestLoss - MIN_DELTA || bestEpoch === 0) {
        bestLoss = monitored;
        bestEpoch = epoch;
        if (val) {
          best?.forEach((t) => t.dispose());
          best = variables.map((v) => v.clone());
        }
      } else if (val && params.patience > 0 && epoch - bestEpoch >= params.patience) {
        stoppedEarly = true;
        break;
      }
      // Let timers and abort signals run between epochs; tf's data() may resolve without yielding.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (best) variables.forEach((v, i) => v.assign(best![i]!));
    else bestEpoch = history.length;
    return { state: await snapshot(config, kernels, biases), history, bestEpoch, stoppedEarly, backend };
  } finally {
    best?.forEach((t) => t.dispose());
    [X, Y, Xv, lossSum, ...variables].forEach((t) => t?.dispose());
    optimizer.dispose();
  }
}

/**
 * Ridge least squares in closed form (linear regression): minimises the same objective as trainDense with no
 * hidden layer, mean squared error + l2 · ½‖w‖², exactly rather than by Adam steps that early stopping cuts
 * short. TensorFlow.js forms the normal equations [X 1]ᵀ[X 1] (the O(n·p²) part); the small (p+1)² system is
 * solved by Cholesky in float64, since tf.linalg has no solver and its qr allocates an n × n matrix.
 * Reported as one epoch, so the pipeline's refit budget (epochs = 1) is the same solve on more rows.
 */
export async function solveLeastSquares(data: TrainingSet, opts: FitOptions<{ readonly l2: number }>): Promise<FittedModel> {
  const backend = await ensureBackend();
  const rows = data.X.rows;
  const p = data.X.cols;
  if (rows === 0) throw invalid("No training rows");
  throwIfAborted(opts.signal);
  const config = denseConfig(p, "regression", 1, []);
  const [G, b] = tf.tidy(() => {
    const X = tf.concat([tf.tensor2d(data.X.data, [rows, p]), tf.ones([rows, 1])], 1);
    const y = tf.tensor2d(Float32Array.from(data.y), [rows, 1]);
    return [tf.matMul(X, X, true, false), tf.matMul(X, y, true, false)];
  });
  const gram = Float64Array.from(await G.data());
  const moment = Float64Array.from(await b.data());
  tf.dispose([G, b]);
  // d(mean loss)/dw = 0 ⇔ (XᵀX + n·l2/2·I) w = Xᵀy, the bias unpenalised. A jitter of 1e-7·n (inputs are
  // standardised, so the diagonal is ~n) keeps collinear columns (a full one-hot block beside the bias) solvable at l2 = 0.
  const ridge = (rows * opts.params.l2) / 2 + rows * 1e-7;
  for (let j = 0; j < p; j++) gram[j * (p + 1) + j] = gram[j * (p + 1) + j]! + ridge;
  const w = choleskySolve(gram, moment, p + 1);
  const overflow = "the inputs overflow float32 in the least-squares solve: standardise them";
  return solvedModel(config, w.subarray(0, p), w.subarray(p), data, opts, backend, overflow);
}

/**
 * Logistic (binary) or softmax (multiclass) regression solved to the optimum of the same objective as
 * trainDense with no hidden layer, mean cross-entropy + l2 · ½‖W‖² (biases unpenalised), by L-BFGS. The
 * objective is strictly convex for l2 > 0, so its optimum needs no validation rows to stop at: early-stopped
 * Adam stopped short of it and scored below it on average over the reference sets (docs/training.md). TensorFlow.js
 * computes loss and gradient (the O(n·p·classes) part) in float32; the L-BFGS steps are float64.
 * Reported as one epoch, like the least-squares solve, so the pipeline's refit is the same solve on more rows.
 */
export async function solveLogistic(data: TrainingSet, opts: FitOptions<{ readonly l2: number }>): Promise<FittedModel> {
  const backend = await ensureBackend();
  const rows = data.X.rows;
  const p = data.X.cols;
  if (rows === 0) throw invalid("No training rows");
  throwIfAborted(opts.signal);
  const config = denseConfig(p, opts.task, opts.nClasses, []);
  const k = config.head === "softmax" ? opts.nClasses : 1;
  const l2 = opts.params.l2;
  const X = tf.tensor2d(data.X.data, [rows, p]);
  const Y = targetTensor(config, data.y, opts.nClasses);
  try {
    // Parameters: the p × k kernel row-major, then the k biases.
    const valueAndGradient = async (theta: Float64Array) => {
      const [loss, gradKernel, gradBias] = tf.tidy(() => {
        const W = tf.tensor2d(Float32Array.from(theta.subarray(0, p * k)), [p, k]);
        const logits = tf.add(tf.matMul(X, W), tf.tensor1d(Float32Array.from(theta.subarray(p * k))));
        const probs = config.head === "softmax" ? tf.softmax(logits) : tf.sigmoid(logits);
        // d(mean cross-entropy)/d(logits) = (probabilities − targets) / rows, for both heads.
        const residual = tf.div(tf.sub(probs, Y), rows);
        return [lossFn(config, Y, logits as tf.Tensor2D), tf.matMul(X, residual, true, false), tf.sum(residual, 0)];
      });
      const [l, gk, gb] = await Promise.all([loss.data(), gradKernel.data(), gradBias.data()]);
      tf.dispose([loss, gradKernel, gradBias]);
      const gradient = new Float64Array(theta.length);
      let penalty = 0;
      for (let i = 0; i < p * k; i++) {
        gradient[i] = gk[i]! + l2 * theta[i]!;
        penalty += theta[i]! * theta[i]!;
      }
      for (let c = 0; c < k; c++) gradient[p * k + c] = gb[c]!;
      return { value: l[0]! + (l2 / 2) * penalty, gradient };
    };
    // Tighter than scikit-learn's default (tol 1e-4): in flat directions (curvature ~ l2) a gradient of g
    // leaves the weights g / l2 off, which moves test probabilities; 1e-7 agrees with LogisticRegression
    // at tol 1e-10 to 1e-5 in test log loss (tests/unit/ml-quality.test.ts).
    const solved = await minimizeLbfgs(valueAndGradient, new Float64Array((p + 1) * k), {
      maxIterations: LOGISTIC_MAX_ITERATIONS,
      gradientTolerance: 1e-7,
      relativeTolerance: 1e-12,
      signal: opts.signal,
    });
    const overflow = "the inputs overflow float32 in the logistic solve: standardise them";
    // From zero weights a standardised problem always has a first step; none means the loss is not finite near the start.
    if (solved.stop === "line-search" && solved.iterations === 1) throw invalid("linear's logistic solve could not take a first step: the inputs overflow float32; standardise them");
    return solvedModel(config, solved.x.subarray(0, p * k), solved.x.subarray(p * k), data, opts, backend, overflow);
  } finally {
    tf.dispose([X, Y]);
  }
}

/** Iteration cap of the logistic solve; well-conditioned (standardised) problems converge in tens. */
const LOGISTIC_MAX_ITERATIONS = 1000;

/** An exact solve as a FittedModel: float32 weights and one reported epoch, its losses from those weights. */
async function solvedModel(
  config: DenseConfig,
  kernel: Float64Array,
  bias: Float64Array,
  data: TrainingSet,
  opts: FitOptions<unknown>,
  backend: string,
  divergedHint: string,
): Promise<FittedModel> {
  const p = config.inputs;
  const k = bias.length;
  if (![...kernel, ...bias].every(Number.isFinite)) throw new TrainingDivergedError(1, NaN, divergedHint);
  const state: ModelState = {
    config,
    tensors: {
      [kernelName(0)]: { shape: [p, k], data: Float32Array.from(kernel) },
      [biasName(0)]: { shape: [k], data: Float32Array.from(bias) },
    },
  };
  // Losses from the stored float32 weights, through the serving scorer's forward pass (its head left out).
  const forward = denseScorer({ config: { ...config, head: "identity" }, tensors: state.tensors });
  const logits = (X: TrainingSet["X"]): Float64Array => forward.scoreBatch(X.data, X.rows);
  const nClasses = config.head === "softmax" ? k : 1;
  const loss = evaluateLogits(config, logits(data.X), data.y, nClasses).loss;
  if (!Number.isFinite(loss)) throw new TrainingDivergedError(1, loss, divergedHint);
  const val = opts.validation;
  const evaluated = val ? evaluateLogits(config, logits(val.X), val.y, nClasses) : null;
  const report: EpochReport = { epoch: 1, maxEpochs: 1, loss, valLoss: evaluated?.loss ?? null, metrics: evaluated?.metrics ?? {} };
  await opts.onEpoch?.(report);
  return { state, history: [report], bestEpoch: 1, stoppedEarly: false, backend };
}

/** Solves A x = b for a symmetric positive definite n × n A (row-major, overwritten); NaN when A is not. */
function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let k = 0; k < j; k++) d -= A[j * n + k]! ** 2;
    if (!(d > 0)) return new Float64Array(n).fill(NaN);
    const ljj = Math.sqrt(d);
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = s / ljj;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= A[i * n + k]! * x[k]!;
    x[i] = s / A[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= A[k * n + i]! * x[k]!;
    x[i] = s / A[i * n + i]!;
  }
  return x;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException("Training was aborted", "AbortError");
}

/** Glorot/Xavier uniform, as Keras and scikit-learn's MLP initialise dense kernels. */
function glorotUniform(fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * limit;
  return w;
}

/** Inverted-dropout masks for hidden layers, drawn from our seeded stream (tf's seeded dropout repeats one mask). */
function dropoutMasks(config: DenseConfig, rate: number, rows: number, rng: Rng): (tf.Tensor | null)[] {
  return config.layers.map((layer) => {
    if (rate === 0 || layer.activation !== "relu") return null;
    const keep = 1 / (1 - rate);
    const m = new Float32Array(rows * layer.units);
    for (let i = 0; i < m.length; i++) m[i] = rng.next() < rate ? 0 : keep;
    return tf.tensor2d(m, [rows, layer.units]);
  });
}

function targetTensor(config: DenseConfig, y: Float64Array, nClasses: number): tf.Tensor2D {
  if (config.head === "softmax") {
    const oneHot = new Float32Array(y.length * nClasses);
    y.forEach((c, i) => (oneHot[i * nClasses + c] = 1));
    return tf.tensor2d(oneHot, [y.length, nClasses]);
  }
  return tf.tensor2d(Float32Array.from(y), [y.length, 1]);
}

function lossFn(config: DenseConfig, y: tf.Tensor, logits: tf.Tensor2D): tf.Scalar {
  if (config.head === "softmax") return tf.losses.softmaxCrossEntropy(y, logits);
  if (config.head === "sigmoid") return tf.losses.sigmoidCrossEntropy(y, logits);
  return tf.losses.meanSquaredError(y, logits);
}

/** Validation loss (same definition as the training loss) and metric, computed from logits in float64. */
function evaluateLogits(config: DenseConfig, z: ArrayLike<number>, y: Float64Array, nClasses: number): { loss: number; metrics: Record<string, number> } {
  const n = y.length;
  let loss = 0;
  let hits = 0;
  if (config.head === "identity") {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i]!;
    mean /= n;
    let tot = 0;
    for (let i = 0; i < n; i++) {
      loss += (z[i]! - y[i]!) ** 2;
      tot += (y[i]! - mean) ** 2;
    }
    return { loss: loss / n, metrics: { val_r2: tot > 0 ? 1 - loss / tot : 0 } };
  }
  if (config.head === "sigmoid") {
    for (let i = 0; i < n; i++) {
      const zi = z[i]!;
      const t = y[i]!;
      // log(1 + e^z) − t·z, written to stay finite for large |z|.
      loss += Math.max(zi, 0) - t * zi + Math.log1p(Math.exp(-Math.abs(zi)));
      if ((zi > 0 ? 1 : 0) === t) hits++;
    }
    return { loss: loss / n, metrics: { val_accuracy: hits / n } };
  }
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < nClasses; c++) {
      if (z[i * nClasses + c]! > max) {
        max = z[i * nClasses + c]!;
        arg = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < nClasses; c++) sum += Math.exp(z[i * nClasses + c]! - max);
    loss += max + Math.log(sum) - z[i * nClasses + y[i]!]!;
    if (arg === y[i]) hits++;
  }
  return { loss: loss / n, metrics: { val_accuracy: hits / n } };
}

async function snapshot(config: DenseConfig, kernels: tf.Variable[], biases: tf.Variable[]): Promise<ModelState> {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (let i = 0; i < config.layers.length; i++) {
    tensors[kernelName(i)] = { shape: kernels[i]!.shape, data: new Float32Array(await kernels[i]!.data<"float32">()) };
    tensors[biasName(i)] = { shape: biases[i]!.shape, data: new Float32Array(await biases[i]!.data<"float32">()) };
  }
  return { config, tensors };
}

/**
 * TensorFlow.js's own prediction for a saved dense state, through a LayersModel built from it.
 * Tests prove the plain scorer equal to this; nothing on the serving path calls it.
 */
export async function predictWithTensorflow(state: ModelState, X: Float32Array, rows: number): Promise<Float64Array> {
  await ensureBackend();
  const config = denseConfigSchema.parse(state.config);
  const model = tf.sequential();
  let inputs = config.inputs;
  config.layers.forEach((layer, i) => {
    const head = i === config.layers.length - 1 && config.head !== "identity" ? config.head : layer.activation;
    model.add(tf.layers.dense({ units: layer.units, activation: head, inputShape: i === 0 ? [inputs] : undefined }));
    inputs = layer.units;
  });
  const weights = config.layers.flatMap((_, i) => [kernelName(i), biasName(i)].map((n) => tf.tensor(state.tensors[n]!.data, [...state.tensors[n]!.shape])));
  model.setWeights(weights);
  tf.dispose(weights);
  const x = tf.tensor2d(X, [rows, config.inputs]);
  const out = model.predict(x) as tf.Tensor;
  const values = Float64Array.from(await out.data());
  tf.dispose([x, out]);
  model.dispose();
  if (config.head !== "sigmoid") return values;
  // The scorer reports both class probabilities; the network has one sigmoid unit for P(class 1).
  const both = new Float64Array(rows * 2);
  values.forEach((p, r) => ((both[2 * r] = 1 - p), (both[2 * r + 1] = p)));
  return both;
}
