// A worker process for tests: a real WorkerRunner (as in workers/worker.ts) whose only handler
// serves one test job type, so tests can kill a worker mid-job without test-only job types in
// production code. Run with: node --import tsx tests/support/test-worker.ts
//
// Environment: DATABASE_URL, JOB_LEASE_MS (read through lib/config like the real worker),
// TEST_JOB_TYPE (the type to serve), TEST_WORKER_ID (the runner's id),
// TEST_HOLD_MS (how long the first attempt of a job runs, stopping early when its signal aborts;
// later attempts return at once, so whichever worker retries a killed job finishes it).
// TEST_CONCURRENCY (slots, default 1), TEST_RUN_LOG (a file that gets one line per handler call,
// "<job id> <worker id>", appended atomically, so tests can count how often each job ran).
// A job whose payload is { "fail": "<message>" } fails permanently with that message. With
// OTEL_EXPORTER_OTLP_ENDPOINT set, it traces like the real worker (service mlops-worker).
// Prints "ready" on stdout once the runner polls; exits 0 after a graceful stop on SIGTERM.
import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { config } from "@/lib/config";
import { disconnectDb } from "@/lib/db";
import { PermanentJobError, WorkerRunner } from "@/lib/jobs";
import { shutdownTracing, startTracing } from "@/lib/observability";

const type = process.env.TEST_JOB_TYPE;
if (!type) throw new Error("TEST_JOB_TYPE is required");
const holdMs = Number(process.env.TEST_HOLD_MS ?? 0);
const runLog = process.env.TEST_RUN_LOG;
await startTracing("mlops-worker");

const workerId = process.env.TEST_WORKER_ID ?? `test-worker-${process.pid}`;
const runner = new WorkerRunner({
  id: workerId,
  leaseMs: config().JOB_LEASE_MS,
  concurrency: Number(process.env.TEST_CONCURRENCY ?? 1),
  pollMs: 100,
  handlers: {
    [type]: async (ctx) => {
      if (runLog) appendFileSync(runLog, `${ctx.job.id} ${workerId}\n`);
      await ctx.progress(0.1, `running on ${workerId}`);
      if (holdMs > 0 && ctx.job.attempts === 1) await sleep(holdMs, undefined, { signal: ctx.signal });
      const fail = (ctx.job.payload as { fail?: unknown } | null)?.fail;
      if (typeof fail === "string") throw new PermanentJobError(fail);
      // What this attempt saw: tests check that a retry knows why the previous attempt ended.
      return { workerId, attempt: ctx.job.attempts, previousError: ctx.job.error };
    },
  },
});

await runner.start();
process.stdout.write("ready\n");

process.on("SIGTERM", async () => {
  await runner.stop(1_000);
  await disconnectDb();
  await shutdownTracing();
  process.exit(0);
});
