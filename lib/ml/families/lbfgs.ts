// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4, two-loop recursion) for the smooth convex losses
// of the exact solvers. The line search backtracks until Armijo's decrease holds, or, where the decrease
// is below the float32 loss's resolution, Hager & Zhang's approximate Wolfe conditions on the slope.
// Convexity keeps every curvature pair sᵀy ≥ 0; pairs with no curvature are skipped.

/** Loss and gradient at a point; async so the caller can evaluate them on a TensorFlow.js backend. */
export type ValueAndGradient = (x: Float64Array) => Promise<{ value: number; gradient: Float64Array }>;

export interface LbfgsOptions {
  readonly maxIterations: number;
  /** Stop when every gradient component is at most this in absolute value. */
  readonly gradientTolerance: number;
  /** Stop when an iteration lowers the loss by less than this, relative to the loss. */
  readonly relativeTolerance: number;
  /** Correction pairs kept (scipy and scikit-learn use 10). */
  readonly memory?: number;
  readonly signal?: AbortSignal;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  /** Why it stopped: "gradient" / "progress" (converged), "line-search" (no further decrease the loss's precision can show), "iterations". */
  readonly stop: "gradient" | "progress" | "line-search" | "iterations";
}

const ARMIJO = 1e-4;
const CURVATURE = 0.9;
/** Relative change of the loss below what float32 sums can show. */
const LOSS_RESOLUTION = 1e-6;
const MAX_HALVINGS = 40;

export async function minimizeLbfgs(f: ValueAndGradient, start: Float64Array, opts: LbfgsOptions): Promise<LbfgsResult> {
  const m = opts.memory ?? 10;
  const n = start.length;
  let x = Float64Array.from(start);
  let { value, gradient } = await f(x);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  for (let iteration = 1; iteration <= opts.maxIterations; iteration++) {
    opts.signal?.throwIfAborted();
    if (maxAbs(gradient) <= opts.gradientTolerance) return { x, value, iterations: iteration - 1, stop: "gradient" };
    // Two-loop recursion: d = −H·g with H the inverse-Hessian estimate from the kept pairs.
    const d = Float64Array.from(gradient);
    for (let i = S.length - 1; i >= 0; i--) {
      alpha[i] = rho[i]! * dot(S[i]!, d);
      axpy(-alpha[i]!, Y[i]!, d);
    }
    if (S.length > 0) {
      const last = S.length - 1;
      scale(dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!), d);
    } else {
      // First step: a unit-length move along the gradient, so the line search starts at a sensible scale.
      scale(1 / Math.max(Math.sqrt(dot(d, d)), 1), d);
    }
    for (let i = 0; i < S.length; i++) axpy(alpha[i]! - rho[i]! * dot(Y[i]!, d), S[i]!, d);
    scale(-1, d);
    let slope = dot(gradient, d);
    if (!(slope < 0)) {
      // Not a descent direction (rounding in the estimate): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      d.set(gradient);
      scale(-1 / Math.max(Math.sqrt(dot(d, d)), 1), d);
      slope = dot(gradient, d);
    }
    let step = 1;
    let next: { value: number; gradient: Float64Array } | null = null;
    let decreased = false;
    let candidate = x;
    for (let tries = 0; tries < MAX_HALVINGS; tries++, step /= 2) {
      candidate = Float64Array.from(x);
      axpy(step, d, candidate);
      const evaluated = await f(candidate);
      if (!Number.isFinite(evaluated.value)) continue;
      decreased = evaluated.value <= value + ARMIJO * step * slope;
      // Near the optimum the decrease falls below the loss's float32 resolution; there the slope along d
      // tells progress instead (Hager & Zhang's approximate Wolfe conditions).
      const slopeThere = dot(evaluated.gradient, d);
      const approximate =
        evaluated.value <= value + LOSS_RESOLUTION * Math.abs(value) && slopeThere >= CURVATURE * slope && slopeThere <= (2 * ARMIJO - 1) * slope;
      if (decreased || approximate) {
        next = evaluated;
        break;
      }
    }
    if (!next) return { x, value, iterations: iteration, stop: "line-search" };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = candidate[i]! - x[i]!;
      y[i] = next.gradient[i]! - gradient[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * dot(y, y)) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const drop = value - next.value;
    x = candidate;
    value = next.value;
    gradient = next.gradient;
    if (decreased && drop <= opts.relativeTolerance * Math.max(Math.abs(value), 1)) return { x, value, iterations: iteration, stop: "progress" };
  }
  return { x, value, iterations: opts.maxIterations, stop: "iterations" };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** y += a·x */
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + a * x[i]!;
}

function scale(a: number, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * a;
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}
