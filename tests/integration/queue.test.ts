import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import {
  backoffMs,
  cancelJob,
  claim,
  complete,
  enqueue,
  fail,
  getJob,
  heartbeat,
  listJobs,
  PermanentJobError,
  reapExpiredLeases,
  release,
  reportProgress,
  WorkerRunner,
  type JobHandler,
  type JobInfo,
} from "@/lib/jobs";
import { gate, jobType, untilAborted, waitFor, waitForJob } from "../support/wait";

const LEASE = 30_000;
const ms = (iso: string | null) => (iso ? new Date(iso).getTime() : NaN);

const runners: WorkerRunner[] = [];
async function startRunner(handlers: Record<string, JobHandler>, opts: { leaseMs?: number; concurrency?: number } = {}) {
  const r = new WorkerRunner({ handlers, pollMs: 20, ...opts });
  runners.push(r);
  await r.start();
  return r;
}

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop(500)));
});

/** Moves a queued job's retry time to now: the test plays the clock instead of waiting out the backoff. */
async function makeDue(id: string) {
  await db().job.update({ where: { id }, data: { runAt: new Date() } });
}

describe("enqueue", () => {
  it("stores a queued job with its payload and options", async () => {
    const type = jobType();
    const job = await enqueue(type, { dataset: "iris" }, { priority: 3, maxAttempts: 5 });
    expect(job).toMatchObject({
      type,
      state: "queued",
      payload: { dataset: "iris" },
      priority: 3,
      attempts: 0,
      maxAttempts: 5,
      progress: 0,
      lockedBy: null,
      result: null,
      error: null,
    });
    expect(await getJob(job.id)).toEqual(job);
  });

  it("refuses a bad type name or attempt count, and stores nothing", async () => {
    const before = await db().job.count();
    await expect(enqueue("Bad Type!")).rejects.toMatchObject({ code: "invalid" });
    await expect(enqueue(jobType(), {}, { maxAttempts: 0 })).rejects.toMatchObject({ code: "invalid" });
    await expect(enqueue(jobType(), {}, { maxAttempts: 1.5 })).rejects.toMatchObject({ code: "invalid" });
    expect(await db().job.count()).toBe(before);
  });

  it("reports an unknown job id as not found", async () => {
    await expect(getJob("no-such-job")).rejects.toMatchObject({ code: "not_found", status: 404 });
  });
});

describe("claim, progress, complete", () => {
  it("takes a queued job once, records progress from its owner only, and completes it", async () => {
    const type = jobType();
    const job = await enqueue(type, { n: 1 });

    const claimed = (await claim("w1", { leaseMs: LEASE, types: [type] }))!;
    expect(claimed).toMatchObject({ id: job.id, state: "running", attempts: 1, lockedBy: "w1", progress: 0 });
    expect(ms(claimed.leaseUntil)).toBeGreaterThan(Date.now() + LEASE / 2);
    expect(claimed.startedAt).not.toBeNull();
    expect(await claim("w2", { leaseMs: LEASE, types: [type] })).toBeNull();

    expect(await reportProgress(job.id, "w1", 0.4, "Epoch 4/10")).toBe(true);
    expect(await getJob(job.id)).toMatchObject({ progress: 0.4, progressMessage: "Epoch 4/10" });
    expect(await reportProgress(job.id, "w2", 0.9, "not mine")).toBe(false);
    expect(await getJob(job.id)).toMatchObject({ progress: 0.4, progressMessage: "Epoch 4/10" });
    await reportProgress(job.id, "w1", 7);
    expect((await getJob(job.id)).progress).toBe(1);
    await reportProgress(job.id, "w1", -2);
    expect((await getJob(job.id)).progress).toBe(0);

    expect(await complete(job.id, "w2", { wrong: true })).toBe(false);
    expect(await complete(job.id, "w1", { accuracy: 0.93 })).toBe(true);
    const done = await getJob(job.id);
    expect(done).toMatchObject({
      state: "succeeded",
      progress: 1,
      result: { accuracy: 0.93 },
      error: null,
      lockedBy: null,
      leaseUntil: null,
      attempts: 1,
    });
    expect(done.finishedAt).not.toBeNull();
    expect(await complete(job.id, "w1", { again: true })).toBe(false);
    expect((await getJob(job.id)).result).toEqual({ accuracy: 0.93 });
  });

  it("only claims the types the claimer asks for; an empty list claims nothing", async () => {
    const type = jobType();
    const job = await enqueue(type);
    expect(await claim("w1", { leaseMs: LEASE, types: [jobType()] })).toBeNull();
    expect(await claim("w1", { leaseMs: LEASE, types: [] })).toBeNull();
    expect((await getJob(job.id)).state).toBe("queued");
    expect((await claim("w1", { leaseMs: LEASE, types: [jobType(), type] }))?.id).toBe(job.id);
  });

  it("runs a handler through a WorkerRunner, showing its progress while it runs", async () => {
    const type = jobType();
    const hold = gate();
    await startRunner({
      [type]: async (ctx) => {
        await ctx.progress(0.5, "Half way");
        await hold.promise;
        return { rows: (ctx.job.payload as { rows: number }).rows * 2 };
      },
    });
    const job = await enqueue(type, { rows: 21 });
    const running = await waitForJob(job.id, (j) => j.progress === 0.5, "to report progress");
    expect(running).toMatchObject({ state: "running", progressMessage: "Half way", attempts: 1 });
    hold.open();
    const done = await waitForJob(job.id, (j) => j.state === "succeeded", "to succeed");
    expect(done).toMatchObject({ result: { rows: 42 }, progress: 1, attempts: 1, lockedBy: null });
  });
});

