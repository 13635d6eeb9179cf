// HPO benchmark: our TPE (defaults), our TPE with Optuna's exact defaults, Optuna's TPESampler (Python,
// bench/hpo_reference.py, run from here in the same run) and random search, on the same functions and
// budget; then sampler time per trial for ours and Optuna's. Prints JSON.
//
//   npx tsx bench/hpo.ts [--seeds 20 (40+: also per block of 20 seeds)] [--trials 100] [--functions branin,mixed] [--timing-trials 100,1000] [--no-timing] [--out bench/hpo-results.json]
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  OPTUNA_TPE_DEFAULTS,
  RandomSampler,
  TPESampler,
  TPE_DEFAULTS,
  createStudy,
  type Distribution,
  type FrozenTrial,
  type ParamValue,
  type Sampler,
  type SearchSpace,
  type StudyView,
} from "@/lib/hpo";
import { Rng } from "@/lib/hpo/rng";
import { BENCH_FUNCTIONS, type BenchFunction } from "./hpo-functions";
import { mannWhitneyLess } from "./stats";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const python = join(root, ".venv-ref", "bin", "python");

const { values: args } = parseArgs({
  options: {
    seeds: { type: "string", default: "20" },
    trials: { type: "string", default: "100" },
    functions: { type: "string", default: BENCH_FUNCTIONS.map((f) => f.name).join(",") },
    "timing-trials": { type: "string", default: "100,1000" },
    "timing-functions": { type: "string", default: "hartmann6,mixed" },
    "no-timing": { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const seeds = Number(args.seeds);
const trials = Number(args.trials);
const functions = args.functions.split(",").map((n) => {
  const f = BENCH_FUNCTIONS.find((x) => x.name === n);
  if (!f) throw new Error(`unknown function '${n}'`);
  return f;
});

function runPython(argv: string[]): Promise<unknown> {
  if (!existsSync(python)) throw new Error(`no Python venv at ${python}: create it with python3 -m venv .venv-ref && .venv-ref/bin/pip install optuna`);
  return new Promise((resolve, reject) => {
    const p = spawn(python, [join(root, "bench", "hpo_reference.py"), ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`hpo_reference.py exited ${code}: ${err.slice(-2000)}`))));
  });
}

/** Yields to the event loop, so the Python child's output is read while we compute. */
const tick = () => new Promise((r) => setImmediate(r));

async function bestValues(f: BenchFunction, make: (seed: number) => Sampler): Promise<number[]> {
  const out: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const study = await createStudy({ sampler: make(seed) });
    await study.optimize(f.objective, { nTrials: trials });
    out.push(study.bestValue);
    await tick();
  }
  return out;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}


const summary = (xs: number[]) => ({ median: quantile(xs, 0.5), q25: quantile(xs, 0.25), q75: quantile(xs, 0.75) });

/**
 * Wraps a sampler and adds up the time spent in it: wall time, and this process's CPU time (user +
 * system), which other work on a busy machine disturbs much less.
 */
class TimedSampler implements Sampler {
  readonly name: string;
  ms = 0;
  cpuMs = 0;
  constructor(private readonly inner: Sampler) {
    this.name = inner.name;
  }
  private timed<T>(fn: () => T): T {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    try {
      return fn();
    } finally {
      const c = process.cpuUsage(c0);
      this.cpuMs += (c.user + c.system) / 1000;
      this.ms += performance.now() - t0;
    }
  }
  inferRelativeSearchSpace(study: StudyView, trial: FrozenTrial): SearchSpace {
    return this.timed(() => this.inner.inferRelativeSearchSpace?.(study, trial) ?? {});
  }
  sampleRelative(study: StudyView, trial: FrozenTrial, space: SearchSpace): Record<string, ParamValue> {
    return this.timed(() => this.inner.sampleRelative?.(study, trial, space) ?? {});
  }
  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, d: Distribution): ParamValue {
    return this.timed(() => this.inner.sampleIndependent(study, trial, name, d));
  }
}

async function timeOurs(f: BenchFunction, n: number, repeats: number) {
  const runs = [];
  for (let r = 0; r < repeats; r++) {
    const sampler = new TimedSampler(new TPESampler({ seed: r }));
    const study = await createStudy({ sampler });
    const t0 = performance.now();
    await study.optimize(f.objective, { nTrials: n });
    runs.push({ sampler_ms_per_trial: sampler.ms / n, sampler_cpu_ms_per_trial: sampler.cpuMs / n, wall_ms_per_trial: (performance.now() - t0) / n });
  }
  return runs;
}

function blocksOf20(ours: number[], theirs: number[]): string {
  let held = 0;
  const n = Math.floor(Math.min(ours.length, theirs.length) / 20);
  for (let b = 0; b < n; b++) if (quantile(ours.slice(b * 20, b * 20 + 20), 0.5) <= quantile(theirs.slice(b * 20, b * 20 + 20), 0.5)) held++;
  return `${held} of ${n}`;
}

/**
 * The chance that the bar's comparison (median of 20 runs at least as good as Optuna's median of 20)
 * holds on another 20 seeds: both sides' 20 runs resampled from all runs, 20,000 times.
 */
function pBarOn20(ours: number[], theirs: number[], name: string): number {
  const rng = new Rng("p-bar", name);
  const draw = (xs: number[]) => quantile(Array.from({ length: 20 }, () => xs[Math.floor(rng.random() * xs.length)]!), 0.5);
  let held = 0;
  const reps = 20_000;
  for (let r = 0; r < reps; r++) if (draw(ours) <= draw(theirs)) held++;
  return Math.round((held / reps) * 1000) / 1000;
}

