// Test data for the drift tests: a seeded mulberry32 stream and the sample generator that
// tests/fixtures/gen_drift_reference.py mirrors with the same integer-exact arithmetic.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleSpec {
  seed: number;
  n: number;
  kind: "normal" | "uniform" | "int";
  loc?: number;
  scale?: number;
  k?: number;
}

/** Same values as `sample` in gen_drift_reference.py (Irwin–Hall normal: sums of dyadic rationals are exact). */
export function sample(spec: SampleSpec): Float64Array {
  const next = mulberry32(spec.seed);
  const loc = spec.loc ?? 0;
  const scale = spec.scale ?? 1;
  const out = new Float64Array(spec.n);
  for (let i = 0; i < spec.n; i++) {
    if (spec.kind === "normal") {
      let s = 0;
      for (let j = 0; j < 12; j++) s += next();
      out[i] = loc + scale * (s - 6);
    } else if (spec.kind === "uniform") out[i] = loc + scale * next();
    else out[i] = loc + Math.floor(next() * spec.k!);
  }
  return out;
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(process.cwd(), "tests/fixtures", `drift-${name}.json`), "utf8")) as T;
}

/** |a − b| / |b|, and 0 when both are 0 (p-values can be exactly 0 or 1). */
export function relErr(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.abs(b);
}

/** Standard normal draws (Box–Muller) from a seeded stream: fast, for simulations. */
export function normals(next: () => number, n: number, loc = 0, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = loc + scale * r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = loc + scale * r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
