// Plain TypeScript forward pass of a dense network (the linear and mlp families): no TensorFlow.js at serving time.
import { z } from "zod";
import { invalid } from "../../errors";
import type { ModelState, Scorer, TensorData } from "./types";

export const denseConfigSchema = z.object({
  inputs: z.number().int().positive(),
  /** Hidden layers then the output layer; kernels are [in, out] like TensorFlow.js Dense layers. */
  layers: z.array(z.object({ units: z.number().int().positive(), activation: z.enum(["relu", "linear"]) })).min(1),
  /** sigmoid: one logit for binary tasks; softmax: one per class; identity: regression. */
  head: z.enum(["sigmoid", "softmax", "identity"]),
});
export type DenseConfig = z.infer<typeof denseConfigSchema>;

export const kernelName = (layer: number) => `dense_${layer}.kernel`;
export const biasName = (layer: number) => `dense_${layer}.bias`;

interface Layer {
  readonly inputs: number;
  readonly units: number;
  readonly relu: boolean;
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

export function denseScorer(state: ModelState): Scorer {
  const parsed = denseConfigSchema.safeParse(state.config);
  if (!parsed.success) throw invalid(`Model config is not a dense network: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const config = parsed.data;
  let inputs = config.inputs;
  const layers: Layer[] = config.layers.map((l, i) => {
    const kernel = tensor(state, kernelName(i), [inputs, l.units]);
    const bias = tensor(state, biasName(i), [l.units]);
    const layer = { inputs, units: l.units, relu: l.activation === "relu", kernel: kernel.data, bias: bias.data };
    inputs = l.units;
    return layer;
  });
  const last = layers[layers.length - 1]!.units;
  if (config.head === "sigmoid" && last !== 1) throw invalid("A sigmoid head needs exactly one output unit");
  const nOutputs = config.head === "sigmoid" ? 2 : last;
  const width = Math.max(config.inputs, ...layers.map((l) => l.units));
  // Two scratch buffers reused for every row: no allocation per row.
  let a = new Float64Array(width);
  let b = new Float64Array(width);

  const forward = (x: ArrayLike<number>, xOffset: number, out: Float64Array, outOffset: number): void => {
    for (let i = 0; i < config.inputs; i++) a[i] = x[xOffset + i]!;
    for (const { inputs: nIn, units, relu, kernel, bias } of layers) {
      for (let j = 0; j < units; j++) b[j] = bias[j]!;
      // Kernel rows are contiguous per input: walk them in order for the cache.
      for (let i = 0, k = 0; i < nIn; i++, k += units) {
        const xi = a[i]!;
        if (xi === 0) continue;
        for (let j = 0; j < units; j++) b[j]! += xi * kernel[k + j]!;
      }
      if (relu) for (let j = 0; j < units; j++) if (b[j]! < 0) b[j] = 0;
      [a, b] = [b, a];
    }
    head(config.head, a, last, out, outOffset);
  };

  return {
    nFeatures: config.inputs,
    nOutputs,
    scoreRow(x, out = new Float64Array(nOutputs)) {
      if (x.length !== config.inputs) throw invalid(`Expected ${config.inputs} features, got ${x.length}`);
      forward(x, 0, out, 0);
      return out;
    },
    scoreBatch(X, rows, out = new Float64Array(rows * nOutputs)) {
      if (X.length !== rows * config.inputs) throw invalid(`Expected ${rows} × ${config.inputs} values, got ${X.length}`);
      for (let r = 0; r < rows; r++) forward(X, r * config.inputs, out, r * nOutputs);
      return out;
    },
  };
}

function head(kind: DenseConfig["head"], z: Float64Array, n: number, out: Float64Array, o: number): void {
  if (kind === "identity") {
    for (let j = 0; j < n; j++) out[o + j] = z[j]!;
  } else if (kind === "sigmoid") {
    const p = sigmoid(z[0]!);
    out[o] = 1 - p;
    out[o + 1] = p;
  } else {
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (z[j]! > max) max = z[j]!;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += out[o + j] = Math.exp(z[j]! - max);
    for (let j = 0; j < n; j++) out[o + j]! /= sum;
  }
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function tensor(state: ModelState, name: string, shape: readonly number[]): TensorData {
  const t = state.tensors[name];
  if (!t) throw invalid(`Model weights lack tensor '${name}'`);
  const size = shape.reduce((p, d) => p * d, 1);
  if (t.data.length !== size || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw invalid(`Tensor '${name}' has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
  }
  return t;
}
