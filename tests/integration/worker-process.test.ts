import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db";
import { enqueue, listJobs, MAINTENANCE_JOB } from "@/lib/jobs";
import { uid } from "../support/factories";
import { killChildren, spawnNode } from "../support/processes";
import { jobType, waitFor, waitForJob } from "../support/wait";

const env = () => ({ DATABASE_URL: inject("databaseUrl"), JOB_LEASE_MS: "2000", LOG_LEVEL: "silent" });

function testWorker(id: string, type: string, holdMs: number, extra: Record<string, string> = {}) {
  return spawnNode(["--import", "tsx", "tests/support/test-worker.ts"], {
    ...env(),
    TEST_WORKER_ID: id,
    TEST_JOB_TYPE: type,
    TEST_HOLD_MS: String(holdMs),
    ...extra,
  });
}

afterEach(killChildren);

describe("worker processes", () => {
  it("retries on a second worker the job of a worker killed mid-job", async () => {
    const type = jobType();
    const ids = [`test-a-${uid()}`, `test-b-${uid()}`];
    // Two identical workers; the first attempt of a job holds until killed, a retry returns at once.
    const workers = ids.map((id) => testWorker(id, type, 600_000));
    await Promise.all(workers.map((w) => w.printed("ready")));

    const job = await enqueue(type, {}, { maxAttempts: 3 });
    const running = await waitForJob(job.id, (j) => j.state === "running" && j.progress > 0, "to run");
    const victim = ids.indexOf(running.lockedBy!);
    expect(victim).toBeGreaterThanOrEqual(0);
    expect(running).toMatchObject({ attempts: 1, progressMessage: `running on ${ids[victim]}` });
    const [killed, survivor] = victim === 0 ? [workers[0]!, workers[1]!] : [workers[1]!, workers[0]!];
    const [killedId, survivorId] = victim === 0 ? [ids[0]!, ids[1]!] : [ids[1]!, ids[0]!];

    killed.proc.kill("SIGKILL");
    expect(await killed.exited).toEqual({ code: null, signal: "SIGKILL" });

    // The survivor reaps the expired lease and runs the job again after the backoff.
    const done = await waitForJob(job.id, (j) => j.state === "succeeded", "to succeed on the other worker", 60_000);
    expect(done).toMatchObject({ attempts: 2, lockedBy: null, leaseUntil: null, error: null });
    expect(done.result).toMatchObject({ workerId: survivorId, attempt: 2 });
    // The second attempt started knowing why the first one ended.
    const { previousError } = done.result as { previousError: string };
    expect(previousError).toContain(killedId);
    expect(previousError).toMatch(/lease expired.*attempt 1/);

    survivor.proc.kill("SIGTERM");
    expect(await survivor.exited).toEqual({ code: 0, signal: null });
  }, 120_000);

  it("several worker processes run each of 40 jobs exactly once", async () => {
    // Across processes, claims really race (on SQLite too, where one process has one connection).
    // A long lease here: a run repeated after a lease expiry is correct (at-least-once) but is not
    // what this test is about, and a loaded machine can stall a process for longer than 2 s.
    const type = jobType();
    const dir = mkdtempSync(join(tmpdir(), "mlops-runs-"));
    const runLog = join(dir, "runs.log");
    try {
      const ids = [0, 1].map((i) => `test-${i}-${uid()}`);
      const workers = ids.map((id) => testWorker(id, type, 0, { TEST_CONCURRENCY: "2", TEST_RUN_LOG: runLog, JOB_LEASE_MS: "30000" }));
      await Promise.all(workers.map((w) => w.printed("ready")));
      const jobs = [];
      for (let b = 0; b < 4; b++) jobs.push(...(await Promise.all(Array.from({ length: 10 }, () => enqueue(type)))));
      await waitFor(
        () => listJobs({ type, state: "succeeded", limit: 1 }),
        (r) => r.total === jobs.length,
        { what: "all jobs to succeed", timeoutMs: 90_000 },
      );
      for (const w of workers) w.proc.kill("SIGTERM");
      expect((await Promise.all(workers.map((w) => w.exited))).every((e) => e.code === 0)).toBe(true);

      const runs = readFileSync(runLog, "utf8").trim().split("\n").map((l) => l.split(" "));
      const ran = runs.map(([id]) => id);
      expect(ran).toHaveLength(jobs.length);
      expect(new Set(ran)).toEqual(new Set(jobs.map((j) => j.id)));
      expect(await db().job.count({ where: { type, attempts: { not: 1 } } })).toBe(0);
      expect(new Set(runs.map(([, worker]) => worker)).size).toBeGreaterThan(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("`mlops worker` runs a maintenance job to success and exits 0 on SIGTERM", async () => {
    // Old finished job (past retention) and a recent one: the cleanup removes only the old one.
    const type = jobType();
    const day = 86_400_000;
    const old = await enqueue(type);
    await db().job.update({ where: { id: old.id }, data: { state: "succeeded", finishedAt: new Date(Date.now() - 400 * day) } });
    const recent = await enqueue(type);
    await db().job.update({ where: { id: recent.id }, data: { state: "succeeded", finishedAt: new Date(Date.now() - 2 * day) } });

    const spawnedAt = new Date(Date.now() - 1_000);
    const worker = spawnNode(["bin/mlops.mjs", "worker"], env());
    const job = await enqueue(MAINTENANCE_JOB, { retentionDays: 30 }, { priority: 10 });
    const done = await waitForJob(job.id, (j) => j.state === "succeeded" || j.state === "dead", "to finish", 60_000);
    expect(done).toMatchObject({ state: "succeeded", attempts: 1, progress: 1, progressMessage: "Done" });
    expect(done.result).toMatchObject({ retentionDays: 30, deleted: { jobs: expect.any(Number) } });
    expect((done.result as { deleted: { jobs: number } }).deleted.jobs).toBeGreaterThanOrEqual(1);
    expect(await db().job.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await db().job.findUnique({ where: { id: recent.id } })).not.toBeNull();

    worker.proc.kill("SIGTERM");
    const exit = await worker.exited;
    expect(exit, worker.output()).toEqual({ code: 0, signal: null });
    // It signed off: its worker row records the stop.
    const rows = await db().worker.findMany({ where: { pid: worker.proc.pid!, startedAt: { gte: spawnedAt } } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.stoppedAt !== null)).toBe(true);
  }, 120_000);
});