describe("ordering", () => {
  it("claims higher priority first, then the earlier runAt, and never a job that is not due", async () => {
    const type = jobType();
    const now = Date.now();
    const low = await enqueue(type, { name: "low" }, { priority: 0, runAt: new Date(now - 60_000) });
    const highLater = await enqueue(type, { name: "high-later" }, { priority: 5, runAt: new Date(now - 1_000) });
    const highEarlier = await enqueue(type, { name: "high-earlier" }, { priority: 5, runAt: new Date(now - 30_000) });
    const future = await enqueue(type, { name: "future" }, { priority: 100, runAt: new Date(now + 3_600_000) });
    const order: string[] = [];
    for (;;) {
      const j = await claim("w1", { leaseMs: LEASE, types: [type] });
      if (!j) break;
      order.push(j.id);
    }
    expect(order).toEqual([highEarlier.id, highLater.id, low.id]);
    expect((await getJob(future.id)).state).toBe("queued");
  });

  it("claims equal jobs in the order they were enqueued", async () => {
    const type = jobType();
    const runAt = new Date(Date.now() - 5_000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueue(type, { i }, { runAt })).id);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) order.push((await claim("w1", { leaseMs: LEASE, types: [type] }))!.id);
    expect(order).toEqual(ids);
  });
});

describe("failures", () => {
  it("retries a failing handler with exponential backoff, then ends dead with the last error", async () => {
    const type = jobType();
    let calls = 0;
    await startRunner({
      [type]: async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
    });
    const job = await enqueue(type, {}, { maxAttempts: 3 });

    for (const attempt of [1, 2]) {
      const requeued = await waitForJob(job.id, (j) => j.state === "queued" && j.attempts === attempt, `to fail attempt ${attempt}`);
      const observedAt = Date.now();
      expect(requeued).toMatchObject({ error: `boom ${attempt}`, lockedBy: null, leaseUntil: null, finishedAt: null });
      // The retry waits backoffMs(attempt) after the failure, which happened between the start of the attempt and now.
      expect(ms(requeued.runAt)).toBeGreaterThanOrEqual(ms(requeued.startedAt) + backoffMs(attempt));
      expect(ms(requeued.runAt)).toBeLessThanOrEqual(observedAt + backoffMs(attempt));
      expect(calls).toBe(attempt);
      await makeDue(job.id);
    }

    const dead = await waitForJob(job.id, (j) => j.state === "dead", "to end dead");
    expect(dead).toMatchObject({ attempts: 3, error: "boom 3", lockedBy: null, leaseUntil: null });
    expect(dead.finishedAt).not.toBeNull();
    expect(calls).toBe(3);
  });

  it("sends a job straight to dead on PermanentJobError", async () => {
    const type = jobType();
    let calls = 0;
    await startRunner({
      [type]: async () => {
        calls++;
        throw new PermanentJobError("Dataset 'x' does not exist");
      },
    });
    const job = await enqueue(type, {}, { maxAttempts: 5 });
    const dead = await waitForJob(job.id, (j) => j.state === "dead", "to end dead");
    expect(dead).toMatchObject({ attempts: 1, maxAttempts: 5, error: "Dataset 'x' does not exist" });
    expect(calls).toBe(1);
  });

  it("fail() without retry ends dead; a stranger's fail() changes nothing", async () => {
    const type = jobType();
    const job = await enqueue(type, {}, { maxAttempts: 3 });
    await claim("w1", { leaseMs: LEASE, types: [type] });
    expect(await fail(job.id, "w2", "not mine")).toBeNull();
    expect((await getJob(job.id)).state).toBe("running");
    expect(await fail(job.id, "w1", "bad payload", { retry: false })).toBe("dead");
    expect(await getJob(job.id)).toMatchObject({ state: "dead", error: "bad payload", attempts: 1 });
  });
});

