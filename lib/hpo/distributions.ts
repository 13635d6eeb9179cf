// Parameter distributions: plain, JSON-serialisable data (they are stored with every trial), plus the
// checks that turn a bad suggest call into an error a person can act on.
import { invalid } from "@/lib/errors";

export type ParamValue = number | string | boolean | null;

export interface FloatDistribution {
  readonly type: "float";
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number | null;
}

export interface IntDistribution {
  readonly type: "int";
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number;
}

export interface CategoricalDistribution {
  readonly type: "categorical";
  readonly choices: readonly ParamValue[];
}

export type Distribution = FloatDistribution | IntDistribution | CategoricalDistribution;
export type NumericDistribution = FloatDistribution | IntDistribution;
export type SearchSpace = Readonly<Record<string, Distribution>>;

export interface NumericOptions {
  log?: boolean;
  step?: number;
}

// Ranges are checked to a relative tolerance, since steps like 0.1 are not exact in binary.
function divides(step: number, range: number): boolean {
  const k = Math.round(range / step);
  return Math.abs(k * step - range) <= 1e-8 * Math.max(1, Math.abs(range));
}

function where(name: string | undefined): string {
  return name === undefined ? "" : ` for '${name}'`;
}

export function floatDistribution(low: number, high: number, opts: NumericOptions = {}, name?: string): FloatDistribution {
  const log = opts.log ?? false;
  const step = opts.step ?? null;
  if (!Number.isFinite(low) || !Number.isFinite(high)) throw invalid(`low and high must be finite numbers${where(name)}, got ${low} and ${high}`);
  if (low > high) throw invalid(`low must not be greater than high${where(name)}, got low=${low} > high=${high}`);
  if (log && step !== null) throw invalid(`log and step cannot be used together${where(name)}`);
  if (log && low <= 0) throw invalid(`a log-scale range needs low > 0${where(name)}, got low=${low}`);
  if (step !== null) {
    if (!Number.isFinite(step) || step <= 0) throw invalid(`step must be a positive number${where(name)}, got ${step}`);
    if (!divides(step, high - low)) throw invalid(`step ${step} does not divide the range [${low}, ${high}]${where(name)}: high - low must be a multiple of step`);
  }
  return { type: "float", low, high, log, step };
}

export function intDistribution(low: number, high: number, opts: NumericOptions = {}, name?: string): IntDistribution {
  const log = opts.log ?? false;
  const step = opts.step ?? 1;
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) throw invalid(`low and high must be integers${where(name)}, got ${low} and ${high}`);
  if (low > high) throw invalid(`low must not be greater than high${where(name)}, got low=${low} > high=${high}`);
  if (!Number.isSafeInteger(step) || step < 1) throw invalid(`step must be a whole number of at least 1${where(name)}, got ${step}`);
  if (log && step !== 1) throw invalid(`log and step other than 1 cannot be used together${where(name)}`);
  if (log && low < 1) throw invalid(`a log-scale integer range needs low >= 1${where(name)}, got low=${low}`);
  if ((high - low) % step !== 0) throw invalid(`step ${step} does not divide the range [${low}, ${high}]${where(name)}: high - low must be a multiple of step`);
  return { type: "int", low, high, log, step };
}

export function categoricalDistribution(choices: readonly ParamValue[], name?: string): CategoricalDistribution {
  if (!Array.isArray(choices) || choices.length === 0) throw invalid(`choices must be a non-empty array${where(name)}`);
  const seen = new Set<string>();
  for (const c of choices) {
    const ok = c === null || typeof c === "string" || typeof c === "boolean" || (typeof c === "number" && Number.isFinite(c));
    if (!ok) throw invalid(`choices must be strings, finite numbers, booleans or null${where(name)}, got ${String(c)}`);
    const key = JSON.stringify(c);
    if (seen.has(key)) throw invalid(`choices must not repeat${where(name)}: ${key} appears twice`);
    seen.add(key);
  }
  return { type: "categorical", choices: [...choices] };
}

export function distributionsEqual(a: Distribution, b: Distribution): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "categorical") {
    const bc = (b as CategoricalDistribution).choices;
    return a.choices.length === bc.length && a.choices.every((c, i) => c === bc[i]);
  }
  const bn = b as NumericDistribution;
  return a.low === bn.low && a.high === bn.high && a.log === bn.log && a.step === bn.step;
}

export function describeDistribution(d: Distribution): string {
  if (d.type === "categorical") return `categorical ${JSON.stringify(d.choices)}`;
  const extra = [d.log ? "log" : "", d.step !== null && !(d.type === "int" && d.step === 1) ? `step=${d.step}` : ""].filter(Boolean);
  return `${d.type} [${d.low}, ${d.high}]${extra.length ? ` (${extra.join(", ")})` : ""}`;
}

/** Whether the distribution has exactly one value (samplers are skipped for it). */
export function isSingle(d: Distribution): boolean {
  if (d.type === "categorical") return d.choices.length === 1;
  if (d.low === d.high) return true;
  return d.step !== null && d.low + d.step > d.high;
}

/** The internal representation: the index of a categorical choice, the number itself otherwise. */
export function toInternal(d: Distribution, value: ParamValue): number {
  if (d.type === "categorical") {
    const i = d.choices.findIndex((c) => c === value);
    if (i < 0) throw invalid(`${JSON.stringify(value)} is not one of the choices ${JSON.stringify(d.choices)}`);
    return i;
  }
  return value as number;
}

export function toExternal(d: Distribution, internal: number): ParamValue {
  if (d.type === "categorical") return d.choices[internal] as ParamValue;
  return internal;
}

export function contains(d: Distribution, value: ParamValue): boolean {
  if (d.type === "categorical") return d.choices.some((c) => c === value);
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (value < d.low || value > d.high) return false;
  if (d.type === "int" && !Number.isInteger(value)) return false;
  if (d.step !== null) return divides(d.step, value - d.low) || value === d.low;
  return true;
}

/** Snaps a sampled number onto the distribution's grid and bounds. */
export function roundToDistribution(d: NumericDistribution, v: number): number {
  if (d.step !== null) {
    const k = Math.round((v - d.low) / d.step);
    v = d.low + k * d.step;
    // Keep as many decimals as the step has, so 0.1 steps give 0.3 rather than 0.30000000000000004.
    if (d.type === "float") v = Number(v.toPrecision(15));
  }
  if (d.type === "int") v = Math.round(v);
  return Math.min(d.high, Math.max(d.low, v));
}
