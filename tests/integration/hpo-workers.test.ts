// Trials of one study spread over workers: one job per trial, exactly n trials with unique numbers,
// a time budget across workers, and the trial of a killed worker repeated on another.
import { inject } from "vitest";
import { afterEach, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { db } from "@/lib/db";
import { DbStorage, HPO_LOCAL_TRIAL_JOB, HPO_TRIAL_JOB, createDbStudy, getStudyRow, hpoTrialHandler, moduleObjective, type ObjectiveFactory } from "@/lib/hpo";
import { WorkerRunner } from "@/lib/jobs";
import { killChildren, spawnNode } from "../support/processes";
import { sleep, waitFor } from "../support/wait";

const runners: WorkerRunner[] = [];
async function startRunner(handlers: ConstructorParameters<typeof WorkerRunner>[0]["handlers"], opts: { leaseMs?: number; concurrency?: number } = {}) {
  const r = new WorkerRunner({ handlers, pollMs: 20, ...opts });
  runners.push(r);
  await r.start();
  return r;
}

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop(500)));
  await killChildren();
});

const uid = () => Math.random().toString(36).slice(2, 10);

/** A quadratic that takes a few milliseconds, so trials of both workers overlap. */
const quadratic: ObjectiveFactory = () => async (trial) => {
  const x = trial.suggestFloat("x", -5, 5);
  const k = trial.suggestCategorical("k", ["a", "b"]);
  await sleep(2 + Math.random() * 5);
  return (x - 1) ** 2 + (k === "a" ? 0 : 0.5);
};

async function waitForStudy(id: string, timeoutMs = 120_000) {
  return waitFor(() => getStudyRow(id), (s) => s.state !== "running", { what: `study ${id} to finish`, timeoutMs, intervalMs: 100 });
}

