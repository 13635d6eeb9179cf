// Tuning set for our TPE defaults: functions that are NOT in bench/hpo.ts, so a change is chosen on one
// set and checked on another. Compares TPE option variants (median best over seeds). Prints JSON.
//
//   npx tsx bench/hpo-tuning.ts '{"optuna":{},"bw07":{"bandwidthFactor":0.7}}' [--seeds 20] [--seed0 1000] [--trials 100]
//     [--set tuning|bench|all]   (bench: bench/hpo.ts's functions, to check a variant on both sets) [--only f1,f2]
import { parseArgs } from "node:util";
import { OPTUNA_TPE_DEFAULTS, TPESampler, createStudy, type TPESamplerOptions } from "@/lib/hpo";
import { BENCH_FUNCTIONS, TUNING_FUNCTIONS } from "./hpo-functions";
import { mannWhitneyLess } from "./stats";

const GAMMAS: Record<string, (n: number) => number> = {
  "0.05": (n) => Math.min(Math.ceil(0.05 * n), 25),
  "0.15": (n) => Math.min(Math.ceil(0.15 * n), 25),
};

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seeds: { type: "string", default: "20" },
      seed0: { type: "string", default: "1000" },
      trials: { type: "string", default: "100" },
      set: { type: "string", default: "tuning" },
      only: { type: "string" },
    },
  });
  const set = { tuning: TUNING_FUNCTIONS, bench: BENCH_FUNCTIONS, all: [...BENCH_FUNCTIONS, ...TUNING_FUNCTIONS] }[values.set!];
  if (!set) throw new Error("--set must be tuning, bench or all");
  const only = values.only?.split(",");
  const functions = only ? set.filter((f) => only.includes(f.name)) : set;
  if (functions.length === 0) throw new Error(`--only matches none of: ${set.map((f) => f.name).join(", ")}`);
  const variants = JSON.parse(positionals[0] ?? '{"optuna":{},"ours":null}') as Record<string, (TPESamplerOptions & { gamma?: unknown }) | null>;
  const seeds = Number(values.seeds);
  const seed0 = Number(values.seed0);
  const trials = Number(values.trials);
  const medians: Record<string, Record<string, number>> = {};
  /** Best value per seed, for paired or rank tests between variants. */
  const runs: Record<string, Record<string, number[]>> = {};
  for (const [name, v] of Object.entries(variants)) {
    // null = our defaults; an object = Optuna's defaults with these changes; gamma by name ("0.15").
    const opts: TPESamplerOptions = v === null ? {} : { ...OPTUNA_TPE_DEFAULTS, ...v, gamma: typeof v.gamma === "string" ? GAMMAS[v.gamma] : OPTUNA_TPE_DEFAULTS.gamma };
    medians[name] = {};
    runs[name] = {};
    for (const f of functions) {
      const best: number[] = [];
      for (let seed = seed0; seed < seed0 + seeds; seed++) {
        const study = await createStudy({ sampler: new TPESampler({ ...opts, seed }) });
        await study.optimize(f.objective, { nTrials: trials });
        best.push(study.bestValue);
      }
      runs[name]![f.name] = [...best];
      best.sort((a, b) => a - b);
      medians[name]![f.name] = (best[Math.floor((seeds - 1) / 2)]! + best[Math.floor(seeds / 2)]!) / 2;
    }
  }
  const [base] = Object.keys(medians);
  const winsOverFirst = Object.fromEntries(
    Object.entries(medians).map(([n, m]) => [n, functions.filter((f) => m[f.name]! <= medians[base!]![f.name]!).length]),
  );
  // One-sided Mann–Whitney per function: p that the variant's best values are not below the first variant's.
  const pBetterThanFirst = Object.fromEntries(
    Object.keys(runs).map((n) => [n, Object.fromEntries(functions.map((f) => [f.name, Number(mannWhitneyLess(runs[n]![f.name]!, runs[base!]![f.name]!).toPrecision(3))]))]),
  );
  console.log(JSON.stringify({ seeds, seed0, trials, medians, wins_over_first: winsOverFirst, p_better_than_first: pBetterThanFirst, runs }));
}

await main();
