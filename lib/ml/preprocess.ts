// Feature preprocessing: fitted on the training split only, stored as plain JSON in the model manifest,
// and applied identically at training, evaluation and serving time.
import { z } from "zod";
import { invalid } from "../errors";
import { isNumericColumn, type Column, type NumericColumnType, type Row, type Table } from "./table";

export const preprocessOptionsSchema = z
  .object({
    /** Most frequent categories kept per column; the rest go to the `other` bucket. */
    maxCategories: z.number().int().min(1).max(1000).default(20),
    /** Categories seen fewer times than this in training go to the `other` bucket. */
    minFrequency: z.number().int().min(1).default(5),
    /** Scale numeric features to zero mean and unit variance (networks need it; trees do not). */
    standardize: z.boolean().default(true),
    /** Fill missing values (median / most frequent); off keeps NaN for families that route missing values. */
    impute: z.boolean().default(true),
    /** One column per category, or one column of category codes (for trees). */
    categorical: z.enum(["onehot", "ordinal"]).default("onehot"),
  })
  .strict();
export type PreprocessOptions = z.infer<typeof preprocessOptionsSchema>;

/** One input feature of the model: what the serving layer validates a request against. */
export type FeatureSpec =
  | { readonly name: string; readonly type: NumericColumnType }
  | { readonly name: string; readonly type: "categorical"; readonly categories: readonly string[] };

export interface NumericStep {
  readonly kind: "numeric";
  readonly name: string;
  readonly type: NumericColumnType;
  /** Value for missing entries (median; most frequent for booleans); NaN when imputation is off. */
  readonly fill: number;
  readonly center: number;
  readonly scale: number;
}

export interface CategoricalStep {
  readonly kind: "categorical";
  readonly name: string;
  /** Most frequent training category, or null when imputation is off. */
  readonly fill: string | null;
  /** Kept categories, most frequent first; one output column each (one-hot) or their index (ordinal). */
  readonly categories: readonly string[];
  /** Whether training saw rare categories: then rare and unseen values share one extra `other` bucket. */
  readonly other: boolean;
  readonly encoding: "onehot" | "ordinal";
}

export type FeatureStep = NumericStep | CategoricalStep;

export type DropReason = "text" | "constant" | "all_missing" | "all_rare";

export interface PreprocessorState {
  readonly version: 1;
  readonly options: PreprocessOptions;
  readonly steps: readonly FeatureStep[];
  readonly dropped: readonly { readonly name: string; readonly reason: DropReason }[];
  /** Names of the matrix columns, e.g. `age`, `color=red`, `color=<other>`. */
  readonly outputs: readonly string[];
}

/** Row-major dense matrix. */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

export const OTHER = "<other>";

/**
 * Learns imputation values, scales and category sets from `table` (the training split only).
 * `exclude` names columns that are not features (the target).
 */
export function fitPreprocessor(table: Table, options: Partial<PreprocessOptions> = {}, exclude: readonly string[] = []): PreprocessorState {
  const opts = preprocessOptionsSchema.parse(options);
  const steps: FeatureStep[] = [];
  const dropped: { name: string; reason: DropReason }[] = [];
  for (const col of table.columns) {
    if (exclude.includes(col.name)) continue;
    const result = isNumericColumn(col) ? fitNumeric(col.name, col.type, col.values, opts) : fitCategorical(col, opts);
    if (typeof result === "string") dropped.push({ name: col.name, reason: result });
    else steps.push(result);
  }
  if (steps.length === 0) {
    throw invalid("No usable feature column: every column is the target, text, constant or empty", { dropped });
  }
  return { version: 1, options: opts, steps, dropped, outputs: steps.flatMap(outputNames) };
}

function fitNumeric(name: string, type: NumericColumnType, values: Float64Array, opts: PreprocessOptions): NumericStep | DropReason {
  const present = values.filter((v) => !Number.isNaN(v)).sort();
  if (present.length === 0) return "all_missing";
  if (present[0] === present[present.length - 1]) return "constant";
  const fill = !opts.impute ? NaN : type === "boolean" ? mostFrequentNumber(present) : median(present);
  let center = 0;
  let scale = 1;
  if (!opts.standardize && type === "datetime") {
    // Epoch milliseconds (~1.7e12) keep only ~2-minute resolution in float32; a shift keeps it and costs trees nothing.
    center = median(present);
  } else if (opts.standardize) {
    // Mean and population std of the imputed column, as a scaler placed after the imputer would see it.
    const n = values.length;
    const missing = n - present.length;
    const fillForStats = opts.impute ? fill : 0;
    let sum = 0;
    for (const v of present) sum += v;
    const counted = opts.impute ? n : present.length;
    center = (sum + (opts.impute ? missing * fillForStats : 0)) / counted;
    let ss = 0;
    for (const v of present) ss += (v - center) * (v - center);
    if (opts.impute) ss += missing * (fillForStats - center) * (fillForStats - center);
    const std = Math.sqrt(ss / counted);
    scale = std > 0 ? std : 1;
  }
  return { kind: "numeric", name, type, fill, center, scale };
}

