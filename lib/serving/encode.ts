// Request rows → the model's input matrix, checked against the version's feature schema in the same
// pass. Writes exactly what lib/ml's transform() writes for the same values (proven in tests), but
// without building a column table per request, and it collects every problem (row, field) instead of
// stopping at the first.
import type { FeatureSpec, PreprocessorState } from "../ml";

export interface RowProblem {
  /** 0-based index of the instance. */
  row: number;
  /** Feature name, or null when the row as a whole is wrong. */
  field: string | null;
  message: string;
}

/** Writes one value into the matrix at `base`; returns a problem text, or null when the value is fine. */
type Writer = (v: unknown, out: Float32Array, base: number) => string | null;

interface CompiledStep {
  readonly name: string;
  readonly write: Writer;
}

export interface Encoder {
  /** Input features in schema order (what an array instance lists). */
  readonly features: readonly FeatureSpec[];
  /** Columns the model was trained without (ignored when a request sends them). */
  readonly ignored: readonly string[];
  /** Width of one encoded row. */
  readonly width: number;
  /** Encodes instances into a new row-major matrix; problems are appended to `problems` (at most `maxProblems`). */
  encode(instances: readonly unknown[], problems: RowProblem[], maxProblems?: number): Float32Array;
}

const TRUE = new Set(["true", "1", "yes", "y", "t"]);
const FALSE = new Set(["false", "0", "no", "n", "f"]);

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

function numericWriter(step: Extract<PreprocessorState["steps"][number], { kind: "numeric" }>, at: number): Writer {
  const { fill, center, scale, type } = step;
  const missing = (fill - center) / scale;
  return (v, out, base) => {
    let x: number;
    if (typeof v === "number") {
      // JSON.parse reads 1e999 as Infinity: a model scores that as NaN, so it is refused, not predicted.
      if (!Number.isFinite(v)) return `expects a finite number, got ${describe(v)}`;
      x = v;
    } else if (v === null) {
      out[base + at] = missing;
      return null;
    } else if (typeof v === "boolean" && type === "boolean") x = v ? 1 : 0;
    else if (typeof v === "string" && type === "boolean" && (TRUE.has(v.toLowerCase()) || FALSE.has(v.toLowerCase()))) {
      x = TRUE.has(v.toLowerCase()) ? 1 : 0;
    } else if (typeof v === "string" && type === "datetime") {
      x = Date.parse(v);
      if (Number.isNaN(x)) return `expects a date-time (ISO 8601 text or epoch milliseconds), got ${describe(v)}`;
    } else {
      const want = type === "boolean" ? "a boolean" : type === "datetime" ? "a date-time" : "a number";
      return `expects ${want}, got ${describe(v)}`;
    }
    out[base + at] = (x - center) / scale;
    return null;
  };
}

function categoricalWriter(step: Extract<PreprocessorState["steps"][number], { kind: "categorical" }>, at: number): Writer {
  const index = new Map(step.categories.map((c, i) => [c, i]));
  const otherIndex = step.other ? step.categories.length : -1;
  const ordinal = step.encoding === "ordinal";
  const n = step.categories.length;
  return (v, out, base) => {
    let s: string | null;
    if (typeof v === "string") s = v;
    else if (v === null) s = step.fill;
    else if (typeof v === "number" || typeof v === "boolean") s = String(v);
    else return `expects a category (string), got ${describe(v)}`;
    // Unknown categories go to the `other` bucket when training had one; otherwise "none of the known".
    const k = s === null ? -2 : (index.get(s) ?? otherIndex);
    if (ordinal) out[base + at] = k === -2 ? NaN : k === -1 ? n : k;
    else if (k >= 0) out[base + at + k] = 1;
    return null;
  };
}

// Module-level, not a closure per encode() call: under tsx (keepNames) every named closure costs an
// Object.defineProperty when it is created, per request on the predict path.
function addProblem(problems: RowProblem[], maxProblems: number, row: number, field: string | null, message: string): void {
  if (problems.length < maxProblems) problems.push({ row, field, message });
}

/** Builds the encoder of a preprocessor once per loaded version. */
export function compileEncoder(state: PreprocessorState, features: readonly FeatureSpec[]): Encoder {
  const steps: CompiledStep[] = [];
  let at = 0;
  for (const s of state.steps) {
    if (s.kind === "numeric") {
      steps.push({ name: s.name, write: numericWriter(s, at) });
      at += 1;
    } else {
      steps.push({ name: s.name, write: categoricalWriter(s, at) });
      at += s.encoding === "ordinal" ? 1 : s.categories.length + (s.other ? 1 : 0);
    }
  }
  const width = at;
  if (width !== state.outputs.length) throw new Error(`encoder width ${width} != preprocessor outputs ${state.outputs.length}`);
  const known = new Set<string>(steps.map((s) => s.name));
  const ignored = state.dropped.map((d) => d.name);
  const ignoredSet = new Set(ignored);
  const nSteps = steps.length;
  const names = steps.map((s) => s.name).join(", ");

  function encode(instances: readonly unknown[], problems: RowProblem[], maxProblems = 100): Float32Array {
    const rows = instances.length;
    const out = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      const inst = instances[r];
      const base = r * width;
      if (Array.isArray(inst)) {
        if (inst.length !== nSteps) {
          addProblem(problems, maxProblems, r, null, `has ${inst.length} values; the model takes ${nSteps} in this order: ${names}`);
          continue;
        }
        for (let i = 0; i < nSteps; i++) {
          const s = steps[i]!;
          const p = s.write(inst[i] === undefined ? null : inst[i], out, base);
          if (p !== null) addProblem(problems, maxProblems, r, s.name, p);
        }
      } else if (inst !== null && typeof inst === "object") {
        const obj = inst as Record<string, unknown>;
        let present = 0;
        for (let i = 0; i < nSteps; i++) {
          const s = steps[i]!;
          const v = obj[s.name];
          // A function is Object.prototype's member of that name (a feature called "constructor"), not a value.
          if (v === undefined || typeof v === "function") {
            addProblem(problems, maxProblems, r, s.name, "is missing (send null for a missing value)");
            continue;
          }
          present++;
          const p = s.write(v, out, base);
          if (p !== null) addProblem(problems, maxProblems, r, s.name, p);
        }
        let keys = 0;
        for (const _ in obj) keys++;
        if (keys > present) {
          for (const k in obj) {
            if (!known.has(k) && !ignoredSet.has(k)) addProblem(problems, maxProblems, r, k, "is not a feature of this model");
          }
        }
      } else {
        addProblem(problems, maxProblems, r, null, `must be an object of feature values or an array in schema order, got ${describe(inst)}`);
      }
    }
    return out;
  }

  return { features, ignored, width, encode };
}