describe("HPO trials over workers", () => {
  it("runs exactly n trials with unique numbers on two workers", async () => {
    const kind = `quad-${uid()}`;
    const handle = await createDbStudy({ name: `two-workers-${uid()}`, nTrials: 100, objective: { kind }, sampler: { name: "tpe", seed: 7 } });
    expect(handle.jobIds).toHaveLength(100);
    // Which worker ran each trial, from the job each trial ran in.
    const ranBy = new Set<string>();
    const tracked: ObjectiveFactory = (spec, ctx) => {
      ranBy.add(ctx.job.job.lockedBy ?? "?");
      return quadratic(spec, ctx);
    };
    const a = await startRunner({ [HPO_TRIAL_JOB]: hpoTrialHandler({ [kind]: tracked }) }, { concurrency: 2 });
    const b = await startRunner({ [HPO_TRIAL_JOB]: hpoTrialHandler({ [kind]: tracked }) }, { concurrency: 2 });
    const study = await waitForStudy(handle.id, 150_000).catch(async (e) => {
      const t = await db().trial.groupBy({ by: ["state"], where: { studyId: handle.id }, _count: { _all: true } });
      const j = await db().job.groupBy({ by: ["state"], where: { id: { in: handle.jobIds } }, _count: { _all: true } });
      const errs = await db().job.findMany({ where: { id: { in: handle.jobIds }, error: { not: null } }, select: { error: true }, take: 3 });
      console.error("study did not finish:", JSON.stringify({ t, j, errs }));
      throw e;
    });
    expect(study.state).toBe("complete");

    const trials = await new DbStorage().getAllTrials(handle.id);
    expect(trials).toHaveLength(100);
    expect(trials.map((t) => t.number)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(trials.every((t) => t.state === "COMPLETE" && typeof t.value === "number")).toBe(true);
    const rows = await db().trial.findMany({ where: { studyId: handle.id }, select: { jobId: true } });
    expect(new Set(rows.map((r) => r.jobId)).size).toBe(100);
    const jobs = await db().job.findMany({ where: { id: { in: handle.jobIds } }, select: { state: true, result: true } });
    expect(jobs.every((j) => j.state === "succeeded")).toBe(true);
    expect(jobs.map((j) => JSON.parse(j.result!).trial as number).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...ranBy].sort()).toEqual([a.id, b.id].sort());
    // TPE found the minimum region (x = 1, k = a) better than its random startup trials did.
    const best = Math.min(...trials.map((t) => t.value as number));
    const startupBest = Math.min(...trials.slice(0, 10).map((t) => t.value as number));
    expect(best).toBeLessThan(0.05);
    expect(best).toBeLessThanOrEqual(startupBest);
  }, 240_000);

  it("stops at the time budget across workers and cancels the trials left", async () => {
    const kind = `slow-${uid()}`;
    const slow: ObjectiveFactory = () => async (trial) => {
      const x = trial.suggestFloat("x", 0, 1);
      await sleep(150);
      return x;
    };
    const handle = await createDbStudy({ name: `budget-${uid()}`, nTrials: 500, timeBudgetSec: 1, objective: { kind } });
    await startRunner({ [HPO_TRIAL_JOB]: hpoTrialHandler({ [kind]: slow }) });
    await startRunner({ [HPO_TRIAL_JOB]: hpoTrialHandler({ [kind]: slow }) });
    const study = await waitForStudy(handle.id);
    expect(study.state).toBe("complete");
    await waitFor(() => db().trial.count({ where: { studyId: handle.id, state: "RUNNING" } }), (n) => n === 0, { what: "running trials to finish" });
    const trials = await new DbStorage().getAllTrials(handle.id);
    expect(trials.length).toBeGreaterThan(0);
    expect(trials.length).toBeLessThan(50);
    // No trial started after the budget (counted from the first trial's start) ran out.
    const end = Math.min(...trials.map((t) => t.startedAt!.getTime())) + 1000;
    expect(trials.every((t) => t.startedAt!.getTime() <= end + 50)).toBe(true);
    expect(trials.length).toBeGreaterThanOrEqual(4);
    const left = await db().job.count({ where: { id: { in: handle.jobIds }, state: "queued" } });
    expect(left).toBe(0);
  }, 120_000);

  it("fails the trial of a killed worker and repeats it on another worker", async () => {
    const objective = fileURLToPath(new URL("../fixtures/hpo/objective-hang.mjs", import.meta.url));
    const handle = await createDbStudy({
      name: `dead-worker-${uid()}`,
      nTrials: 2,
      objective: { kind: "module", path: objective },
      jobType: HPO_LOCAL_TRIAL_JOB,
    });
    const victim = spawnNode(["--import", "tsx", "tests/support/hpo-worker.ts"], {
      DATABASE_URL: inject("databaseUrl"),
      JOB_LEASE_MS: "2000",
      LOG_LEVEL: "silent",
      HPO_HANG_FIRST: "1",
      TEST_WORKER_ID: `victim-${uid()}`,
    });
    await waitFor(async () => victim.output(), (o) => /hanging \d+/.test(o), { what: "the victim to start a trial", timeoutMs: 60_000 });
    const hungNumber = Number(/hanging (\d+)/.exec(victim.output())![1]);
    // Killed once its parameters are stored, as a worker that dies in the middle of training.
    await waitFor(
      () => db().trial.findFirst({ where: { studyId: handle.id, number: hungNumber } }),
      (t) => t !== null && Object.keys(JSON.parse(t.params)).length === 2,
      { what: "the hung trial's parameters" },
    );
    victim.proc.kill("SIGKILL");
    await victim.exited;
    const running = await db().trial.findMany({ where: { studyId: handle.id, state: "RUNNING" } });
    expect(running.map((t) => t.number)).toEqual([hungNumber]);

    await startRunner({ [HPO_LOCAL_TRIAL_JOB]: hpoTrialHandler({ module: moduleObjective }) }, { leaseMs: 2000 });
    await waitForStudy(handle.id);
    const trials = await new DbStorage().getAllTrials(handle.id);
    expect(trials).toHaveLength(3);
    expect(new Set(trials.map((t) => t.number)).size).toBe(3);
    const lost = trials.find((t) => t.number === hungNumber)!;
    expect(lost.state).toBe("FAIL");
    expect(lost.systemAttrs.worker_lost).toBe(true);
    expect(String(lost.systemAttrs.fail_reason)).toMatch(/worker stopped responding/);
    const repeat = trials.find((t) => t.systemAttrs.retried_from === hungNumber)!;
    expect(repeat.state).toBe("COMPLETE");
    expect(repeat.params).toEqual(lost.params);
    expect(trials.filter((t) => t.state === "COMPLETE")).toHaveLength(2);
  }, 120_000);

  it("`mlops hpo run --study NAME --workers 2 --json` stores the study and keeps its JSON output", async () => {
    const objective = fileURLToPath(new URL("../fixtures/hpo/objective-hang.mjs", import.meta.url));
    const name = `cli-study-${uid()}`;
    const child = spawnNode(["bin/mlops.mjs", "hpo", "run", "--objective", objective, "--trials", "6", "--workers", "2", "--seed", "1", "--study", name, "--json"], {
      DATABASE_URL: inject("databaseUrl"),
      LOG_LEVEL: "silent",
    });
    const { code } = await child.exited;
    expect(code, child.output()).toBe(0);
    const line = child.output().split("\n").find((l) => l.startsWith("{"))!;
    const out = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(["best_params", "best_value", "n_trials", "sampler"]);
    expect(out).toMatchObject({ n_trials: 6, sampler: "tpe" });
    const study = await db().study.findUnique({ where: { name } });
    expect(study?.state).toBe("complete");
    const trials = await new DbStorage().getAllTrials(study!.id);
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Math.min(...trials.map((t) => t.value as number))).toBe(out.best_value);
  }, 120_000);
});
