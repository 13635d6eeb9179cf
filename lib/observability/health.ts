import { db, dbKind, migrationStatus } from "../db";
import { jobCounts } from "../jobs";
import { refreshDbGauges, WORKER_ALIVE_MS } from "./db-gauges";
import { metrics } from "./metrics";
import { untraced } from "./tracing";

export interface Readiness {
  status: "ready" | "not_ready";
  database: { kind: string; reachable: boolean; migrated: boolean; pending?: string[]; error?: string };
  /** For `npm run health` and people; never part of the ready/not-ready decision. */
  queue?: QueueSummary;
  workers?: { alive: number; lastHeartbeatAt: string | null };
}

export interface QueueSummary {
  /** Jobs waiting whose run time has come (scheduled retries and future runs not counted). */
  due: number;
  queued: number;
  running: number;
  dead: number;
  /** How long the oldest due job has waited, in seconds (0 when none). */
  oldestDueSeconds: number;
}

async function queueSummary(): Promise<QueueSummary> {
  const now = new Date();
  const [counts, due, oldest] = await Promise.all([
    jobCounts(),
    db().job.count({ where: { state: "queued", runAt: { lte: now } } }),
    db().job.findFirst({ where: { state: "queued", runAt: { lte: now } }, orderBy: { runAt: "asc" }, select: { runAt: true } }),
  ]);
  const sum = (state: string) => counts.filter((c) => c.state === state).reduce((n, c) => n + c.count, 0);
  return {
    due,
    queued: sum("queued"),
    running: sum("running"),
    dead: sum("dead"),
    oldestDueSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.runAt.getTime()) / 1000)) : 0,
  };
}

/** Queue and worker figures for the readiness report; absent when the database cannot give them. */
async function operations(): Promise<Pick<Readiness, "queue" | "workers">> {
  try {
    const [queue, beats] = await Promise.all([queueSummary(), workerHeartbeats()]);
    return { queue, workers: { alive: beats.filter((b) => b.alive).length, lastHeartbeatAt: beats[0]?.heartbeatAt ?? null } };
  } catch {
    return {};
  }
}

/** Probes run every few seconds: their queries are not traced. */
export function readiness(): Promise<Readiness> {
  return untraced(checkReadiness);
}

async function checkReadiness(): Promise<Readiness> {
  const kind = dbKind();
  try {
    const m = await migrationStatus();
    return {
      status: m.ok ? "ready" : "not_ready",
      database: { kind, reachable: true, migrated: m.ok, ...(m.ok ? {} : { pending: m.pending }) },
      ...(m.ok ? await operations() : {}),
    };
  } catch (err) {
    return { status: "not_ready", database: { kind, reachable: false, migrated: false, error: (err as Error).message.slice(0, 300) } };
  }
}

/** Refreshes the database gauges (queue, workers, drift; cached briefly), then renders every metric. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  const m = metrics();
  try {
    await untraced(() => refreshDbGauges());
  } catch {
    // The database being down must not take the metrics endpoint with it: the last values stay.
  }
  return { contentType: m.registry.contentType, body: await m.registry.metrics() };
}

export async function workerHeartbeats(): Promise<{ id: string; heartbeatAt: string; alive: boolean }[]> {
  const rows = await db().worker.findMany({ where: { stoppedAt: null }, orderBy: { heartbeatAt: "desc" }, take: 50 });
  const now = Date.now();
  return rows.map((w) => ({ id: w.id, heartbeatAt: w.heartbeatAt.toISOString(), alive: now - w.heartbeatAt.getTime() < WORKER_ALIVE_MS }));
}
