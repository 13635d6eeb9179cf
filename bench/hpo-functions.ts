// Test functions for bench/hpo.ts. bench/hpo_reference.py defines the same functions, with the same
// parameter names and ranges, for Optuna; keep the two in step.
import type { Trial } from "@/lib/hpo";

export interface BenchFunction {
  name: string;
  /** Known global minimum, for reading the results. */
  optimum: number;
  objective: (trial: Trial) => number;
}

function floats(trial: Trial, d: number, low: number, high: number): number[] {
  return Array.from({ length: d }, (_, i) => trial.suggestFloat(`x${i}`, low, high));
}

export function branin(x1: number, x2: number): number {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
const H6_ALPHA = [1, 1.2, 3, 3.2];

export function hartmann6(x: number[]): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += H6_A[i]![j]! * (x[j]! - H6_P[i]![j]!) ** 2;
    s += H6_ALPHA[i]! * Math.exp(-inner);
  }
  return -s;
}

export function rosenbrock(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2;
  return s;
}

export function ackley(x: number[]): number {
  const d = x.length;
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    s1 += v * v;
    s2 += Math.cos(2 * Math.PI * v);
  }
  return -20 * Math.exp(-0.2 * Math.sqrt(s1 / d)) - Math.exp(s2 / d) + 20 + Math.E;
}

export function styblinskiTang(x: number[]): number {
  let s = 0;
  for (const v of x) s += v ** 4 - 16 * v ** 2 + 5 * v;
  return s / 2;
}

export function levy(x: number[]): number {
  const w = x.map((v) => 1 + (v - 1) / 4);
  const d = w.length;
  let s = Math.sin(Math.PI * w[0]!) ** 2;
  for (let i = 0; i < d - 1; i++) s += (w[i]! - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w[i]! + 1) ** 2);
  s += (w[d - 1]! - 1) ** 2 * (1 + Math.sin(2 * Math.PI * w[d - 1]!) ** 2);
  return s;
}

const SHEKEL_C = [0.1, 0.2, 0.2, 0.4, 0.4, 0.6, 0.3, 0.7, 0.5, 0.5];
const SHEKEL_A = [
  [4, 4, 4, 4], [1, 1, 1, 1], [8, 8, 8, 8], [6, 6, 6, 6], [3, 7, 3, 7],
  [2, 9, 2, 9], [5, 5, 3, 3], [8, 1, 8, 1], [6, 2, 6, 2], [7, 3.6, 7, 3.6],
];

/** Shekel with 10 maxima, 4-D on [0, 10]: narrow basins on a flat plane. */
export function shekel10(x: number[]): number {
  let s = 0;
  for (let i = 0; i < 10; i++) {
    let d = SHEKEL_C[i]!;
    for (let j = 0; j < 4; j++) d += (x[j]! - SHEKEL_A[i]![j]!) ** 2;
    s -= 1 / d;
  }
  return s;
}

export function michalewicz(x: number[]): number {
  return -x.reduce((s, v, i) => s + Math.sin(v) * Math.sin(((i + 1) * v * v) / Math.PI) ** 20, 0);
}

export function dixonPrice(x: number[]): number {
  let s = (x[0]! - 1) ** 2;
  for (let i = 1; i < x.length; i++) s += (i + 1) * (2 * x[i]! ** 2 - x[i - 1]!) ** 2;
  return s;
}

/**
 * A conditional mixed space shaped like model selection: the model kind decides which log-scale floats
 * and integers exist. A synthetic, deterministic "validation loss" with interactions inside each branch;
 * the best branch (mlp, 0.05) has the most parameters, so it is the hardest to find.
 */
export function mixedSpace(trial: Trial): number {
  const kind = trial.suggestCategorical("kind", ["svm", "forest", "mlp"]);
  if (kind === "svm") {
    const c = Math.log10(trial.suggestFloat("svm_c", 1e-3, 1e3, { log: true }));
    const g = Math.log10(trial.suggestFloat("svm_gamma", 1e-4, 10, { log: true }));
    const shrinking = trial.suggestCategorical("svm_shrinking", [true, false]);
    return 0.1 + 0.02 * (c - 1.3) ** 2 + 0.03 * (g + 2.1) ** 2 + 0.015 * (c - 1.3) * (g + 2.1) + (shrinking ? 0 : 0.01);
  }
  if (kind === "forest") {
    const trees = Math.log10(trial.suggestInt("rf_trees", 10, 1000, { log: true }));
    const depth = trial.suggestInt("rf_depth", 2, 32);
    const leaf = trial.suggestInt("rf_min_leaf", 1, 64, { log: true });
    return 0.08 + 0.03 * (trees - 2.6) ** 2 + 0.0004 * (depth - 14) ** 2 + 0.01 * Math.abs(Math.log2(leaf) - 2) + 0.0005 * Math.abs(depth - 14) * Math.abs(trees - 2.6);
  }
  const lr = Math.log10(trial.suggestFloat("mlp_lr", 1e-5, 1e-1, { log: true }));
  const layers = trial.suggestInt("mlp_layers", 1, 6);
  const units = Math.log2(trial.suggestInt("mlp_units", 16, 1024, { log: true }));
  const dropout = trial.suggestFloat("mlp_dropout", 0, 0.5, { step: 0.05 });
  return 0.05 + 0.025 * (lr + 3.2) ** 2 + 0.008 * (layers - 3) ** 2 + 0.006 * (units - 7.5) ** 2 + 0.2 * (dropout - 0.2) ** 2 + 0.01 * Math.abs(lr + 3.2) * Math.abs(layers - 3);
}