function fitCategorical(col: Column & { values: readonly (string | null)[] }, opts: PreprocessOptions): CategoricalStep | DropReason {
  if (col.type === "text") return "text";
  const counts = new Map<string, number>();
  for (const v of col.values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  if (counts.size === 0) return "all_missing";
  if (counts.size === 1) return "constant";
  // Most frequent first; ties by code-unit order so the result never depends on row order.
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const categories = ranked.filter(([, n]) => n >= opts.minFrequency).slice(0, opts.maxCategories).map(([c]) => c);
  const other = categories.length < ranked.length;
  if (categories.length === 0) return "all_rare";
  if (categories.length === 1 && !other) return "constant";
  return { kind: "categorical", name: col.name, fill: opts.impute ? ranked[0]![0] : null, categories, other, encoding: opts.categorical };
}

function median(sorted: Float64Array): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

function mostFrequentNumber(sorted: Float64Array): number {
  let best = sorted[0]!;
  let bestCount = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j - i > bestCount) [best, bestCount] = [sorted[i]!, j - i];
    i = j;
  }
  return best;
}

function outputNames(step: FeatureStep): string[] {
  if (step.kind === "numeric" || step.encoding === "ordinal") return [step.name];
  const names = step.categories.map((c) => `${step.name}=${c}`);
  if (step.other) names.push(`${step.name}=${OTHER}`);
  return names;
}

function outputWidth(step: FeatureStep): number {
  if (step.kind === "numeric" || step.encoding === "ordinal") return 1;
  return step.categories.length + (step.other ? 1 : 0);
}

/** Which matrix columns [start, end) come from each input feature (one-hot blocks stay together). */
export function featureBlocks(state: PreprocessorState): { feature: string; start: number; end: number }[] {
  let start = 0;
  return state.steps.map((s) => {
    const end = start + outputWidth(s);
    const block = { feature: s.name, start, end };
    start = end;
    return block;
  });
}

/** The model's input signature: the features a request must (or may) carry. */
export function signature(state: PreprocessorState): FeatureSpec[] {
  return state.steps.map((s) =>
    s.kind === "numeric" ? { name: s.name, type: s.type } : { name: s.name, type: "categorical", categories: s.categories },
  );
}

/** Applies fitted preprocessing to a table or to row objects (missing keys count as missing values). */
export function transform(state: PreprocessorState, input: Table | readonly Row[]): Matrix {
  const table = isTable(input) ? input : rowsToTable(state, input);
  const rows = table.rowCount;
  const cols = state.outputs.length;
  const data = new Float32Array(rows * cols);
  let offset = 0;
  for (const step of state.steps) {
    const col = table.columns.find((c) => c.name === step.name);
    if (!col) throw invalid(`Input has no column '${step.name}', which the model needs`);
    if (step.kind === "numeric") writeNumeric(step, numericValues(col, step), data, rows, cols, offset);
    else writeCategorical(step, stringValues(col), data, rows, cols, offset);
    offset += outputWidth(step);
  }
  return { data, rows, cols };
}

function isTable(input: Table | readonly Row[]): input is Table {
  return !Array.isArray(input);
}

function writeNumeric(step: NumericStep, values: Float64Array, out: Float32Array, rows: number, cols: number, offset: number): void {
  const { fill, center, scale } = step;
  for (let r = 0, o = offset; r < rows; r++, o += cols) {
    const v = values[r]!;
    out[o] = ((Number.isNaN(v) ? fill : v) - center) / scale;
  }
}

