// `mlops hpo …`: run a study in this process over an objective module. Also the benchmark harness:
// `--json` prints the result in a fixed shape.
import { resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { disconnectDb, ensureMigrated } from "@/lib/db";
import { toErrorResponse } from "@/lib/errors";
import {
  DbStorage,
  GridSampler,
  HPO_LOCAL_TRIAL_JOB,
  MedianPruner,
  NopPruner,
  RandomSampler,
  SuccessiveHalvingPruner,
  TPESampler,
  bestTrialOf,
  createDbStudy,
  createStudy,
  getStudyRow,
  hpoTrialHandler,
  loadObjectiveModule,
  moduleObjective,
  pendingTrialJobs,
  type Direction,
  type FrozenTrial,
  type ParamValue,
  type Pruner,
  type Sampler,
} from "@/lib/hpo";
import { WorkerRunner } from "@/lib/jobs";

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
  study?: string;
  json?: boolean;
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
  const trials = opts.study ? await runDbStudy(opts) : await runInMemory(opts);
  const count = (st: string) => trials.filter((t) => t.state === st).length;
  if (!opts.json && process.stderr.isTTY) process.stderr.write("\n");
  const best = bestTrialOf(trials, opts.direction);
  if (!best) {
    const failed = trials.find((t) => t.state === "FAIL");
    const reason = failed ? `; first failure: ${String(failed.systemAttrs.fail_reason)}` : "";
    throw new Error(`no trial completed (${trials.length} run, ${count("FAIL")} failed, ${count("PRUNED")} pruned)${reason}`);
  }
  if (opts.json) {
    console.log(JSON.stringify({ best_value: best.value, best_params: best.params, n_trials: trials.length, sampler: opts.sampler }));
    return;
  }
  console.log(`Best value ${best.value} (trial ${best.number}) after ${trials.length} trials with the ${opts.sampler} sampler`);
  console.log(`  ${count("COMPLETE")} complete, ${count("PRUNED")} pruned, ${count("FAIL")} failed`);
  for (const [k, v] of Object.entries(best.params)) console.log(`  ${k} = ${JSON.stringify(v)}`);
}

function progressLine(opts: RunOptions, done: number, state: string): void {
  if (!opts.json && process.stderr.isTTY) process.stderr.write(`\rtrial ${done}/${opts.trials} ${state}${" ".repeat(10)}`);
}

/** The study in memory, `--workers` trials at once in this process. */
async function runInMemory(opts: RunOptions): Promise<readonly FrozenTrial[]> {
  const { objective, searchSpace } = await loadObjectiveModule(opts.objective);
  const study = await createStudy({ direction: opts.direction, sampler: makeSampler(opts, searchSpace), pruner: makePruner(opts.pruner) });
  let done = 0;
  await study.optimize(objective, {
    nTrials: opts.trials,
    timeoutMs: opts.timeout === undefined ? undefined : opts.timeout * 1000,
    concurrency: opts.workers,
    onTrialFinished: (t) => progressLine(opts, ++done, t.state),
  });
  return study.trials;
}

/**
 * The study in the database (named, visible on the dashboard): one trial job per trial, served by
 * `--workers` job slots in this process. The jobs' type is reserved to this command, so platform
 * workers never run the module.
 */
async function runDbStudy(opts: RunOptions): Promise<readonly FrozenTrial[]> {
  const path = resolve(process.cwd(), opts.objective);
  const { searchSpace } = await loadObjectiveModule(path);
  if (opts.sampler === "grid" && !searchSpace) throw new Error("--sampler grid needs the objective module to export `searchSpace` (name → array of values)");
  await ensureMigrated();
  const runner = new WorkerRunner({ handlers: { [HPO_LOCAL_TRIAL_JOB]: hpoTrialHandler({ module: moduleObjective }) }, concurrency: opts.workers, pollMs: 50 });
  try {
    const handle = await createDbStudy({
      name: opts.study,
      direction: opts.direction,
      sampler: { name: opts.sampler, seed: opts.seed, searchSpace: opts.sampler === "grid" ? searchSpace : undefined },
      pruner: { name: opts.pruner },
      nTrials: opts.trials,
      timeBudgetSec: opts.timeout,
      objective: { kind: "module", path },
      jobType: HPO_LOCAL_TRIAL_JOB,
    });
    if (!opts.json) console.error(`study ${handle.name} (${handle.id})`);
    await runner.start();
    for (;;) {
      const row = await getStudyRow(handle.id);
      const done = await new DbStorage().getAllTrials(handle.id, { states: ["COMPLETE", "PRUNED", "FAIL"] });
      progressLine(opts, done.length, row.state);
      // A study whose jobs all ended (one failed for good) is over too; running trials finish first.
      const over = row.state !== "running" || (await pendingTrialJobs(handle.id)) === 0;
      if (over && (await new DbStorage().getAllTrials(handle.id, { states: ["RUNNING"] })).length === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return await new DbStorage().getAllTrials(handle.id);
  } finally {
    // Every trial has finished by now; a long grace would only keep the process waiting on its timer.
    await runner.stop(1_000).catch(() => undefined);
    await disconnectDb().catch(() => undefined);
  }
}

/** Registers `mlops hpo run` on the program. */
export function registerHpoCommands(program: Command): void {
  const hpo = program.command("hpo").description("Hyperparameter optimisation");
  hpo
    .command("run")
    .description("Optimise the default export `async (trial) => number` of a module")
    .requiredOption("--objective <path>", "module (.mjs, .js or .ts) whose default export is the objective")
    .option("--trials <n>", "number of trials", wholeNumber(1), 100)
    .option("--sampler <name>", `one of ${SAMPLERS.join(", ")} (grid needs the module to export searchSpace)`, oneOf(SAMPLERS), "tpe")
    .option("--pruner <name>", `one of ${PRUNERS.join(", ")}`, oneOf(PRUNERS), "median")
    .option("--seed <n>", "random seed (same seed, same trials)", wholeNumber(0))
    .option("--direction <d>", `one of ${DIRECTIONS.join(", ")}`, oneOf(DIRECTIONS), "minimize")
    .option("--workers <n>", "trials run at once in this process", wholeNumber(1), 1)
    .option("--timeout <seconds>", "start no new trial after this many seconds", positiveSeconds)
    .option("--study <name>", "store the study under this name in the database (DATABASE_URL) and run its trials as jobs")
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
