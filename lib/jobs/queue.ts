// The database-backed job queue. Claims are atomic: PostgreSQL locks the row with
// FOR UPDATE SKIP LOCKED; SQLite has one writer and a compare-and-set on the state.
import { config } from "../config";
import { db, dbKind, newId, parseJson, transaction, type Db } from "../db";
import { conflict, invalid, notFound } from "../errors";
import type { EnqueueOptions, JobInfo, JobState } from "./types";

const BACKOFF_MAX_MS = 5 * 60_000;

type JobRow = Awaited<ReturnType<Db["job"]["findUniqueOrThrow"]>>;

export function toJobInfo(r: JobRow): JobInfo {
  return {
    id: r.id,
    type: r.type,
    payload: parseJson(r.payload, {}),
    state: r.state as JobState,
    priority: r.priority,
    runAt: r.runAt.toISOString(),
    attempts: r.attempts,
    maxAttempts: r.maxAttempts,
    lockedBy: r.lockedBy,
    leaseUntil: r.leaseUntil?.toISOString() ?? null,
    progress: r.progress,
    progressMessage: r.progressMessage,
    result: parseJson(r.result, null),
    error: r.error,
    cancelRequested: r.cancelRequested,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

/** Wait before attempt `attempts + 1`: JOB_RETRY_BACKOFF_MS (2 s), doubling per attempt, at most 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(config().JOB_RETRY_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

export async function enqueue(type: string, payload: unknown = {}, opts: EnqueueOptions = {}): Promise<JobInfo> {
  if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(type)) throw invalid(`Job type '${type}' is not a valid name`);
  const maxAttempts = opts.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw invalid("maxAttempts is a whole number from 1 to 100");
  }
  const row = await db().job.create({
    data: {
      id: newId(),
      type,
      payload: JSON.stringify(payload ?? {}),
      priority: opts.priority ?? 0,
      runAt: opts.runAt ?? new Date(),
      maxAttempts,
      createdById: opts.createdById ?? null,
    },
  });
  return toJobInfo(row);
}

export async function getJob(id: string): Promise<JobInfo> {
  const row = await db().job.findUnique({ where: { id } });
  if (!row) throw notFound("Job", id);
  return toJobInfo(row);
}

export async function listJobs(
  opts: { state?: JobState; type?: string; limit?: number; offset?: number } = {},
): Promise<{ jobs: JobInfo[]; total: number }> {
  const where = { state: opts.state, type: opts.type };
  const [rows, total] = await Promise.all([
    db().job.findMany({
      where,
      orderBy: { createdAt: "desc" },
      take: Math.min(Math.max(opts.limit ?? 50, 1), 500),
      skip: Math.max(opts.offset ?? 0, 0),
    }),
    db().job.count({ where }),
  ]);
  return { jobs: rows.map(toJobInfo), total };
}

/** Counts by type and state (queue depth for health checks and metrics). */
export async function jobCounts(): Promise<{ type: string; state: JobState; count: number }[]> {
  const rows = await db().job.groupBy({ by: ["type", "state"], _count: { _all: true } });
  return rows.map((r) => ({ type: r.type, state: r.state as JobState, count: r._count._all }));
}

/**
 * Atomically takes the next due job for `workerId` and leases it for `leaseMs`.
 * Returns null when nothing is due.
 */
export async function claim(workerId: string, opts: { leaseMs: number; types?: string[] }): Promise<JobInfo | null> {
  // An empty list means "no type I can run" (both databases), not "any type".
  if (opts.types && opts.types.length === 0) return null;
  const now = new Date();
  const lease = new Date(now.getTime() + opts.leaseMs);
  const running = {
    state: "running",
    lockedBy: workerId,
    leaseUntil: lease,
    heartbeatAt: now,
    startedAt: now,
    attempts: { increment: 1 },
    cancelRequested: false,
    // A retry starts from zero: the progress a dead attempt reported is not this attempt's.
    progress: 0,
    progressMessage: null,
  } as const;

  if (dbKind() === "postgres") {
    return transaction(async (tx) => {
      const types = opts.types ?? [];
      const typeFilter = types.length ? `AND "type" IN (${types.map((_, i) => `$${i + 2}`).join(", ")})` : "";
      const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
        `SELECT "id" FROM "Job" WHERE "state" = 'queued' AND "runAt" <= $1::timestamp ${typeFilter}
         ORDER BY "priority" DESC, "runAt" ASC, "createdAt" ASC LIMIT 1 FOR UPDATE SKIP LOCKED`,
        now.toISOString(),
        ...types,
      );
      if (!rows[0]) return null;
      return toJobInfo(await tx.job.update({ where: { id: rows[0].id }, data: running }));
    });
  }

  // SQLite: pick a candidate, then take it only if it is still queued (one writer at a time).
  for (let i = 0; i < 10; i++) {
    const candidate = await db().job.findFirst({
      where: { state: "queued", runAt: { lte: now }, type: opts.types ? { in: opts.types } : undefined },
      orderBy: [{ priority: "desc" }, { runAt: "asc" }, { createdAt: "asc" }],
      select: { id: true },
    });
    if (!candidate) return null;
    const { count } = await db().job.updateMany({ where: { id: candidate.id, state: "queued" }, data: running });
    if (count === 1) return getJob(candidate.id);
  }
  return null;
}

/** Extends the lease. `owned` false means another worker has the job now: stop working on it. */
export async function heartbeat(
  jobId: string,
  workerId: string,
  leaseMs: number,
): Promise<{ owned: boolean; cancelRequested: boolean }> {
  const now = new Date();
  const { count } = await db().job.updateMany({
    where: { id: jobId, lockedBy: workerId, state: "running" },
    data: { leaseUntil: new Date(now.getTime() + leaseMs), heartbeatAt: now },
  });
  if (count === 0) return { owned: false, cancelRequested: false };
  const row = await db().job.findUnique({ where: { id: jobId }, select: { cancelRequested: true } });
  return { owned: true, cancelRequested: row?.cancelRequested ?? false };
}

export async function reportProgress(jobId: string, workerId: string, fraction: number, message?: string): Promise<boolean> {
  const progress = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const { count } = await db().job.updateMany({
    where: { id: jobId, lockedBy: workerId, state: "running" },
    data: { progress, progressMessage: message?.slice(0, 500) ?? undefined },
  });
  return count === 1;
}

export async function complete(jobId: string, workerId: string, result: unknown): Promise<boolean> {
  const { count } = await db().job.updateMany({
    where: { id: jobId, lockedBy: workerId, state: "running" },
    data: {
      state: "succeeded",
      progress: 1,
      result: result === undefined ? null : JSON.stringify(result),
      error: null,
      finishedAt: new Date(),
      lockedBy: null,
      leaseUntil: null,
    },
  });
  return count === 1;
}

/** A failed attempt: back to the queue with exponential backoff, or `dead` after the last attempt. */
export async function fail(jobId: string, workerId: string, error: string, opts: { retry?: boolean } = {}): Promise<JobState | null> {
  return transaction(async (tx) => {
    const row = await tx.job.findFirst({ where: { id: jobId, lockedBy: workerId, state: "running" } });
    if (!row) return null;
    const retry = (opts.retry ?? true) && row.attempts < row.maxAttempts && !row.cancelRequested;
    const state: JobState = row.cancelRequested ? "cancelled" : retry ? "queued" : "dead";
    await tx.job.update({
      where: { id: jobId },
      data: {
        state,
        error: error.slice(0, 10_000),
        lockedBy: null,
        leaseUntil: null,
        runAt: retry ? new Date(Date.now() + backoffMs(row.attempts)) : undefined,
        finishedAt: retry ? null : new Date(),
      },
    });
    return state;
  });
}

/**
 * Gives a job back without counting the attempt (graceful worker shutdown). A job whose
 * cancellation was requested ends `cancelled` instead: claiming clears the request, so a
 * requeued job would run again as if never cancelled.
 */
export async function release(jobId: string, workerId: string): Promise<boolean> {
  const cancelled = await db().job.updateMany({
    where: { id: jobId, lockedBy: workerId, state: "running", cancelRequested: true },
    data: { state: "cancelled", lockedBy: null, leaseUntil: null, finishedAt: new Date() },
  });
  if (cancelled.count === 1) return true;
  const { count } = await db().job.updateMany({
    where: { id: jobId, lockedBy: workerId, state: "running" },
    data: { state: "queued", lockedBy: null, leaseUntil: null, attempts: { decrement: 1 }, runAt: new Date() },
  });
  return count === 1;
}

export async function markCancelled(jobId: string, workerId: string): Promise<boolean> {
  const { count } = await db().job.updateMany({
    where: { id: jobId, lockedBy: workerId, state: "running" },
    data: { state: "cancelled", lockedBy: null, leaseUntil: null, finishedAt: new Date() },
  });
  return count === 1;
}

/** Cancels a queued job at once; a running one is asked to stop and ends as `cancelled`. */
export async function cancelJob(jobId: string): Promise<JobInfo> {
  return transaction(async (tx) => {
    const row = await tx.job.findUnique({ where: { id: jobId } });
    if (!row) throw notFound("Job", jobId);
    if (row.state === "queued") {
      return toJobInfo(
        await tx.job.update({ where: { id: jobId }, data: { state: "cancelled", finishedAt: new Date() } }),
      );
    }
    if (row.state === "running") {
      return toJobInfo(await tx.job.update({ where: { id: jobId }, data: { cancelRequested: true } }));
    }
    throw conflict(`Job is already ${row.state}; only queued or running jobs can be cancelled`);
  });
}

/**
 * Jobs whose lease ran out belong to a worker that died: requeue them with backoff,
 * or mark them dead when they have used all attempts. Returns how many were touched.
 */
export async function reapExpiredLeases(now = new Date()): Promise<number> {
  const expired = await db().job.findMany({
    where: { state: "running", leaseUntil: { lt: now } },
    select: { id: true, attempts: true, maxAttempts: true, lockedBy: true, cancelRequested: true },
    take: 100,
  });
  let n = 0;
  for (const j of expired) {
    const retry = j.attempts < j.maxAttempts && !j.cancelRequested;
    const { count } = await db().job.updateMany({
      // Guarded on the same owner and an expired lease, so a late heartbeat wins over the reaper.
      where: { id: j.id, state: "running", lockedBy: j.lockedBy, leaseUntil: { lt: now } },
      data: {
        state: j.cancelRequested ? "cancelled" : retry ? "queued" : "dead",
        error: `Worker ${j.lockedBy ?? "?"} stopped responding (lease expired) during attempt ${j.attempts}`,
        lockedBy: null,
        leaseUntil: null,
        runAt: retry ? new Date(now.getTime() + backoffMs(j.attempts)) : undefined,
        finishedAt: retry ? undefined : now,
      },
    });
    n += count;
  }
  return n;
}
