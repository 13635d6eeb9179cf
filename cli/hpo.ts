// `mlops hpo …`: run a study in this process over an objective module. Also the benchmark harness:
// `--json` prints the result in a fixed shape.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidArgumentError, type Command } from "commander";
import { toErrorResponse } from "@/lib/errors";
import {
  GridSampler,
  MedianPruner,
  NopPruner,
  RandomSampler,
  SuccessiveHalvingPruner,
  TPESampler,
  createStudy,
  type Direction,
  type Objective,
  type ParamValue,
  type Pruner,
  type Sampler,
} from "@/lib/hpo";

const SAMPLERS = ["tpe", "random", "grid"] as const;
const PRUNERS = ["median", "sha", "none"] as const;
const DIRECTIONS = ["minimize", "maximize"] as const;

function oneOf<T extends string>(values: readonly T[]) {
  return (v: string): T => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${values.join(", ")}`);
    return v as T;
  };
}

function wholeNumber(min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    return n;
  };
}

function positiveSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number of seconds");
  return n;
}

interface RunOptions {
  objective: string;
  trials: number;
  sampler: (typeof SAMPLERS)[number];
  pruner: (typeof PRUNERS)[number];
  seed?: number;
  direction: Direction;
  workers: number;
  timeout?: number;
  json?: boolean;
}

interface ObjectiveModule {
  default?: unknown;
  searchSpace?: unknown;
}

async function loadObjective(path: string): Promise<{ objective: Objective; searchSpace?: Record<string, ParamValue[]> }> {
  const url = pathToFileURL(resolve(process.cwd(), path)).href;
  let mod: ObjectiveModule;
  try {
    mod = (await import(url)) as ObjectiveModule;
  } catch (err) {
    throw new Error(`cannot load objective module '${path}': ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof mod.default !== "function") throw new Error(`'${path}' must export a default function (trial) => number`);
  const space = mod.searchSpace;
  if (space !== undefined && (space === null || typeof space !== "object" || Array.isArray(space))) {
    throw new Error(`'${path}' exports searchSpace, but it is not an object of name → array of values`);
  }
  return { objective: mod.default as Objective, searchSpace: space as Record<string, ParamValue[]> | undefined };
}

function makeSampler(opts: RunOptions, searchSpace: Record<string, ParamValue[]> | undefined): Sampler {
  if (opts.sampler === "random") return new RandomSampler({ seed: opts.seed });
  if (opts.sampler === "grid") {
    if (!searchSpace) throw new Error("--sampler grid needs the objective module to export `searchSpace` (name → array of values)");
    return new GridSampler(searchSpace, { seed: opts.seed });
  }
  return new TPESampler({ seed: opts.seed });
}

function makePruner(name: RunOptions["pruner"]): Pruner {
  if (name === "sha") return new SuccessiveHalvingPruner();
  if (name === "none") return new NopPruner();
  return new MedianPruner();
}

async function runHpo(opts: RunOptions): Promise<void> {
  const { objective, searchSpace } = await loadObjective(opts.objective);
  const study = await createStudy({ direction: opts.direction, sampler: makeSampler(opts, searchSpace), pruner: makePruner(opts.pruner) });
  let done = 0;
  await study.optimize(objective, {
    nTrials: opts.trials,
    timeoutMs: opts.timeout === undefined ? undefined : opts.timeout * 1000,
    concurrency: opts.workers,
    onTrialFinished: (t) => {
      done++;
      if (!opts.json && process.stderr.isTTY) process.stderr.write(`\rtrial ${done}/${opts.trials} ${t.state}${" ".repeat(10)}`);
    },
  });
  if (!opts.json && process.stderr.isTTY) process.stderr.write("\n");
  const trials = study.trials;
  const count = (s: string) => trials.filter((t) => t.state === s).length;
  if (count("COMPLETE") === 0) {
    const failed = trials.find((t) => t.state === "FAIL");
    const reason = failed ? `; first failure: ${String(failed.systemAttrs.fail_reason)}` : "";
    throw new Error(`no trial completed (${trials.length} run, ${count("FAIL")} failed, ${count("PRUNED")} pruned)${reason}`);
  }
  const best = study.bestTrial;
  if (opts.json) {
    console.log(JSON.stringify({ best_value: best.value, best_params: best.params, n_trials: trials.length, sampler: study.sampler.name }));
    return;
  }
  console.log(`Best value ${best.value} (trial ${best.number}) after ${trials.length} trials with the ${study.sampler.name} sampler`);
  console.log(`  ${count("COMPLETE")} complete, ${count("PRUNED")} pruned, ${count("FAIL")} failed`);
  for (const [k, v] of Object.entries(best.params)) console.log(`  ${k} = ${JSON.stringify(v)}`);
}

/** Registers `mlops hpo run` on the program. */
export function registerHpoCommands(program: Command): void {
  const hpo = program.command("hpo").description("Hyperparameter optimisation");
  hpo
    .command("run")
    .description("Optimise the default export `async (trial) => number` of a module, in this process")
    .requiredOption("--objective <path>", "module (.mjs, .js or .ts) whose default export is the objective")
    .option("--trials <n>", "number of trials", wholeNumber(1), 100)
    .option("--sampler <name>", `one of ${SAMPLERS.join(", ")} (grid needs the module to export searchSpace)`, oneOf(SAMPLERS), "tpe")
    .option("--pruner <name>", `one of ${PRUNERS.join(", ")}`, oneOf(PRUNERS), "median")
    .option("--seed <n>", "random seed (same seed, same trials)", wholeNumber(0))
    .option("--direction <d>", `one of ${DIRECTIONS.join(", ")}`, oneOf(DIRECTIONS), "minimize")
    .option("--workers <n>", "trials run at once in this process", wholeNumber(1), 1)
    .option("--timeout <seconds>", "start no new trial after this many seconds", positiveSeconds)
    .option("--json", 'print {"best_value", "best_params", "n_trials", "sampler"}')
    .action(async (opts: RunOptions) => {
      try {
        await runHpo(opts);
      } catch (err) {
        const { body, status } = toErrorResponse(err);
        console.error(`error: ${status === 500 && err instanceof Error ? err.message : body.error.message}`);
        process.exitCode = 1;
      }
    });
}