describe("cancel", () => {
  it("cancels a queued job at once; it is never claimed", async () => {
    const type = jobType();
    const job = await enqueue(type);
    const cancelled = await cancelJob(job.id);
    expect(cancelled).toMatchObject({ id: job.id, state: "cancelled", attempts: 0 });
    expect(cancelled.finishedAt).not.toBeNull();
    expect(await claim("w1", { leaseMs: LEASE, types: [type] })).toBeNull();
  });

  it("refuses to cancel a finished job (409) and reports an unknown one (404)", async () => {
    const type = jobType();
    const job = await enqueue(type);
    await cancelJob(job.id);
    await expect(cancelJob(job.id)).rejects.toMatchObject({ code: "conflict", status: 409 });
    await expect(cancelJob("no-such-job")).rejects.toMatchObject({ code: "not_found" });
  });

  it("stops a running job: the handler's signal aborts and the job ends cancelled", async () => {
    const type = jobType();
    let abortReason: unknown = null;
    await startRunner(
      {
        [type]: async (ctx) => {
          await ctx.progress(0.2, "Training");
          try {
            return await untilAborted(ctx.signal);
          } catch (err) {
            abortReason = err;
            throw err;
          }
        },
      },
      { leaseMs: 3_000 },
    );
    const job = await enqueue(type, {}, { maxAttempts: 3 });
    await waitForJob(job.id, (j) => j.state === "running" && j.progress === 0.2, "to start");
    expect(await cancelJob(job.id)).toMatchObject({ state: "running", cancelRequested: true });
    const cancelled = await waitForJob(job.id, (j) => j.state === "cancelled", "to end cancelled");
    expect(cancelled).toMatchObject({ attempts: 1, lockedBy: null, leaseUntil: null });
    expect(cancelled.finishedAt).not.toBeNull();
    expect((abortReason as Error).message).toBe("cancelled");
  });

  it("ends a handler that ignores the signal as cancelled, not succeeded", async () => {
    const type = jobType();
    const hold = gate();
    let signal: AbortSignal | null = null;
    await startRunner(
      {
        [type]: async (ctx) => {
          signal = ctx.signal;
          await hold.promise;
          return { trained: true };
        },
      },
      { leaseMs: 3_000 },
    );
    const job = await enqueue(type);
    await waitForJob(job.id, (j) => j.state === "running", "to start");
    await cancelJob(job.id);
    // The runner learns about the request with its next heartbeat and aborts the signal.
    await waitFor(async () => signal?.aborted ?? false, (aborted) => aborted, { what: "the handler's signal to abort" });
    hold.open();
    const done = await waitForJob(job.id, (j) => j.state !== "running", "to finish");
    expect(done).toMatchObject({ state: "cancelled", result: null });
  });
});

