// Several worker processes draining one queue on PostgreSQL (FOR UPDATE SKIP LOCKED): every job must
// run exactly once. Each handler call appends "<job id> <worker id>" to a file (tests/support/test-worker.ts),
// so a job run twice or never shows up there, whatever the database says.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { db } from "@/lib/db";
import { enqueue, listJobs } from "@/lib/jobs";
import { uid } from "../../support/factories";
import { waitFor, jobType } from "../../support/wait";
import { spawnTestWorker } from "./processes";

export async function drainWithWorkers(opts: { jobs: number; workers: number; concurrency: number; timeoutMs: number }): Promise<void> {
  const type = jobType();
  const dir = mkdtempSync(join(tmpdir(), "mlops-claims-"));
  const runLog = join(dir, "runs.log");
  try {
    // A long lease: a job run again after a lease expiry is correct (at-least-once) but is not what this
    // checks, and a loaded machine can stall a process for seconds.
    const ids = Array.from({ length: opts.workers }, (_, i) => `claims-${i}-${uid()}`);
    const workers = ids.map((id) =>
      spawnTestWorker(id, type, { TEST_CONCURRENCY: String(opts.concurrency), TEST_RUN_LOG: runLog, JOB_LEASE_MS: "60000", LOG_LEVEL: "silent" }),
    );
    await Promise.all(workers.map((w) => w.printed("ready")));

    // Enqueued while the workers already poll, in bursts, so claims race with inserts too.
    const jobIds: string[] = [];
    for (let b = 0; b < opts.jobs; b += 50) {
      const n = Math.min(50, opts.jobs - b);
      jobIds.push(...(await Promise.all(Array.from({ length: n }, () => enqueue(type)))).map((j) => j.id));
    }
    await waitFor(
      () => listJobs({ type, state: "succeeded", limit: 1 }),
      (r) => r.total === opts.jobs,
      { what: `all ${opts.jobs} jobs to succeed`, timeoutMs: opts.timeoutMs, intervalMs: 250 },
    );
    for (const w of workers) w.proc.kill("SIGTERM");
    const exits = await Promise.all(workers.map((w) => w.exited));
    expect(exits, workers.map((w) => w.output()).join("\n")).toEqual(workers.map(() => ({ code: 0, signal: null })));

    // The file: each job exactly once, no unknown job.
    const lines = readFileSync(runLog, "utf8").trim().split("\n").map((l) => l.split(" "));
    const ran = lines.map(([id]) => id!);
    const counts = new Map<string, number>();
    for (const id of ran) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice, "jobs executed more than once").toEqual([]);
    expect(jobIds.filter((id) => !counts.has(id)), "jobs never executed").toEqual([]);
    expect(ran).toHaveLength(opts.jobs);

    // The database agrees: one attempt each, all succeeded, the result names the worker that ran it.
    const rows = await db().job.findMany({ where: { type }, select: { id: true, state: true, attempts: true, result: true } });
    expect(rows).toHaveLength(opts.jobs);
    expect(rows.filter((r) => r.state !== "succeeded" || r.attempts !== 1)).toEqual([]);
    const byLog = new Map(lines.map(([id, worker]) => [id!, worker!]));
    expect(rows.filter((r) => (JSON.parse(r.result ?? "{}") as { workerId?: string }).workerId !== byLog.get(r.id))).toEqual([]);
    // Every worker took part (otherwise nothing raced).
    expect(new Set(byLog.values())).toEqual(new Set(ids));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
