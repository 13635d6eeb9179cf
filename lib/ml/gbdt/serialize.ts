// The gbdt model's stored forms: JSON and packed binary (a small header plus one little-endian buffer),
// and the structural check every loaded forest passes before it is scored.
import { z } from "zod";
import { invalid } from "../../errors";
import type { ForestArrays } from "./forest";
import { gbdtParamsSchema, type GbdtObjective, type GbdtParams } from "./params";

export const GBDT_FORMAT_VERSION = 1;

export interface GbdtModelInfo {
  objective: GbdtObjective;
  nFeatures: number;
  /** Classes for classification (2 for binary), 1 for regression. */
  nClasses: number;
  /** Raw score before the first tree, per output (log-odds, log-prior or mean). */
  baseScore: Float64Array;
  categoricalFeatures: readonly number[];
  params: GbdtParams;
  /** Boosting iterations kept (the best one when early stopping ran). */
  nIterations: number;
}

export function headerFields(info: GbdtModelInfo): HeaderFields {
  return {
    objective: info.objective,
    nFeatures: info.nFeatures,
    nClasses: info.nClasses,
    baseScore: Array.from(info.baseScore),
    categoricalFeatures: [...info.categoricalFeatures],
    nIterations: info.nIterations,
    params: info.params,
  };
}

export function forestToJSON(info: GbdtModelInfo, f: ForestArrays): GbdtModelJSON {
  return {
    format: "gbdt",
    version: GBDT_FORMAT_VERSION,
    ...headerFields(info),
    trees: { nodes: Array.from(f.treeNodes), leaves: Array.from(f.treeLeaves) },
    nodes: {
      feature: Array.from(f.feature),
      threshold: Array.from(f.threshold, encodeFloat),
      left: Array.from(f.left),
      right: Array.from(f.right),
      missing: Array.from(f.missing),
      catOffset: Array.from(f.catOffset),
      catWords: Array.from(f.catWords),
      gain: Array.from(f.gain),
      count: Array.from(f.nodeCount),
    },
    catBits: Array.from(f.catBits),
    leaves: { value: Array.from(f.leafValue), count: Array.from(f.leafCount) },
  };
}

export function forestFromJSON(input: unknown): { info: GbdtModelInfo; forest: ForestArrays } {
  const parsed = jsonSchema.safeParse(input);
  if (!parsed.success) throw invalid("Not a gbdt model", parsed.error.issues.slice(0, 10));
  const j = parsed.data;
  const forest: ForestArrays = {
    treeNodes: Int32Array.from(j.trees.nodes),
    treeLeaves: Int32Array.from(j.trees.leaves),
    feature: Int32Array.from(j.nodes.feature),
    threshold: Float64Array.from(j.nodes.threshold, decodeFloat),
    left: Int32Array.from(j.nodes.left),
    right: Int32Array.from(j.nodes.right),
    missing: Int32Array.from(j.nodes.missing),
    catOffset: Int32Array.from(j.nodes.catOffset),
    catWords: Int32Array.from(j.nodes.catWords),
    gain: Float64Array.from(j.nodes.gain),
    nodeCount: Int32Array.from(j.nodes.count),
    catBits: Uint32Array.from(j.catBits),
    leafValue: Float64Array.from(j.leaves.value),
    leafCount: Int32Array.from(j.leaves.count),
  };
  return { info: infoFromHeader(j), forest };
}

/**
 * Header (small JSON, for the manifest) and the tree arrays packed little-endian into one buffer
 * (a weight file). Thresholds and leaf values stay float64: the scorer must take exactly the
 * branches the trainer took, and float32 thresholds would move rows that sit near a bin edge.
 */
export function forestToPacked(info: GbdtModelInfo, f: ForestArrays): { header: GbdtPackedHeader; weights: Uint8Array } {
  const sections: PackedSection[] = [];
  let offset = 0;
  for (const [name, dtype] of PACKED_LAYOUT) {
    const arr = f[name];
    sections.push({ name, dtype, offset, length: arr.length });
    offset += align8(arr.length * BYTES[dtype]);
  }
  const weights = new Uint8Array(offset);
  const view = new DataView(weights.buffer);
  for (const s of sections) {
    const arr = f[s.name];
    for (let i = 0; i < s.length; i++) {
      const at = s.offset + i * BYTES[s.dtype];
      if (s.dtype === "float64") view.setFloat64(at, arr[i]!, true);
      else if (s.dtype === "int32") view.setInt32(at, arr[i]!, true);
      else view.setUint32(at, arr[i]!, true);
    }
  }
  return { header: { format: "gbdt-packed", version: GBDT_FORMAT_VERSION, ...headerFields(info), sections }, weights };
}