describe("graceful stop", () => {
  it("lets a job that finishes within the grace period complete", async () => {
    const type = jobType();
    const hold = gate();
    const runner = await startRunner({ [type]: async () => (await hold.promise, "done") });
    const job = await enqueue(type);
    await waitForJob(job.id, (j) => j.state === "running", "to start");
    const stopped = runner.stop(30_000);
    hold.open();
    await stopped;
    expect(await getJob(job.id)).toMatchObject({ state: "succeeded", result: "done", attempts: 1 });
  });

  it("releases a job still running after the grace period: back to queued, attempt not counted", async () => {
    const type = jobType();
    let abortReason: unknown = null;
    const runner = await startRunner({
      [type]: async (ctx) => {
        try {
          return await untilAborted(ctx.signal);
        } catch (err) {
          abortReason = err;
          throw err;
        }
      },
    });
    const job = await enqueue(type, {}, { maxAttempts: 1 });
    await waitForJob(job.id, (j) => j.state === "running" && j.attempts === 1, "to start");
    await runner.stop(50);
    expect((abortReason as Error).message).toBe("worker shutting down");
    const released = await getJob(job.id);
    expect(released).toMatchObject({ state: "queued", attempts: 0, lockedBy: null, leaseUntil: null, error: null });
    expect(ms(released.runAt)).toBeLessThanOrEqual(Date.now());

    // maxAttempts 1: only because the released attempt did not count can it run again.
    await startRunner({ [type]: async () => "second worker" });
    const done = await waitForJob(job.id, (j) => j.state === "succeeded", "to run on another worker");
    expect(done).toMatchObject({ attempts: 1, result: "second worker" });
  });

  it("does not requeue a released job whose cancellation was requested", async () => {
    const type = jobType();
    const job = await enqueue(type);
    await claim("w1", { leaseMs: LEASE, types: [type] });
    await cancelJob(job.id);
    expect(await release(job.id, "w1")).toBe(true);
    expect(await getJob(job.id)).toMatchObject({ state: "cancelled", lockedBy: null });
    expect(await claim("w2", { leaseMs: LEASE, types: [type] })).toBeNull();
  });

  it("stops promptly with several idle slots, even with a long poll interval", async () => {
    // Every idle slot must be woken; a slot left sleeping would hold stop() for the whole poll interval.
    const r = new WorkerRunner({ handlers: { [jobType()]: async () => null }, concurrency: 4, pollMs: 600_000 });
    await r.start();
    await new Promise((res) => setTimeout(res, 100)); // let every slot reach its poll sleep
    await r.stop(600_000);
    const row = await db().worker.findUniqueOrThrow({ where: { id: r.id } });
    expect(row.stoppedAt).not.toBeNull();
  }, 30_000);
});

describe("lanes", () => {
  it("runs a job that waits on another job in its own slot, under one worker id", async () => {
    const work = jobType();
    const waiter = jobType();
    // With one general slot, a waiter holding that slot would wait for ever on the job it queued.
    const r = new WorkerRunner({
      handlers: { [work]: async () => "done" },
      concurrency: 1,
      pollMs: 20,
      lanes: [
        {
          concurrency: 1,
          handlers: {
            [waiter]: async () => {
              const child = await enqueue(work, {});
              return (await waitForJob(child.id, (j) => j.state === "succeeded", "succeeded")).result;
            },
          },
        },
      ],
    });
    runners.push(r);
    await r.start();
    const parent = await enqueue(waiter, {});
    const done = await waitForJob(parent.id, (j) => j.state !== "queued" && j.state !== "running", "finished");
    expect(done.state).toBe("succeeded");
    expect(done.result).toBe("done");
    expect(await db().worker.count({ where: { id: { startsWith: r.id } } })).toBe(1);
  }, 30_000);
});

