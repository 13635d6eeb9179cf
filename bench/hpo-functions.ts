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

/** The bench set: the four of the issue plus three more, so a change cannot be tuned to the four. */
export const BENCH_FUNCTIONS: BenchFunction[] = [
  { name: "branin", optimum: 0.397887, objective: (t) => branin(t.suggestFloat("x0", -5, 10), t.suggestFloat("x1", 0, 15)) },
  { name: "hartmann6", optimum: -3.32237, objective: (t) => hartmann6(floats(t, 6, 0, 1)) },
  { name: "rosenbrock5", optimum: 0, objective: (t) => rosenbrock(floats(t, 5, -2, 2)) },
  { name: "mixed", optimum: 0.05, objective: mixedSpace },
  { name: "ackley5", optimum: 0, objective: (t) => ackley(floats(t, 5, -32.768, 32.768)) },
  { name: "styblinski_tang4", optimum: -156.6646, objective: (t) => styblinskiTang(floats(t, 4, -5, 5)) },
  { name: "levy5", optimum: 0, objective: (t) => levy(floats(t, 5, -10, 10)) },
];
