import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { createRng, getFamily, linearFamily, mlpFamily, parseParams, TrainingDivergedError, type FitOptions, type ModelFamily, type TrainingSet } from "@/lib/ml";
import { ensureBackend } from "@/lib/ml/backend";
import { predictWithTensorflow } from "@/lib/ml/families/dense-train";
import type { Task } from "@/lib/ml/target";

// Training tests run real TensorFlow.js loops; the timeout is generous for loaded 2-core machines, never asserted on.
const SLOW = 120_000;

/** Seeded synthetic task: k classes from a noisy linear-plus-interaction rule, or a regression target. */
function synthetic(task: Task, k: number, rows: number, cols: number, seed: number, noise = 0.3): TrainingSet {
  const rng = createRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const X = new Float32Array(rows * cols);
  for (let i = 0; i < X.length; i++) X[i] = gauss();
  const W = Array.from({ length: cols * Math.max(k, 1) }, gauss);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const x = X.subarray(r * cols, (r + 1) * cols);
    if (task === "regression") {
      y[r] = x.reduce((s, v, j) => s + v * W[j]!, 0) + x[0]! * x[1]! + noise * gauss();
    } else {
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < k; c++) {
        const s = x.reduce((acc, v, j) => acc + v * W[c * cols + j]!, 0) + noise * gauss();
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
      y[r] = best;
    }
  }
  return { X: { data: X, rows, cols }, y };
}

function options<P>(family: ModelFamily<P>, task: Task, nClasses: number, params: Record<string, unknown>, extra: Partial<FitOptions<P>> = {}): FitOptions<P> {
  return { task, nClasses, params: parseParams(family.name, family.params, params), seed: 42, ...extra };
}

const CASES = [
  ["linear", "classification", 2],
  ["linear", "classification", 4],
  ["linear", "regression", 1],
  ["mlp", "classification", 2],
  ["mlp", "classification", 3],
  ["mlp", "regression", 1],
] as const;

describe("TensorFlow.js backend", () => {
  it("initialises the WebAssembly backend in Node and reports the backend in use", { timeout: SLOW }, async () => {
    expect(await ensureBackend("wasm")).toBe("wasm");
    const chosen = await ensureBackend();
    expect(["tensorflow", "wasm", "cpu"]).toContain(chosen);
    expect(tf.getBackend()).toBe(chosen);
  });
});

describe("plain TypeScript scorer = TensorFlow.js predict", () => {
  it.each(CASES)("%s %s with %i output class(es)", { timeout: SLOW }, async (name, task, k) => {
    const family = getFamily(name);
    const train = synthetic(task, k, 160, 6, 11);
    const params = name === "mlp" ? { epochs: 8, hidden_layers: [16, 8], dropout: 0.2 } : { epochs: 8 };
    const fitted = await family.fit(train, options(family, task, k, params));
    const scorer = family.scorer(fitted.state);

    // Fresh rows, some far outside the training range, so saturated softmax/sigmoid outputs are compared too.
    const probe = synthetic(task, k, 64, 6, 99).X;
    for (let i = 0; i < 6 * 8; i++) probe.data[i] = probe.data[i]! * 25;
    const ours = scorer.scoreBatch(probe.data, probe.rows);
    const theirs = await predictWithTensorflow(fitted.state, probe.data, probe.rows);
    expect(ours.length).toBe(theirs.length);
    let maxDiff = 0;
    // Regression outputs are standardised targets (order 1), so an absolute tolerance suits every task.
    for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - theirs[i]!));
    expect(maxDiff).toBeLessThan(1e-5);

    const out = new Float64Array(scorer.nOutputs);
    for (let r = 0; r < probe.rows; r++) {
      scorer.scoreRow(probe.data.subarray(r * 6, (r + 1) * 6), out);
      expect(Array.from(out)).toEqual(Array.from(ours.subarray(r * scorer.nOutputs, (r + 1) * scorer.nOutputs)));
      // Double-precision input gives the same answer as float32 input holding the same values.
      expect(Array.from(scorer.scoreRow(Float64Array.from(probe.data.subarray(r * 6, (r + 1) * 6))))).toEqual(Array.from(out));
    }
  });

  it("rejects rows of the wrong width", () => {
    const scorer = linearFamily.scorer({
      config: { inputs: 2, layers: [{ units: 1, activation: "linear" }], head: "identity" },
      tensors: { "dense_0.kernel": { shape: [2, 1], data: new Float32Array([1, 2]) }, "dense_0.bias": { shape: [1], data: new Float32Array([0.5]) } },
    });
    expect(Array.from(scorer.scoreRow([1, 1]))).toEqual([3.5]);
    expect(() => scorer.scoreRow([1, 2, 3])).toThrow(/Expected 2 features, got 3/);
  });
});

