// The one model format (DESIGN.md "Models"): a versioned JSON manifest plus float32 little-endian weight files,
// each checked by SHA-256 on load. Storage stays with the caller (ArtifactStore): this module only maps
// a Model to {manifest, files} and back.
import { createHash } from "node:crypto";
import { z } from "zod";
import { invalid } from "../errors";
import { getFamily } from "./families";
import type { ModelState, TensorData } from "./families/types";
import type { Model, ModelInfo } from "./model";
import { preprocessorFromJSON, preprocessorToJSON, signature, type FeatureSpec, type PreprocessorState } from "./preprocess";
import { targetEncoderSchema, type Task, type TargetEncoder } from "./target";

export const MODEL_FORMAT = "mlops.model";
export const MODEL_FORMAT_VERSION = 1;

export interface WeightFileEntry {
  /** Tensor name inside the family state. */
  readonly name: string;
  /** File name beside the manifest. */
  readonly file: string;
  readonly shape: readonly number[];
  readonly dtype: "float32";
  readonly byteOrder: "little";
  readonly bytes: number;
  readonly sha256: string;
}

export interface ModelManifest {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: typeof MODEL_FORMAT_VERSION;
  readonly task: Task;
  readonly target: string;
  /** Class labels in output order (classification), else null. */
  readonly classes: readonly string[] | null;
  /** What a prediction request is validated against. */
  readonly signature: { readonly inputs: readonly FeatureSpec[] };
  readonly preprocessing: { readonly features: unknown; readonly target: TargetEncoder };
  readonly family: string;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  readonly model: { readonly config: Readonly<Record<string, unknown>>; readonly weights: readonly WeightFileEntry[] };
  readonly metrics: ModelInfo["metrics"];
  readonly importance: ModelInfo["importance"];
  readonly training: ModelInfo["training"];
  readonly createdAt: string;
}

// Weight file names become artifact paths: no separators, no leading dot, nothing that could climb out.
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function saveModel(model: Model): { manifest: ModelManifest; files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  const weights: WeightFileEntry[] = Object.entries(model.state.tensors).map(([name, tensor]) => {
    const file = `${name}.f32`;
    if (!FILE_NAME.test(file)) throw invalid(`Tensor name '${name}' cannot be used as a weight file name`);
    const bytes = encodeFloat32LE(tensor.data);
    files.set(file, bytes);
    return { name, file, shape: [...tensor.shape], dtype: "float32", byteOrder: "little", bytes: bytes.length, sha256: sha256(bytes) };
  });
  const { info, target } = model;
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    task: target.task,
    target: target.name,
    classes: target.task === "classification" ? [...target.classes] : null,
    signature: { inputs: signature(model.preprocessor) },
    preprocessing: { features: preprocessorToJSON(model.preprocessor), target },
    family: info.family,
    hyperparameters: info.hyperparameters,
    model: { config: model.state.config, weights },
    metrics: info.metrics,
    importance: info.importance,
    training: info.training,
    createdAt: info.createdAt,
  };
  // Round-trip through JSON so the returned manifest is exactly what a reader will parse.
  return { manifest: JSON.parse(JSON.stringify(manifest)) as ModelManifest, files };
}

const metricsSchema = z.record(z.string(), z.union([z.number(), z.null(), z.array(z.array(z.number()))]));
const manifestSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(MODEL_FORMAT_VERSION),
  task: z.enum(["classification", "regression"]),
  target: z.string(),
  classes: z.array(z.string()).nullable(),
  signature: z.object({ inputs: z.array(z.object({ name: z.string(), type: z.string() }).loose()) }),
  preprocessing: z.object({ features: z.unknown(), target: targetEncoderSchema }),
  family: z.string(),
  hyperparameters: z.record(z.string(), z.unknown()),
  model: z.object({
    config: z.record(z.string(), z.unknown()),
    weights: z.array(
      z.object({
        name: z.string(),
        file: z.string().regex(FILE_NAME, "must be a plain file name"),
        shape: z.array(z.number().int().min(0)),
        dtype: z.literal("float32"),
        byteOrder: z.literal("little"),
        bytes: z.number().int().min(0),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits"),
      }),
    ),
  }),
  metrics: z.object({ validation: metricsSchema.nullable(), test: metricsSchema.nullable() }),
  importance: z.array(z.object({ feature: z.string(), importance: z.number(), std: z.number() })).nullable(),
  training: z.object({
    backend: z.string(),
    seed: z.number(),
    epochs: z.number(),
    bestEpoch: z.number(),
    stoppedEarly: z.boolean(),
    rows: z.object({ train: z.number(), validation: z.number(), test: z.number() }),
    durationMs: z.number(),
  }),
  createdAt: z.string(),
});

/** Parses and checks a manifest (JSON value or text) without its weight files. */
export function parseManifest(json: unknown): ModelManifest {
  const value = typeof json === "string" ? parseJson(json) : json;
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === "number" && version > MODEL_FORMAT_VERSION) {
    throw invalid(`Model format version ${version} is newer than this server understands (${MODEL_FORMAT_VERSION}); upgrade the platform`);
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const text = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw invalid(`Not a valid model manifest: ${text}`);
  }
  return parsed.data as unknown as ModelManifest;
}

/**
 * Rebuilds a Model from its manifest and weight files. Every file is checked against its recorded
 * SHA-256 and size before use; a mismatch is an error naming the file.
 */
export function loadModel(manifestJson: unknown, files: ReadonlyMap<string, Uint8Array> | ((file: string) => Uint8Array | undefined)): Model {
  const manifest = parseManifest(manifestJson);
  const read = typeof files === "function" ? files : (f: string) => files.get(f);
  const tensors: Record<string, TensorData> = {};
  for (const w of manifest.model.weights) {
    const bytes = read(w.file);
    if (!bytes) throw invalid(`Model weight file '${w.file}' is missing`);
    const actual = sha256(bytes);
    if (actual !== w.sha256) {
      throw invalid(`Model weight file '${w.file}' failed its SHA-256 check (expected ${w.sha256}, got ${actual}): the artifact is corrupt or was modified`, {
        file: w.file,
        expected: w.sha256,
        actual,
      });
    }
    const count = w.shape.reduce((p, d) => p * d, 1);
    if (bytes.length !== w.bytes || bytes.length !== count * 4) {
      throw invalid(`Model weight file '${w.file}' holds ${bytes.length} bytes; shape [${w.shape.join(", ")}] needs ${count * 4}`);
    }
    tensors[w.name] = { shape: w.shape, data: decodeFloat32LE(bytes) };
  }
  const family = getFamily(manifest.family);
  const state: ModelState = { config: manifest.model.config, tensors };
  const preprocessor: PreprocessorState = preprocessorFromJSON(manifest.preprocessing.features);
  const target = manifest.preprocessing.target;
  if (target.task !== manifest.task) throw invalid(`Manifest task '${manifest.task}' disagrees with its target encoding ('${target.task}')`);
  const scorer = family.scorer(state);
  if (scorer.nFeatures !== preprocessor.outputs.length) {
    throw invalid(`Model expects ${scorer.nFeatures} inputs but its preprocessing produces ${preprocessor.outputs.length}`);
  }
  const info: ModelInfo = {
    family: manifest.family,
    hyperparameters: manifest.hyperparameters,
    metrics: manifest.metrics,
    importance: manifest.importance,
    training: manifest.training,
    createdAt: manifest.createdAt,
  };
  return { info, preprocessor, target, state, scorer };
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function encodeFloat32LE(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

export function decodeFloat32LE(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength >> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalid(`Model manifest is not valid JSON: ${(e as Error).message}`);
  }
}