type TimingRun = { sampler_ms_per_trial: number; sampler_cpu_ms_per_trial: number; wall_ms_per_trial: number };
const meanOf = (runs: TimingRun[], k: keyof TimingRun) => runs.reduce((s, r) => s + r[k], 0) / runs.length;

async function main() {
  const started = Date.now();
  // Quality: Optuna runs in a child process while we compute ours (CPU time does not matter here).
  const optunaQuality = runPython(["quality", "--seeds", String(seeds), "--trials", String(trials), "--functions", functions.map((f) => f.name).join(",")]) as Promise<{
    optuna_version: string;
    best: Record<string, number[]>;
  }>;
  const ours: Record<string, { tpe: number[]; compat: number[]; random: number[] }> = {};
  for (const f of functions) {
    ours[f.name] = {
      tpe: await bestValues(f, (seed) => new TPESampler({ seed })),
      compat: await bestValues(f, (seed) => new TPESampler({ ...OPTUNA_TPE_DEFAULTS, seed })),
      random: await bestValues(f, (seed) => new RandomSampler({ seed })),
    };
  }
  const optuna = await optunaQuality;

  const quality: Record<string, unknown> = {};
  const verdicts: { asGoodAsOptuna: boolean; betterThanRandom: boolean }[] = [];
  for (const f of functions) {
    const o = ours[f.name]!;
    const py = optuna.best[f.name]!;
    const asGood = quantile(o.tpe, 0.5) <= quantile(py, 0.5);
    const pRandom = mannWhitneyLess(o.tpe, o.random);
    verdicts.push({ asGoodAsOptuna: asGood, betterThanRandom: pRandom < 0.01 });
    quality[f.name] = {
      optimum: f.optimum,
      ours_tpe: summary(o.tpe),
      optuna_tpe: summary(py),
      ours_optuna_defaults: summary(o.compat),
      random: summary(o.random),
      median_ours_le_optuna: asGood,
      // With 40+ seeds: in how many consecutive blocks of 20 the bar's comparison held, and its chance on 20.
      ...(seeds >= 40 ? { blocks_of_20_median_ours_le_optuna: blocksOf20(o.tpe, py), p_bar_holds_on_20_seeds: pBarOn20(o.tpe, py, f.name) } : {}),
      p_ours_not_better_than_optuna: mannWhitneyLess(o.tpe, py),
      p_ours_not_better_than_random: pRandom,
    };
  }

  const timing: Record<string, unknown> = {};
  let timingOk = true;
  if (!args["no-timing"]) {
    // Warm the JIT once (Python pays its imports before its timer starts too).
    await timeOurs(BENCH_FUNCTIONS[0]!, 30, 1);
    for (const name of args["timing-functions"].split(",")) {
      const f = BENCH_FUNCTIONS.find((x) => x.name === name)!;
      const perSize: Record<string, unknown> = {};
      for (const n of args["timing-trials"].split(",").map(Number)) {
        const repeats = n <= 200 ? 3 : 1;
        // Alternate the two sides so that load from other work on the machine hits both alike.
        const py = (await runPython(["timing", "--trials", String(n), "--repeats", String(repeats), "--functions", name])) as { timing: Record<string, TimingRun[]> };
        const ts = await timeOurs(f, n, repeats);
        const row = {
          ours_sampler_cpu_ms_per_trial: meanOf(ts, "sampler_cpu_ms_per_trial"),
          optuna_sampler_cpu_ms_per_trial: meanOf(py.timing[name]!, "sampler_cpu_ms_per_trial"),
          ours_sampler_ms_per_trial: meanOf(ts, "sampler_ms_per_trial"),
          optuna_sampler_ms_per_trial: meanOf(py.timing[name]!, "sampler_ms_per_trial"),
          ours_wall_ms_per_trial: meanOf(ts, "wall_ms_per_trial"),
          optuna_wall_ms_per_trial: meanOf(py.timing[name]!, "wall_ms_per_trial"),
          repeats,
        };
        timingOk &&= row.ours_sampler_cpu_ms_per_trial <= row.optuna_sampler_cpu_ms_per_trial;
        perSize[String(n)] = row;
      }
      timing[name] = perSize;
    }
  }

  const result = {
    config: {
      seeds,
      trials,
      optuna_version: optuna.optuna_version,
      node: process.version,
      cpus: os.cpus().length,
      // Other work on the machine while the bench ran (1, 5, 15 minutes), to read the timings by.
      load_average: os.loadavg().map((x) => Math.round(x * 100) / 100),
      ours_tpe: { ...TPE_DEFAULTS, gamma: "min(ceil(0.1 n), 25)", weights: "optuna default_weights" },
      optuna_tpe: "TPESampler(seed=s) at Optuna's defaults",
      seconds: Math.round((Date.now() - started) / 1000),
    },
    quality,
    timing,
    bar: {
      median_as_good_as_optuna_everywhere: verdicts.every((v) => v.asGoodAsOptuna),
      better_than_random_everywhere_p_lt_0_01: verdicts.every((v) => v.betterThanRandom),
      sampler_time_not_above_optuna: args["no-timing"] ? null : timingOk,
    },
  };
  const json = JSON.stringify(result, null, 2);
  if (args.out) writeFileSync(args.out, json + "\n");
  console.log(json);
}

await main();