function writeCategorical(step: CategoricalStep, values: readonly (string | null)[], out: Float32Array, rows: number, cols: number, offset: number): void {
  const index = new Map(step.categories.map((c, i) => [c, i]));
  const otherIndex = step.other ? step.categories.length : -1;
  for (let r = 0, o = offset; r < rows; r++, o += cols) {
    const v = values[r] ?? step.fill;
    // Unknown categories go to the `other` bucket when training had one; otherwise they encode as "none of the known".
    const k = v === null ? -2 : (index.get(v) ?? otherIndex);
    if (step.encoding === "ordinal") out[o] = k === -2 ? NaN : k === -1 ? step.categories.length : k;
    else if (k >= 0) out[o + k] = 1;
  }
}

function numericValues(col: Column, step: NumericStep): Float64Array {
  if (isNumericColumn(col)) return col.values;
  const out = new Float64Array(col.values.length);
  col.values.forEach((v, i) => (out[i] = parseNumber(v, step)));
  return out;
}

function stringValues(col: Column): readonly (string | null)[] {
  if (!isNumericColumn(col)) return col.values;
  return Array.from(col.values, (v) => (Number.isNaN(v) ? null : String(v)));
}

const TRUE = new Set(["true", "1", "yes", "y", "t"]);
const FALSE = new Set(["false", "0", "no", "n", "f"]);

/** One raw value as a number for a numeric feature; NaN = missing. */
function parseNumber(v: unknown, step: { name: string; type: NumericColumnType }): number {
  if (v === null || v === undefined || v === "") return NaN;
  if (typeof v === "number") {
    if (Number.isNaN(v)) return NaN;
    if (Number.isFinite(v)) return v;
  } else if (typeof v === "boolean") {
    return v ? 1 : 0;
  } else if (typeof v === "string") {
    const s = v.trim();
    if (step.type === "boolean") {
      const l = s.toLowerCase();
      if (TRUE.has(l)) return 1;
      if (FALSE.has(l)) return 0;
    }
    const n = Number(s);
    if (s !== "" && Number.isFinite(n)) return n;
    if (step.type === "datetime") {
      const t = Date.parse(s);
      if (!Number.isNaN(t)) return t;
    }
  }
  throw invalid(`Feature '${step.name}' expects a ${step.type} value, got ${JSON.stringify(v)}`);
}

function parseCategory(v: unknown, name: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isNaN(v)) return null;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw invalid(`Feature '${name}' expects a category (string), got ${JSON.stringify(v)}`);
}

function rowsToTable(state: PreprocessorState, rows: readonly Row[]): Table {
  const columns = state.steps.map((step): Column => {
    if (step.kind === "numeric") {
      const values = new Float64Array(rows.length);
      rows.forEach((row, i) => (values[i] = parseNumber(row[step.name], step)));
      return { name: step.name, type: step.type, values };
    }
    return { name: step.name, type: "categorical", values: rows.map((row) => parseCategory(row[step.name], step.name)) };
  });
  return { rowCount: rows.length, columns };
}

const numericStepSchema = z.object({
  kind: z.literal("numeric"),
  name: z.string(),
  type: z.enum(["numeric", "integer", "boolean", "datetime"]),
  // NaN does not survive JSON: a null fill means "keep missing".
  fill: z.number().nullable().transform((v) => v ?? NaN),
  center: z.number(),
  scale: z.number().positive(),
});
const categoricalStepSchema = z.object({
  kind: z.literal("categorical"),
  name: z.string(),
  fill: z.string().nullable(),
  categories: z.array(z.string()),
  other: z.boolean(),
  encoding: z.enum(["onehot", "ordinal"]),
});
export const preprocessorStateSchema = z.object({
  version: z.literal(1),
  options: preprocessOptionsSchema,
  steps: z.array(z.discriminatedUnion("kind", [numericStepSchema, categoricalStepSchema])).min(1),
  dropped: z.array(z.object({ name: z.string(), reason: z.enum(["text", "constant", "all_missing", "all_rare"]) })),
  outputs: z.array(z.string()),
});

/** JSON form for the manifest (NaN fills become null). */
export function preprocessorToJSON(state: PreprocessorState): unknown {
  return JSON.parse(JSON.stringify(state, (_k, v: unknown) => (typeof v === "number" && Number.isNaN(v) ? null : v)));
}

export function preprocessorFromJSON(json: unknown): PreprocessorState {
  const state = preprocessorStateSchema.parse(json);
  const width = state.steps.reduce((n, s) => n + outputWidth(s), 0);
  if (width !== state.outputs.length) throw invalid(`Preprocessing lists ${state.outputs.length} outputs but its steps make ${width}`);
  return state;
}
