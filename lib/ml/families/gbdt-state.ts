// A GbdtModel as the shared ModelState (JSON config + float32 tensors) and back, bit-exact.
//
// The weight files of the model format are float32. Integer arrays (tree structure, counts) are
// stored as float32 values, exact below 2^24. Float64 arrays (thresholds, gains, leaf values) and the
// uint32 category bitsets are stored as their 16-bit little-endian words, one word per float32 value
// (0..65535, exact): rounding thresholds or leaf values to float32 would make the served model
// disagree with the trained one for rows next to a split.
import { z } from "zod";
import { invalid } from "../../errors";
import { GbdtModel, gbdtParamsSchema, type ForestArrays } from "../gbdt";
import type { ModelState, TensorData } from "./types";

export const GBDT_STATE_FORMAT = "gbdt-forest";

const configSchema = z.object({
  format: z.literal(GBDT_STATE_FORMAT),
  version: z.literal(1),
  objective: z.enum(["binary", "multiclass", "regression"]),
  nFeatures: z.number().int().min(1),
  nClasses: z.number().int().min(1),
  baseScore: z.array(z.number()),
  categoricalFeatures: z.array(z.number().int().min(0)),
  nIterations: z.number().int().min(0),
  params: gbdtParamsSchema,
});

type IntKey = "treeNodes" | "treeLeaves" | "feature" | "left" | "right" | "missing" | "catOffset" | "catWords" | "nodeCount" | "leafCount";
type FloatKey = "threshold" | "gain" | "leafValue";

const INT_TENSORS: readonly (readonly [IntKey, string])[] = [
  ["treeNodes", "tree_nodes"],
  ["treeLeaves", "tree_leaves"],
  ["feature", "node_feature"],
  ["left", "node_left"],
  ["right", "node_right"],
  ["missing", "node_missing"],
  ["catOffset", "node_cat_offset"],
  ["catWords", "node_cat_words"],
  ["nodeCount", "node_count"],
  ["leafCount", "leaf_count"],
];
const FLOAT64_TENSORS: readonly (readonly [FloatKey, string])[] = [
  ["threshold", "node_threshold"],
  ["gain", "node_gain"],
  ["leafValue", "leaf_value"],
];
const CAT_BITS = "cat_bits";
/** Largest integer a float32 holds exactly. */
const F32_INT = 2 ** 24;

export function gbdtToState(model: GbdtModel): ModelState {
  const f = model.forest;
  const tensors: Record<string, TensorData> = {};
  for (const [key, name] of INT_TENSORS) {
    const a = f[key];
    for (let i = 0; i < a.length; i++) {
      if (Math.abs(a[i]!) >= F32_INT) throw invalid(`The model is too large to store: ${name}[${i}] = ${a[i]} does not fit a float32 exactly`);
    }
    tensors[name] = { shape: [a.length], data: Float32Array.from(a) };
  }
  for (const [key, name] of FLOAT64_TENSORS) {
    const a = f[key];
    tensors[name] = { shape: [a.length, 4], data: words16(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)) };
  }
  tensors[CAT_BITS] = { shape: [f.catBits.length, 2], data: words16(new Uint8Array(f.catBits.buffer, f.catBits.byteOffset, f.catBits.byteLength)) };
  const config: z.infer<typeof configSchema> = {
    format: GBDT_STATE_FORMAT,
    version: 1,
    objective: model.objective,
    nFeatures: model.nFeatures,
    nClasses: model.nClasses,
    baseScore: Array.from(model.baseScore),
    categoricalFeatures: [...model.categoricalFeatures],
    nIterations: model.nIterations,
    params: model.params,
  };
  return { config, tensors };
}

/** Rebuilds the model; the forest is validated (GbdtModel's constructor) so a corrupt state cannot make scoring loop or read out of bounds. */
export function gbdtFromState(state: ModelState): GbdtModel {
  const parsed = configSchema.safeParse(state.config);
  if (!parsed.success) throw invalid(`Model config is not a gbdt forest: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const c = parsed.data;
  const tensor = (name: string, width: number): Float32Array => {
    const t = state.tensors[name];
    if (!t) throw invalid(`gbdt model lacks tensor '${name}'`);
    const rows = t.shape[0] ?? 0;
    const shapeOk = width === 1 ? t.shape.length === 1 : t.shape.length === 2 && t.shape[1] === width;
    if (!shapeOk || t.data.length !== rows * width) throw invalid(`gbdt tensor '${name}' has shape [${t.shape.join(", ")}]`);
    return t.data;
  };
  const forest: Partial<Record<keyof ForestArrays, ForestArrays[keyof ForestArrays]>> = {};
  for (const [key, name] of INT_TENSORS) {
    const data = tensor(name, 1);
    const out = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!Number.isInteger(v)) throw invalid(`gbdt tensor '${name}' holds a non-integer`);
      out[i] = v;
    }
    forest[key] = out;
  }
  for (const [key, name] of FLOAT64_TENSORS) {
    const data = tensor(name, 4);
    forest[key] = new Float64Array(fromWords16(data, name).buffer);
  }
  forest.catBits = new Uint32Array(fromWords16(tensor(CAT_BITS, 2), CAT_BITS).buffer);
  return new GbdtModel(
    {
      objective: c.objective,
      nFeatures: c.nFeatures,
      nClasses: c.nClasses,
      baseScore: Float64Array.from(c.baseScore),
      categoricalFeatures: c.categoricalFeatures,
      params: c.params,
      nIterations: c.nIterations,
    },
    forest as ForestArrays,
  );
}

/** Bytes (platform order, little-endian on every supported host) as 16-bit little-endian words in float32s. */
function words16(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

function fromWords16(words: Float32Array, name: string): Uint8Array {
  const bytes = new Uint8Array(words.length * 2);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!Number.isInteger(w) || w < 0 || w > 0xffff) throw invalid(`gbdt tensor '${name}' holds a value that is not a 16-bit word`);
    bytes[2 * i] = w & 0xff;
    bytes[2 * i + 1] = w >>> 8;
  }
  return bytes;
}