describe("training", () => {
  it("is reproducible: the same seed gives the same weights, another seed other weights", { timeout: SLOW }, async () => {
    const train = synthetic("classification", 3, 200, 5, 3);
    const val = synthetic("classification", 3, 60, 5, 4);
    for (const family of [linearFamily, mlpFamily] as ModelFamily<unknown>[]) {
      // linear by Adam: its default solve has one optimum whatever the seed (below).
      const params = family.name === "mlp" ? { epochs: 6, dropout: 0.3, hidden_layers: [12] } : { epochs: 6, solver: "adam" };
      const run = (seed: number) => family.fit(train, options(family, "classification", 3, params, { seed, validation: val }));
      const [a, b, c] = [await run(5), await run(5), await run(6)];
      const flat = (m: typeof a) => Object.values(m.state.tensors).flatMap((t) => Array.from(t.data));
      expect(flat(a)).toEqual(flat(b));
      expect(a.history).toEqual(b.history);
      expect(flat(a)).not.toEqual(flat(c));
    }
    const solve = (seed: number) => linearFamily.fit(train, options(linearFamily, "classification", 3, {}, { seed, validation: val }));
    const [x, y] = [await solve(5), await solve(6)];
    expect(Object.values(x.state.tensors).flatMap((t) => Array.from(t.data))).toEqual(Object.values(y.state.tensors).flatMap((t) => Array.from(t.data)));
  });

  it("stops early when the validation loss stops improving, and keeps the best epoch's weights", { timeout: SLOW }, async () => {
    // Labels that are pure noise: a wide network memorises the training rows and the validation loss climbs.
    const noise = (seed: number, rows: number): TrainingSet => {
      const t = synthetic("classification", 2, rows, 8, seed);
      const rng = createRng(seed + 1000);
      return { X: t.X, y: t.y.map(() => (rng.next() < 0.5 ? 0 : 1)) };
    };
    const train = noise(21, 120);
    const val = noise(22, 120);
    const reports: number[] = [];
    const fitted = await mlpFamily.fit(
      train,
      options(mlpFamily, "classification", 2, { hidden_layers: [128], learning_rate: 0.01, batch_size: 32, epochs: 500, patience: 5 }, {
        validation: val,
        onEpoch: (r) => void reports.push(r.epoch),
      }),
    );
    expect(fitted.stoppedEarly).toBe(true);
    expect(fitted.history.length).toBeLessThan(500);
    expect(reports).toEqual(fitted.history.map((h) => h.epoch));
    const valLosses = fitted.history.map((h) => h.valLoss!);
    const bestEpoch = valLosses.indexOf(Math.min(...valLosses)) + 1;
    expect(fitted.bestEpoch).toBe(bestEpoch);
    expect(fitted.history.length).toBe(bestEpoch + 5);
    // The returned weights are the best epoch's: their validation loss is the recorded minimum.
    const proba = mlpFamily.scorer(fitted.state).scoreBatch(val.X.data, val.X.rows);
    let loss = 0;
    for (let r = 0; r < val.X.rows; r++) loss -= Math.log(proba[2 * r + val.y[r]!]!);
    expect(loss / val.X.rows).toBeCloseTo(valLosses[bestEpoch - 1]!, 4);
  });

  it("reports every epoch with finite losses and a validation metric", { timeout: SLOW }, async () => {
    const train = synthetic("regression", 1, 100, 4, 5);
    const val = synthetic("regression", 1, 40, 4, 6);
    const seen: { epoch: number; maxEpochs: number; loss: number; valLoss: number | null; metrics: Record<string, number> }[] = [];
    await linearFamily.fit(train, options(linearFamily, "regression", 1, { epochs: 4, patience: 0, solver: "adam" }, { validation: val, onEpoch: (r) => void seen.push(r) }));
    expect(seen.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    for (const r of seen) {
      expect(r.maxEpochs).toBe(4);
      expect(Number.isFinite(r.loss) && Number.isFinite(r.valLoss!)).toBe(true);
      expect(Object.keys(r.metrics)).toEqual(["val_r2"]);
    }
  });

  it("solves linear regression exactly by default: the ridge normal equations, reported as one epoch", { timeout: SLOW }, async () => {
    const train = synthetic("regression", 1, 120, 5, 12);
    const val = synthetic("regression", 1, 40, 5, 13);
    const l2 = 0.01;
    const seen: number[] = [];
    const fitted = await linearFamily.fit(train, options(linearFamily, "regression", 1, { l2 }, { validation: val, onEpoch: (r) => void seen.push(r.epoch) }));
    expect(seen).toEqual([1]);
    expect(fitted.bestEpoch).toBe(1);
    expect(fitted.history[0]!.valLoss).toBeGreaterThan(0);
    // The gradient of mean squared error + l2·½‖w‖² vanishes at the returned weights (float64 here).
    const { rows, cols, data } = train.X;
    const w = fitted.state.tensors["dense_0.kernel"]!.data;
    const b = fitted.state.tensors["dense_0.bias"]!.data[0]!;
    const grad = new Float64Array(cols + 1);
    for (let r = 0; r < rows; r++) {
      let z = b;
      for (let j = 0; j < cols; j++) z += data[r * cols + j]! * w[j]!;
      const e = (2 * (z - train.y[r]!)) / rows;
      for (let j = 0; j < cols; j++) grad[j] = grad[j]! + e * data[r * cols + j]!;
      grad[cols] = grad[cols]! + e;
    }
    for (let j = 0; j < cols; j++) grad[j] = grad[j]! + l2 * w[j]!;
    expect(Math.max(...Array.from(grad, Math.abs))).toBeLessThan(1e-4);
    // Adam stays available, and classification never takes the closed form.
    const adam = await linearFamily.fit(train, options(linearFamily, "regression", 1, { l2, epochs: 3, patience: 0, solver: "adam" }));
    expect(adam.history).toHaveLength(3);
    await expect(linearFamily.fit(train, options(linearFamily, "classification", 2, { solver: "lstsq" }))).rejects.toThrow(/solver 'lstsq' is for regression/);
  });

  it("solves logistic and softmax regression to the optimum by default (L-BFGS), reported as one epoch", { timeout: SLOW }, async () => {
    for (const k of [2, 3]) {
      const train = synthetic("classification", k, 150, 6, 20 + k, 1);
      const val = synthetic("classification", k, 40, 6, 30 + k, 1);
      const l2 = 0.01;
      const seen: number[] = [];
      const fitted = await linearFamily.fit(train, options(linearFamily, "classification", k, { l2 }, { validation: val, onEpoch: (r) => void seen.push(r.epoch) }));
      expect(seen).toEqual([1]);
      expect(fitted.history[0]!.valLoss).toBeGreaterThan(0);
      // The gradient of mean cross-entropy + l2·½‖W‖² vanishes at the returned weights (float64 here).
      const { rows, cols, data } = train.X;
      const outputs = k === 2 ? 1 : k;
      const W = fitted.state.tensors["dense_0.kernel"]!.data;
      const b = fitted.state.tensors["dense_0.bias"]!.data;
      expect(W).toHaveLength(cols * outputs);
      const grad = new Float64Array((cols + 1) * outputs);
      for (let r = 0; r < rows; r++) {
        const z = Array.from({ length: outputs }, (_, c) => b[c]! + Array.from({ length: cols }, (_, j) => data[r * cols + j]! * W[j * outputs + c]!).reduce((s, v) => s + v, 0));
        const max = Math.max(...z);
        const e = z.map((v) => Math.exp(v - max));
        const sum = e.reduce((s, v) => s + v, 0);
        const prob = outputs === 1 ? [1 / (1 + Math.exp(-z[0]!))] : e.map((v) => v / sum);
        for (let c = 0; c < outputs; c++) {
          const residual = (prob[c]! - (outputs === 1 ? train.y[r]! : train.y[r] === c ? 1 : 0)) / rows;
          for (let j = 0; j < cols; j++) grad[j * outputs + c] = grad[j * outputs + c]! + residual * data[r * cols + j]!;
          grad[cols * outputs + c] = grad[cols * outputs + c]! + residual;
        }
      }
      for (let i = 0; i < cols * outputs; i++) grad[i] = grad[i]! + l2 * W[i]!;
      expect(Math.max(...Array.from(grad, Math.abs))).toBeLessThan(1e-4);
    }
    // Adam stays available (with early stopping), and regression never takes L-BFGS.
    const train = synthetic("classification", 2, 80, 4, 9);
    const adam = await linearFamily.fit(train, options(linearFamily, "classification", 2, { epochs: 3, patience: 0, solver: "adam" }));
    expect(adam.history).toHaveLength(3);
    await expect(linearFamily.fit(synthetic("regression", 1, 40, 3, 9), options(linearFamily, "regression", 1, { solver: "lbfgs" }))).rejects.toThrow(/solver 'lbfgs' is for classification/);
  });

  it("fails with a clear error when the loss becomes NaN or infinite", { timeout: SLOW }, async () => {
    const train = synthetic("regression", 1, 64, 4, 7);
    // Unscaled inputs near float32's limit overflow the first forward pass.
    train.X.data.forEach((v, i) => (train.X.data[i] = v * 1e38));
    const before = tf.memory().numTensors;
    const run = linearFamily.fit(train, options(linearFamily, "regression", 1, { epochs: 5, solver: "adam" }));
    await expect(run).rejects.toBeInstanceOf(TrainingDivergedError);
    await expect(run).rejects.toThrow(/^training diverged \(loss became (NaN|Infinity) at epoch 1\); lower the learning rate$/);
    expect(tf.memory().numTensors).toBe(before);
    // The logistic solve never steps onto a non-finite loss; stuck at its start, it says what to change
    // instead of storing the uniform model it started from.
    const cls = synthetic("classification", 3, 64, 4, 7);
    cls.X.data.forEach((v, i) => (cls.X.data[i] = v * 1e38));
    const solve = linearFamily.fit(cls, options(linearFamily, "classification", 3, {}));
    await expect(solve).rejects.toThrow(/^linear's logistic solve could not take a first step: the inputs overflow float32; standardise them$/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("stops when its AbortSignal fires and frees its tensors", { timeout: SLOW }, async () => {
    const train = synthetic("classification", 2, 100, 4, 8);
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const run = mlpFamily.fit(
      train,
      options(mlpFamily, "classification", 2, { epochs: 200 }, {
        signal: controller.signal,
        onEpoch: (r) => {
          epochs.push(r.epoch);
          if (r.epoch === 2) controller.abort();
        },
      }),
    );
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(epochs).toEqual([1, 2]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("leaves no tensor behind after a successful fit", { timeout: SLOW }, async () => {
    await ensureBackend();
    const before = tf.memory().numTensors;
    const train = synthetic("classification", 3, 80, 4, 9);
    await mlpFamily.fit(train, options(mlpFamily, "classification", 3, { epochs: 3, dropout: 0.5 }, { validation: train }));
    await linearFamily.fit(train, options(linearFamily, "classification", 3, { epochs: 3, l2: 0 }));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("hyperparameters", () => {
  it("fills documented defaults", () => {
    expect(parseParams("mlp", mlpFamily.params, {})).toMatchObject({ hidden_layers: [100], activation: "relu", dropout: 0, batch_size: 64 });
    expect(parseParams("linear", linearFamily.params, undefined)).toMatchObject({ l2: 1e-3, epochs: 1000, patience: 20, solver: "auto" });
  });

  it("rejects bad values and unknown keys with messages naming the parameter", () => {
    const bad = () => parseParams("mlp", mlpFamily.params, { hidden_layers: [0], learning_rate: -1, epoch: 5 });
    expect(bad).toThrow(/Invalid hyperparameters for family 'mlp'/);
    expect(bad).toThrow(/hidden_layers\.0: /);
    expect(bad).toThrow(/learning_rate: /);
    expect(bad).toThrow(/epoch/);
    expect(() => parseParams("linear", linearFamily.params, { dropout: 0.5 })).toThrow(/dropout/);
  });

  it("names the available families for an unknown one", () => {
    expect(() => getFamily("xgboost")).toThrow(/Unknown model family 'xgboost'; available: linear, mlp/);
  });
});