export function forestFromPacked(header: unknown, weights: Uint8Array): { info: GbdtModelInfo; forest: ForestArrays } {
  const parsed = packedHeaderSchema.safeParse(header);
  if (!parsed.success) throw invalid("Not a packed gbdt model header", parsed.error.issues.slice(0, 10));
  const h = parsed.data;
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const arrays: Partial<Record<ForestKey, ForestArrays[ForestKey]>> = {};
  for (const [name, dtype] of PACKED_LAYOUT) {
    const s = h.sections.find((x) => x.name === name);
    if (!s || s.dtype !== dtype) throw invalid(`Packed gbdt model lacks section '${name}' (${dtype})`);
    if (s.offset + s.length * BYTES[dtype] > weights.byteLength) throw invalid(`Section '${name}' runs past the end of the weights`);
    if (dtype === "float64") {
      const a = new Float64Array(s.length);
      for (let i = 0; i < s.length; i++) a[i] = view.getFloat64(s.offset + 8 * i, true);
      arrays[name] = a;
    } else if (dtype === "int32") {
      const a = new Int32Array(s.length);
      for (let i = 0; i < s.length; i++) a[i] = view.getInt32(s.offset + 4 * i, true);
      arrays[name] = a;
    } else {
      const a = new Uint32Array(s.length);
      for (let i = 0; i < s.length; i++) a[i] = view.getUint32(s.offset + 4 * i, true);
      arrays[name] = a;
    }
  }
  return { info: infoFromHeader(h), forest: arrays as ForestArrays };
}

/**
 * Rejects forests the scorer could loop on or read out of bounds with: a child must be a later
 * node of the same tree or one of its leaves, features and bitsets must be in range.
 */
export function validateForest(m: GbdtModelInfo, f: ForestArrays): void {
  const nOutputs = m.objective === "multiclass" ? m.nClasses : 1;
  const n = f.feature.length;
  const fail = (msg: string) => {
    throw invalid(`Corrupt gbdt model: ${msg}`);
  };
  for (const k of ["threshold", "left", "right", "missing", "catOffset", "catWords", "gain", "nodeCount"] as const) {
    if (f[k].length !== n) fail(`node array '${k}' has ${f[k].length} entries, expected ${n}`);
  }
  if (f.leafCount.length !== f.leafValue.length) fail("leaf arrays differ in length");
  if (f.treeNodes.length !== f.treeLeaves.length) fail("tree arrays differ in length");
  if (m.baseScore.length !== nOutputs) fail(`baseScore has ${m.baseScore.length} entries, expected ${nOutputs}`);
  if (f.treeNodes.length % nOutputs !== 0) fail("tree count is not a multiple of the outputs");
  if (m.objective === "binary" && m.nClasses !== 2) fail("a binary model has 2 classes");
  if (m.objective === "regression" && m.nClasses !== 1) fail("a regression model has nClasses 1");
  if (m.objective === "multiclass" && m.nClasses < 2) fail("a multiclass model has at least 2 classes");
  let node = 0;
  let leaf = 0;
  for (let t = 0; t < f.treeNodes.length; t++) {
    const nodes = f.treeNodes[t]!;
    const leaves = f.treeLeaves[t]!;
    if (nodes < 0 || leaves !== nodes + 1) fail(`tree ${t} has ${nodes} nodes and ${leaves} leaves`);
    const nodeEnd = node + nodes;
    const leafEnd = leaf + leaves;
    if (nodeEnd > n || leafEnd > f.leafValue.length) fail(`tree ${t} runs past the arrays`);
    for (let i = node; i < nodeEnd; i++) {
      const feat = f.feature[i]!;
      if (feat < 0 || feat >= m.nFeatures) fail(`node ${i} splits on feature ${feat}`);
      for (const c of [f.left[i]!, f.right[i]!]) {
        if (c >= 0 ? c <= i || c >= nodeEnd : ~c < leaf || ~c >= leafEnd) fail(`node ${i} has child ${c} outside its tree`);
      }
      if (f.missing[i] !== f.left[i] && f.missing[i] !== f.right[i]) fail(`node ${i}: missing child is neither child`);
      const co = f.catOffset[i]!;
      if (co >= 0 && (f.catWords[i]! < 0 || co + f.catWords[i]! > f.catBits.length)) fail(`node ${i}: bitset out of range`);
    }
    node = nodeEnd;
    leaf = leafEnd;
  }
  if (node !== n || leaf !== f.leafValue.length) fail("arrays hold nodes or leaves of no tree");
}

