// Open Inference Protocol V2 (the KServe/Triton "v2" REST dialect) on top of the row-based predict.
// Requests carry tensors: either one tensor per feature (name = feature, shape [n] or [n, 1]), or
// one 2-D tensor [n, features] whose columns are the features in schema order.
import type { PredictOutcome } from "./predict";
import { shapeError } from "./predict";
import type { ServedModel } from "./served";

const DATATYPES = new Set(["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"]);

interface Tensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

/**
 * Nested row-major data flattened (OIP allows both forms). Tensors here have at most two
 * dimensions, so only two levels are unnested: deeper arrays stay values the encoder refuses
 * (flattening without a limit recursed once per level and overflowed the stack on deep input).
 */
function flatten(data: unknown[]): unknown[] {
  return data.some(Array.isArray) ? (data as unknown[]).flat(2) : data;
}

function tensorOf(v: unknown, i: number): Tensor {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw shapeError(`inputs[${i}] must be an object {name, shape, datatype, data}`);
  const t = v as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof t.name !== "string" || t.name === "") problems.push("'name' must be a non-empty string");
  if (!Array.isArray(t.shape) || t.shape.length === 0 || t.shape.length > 2 || !t.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    problems.push("'shape' must be [rows] or [rows, columns] of whole numbers");
  }
  if (typeof t.datatype !== "string" || !DATATYPES.has(t.datatype)) problems.push(`'datatype' must be one of ${[...DATATYPES].join(", ")}`);
  if (!Array.isArray(t.data)) problems.push("'data' must be an array");
  if (problems.length) throw shapeError(`inputs[${i}]: ${problems.join("; ")}`, problems.map((message) => ({ input: i, message })));
  const data = flatten(t.data as unknown[]);
  const shape = t.shape as number[];
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw shapeError(`inputs[${i}] ('${t.name as string}'): shape [${shape.join(", ")}] needs ${size} values, 'data' has ${data.length}`);
  return { name: t.name as string, shape, datatype: t.datatype as string, data };
}

/** The rows of an infer request: objects keyed by feature, or arrays in schema order. */
export function v2Instances(body: Record<string, unknown>): unknown[] {
  const inputs = body.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw shapeError("'inputs' must be a non-empty array of tensors {name, shape, datatype, data}");
  const tensors = inputs.map(tensorOf);
  const first = tensors[0]!;
  if (tensors.length === 1 && first.shape.length === 2 && first.shape[1]! > 1) {
    const [n, k] = first.shape as [number, number];
    const rows = new Array<unknown[]>(n);
    for (let r = 0; r < n; r++) rows[r] = first.data.slice(r * k, (r + 1) * k);
    return rows;
  }
  const n = first.shape[0]!;
  const rows = new Array<Record<string, unknown>>(n);
  for (let r = 0; r < n; r++) rows[r] = {};
  const seen = new Set<string>();
  for (const [i, t] of tensors.entries()) {
    if (t.shape[0] !== n || (t.shape.length === 2 && t.shape[1] !== 1)) {
      throw shapeError(`inputs[${i}] ('${t.name}') has shape [${t.shape.join(", ")}]; one tensor per feature needs shape [${n}] or [${n}, 1], like the first`);
    }
    if (seen.has(t.name)) throw shapeError(`inputs[${i}]: feature '${t.name}' is given twice`);
    seen.add(t.name);
    for (let r = 0; r < n; r++) rows[r]![t.name] = t.data[r];
  }
  return rows;
}

export function v2Response(o: PredictOutcome, id: string | undefined): Record<string, unknown> {
  const n = o.ids.length;
  const classification = o.scored.probabilities !== null;
  const outputs: Record<string, unknown>[] = [
    { name: "predict", shape: [n], datatype: classification ? "BYTES" : "FP64", data: o.scored.predictions },
  ];
  if (o.scored.probabilities) {
    outputs.push({ name: "predict_proba", shape: [n, o.scored.nClasses], datatype: "FP64", data: Array.from(o.scored.probabilities) });
  }
  const parameters: Record<string, unknown> = { prediction_ids: o.ids };
  if (o.arm !== null) parameters.arm = o.arm;
  return {
    model_name: o.served.modelName,
    model_version: o.served.version,
    ...(id === undefined ? {} : { id }),
    outputs,
    parameters,
  };
}

function datatypeOf(type: string): string {
  if (type === "categorical") return "BYTES";
  if (type === "boolean") return "BOOL";
  if (type === "integer") return "INT64";
  if (type === "datetime") return "BYTES";
  return "FP64";
}

export function v2Metadata(s: ServedModel): Record<string, unknown> {
  const k = s.classes?.length ?? 0;
  return {
    name: s.modelName,
    versions: [s.version],
    platform: "mlops",
    inputs: s.encoder.features.map((f) => ({ name: f.name, datatype: datatypeOf(f.type), shape: [-1, 1] })),
    outputs: [
      { name: "predict", datatype: s.task === "classification" ? "BYTES" : "FP64", shape: [-1] },
      ...(s.task === "classification" ? [{ name: "predict_proba", datatype: "FP64", shape: [-1, k] }] : []),
    ],
    parameters: { task: s.task, ...(s.classes ? { classes: s.classes } : {}), family: s.model.info.family },
  };
}
