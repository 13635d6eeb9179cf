// REST operations of pipelines, for the OpenAPI document (the routes validate with the same schemas).
import { z } from "zod";
import type { ApiOperation } from "../http";
import { createPipelineInput, updatePipelineInput } from "./definition";

export const pipelinesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const runPipelineInput = z
  .object({ reason: z.string().trim().max(500).optional() })
  .strict()
  .default({});

export const pipelinesApi: ApiOperation[] = [
  { method: "get", path: "/api/v1/pipelines", tag: "Pipelines", role: "viewer", summary: "List pipelines with their newest run", query: pipelinesQuery },
  { method: "post", path: "/api/v1/pipelines", tag: "Pipelines", role: "editor", summary: "Create a pipeline (definition, cron schedule, triggers)", body: createPipelineInput, status: 201 },
  { method: "get", path: "/api/v1/pipelines/{id}", tag: "Pipelines", role: "viewer", summary: "A pipeline by id or name" },
  { method: "patch", path: "/api/v1/pipelines/{id}", tag: "Pipelines", role: "editor", summary: "Change a pipeline's definition, schedule, triggers or enabled flag", body: updatePipelineInput },
  { method: "delete", path: "/api/v1/pipelines/{id}", tag: "Pipelines", role: "editor", summary: "Delete a pipeline and its run history" },
  { method: "post", path: "/api/v1/pipelines/{id}/run", tag: "Pipelines", role: "editor", summary: "Run the pipeline now; 202 {pipeline_run, job_id}", body: runPipelineInput, status: 202 },
  { method: "get", path: "/api/v1/pipelines/{id}/runs", tag: "Pipelines", role: "viewer", summary: "The pipeline's run history, newest first", query: pipelinesQuery },
];