// Infinite thresholds are legal (a bin edge at ±Infinity in the data); JSON has no literal for them.
function encodeFloat(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function decodeFloat(v: number | string): number {
  return typeof v === "number" ? v : Number(v);
}

type ForestKey = keyof ForestArrays;
type DType = "int32" | "uint32" | "float64";
const BYTES: Record<DType, number> = { int32: 4, uint32: 4, float64: 8 };
const PACKED_LAYOUT: readonly (readonly [ForestKey, DType])[] = [
  ["treeNodes", "int32"],
  ["treeLeaves", "int32"],
  ["feature", "int32"],
  ["threshold", "float64"],
  ["left", "int32"],
  ["right", "int32"],
  ["missing", "int32"],
  ["catOffset", "int32"],
  ["catWords", "int32"],
  ["gain", "float64"],
  ["nodeCount", "int32"],
  ["catBits", "uint32"],
  ["leafValue", "float64"],
  ["leafCount", "int32"],
];
const align8 = (n: number) => (n + 7) & ~7;

interface PackedSection {
  name: ForestKey;
  dtype: DType;
  offset: number;
  length: number;
}

export interface HeaderFields {
  objective: GbdtObjective;
  nFeatures: number;
  nClasses: number;
  baseScore: number[];
  categoricalFeatures: number[];
  nIterations: number;
  params: GbdtParams;
}

export interface GbdtModelJSON extends HeaderFields {
  format: "gbdt";
  version: number;
  trees: { nodes: number[]; leaves: number[] };
  nodes: {
    feature: number[];
    threshold: (number | string)[];
    left: number[];
    right: number[];
    missing: number[];
    catOffset: number[];
    catWords: number[];
    gain: number[];
    count: number[];
  };
  catBits: number[];
  leaves: { value: number[]; count: number[] };
}

export interface GbdtPackedHeader extends HeaderFields {
  format: "gbdt-packed";
  version: number;
  sections: PackedSection[];
}

const int = z.number().int();
const ints = z.array(int);
const nums = z.array(z.number());
const headerSchema = {
  version: z.literal(GBDT_FORMAT_VERSION),
  objective: z.enum(["binary", "multiclass", "regression"]),
  nFeatures: int.min(1),
  nClasses: int.min(1),
  baseScore: nums,
  categoricalFeatures: ints,
  nIterations: int.min(0),
  params: gbdtParamsSchema,
};
const jsonSchema = z.object({
  format: z.literal("gbdt"),
  ...headerSchema,
  trees: z.object({ nodes: ints, leaves: ints }),
  nodes: z.object({
    feature: ints,
    threshold: z.array(z.union([z.number(), z.enum(["Infinity", "-Infinity"])])),
    left: ints,
    right: ints,
    missing: ints,
    catOffset: ints,
    catWords: ints,
    gain: nums,
    count: ints,
  }),
  catBits: z.array(int.min(0).max(0xffffffff)),
  leaves: z.object({ value: nums, count: ints }),
});
const packedHeaderSchema = z.object({
  format: z.literal("gbdt-packed"),
  ...headerSchema,
  sections: z.array(
    z.object({
      name: z.enum(PACKED_LAYOUT.map(([n]) => n) as [ForestKey, ...ForestKey[]]),
      dtype: z.enum(["int32", "uint32", "float64"]),
      offset: int.min(0),
      length: int.min(0),
    }),
  ),
});

function infoFromHeader(h: z.infer<typeof packedHeaderSchema> | z.infer<typeof jsonSchema>): GbdtModelInfo {
  return {
    objective: h.objective,
    nFeatures: h.nFeatures,
    nClasses: h.nClasses,
    baseScore: Float64Array.from(h.baseScore),
    categoricalFeatures: h.categoricalFeatures,
    params: h.params,
    nIterations: h.nIterations,
  };
}
