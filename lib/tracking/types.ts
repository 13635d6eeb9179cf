// The tracking domain as plain objects: ids are strings, times are epoch milliseconds (as MLflow),
// metric values are JS numbers including NaN and ±Infinity.

export const RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_STATUSES: readonly RunStatus[] = ["FINISHED", "FAILED", "KILLED"];

export type LifecycleStage = "active" | "deleted";
/** Which lifecycle stages a listing returns. */
export type ViewType = "active" | "deleted" | "all";

export const DEFAULT_EXPERIMENT_ID = "0";
export const DEFAULT_EXPERIMENT_NAME = "Default";

export interface Experiment {
  id: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  createdAt: number;
  lastUpdateTime: number;
  tags: Record<string, string>;
}

export interface RunInfo {
  id: string;
  experimentId: string;
  name: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: LifecycleStage;
  userId: string | null;
  parentRunId: string | null;
  datasetVersionId: string | null;
  codeVersion: string | null;
  artifactUri: string;
}

export interface MetricValue {
  value: number;
  step: number;
  timestamp: number;
}

export interface MetricPoint extends MetricValue {
  key: string;
}

/** A point a run logged for a logged model too (MLflow 3: a metric with `model_id`). */
export interface ModelMetricPoint extends MetricPoint {
  modelId: string;
  datasetName: string | null;
  datasetDigest: string | null;
}

/** A run with its params, tags and the latest value of each metric. */
export interface Run extends RunInfo {
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, MetricValue>;
}

export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

export interface RunLineage {
  run: RunInfo;
  experiment: { id: string; name: string };
  parentRun: { id: string; name: string } | null;
  datasetVersion: {
    id: string;
    datasetId: string;
    datasetName: string;
    version: number;
    sha256: string;
    rowCount: number;
    columnCount: number;
  } | null;
  codeVersion: string | null;
}
