// Read-only summaries for the dashboard's overview and list pages. Plain objects only, so pages
// never see Prisma types; the full views of each domain live in that domain's own module.
import { db } from "../db";

const LIST_LIMIT = 200;

/** Tracking and registry store MLflow-style epoch milliseconds as BigInt. */
function msToIso(ms: bigint | number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  const n = Number(ms);
  return Number.isFinite(n) ? new Date(n).toISOString() : null;
}

function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

export interface OverviewCounts {
  experiments: number;
  runs: number;
  models: number;
  datasets: number;
  jobsQueued: number;
  jobsRunning: number;
  activeApiKeys: number;
  driftReports: number;
}

export async function overviewCounts(): Promise<OverviewCounts> {
  const d = db();
  const [experiments, runs, models, datasets, jobsQueued, jobsRunning, activeApiKeys, driftReports] = await Promise.all([
    d.experiment.count({ where: { lifecycleStage: "active" } }),
    d.run.count({ where: { lifecycleStage: "active" } }),
    d.registeredModel.count(),
    d.dataset.count(),
    d.job.count({ where: { state: "queued" } }),
    d.job.count({ where: { state: "running" } }),
    d.apiKey.count({ where: { revokedAt: null } }),
    d.driftReport.count(),
  ]);
  return { experiments, runs, models, datasets, jobsQueued, jobsRunning, activeApiKeys, driftReports };
}

export interface ExperimentBrief {
  id: string;
  name: string;
  lifecycleStage: string;
  runCount: number;
  createdAt: string | null;
  lastUpdateTime: string | null;
}

export async function listExperimentsBrief(): Promise<ExperimentBrief[]> {
  const rows = await db().experiment.findMany({
    where: { lifecycleStage: "active" },
    orderBy: { lastUpdateTime: "desc" },
    take: LIST_LIMIT,
    select: {
      id: true,
      name: true,
      lifecycleStage: true,
      createdAt: true,
      lastUpdateTime: true,
      _count: { select: { runs: { where: { lifecycleStage: "active" } } } },
    },
  });
  return rows.map((r) => ({
    id: String(r.id),
    name: r.name,
    lifecycleStage: r.lifecycleStage,
    runCount: r._count.runs,
    createdAt: msToIso(r.createdAt),
    lastUpdateTime: msToIso(r.lastUpdateTime),
  }));
}

export interface ModelBrief {
  id: string;
  name: string;
  description: string | null;
  versionCount: number;
  latestVersion: number | null;
  aliases: { alias: string; version: number }[];
  updatedAt: string | null;
}

