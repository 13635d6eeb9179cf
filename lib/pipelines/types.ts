import type { PipelineDefinition } from "./definition";

export const PIPELINE_RUN_STATES = ["queued", "running", "succeeded", "gated", "failed", "cancelled"] as const;
export type PipelineRunState = (typeof PIPELINE_RUN_STATES)[number];

export const PIPELINE_TRIGGERS = ["manual", "schedule", "dataset", "api"] as const;
export type PipelineTrigger = (typeof PIPELINE_TRIGGERS)[number];

export interface PipelineRunInfo {
  id: string;
  pipelineId: string;
  jobId: string | null;
  trigger: PipelineTrigger;
  reason: string | null;
  state: PipelineRunState;
  /** name:vN of the data the run trained on (known once it started). */
  dataset: string | null;
  datasetVersionId: string | null;
  runId: string | null;
  testMetrics: Record<string, number> | null;
  gate: GateOutcome | null;
  modelVersion: { name: string; version: number; alias: string | null } | null;
  message: string | null;
  createdById: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface GateOutcome {
  metric: string;
  min: number | null;
  max: number | null;
  value: number | null;
  passed: boolean;
}

export interface PipelineInfo {
  id: string;
  name: string;
  definition: PipelineDefinition;
  schedule: string | null;
  triggers: { onNewDatasetVersion: boolean };
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  datasetVersionSeen: number | null;
  createdById: string | null;
  createdAt: string;
  updatedAt: string;
  lastRun: PipelineRunInfo | null;
}

/** A run with a search step: the study behind it (its result is the refit of the best trial). */
export interface PipelineSearchSummary {
  study_id: string;
  parent_run_id: string;
  trials: number;
  best_trial: { family: string; number: number; value: number };
}
