import { db, dbKind, migrationStatus } from "../db";
import { jobCounts } from "../jobs";
import { metrics } from "./metrics";

export interface Readiness {
  status: "ready" | "not_ready";
  database: { kind: string; reachable: boolean; migrated: boolean; pending?: string[]; error?: string };
}

export async function readiness(): Promise<Readiness> {
  const kind = dbKind();
  try {
    const m = await migrationStatus();
    return {
      status: m.ok ? "ready" : "not_ready",
      database: { kind, reachable: true, migrated: m.ok, ...(m.ok ? {} : { pending: m.pending }) },
    };
  } catch (err) {
    return { status: "not_ready", database: { kind, reachable: false, migrated: false, error: (err as Error).message.slice(0, 300) } };
  }
}

/** Refreshes the queue gauges from the database, then renders every metric. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  const m = metrics();
  try {
    const counts = await jobCounts();
    m.jobs.reset();
    for (const c of counts) m.jobs.set({ type: c.type, state: c.state }, c.count);
  } catch {
    // The database being down must not take the metrics endpoint with it.
  }
  return { contentType: m.registry.contentType, body: await m.registry.metrics() };
}

export async function workerHeartbeats(): Promise<{ id: string; heartbeatAt: string; alive: boolean }[]> {
  const rows = await db().worker.findMany({ where: { stoppedAt: null }, orderBy: { heartbeatAt: "desc" }, take: 50 });
  const now = Date.now();
  return rows.map((w) => ({ id: w.id, heartbeatAt: w.heartbeatAt.toISOString(), alive: now - w.heartbeatAt.getTime() < 60_000 }));
}
