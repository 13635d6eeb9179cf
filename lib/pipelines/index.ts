// Pipelines: saved training recipes run on demand, on a cron schedule, when their dataset gets a new
// version, or by another module (drift). See docs/pipelines.md.
export * from "./types";
export {
  createPipelineInput,
  cronSchema,
  dataSourceSchema,
  gateSchema,
  nextRunAfter,
  pipelineDefinitionSchema,
  pipelineNameSchema,
  PROMOTE_POLICIES,
  triggersSchema,
  updatePipelineInput,
  type CreatePipelineInput,
  type PipelineDefinition,
  type PipelineDefinitionInput,
  type PromotePolicy,
  type UpdatePipelineInput,
} from "./definition";
export { createPipeline, deletePipeline, getPipeline, listPipelines, updatePipeline } from "./pipelines";
export {
  evaluateGate,
  gateDirection,
  listPipelineRuns,
  PIPELINE_JOB,
  PIPELINE_SEARCH_JOB,
  pipelineJobHandler,
  pipelineSearchJobHandler,
  runPipelineNow,
  type PipelineJobResult,
  type RunPipelineOptions,
} from "./runs";
export { schedulerTick, startPipelineScheduler, type TickResult } from "./scheduler";
export { pipelinesApi, pipelinesQuery, runPipelineInput } from "./api";