export async function listModelsBrief(): Promise<ModelBrief[]> {
  const rows = await db().registeredModel.findMany({
    orderBy: { updatedAt: "desc" },
    take: LIST_LIMIT,
    select: {
      id: true,
      name: true,
      description: true,
      updatedAt: true,
      _count: { select: { versions: true } },
      versions: { orderBy: { version: "desc" }, take: 1, select: { version: true } },
      aliases: { orderBy: { alias: "asc" }, select: { alias: true, version: { select: { version: true } } } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    versionCount: r._count.versions,
    latestVersion: r.versions[0]?.version ?? null,
    aliases: r.aliases.map((a) => ({ alias: a.alias, version: a.version.version })),
    updatedAt: msToIso(r.updatedAt),
  }));
}

export interface AbTestBrief {
  id: string;
  name: string;
  modelName: string;
  state: string;
  metricKind: string;
  arms: { name: string; version: number; weight: number; isShadow: boolean }[];
  winnerArm: string | null;
  createdAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
}

export async function listAbTestsBrief(): Promise<AbTestBrief[]> {
  const rows = await db().abTest.findMany({
    orderBy: { createdAt: "desc" },
    take: LIST_LIMIT,
    select: {
      id: true,
      name: true,
      state: true,
      metricKind: true,
      winnerArm: true,
      createdAt: true,
      startedAt: true,
      stoppedAt: true,
      model: { select: { name: true } },
      arms: {
        orderBy: { name: "asc" },
        select: { name: true, weight: true, isShadow: true, version: { select: { version: true } } },
      },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    modelName: r.model.name,
    state: r.state,
    metricKind: r.metricKind,
    arms: r.arms.map((a) => ({ name: a.name, version: a.version.version, weight: a.weight, isShadow: a.isShadow })),
    winnerArm: r.winnerArm,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    stoppedAt: iso(r.stoppedAt),
  }));
}

export interface DriftReportBrief {
  id: string;
  modelName: string | null;
  version: number | null;
  nReference: number;
  nCurrent: number;
  shareDrifted: number;
  datasetDrift: boolean;
  windowStart: string | null;
  windowEnd: string | null;
  createdAt: string;
}

export async function listDriftReportsBrief(): Promise<DriftReportBrief[]> {
  const d = db();
  // DriftReport keeps plain ids (reports outlive deleted versions), so names are looked up apart.
  const rows = await d.driftReport.findMany({
    orderBy: { createdAt: "desc" },
    take: LIST_LIMIT,
    select: {
      id: true,
      modelId: true,
      versionId: true,
      nReference: true,
      nCurrent: true,
      shareDrifted: true,
      datasetDrift: true,
      windowStart: true,
      windowEnd: true,
      createdAt: true,
    },
  });
  const modelIds = [...new Set(rows.map((r) => r.modelId))];
  const versionIds = [...new Set(rows.flatMap((r) => (r.versionId ? [r.versionId] : [])))];
  const [models, versions] = await Promise.all([
    modelIds.length ? d.registeredModel.findMany({ where: { id: { in: modelIds } }, select: { id: true, name: true } }) : [],
    versionIds.length
      ? d.modelVersion.findMany({ where: { id: { in: versionIds } }, select: { id: true, version: true } })
      : [],
  ]);
  const modelName = new Map(models.map((m) => [m.id, m.name]));
  const versionNo = new Map(versions.map((v) => [v.id, v.version]));
  return rows.map((r) => ({
    id: r.id,
    modelName: modelName.get(r.modelId) ?? null,
    version: r.versionId ? (versionNo.get(r.versionId) ?? null) : null,
    nReference: r.nReference,
    nCurrent: r.nCurrent,
    shareDrifted: r.shareDrifted,
    datasetDrift: r.datasetDrift,
    windowStart: iso(r.windowStart),
    windowEnd: iso(r.windowEnd),
    createdAt: r.createdAt.toISOString(),
  }));
}

export interface DatasetBrief {
  id: string;
  name: string;
  description: string | null;
  versionCount: number;
  latest: { version: number; rowCount: number; columnCount: number; sizeBytes: number; createdAt: string } | null;
  createdAt: string;
}

export async function listDatasetsBrief(): Promise<DatasetBrief[]> {
  const rows = await db().dataset.findMany({
    orderBy: { createdAt: "desc" },
    take: LIST_LIMIT,
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      _count: { select: { versions: true } },
      versions: {
        orderBy: { version: "desc" },
        take: 1,
        select: { version: true, rowCount: true, columnCount: true, sizeBytes: true, createdAt: true },
      },
    },
  });
  return rows.map((r) => {
    const v = r.versions[0];
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      versionCount: r._count.versions,
      latest: v
        ? { version: v.version, rowCount: v.rowCount, columnCount: v.columnCount, sizeBytes: v.sizeBytes, createdAt: v.createdAt.toISOString() }
        : null,
      createdAt: r.createdAt.toISOString(),
    };
  });
}

/**
 * Run counts per experiment, split by lifecycle stage: an active experiment shows its active runs,
 * an archived one the runs archived with it. One grouped query, however many runs there are.
 */
export async function runCountsByExperiment(): Promise<Record<string, { active: number; deleted: number }>> {
  const rows = await db().run.groupBy({ by: ["experimentId", "lifecycleStage"], _count: { _all: true } });
  const out: Record<string, { active: number; deleted: number }> = {};
  for (const r of rows) {
    const entry = (out[String(r.experimentId)] ??= { active: 0, deleted: 0 });
    if (r.lifecycleStage === "deleted") entry.deleted += r._count._all;
    else entry.active += r._count._all;
  }
  return out;
}
