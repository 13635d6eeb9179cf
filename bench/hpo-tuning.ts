// Tuning set for our TPE defaults: functions that are NOT in bench/hpo.ts, so a change is chosen on one
// set and checked on another. Compares TPE option variants (median best over seeds). Prints JSON.
//
//   npx tsx bench/hpo-tuning.ts '{"optuna":{},"bw07":{"bandwidthFactor":0.7}}' [--seeds 20] [--seed0 1000] [--trials 100]
import { parseArgs } from "node:util";
import { OPTUNA_TPE_DEFAULTS, TPESampler, createStudy, type TPESamplerOptions, type Trial } from "@/lib/hpo";
import { ackley } from "./hpo-functions";

const floats = (t: Trial, d: number, low: number, high: number) => Array.from({ length: d }, (_, i) => t.suggestFloat(`x${i}`, low, high));

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

export const TUNING_FUNCTIONS: { name: string; optimum: number; objective: (t: Trial) => number }[] = [
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

const GAMMAS: Record<string, (n: number) => number> = {
  "0.05": (n) => Math.min(Math.ceil(0.05 * n), 25),
  "0.15": (n) => Math.min(Math.ceil(0.15 * n), 25),
};

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { seeds: { type: "string", default: "20" }, seed0: { type: "string", default: "1000" }, trials: { type: "string", default: "100" } },
  });
  const variants = JSON.parse(positionals[0] ?? '{"optuna":{},"ours":null}') as Record<string, (TPESamplerOptions & { gamma?: unknown }) | null>;
  const seeds = Number(values.seeds);
  const seed0 = Number(values.seed0);
  const trials = Number(values.trials);
  const medians: Record<string, Record<string, number>> = {};
  for (const [name, v] of Object.entries(variants)) {
    // null = our defaults; an object = Optuna's defaults with these changes; gamma by name ("0.15").
    const opts: TPESamplerOptions = v === null ? {} : { ...OPTUNA_TPE_DEFAULTS, ...v, gamma: typeof v.gamma === "string" ? GAMMAS[v.gamma] : OPTUNA_TPE_DEFAULTS.gamma };
    medians[name] = {};
    for (const f of TUNING_FUNCTIONS) {
      const best: number[] = [];
      for (let seed = seed0; seed < seed0 + seeds; seed++) {
        const study = await createStudy({ sampler: new TPESampler({ ...opts, seed }) });
        await study.optimize(f.objective, { nTrials: trials });
        best.push(study.bestValue);
      }
      best.sort((a, b) => a - b);
      medians[name]![f.name] = (best[Math.floor((seeds - 1) / 2)]! + best[Math.floor(seeds / 2)]!) / 2;
    }
  }
  const [base] = Object.keys(medians);
  const winsOverFirst = Object.fromEntries(
    Object.entries(medians).map(([n, m]) => [n, TUNING_FUNCTIONS.filter((f) => m[f.name]! <= medians[base!]![f.name]!).length]),
  );
  console.log(JSON.stringify({ seeds, seed0, trials, medians, wins_over_first: winsOverFirst }, null, 2));
}

await main();
