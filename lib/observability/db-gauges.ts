// Gauges read from the database at scrape time: the queue, the workers and each model's latest drift
// report. They describe the whole installation (every replica reports the same values; aggregate with
// max). Refreshed at most once per REFRESH_MS, so frequent scrapes or several Prometheus servers
// cost the database little; concurrent scrapes share one refresh.
import { db } from "../db";
import { jobCounts } from "../jobs";
import { metrics } from "./metrics";

const REFRESH_MS = 5_000;
/** A worker counts as alive while its heartbeat is younger than this (as in the readiness report). */
export const WORKER_ALIVE_MS = 60_000;

const g = globalThis as unknown as { __mlopsDbGauges?: { at: number; pending: Promise<void> | null } };

async function refresh(): Promise<void> {
  const m = metrics();
  const now = new Date();
  const [counts, oldest, alive, latest] = await Promise.all([
    jobCounts(),
    db().job.groupBy({ by: ["type"], where: { state: "queued", runAt: { lte: now } }, _min: { runAt: true } }),
    db().worker.count({ where: { stoppedAt: null, heartbeatAt: { gt: new Date(now.getTime() - WORKER_ALIVE_MS) } } }),
    db().driftReport.groupBy({ by: ["modelId"], _max: { createdAt: true } }),
  ]);
  // The latest report of each model: one indexed lookup per (model, time) pair, then the names.
  const reports = latest.length
    ? await db().driftReport.findMany({
        where: { OR: latest.filter((l) => l._max.createdAt).map((l) => ({ modelId: l.modelId, createdAt: l._max.createdAt! })) },
        select: { modelId: true, shareDrifted: true, datasetDrift: true, createdAt: true },
      })
    : [];
  const names = reports.length
    ? new Map((await db().registeredModel.findMany({ where: { id: { in: reports.map((r) => r.modelId) } }, select: { id: true, name: true } })).map((r) => [r.id, r.name]))
    : new Map<string, string>();

  m.jobs.reset();
  for (const c of counts) m.jobs.set({ type: c.type, state: c.state }, c.count);
  m.jobOldestDue.reset();
  for (const o of oldest) if (o._min.runAt) m.jobOldestDue.set({ type: o.type }, Math.max(0, (now.getTime() - o._min.runAt.getTime()) / 1000));
  m.workersAlive.set(alive);
  m.driftShare.reset();
  m.driftDetected.reset();
  m.driftReportTime.reset();
  for (const r of reports) {
    const model = names.get(r.modelId);
    if (!model) continue; // the model was deleted; its reports stay until retention removes them
    m.driftShare.set({ model }, r.shareDrifted);
    m.driftDetected.set({ model }, r.datasetDrift ? 1 : 0);
    m.driftReportTime.set({ model }, r.createdAt.getTime() / 1000);
  }
}

/** Refreshes the database gauges unless they are fresher than REFRESH_MS (`force` for tests). */
export async function refreshDbGauges(force = false): Promise<void> {
  const s = (g.__mlopsDbGauges ??= { at: 0, pending: null });
  if (s.pending) return s.pending;
  if (!force && Date.now() - s.at < REFRESH_MS) return;
  s.pending = refresh()
    .then(() => {
      s.at = Date.now();
    })
    .finally(() => {
      s.pending = null;
    });
  return s.pending;
}