/**
 * The bench set: the four of the issue, then held-out functions that played no part in choosing our
 * defaults (those were chosen on TUNING_FUNCTIONS below), so a change cannot be tuned to the four.
 */
export const BENCH_FUNCTIONS: BenchFunction[] = [
  { name: "branin", optimum: 0.397887, objective: (t) => branin(t.suggestFloat("x0", -5, 10), t.suggestFloat("x1", 0, 15)) },
  { name: "hartmann6", optimum: -3.32237, objective: (t) => hartmann6(floats(t, 6, 0, 1)) },
  { name: "rosenbrock5", optimum: 0, objective: (t) => rosenbrock(floats(t, 5, -2, 2)) },
  { name: "mixed", optimum: 0.05, objective: mixedSpace },
  { name: "ackley5", optimum: 0, objective: (t) => ackley(floats(t, 5, -32.768, 32.768)) },
  { name: "styblinski_tang4", optimum: -156.6646, objective: (t) => styblinskiTang(floats(t, 4, -5, 5)) },
  { name: "levy5", optimum: 0, objective: (t) => levy(floats(t, 5, -10, 10)) },
  { name: "shekel10", optimum: -10.5364, objective: (t) => shekel10(floats(t, 4, 0, 10)) },
  { name: "michalewicz5", optimum: -4.687658, objective: (t) => michalewicz(floats(t, 5, 0, Math.PI)) },
  { name: "dixon_price4", optimum: 0, objective: (t) => dixonPrice(floats(t, 4, -10, 10)) },
];

const H3_A = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]];
const H3_P = [[0.3689, 0.117, 0.2673], [0.4699, 0.4387, 0.747], [0.1091, 0.8732, 0.5547], [0.03815, 0.5743, 0.8828]];
const H3_ALPHA = [1, 1.2, 3, 3.2];

function hartmann3(x: number[]): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 3; j++) inner += H3_A[i]![j]! * (x[j]! - H3_P[i]![j]!) ** 2;
    s += H3_ALPHA[i]! * Math.exp(-inner);
  }
  return -s;
}

function goldsteinPrice(x: number, y: number): number {
  const a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y);
  const b = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y);
  return Math.log(a * b);
}

/** A second conditional space: optimiser kind decides the parameters; batch size is always asked. */
function optimizerSpace(t: Trial): number {
  const batch = Math.log2(t.suggestInt("batch", 8, 512, { log: true }));
  if (t.suggestCategorical("opt", ["sgd", "adam"]) === "sgd") {
    const lr = Math.log10(t.suggestFloat("sgd_lr", 1e-4, 1, { log: true }));
    const momentum = t.suggestFloat("sgd_m", 0, 0.99);
    return 0.12 + 0.03 * (lr + 1.5) ** 2 + 0.1 * (momentum - 0.9) ** 2 + 0.004 * (batch - 6) ** 2;
  }
  const lr = Math.log10(t.suggestFloat("adam_lr", 1e-5, 1e-1, { log: true }));
  const beta1 = t.suggestFloat("adam_b1", 0.8, 0.999);
  const layers = t.suggestInt("adam_layers", 1, 8);
  return 0.1 + 0.02 * (lr + 3.3) ** 2 + 0.5 * (beta1 - 0.93) ** 2 + 0.004 * (batch - 5) ** 2 + 0.006 * (layers - 4) ** 2 + 0.005 * Math.abs(lr + 3.3) * Math.abs(batch - 5);
}

/** The tuning set: our TPE defaults are chosen on these (bench/hpo-tuning.ts), never on BENCH_FUNCTIONS. */
export const TUNING_FUNCTIONS: BenchFunction[] = [
  { name: "hartmann3", optimum: -3.86278, objective: (t) => hartmann3(floats(t, 3, 0, 1)) },
  {
    name: "six_hump_camel",
    optimum: -1.0316,
    objective: (t) => {
      const x = t.suggestFloat("x", -3, 3);
      const y = t.suggestFloat("y", -2, 2);
      return (4 - 2.1 * x * x + x ** 4 / 3) * x * x + x * y + (-4 + 4 * y * y) * y * y;
    },
  },
  { name: "rastrigin4", optimum: 0, objective: (t) => floats(t, 4, -5.12, 5.12).reduce((s, v) => s + v * v - 10 * Math.cos(2 * Math.PI * v) + 10, 0) },
  { name: "sphere8_shifted", optimum: 0, objective: (t) => floats(t, 8, -5, 5).reduce((s, v) => s + (v - 1.3) ** 2, 0) },
  { name: "log_goldstein_price", optimum: Math.log(3), objective: (t) => goldsteinPrice(t.suggestFloat("x", -2, 2), t.suggestFloat("y", -2, 2)) },
  {
    name: "zakharov4",
    optimum: 0,
    objective: (t) => {
      const x = floats(t, 4, -5, 10);
      const s1 = x.reduce((s, v) => s + v * v, 0);
      const s2 = x.reduce((s, v, i) => s + 0.5 * (i + 1) * v, 0);
      return s1 + s2 ** 2 + s2 ** 4;
    },
  },
  { name: "ackley3", optimum: 0, objective: (t) => ackley(floats(t, 3, -32.768, 32.768)) },
  { name: "optimizer_space", optimum: 0.1, objective: optimizerSpace },
];
