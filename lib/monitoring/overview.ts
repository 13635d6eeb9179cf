// What the Drift page lists: every model that has a monitor or a report, with its latest report
// and open alerts; and a model's share of drifted columns over time.
import { db } from "../db";
import { modelByName } from "./monitors";

export interface ModelDriftSummary {
  model: string;
  monitored: boolean;
  schedule: string | null;
  retraining: boolean;
  webhook: boolean;
  reports: number;
  last: { id: string; share_drifted: number; dataset_drift: boolean; n_current: number; created_at: string } | null;
  open_alerts: number;
}

export async function driftOverview(): Promise<ModelDriftSummary[]> {
  const [monitors, reportCounts, alertCounts] = await Promise.all([
    db().modelMonitor.findMany({ select: { modelId: true, schedule: true, retrainPolicy: true, webhookUrl: true } }),
    db().driftReport.groupBy({ by: ["modelId"], _count: { _all: true }, _max: { createdAt: true } }),
    db().alert.groupBy({ by: ["modelId"], where: { acknowledgedAt: null }, _count: { _all: true } }),
  ]);
  const ids = [...new Set([...monitors.map((m) => m.modelId), ...reportCounts.map((r) => r.modelId)])];
  if (!ids.length) return [];
  const [models, lastReports] = await Promise.all([
    db().registeredModel.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }),
    db().driftReport.findMany({
      where: { OR: reportCounts.map((r) => ({ modelId: r.modelId, createdAt: r._max.createdAt! })) },
      select: { id: true, modelId: true, shareDrifted: true, datasetDrift: true, nCurrent: true, createdAt: true },
    }),
  ]);
  const monitorOf = new Map(monitors.map((m) => [m.modelId, m]));
  const countOf = new Map(reportCounts.map((r) => [r.modelId, r._count._all]));
  const alertsOf = new Map(alertCounts.map((a) => [a.modelId, a._count._all]));
  const lastOf = new Map(lastReports.map((r) => [r.modelId, r]));
  return models
    .map((m) => {
      const mon = monitorOf.get(m.id);
      const last = lastOf.get(m.id);
      let retraining = false;
      try {
        retraining = Boolean(mon && (JSON.parse(mon.retrainPolicy) as { enabled?: boolean }).enabled);
      } catch {
        retraining = false;
      }
      return {
        model: m.name,
        monitored: Boolean(mon),
        schedule: mon?.schedule ?? null,
        retraining,
        webhook: Boolean(mon?.webhookUrl),
        reports: countOf.get(m.id) ?? 0,
        last: last ? { id: last.id, share_drifted: last.shareDrifted, dataset_drift: last.datasetDrift, n_current: last.nCurrent, created_at: last.createdAt.toISOString() } : null,
        open_alerts: alertsOf.get(m.id) ?? 0,
      };
    })
    .sort((a, b) => a.model.localeCompare(b.model));
}

/** share_drifted of the model's reports, oldest first (at most `limit`, the newest). */
export async function driftHistory(name: string, limit = 200): Promise<{ id: string; at: string; share_drifted: number; dataset_drift: boolean }[]> {
  const model = await modelByName(name);
  const rows = await db().driftReport.findMany({
    where: { modelId: model.id },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: { id: true, createdAt: true, shareDrifted: true, datasetDrift: true },
  });
  return rows.reverse().map((r) => ({ id: r.id, at: r.createdAt.toISOString(), share_drifted: r.shareDrifted, dataset_drift: r.datasetDrift }));
}
