import { parseJson, type Db } from "../db";
import type { GateOutcome, PipelineRunInfo, PipelineRunState, PipelineTrigger } from "./types";

export type PipelineRunRow = NonNullable<Awaited<ReturnType<Db["pipelineRun"]["findFirst"]>>>;

export function toRunInfo(r: PipelineRunRow): PipelineRunInfo {
  return {
    id: r.id,
    pipelineId: r.pipelineId,
    jobId: r.jobId,
    trigger: r.trigger as PipelineTrigger,
    reason: r.reason,
    state: r.state as PipelineRunState,
    dataset: r.datasetLabel,
    datasetVersionId: r.datasetVersionId,
    runId: r.runId,
    testMetrics: parseJson<Record<string, number> | null>(r.testMetrics, null),
    gate: parseJson<GateOutcome | null>(r.gate, null),
    modelVersion: r.modelName && r.modelVersion !== null ? { name: r.modelName, version: r.modelVersion, alias: r.alias } : null,
    message: r.message,
    createdById: r.createdById,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}