describe("leases", () => {
  it("requeues a job whose lease expired; the old owner's late heartbeat and results are refused", async () => {
    const type = jobType();
    const job = await enqueue(type, {}, { maxAttempts: 2 });
    await claim("w-old", { leaseMs: 1_000, types: [type] });

    // A lease still valid is left alone.
    await reapExpiredLeases(new Date());
    expect(await getJob(job.id)).toMatchObject({ state: "running", lockedBy: "w-old" });

    const later = new Date(Date.now() + 5_000);
    await reapExpiredLeases(later);
    const requeued = await getJob(job.id);
    expect(requeued).toMatchObject({ state: "queued", lockedBy: null, leaseUntil: null, attempts: 1 });
    expect(requeued.error).toMatch(/w-old/);
    expect(requeued.error).toMatch(/lease expired/);
    expect(ms(requeued.runAt)).toBe(later.getTime() + backoffMs(1));

    expect(await heartbeat(job.id, "w-old", 60_000)).toEqual({ owned: false, cancelRequested: false });
    expect(await reportProgress(job.id, "w-old", 0.9)).toBe(false);
    expect(await complete(job.id, "w-old", "stale")).toBe(false);
    expect((await getJob(job.id)).state).toBe("queued");

    // Another worker takes it; the old owner still owns nothing.
    await makeDue(job.id);
    expect((await claim("w-new", { leaseMs: 1_000, types: [type] }))?.attempts).toBe(2);
    expect((await heartbeat(job.id, "w-old", 60_000)).owned).toBe(false);
    expect((await heartbeat(job.id, "w-new", 1_000)).owned).toBe(true);

    // Its last attempt expiring too: dead, with the reason kept.
    await reapExpiredLeases(new Date(Date.now() + 5_000));
    const dead = await getJob(job.id);
    expect(dead).toMatchObject({ state: "dead", attempts: 2, lockedBy: null });
    expect(dead.error).toMatch(/w-new.*attempt 2/);
    expect(dead.finishedAt).not.toBeNull();
  });

  it("keeps a job whose owner heartbeats, and tells the owner about a cancel request", async () => {
    const type = jobType();
    const job = await enqueue(type);
    await claim("w1", { leaseMs: 1_000, types: [type] });
    expect(await heartbeat(job.id, "w1", 60_000)).toEqual({ owned: true, cancelRequested: false });
    await reapExpiredLeases(new Date(Date.now() + 5_000));
    expect(await getJob(job.id)).toMatchObject({ state: "running", lockedBy: "w1" });
    await cancelJob(job.id);
    expect(await heartbeat(job.id, "w1", 60_000)).toEqual({ owned: true, cancelRequested: true });
  });

  it("ends an expired job whose cancellation was requested as cancelled", async () => {
    const type = jobType();
    const job = await enqueue(type);
    await claim("w1", { leaseMs: 1_000, types: [type] });
    await cancelJob(job.id);
    await reapExpiredLeases(new Date(Date.now() + 5_000));
    expect((await getJob(job.id)).state).toBe("cancelled");
  });
});

describe("concurrent claimers", () => {
  it("runs each of 200 jobs exactly once across 4 runners with 2 slots each", async () => {
    const type = jobType();
    const ran: { runner: number; id: string }[] = [];
    for (let i = 0; i < 4; i++) {
      await startRunner(
        {
          [type]: async (ctx) => {
            ran.push({ runner: i, id: ctx.job.id });
            // A short random hold, so slots overlap and claims race each other.
            await new Promise((r) => setTimeout(r, Math.random() * 3));
            return { runner: i };
          },
        },
        { concurrency: 2 },
      );
    }
    const jobs: JobInfo[] = [];
    for (let b = 0; b < 10; b++) {
      jobs.push(...(await Promise.all(Array.from({ length: 20 }, (_, k) => enqueue(type, { n: b * 20 + k })))));
    }
    await waitFor(
      () => listJobs({ type, state: "succeeded", limit: 1 }),
      (r) => r.total === 200,
      { what: "all 200 jobs to succeed", timeoutMs: 90_000 },
    );
    await Promise.all(runners.splice(0).map((r) => r.stop(5_000)));

    const ids = ran.map((r) => r.id);
    expect(ids).toHaveLength(200);
    expect(new Set(ids)).toEqual(new Set(jobs.map((j) => j.id)));
    const rows = await db().job.findMany({ where: { type }, select: { state: true, attempts: true } });
    expect(rows).toHaveLength(200);
    expect(rows.every((r) => r.state === "succeeded" && r.attempts === 1)).toBe(true);
    // The work really was shared.
    expect(new Set(ran.map((r) => r.runner)).size).toBeGreaterThan(1);
  }, 120_000);
});
