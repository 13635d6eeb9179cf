// Database rows → domain objects. Prisma types stay in this module and the query modules.
import type { Experiment, LifecycleStage, MetricValue, Run, RunInfo, RunStatus } from "./types";

type Big = bigint | number;

export interface ExperimentRow {
  id: number;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
  createdAt: Big;
  lastUpdateTime: Big;
  tags?: { key: string; value: string }[];
}

export interface RunRow {
  id: string;
  experimentId: number;
  name: string;
  status: string;
  startTime: Big;
  endTime: Big | null;
  lifecycleStage: string;
  userId: string | null;
  parentRunId: string | null;
  datasetVersionId: string | null;
  codeVersion: string | null;
  artifactUri: string;
}

export interface MetricRow {
  key: string;
  value: number | null;
  isNan: boolean | number;
  step: Big;
  timestamp: Big;
}

export function toExperiment(r: ExperimentRow): Experiment {
  return {
    id: String(r.id),
    name: r.name,
    artifactLocation: r.artifactLocation,
    lifecycleStage: r.lifecycleStage as LifecycleStage,
    createdAt: Number(r.createdAt),
    lastUpdateTime: Number(r.lastUpdateTime),
    tags: Object.fromEntries((r.tags ?? []).map((t) => [t.key, t.value])),
  };
}

export function toRunInfo(r: RunRow): RunInfo {
  return {
    id: r.id,
    experimentId: String(r.experimentId),
    name: r.name,
    status: r.status as RunStatus,
    startTime: Number(r.startTime),
    endTime: r.endTime === null ? null : Number(r.endTime),
    lifecycleStage: r.lifecycleStage as LifecycleStage,
    userId: r.userId,
    parentRunId: r.parentRunId,
    datasetVersionId: r.datasetVersionId,
    codeVersion: r.codeVersion,
    artifactUri: r.artifactUri,
  };
}

/** NaN is stored as value null + isNan (SQLite has no NaN); ±Infinity are stored as they are. */
export function metricValueOf(r: Pick<MetricRow, "value" | "isNan">): number {
  return r.isNan === true || r.isNan === 1 || r.value === null ? NaN : r.value;
}

export function toMetricValue(r: MetricRow): MetricValue {
  return { value: metricValueOf(r), step: Number(r.step), timestamp: Number(r.timestamp) };
}

export function toRun(
  r: RunRow & { params: { key: string; value: string }[]; tags: { key: string; value: string }[]; latestMetrics: MetricRow[] },
): Run {
  return {
    ...toRunInfo(r),
    params: Object.fromEntries(r.params.map((p) => [p.key, p.value])),
    tags: Object.fromEntries(r.tags.map((t) => [t.key, t.value])),
    metrics: Object.fromEntries(r.latestMetrics.map((m) => [m.key, toMetricValue(m)])),
  };
}

export const RUN_INCLUDE = { params: true, tags: true, latestMetrics: true } as const;
