// The /api/v1 tracking operations, for the OpenAPI document: each names the schema its route
// handler validates with.
import { z } from "zod";
import type { ApiOperation } from "../http";
import {
  createExperimentInput,
  createRunInput,
  logBatchInput,
  metricHistoriesInput,
  metricHistoryQuery,
  searchRunsInput,
  updateExperimentInput,
  updateRunInput,
  viewSchema,
} from "./schemas";

export const experimentsQuery = z.object({
  view: viewSchema.default("active"),
  filter: z.string().max(10_000).default(""),
  max_results: z.coerce.number().int().min(1).max(1000).default(100),
  page_token: z.string().max(500).optional(),
});

export const artifactListQuery = z.object({
  path: z.string().max(1024).default(""),
  recursive: z.enum(["true", "false"]).default("false"),
});

const T = "tracking";
export const trackingApi: ApiOperation[] = [
  { method: "get", path: "/api/v1/experiments", tag: T, role: "viewer", summary: "List experiments (filter: name LIKE 'x%' and tags.k = 'v')", query: experimentsQuery },
  { method: "post", path: "/api/v1/experiments", tag: T, role: "editor", summary: "Create an experiment", body: createExperimentInput, status: 201 },
  { method: "get", path: "/api/v1/experiments/{id}", tag: T, role: "viewer", summary: "Get an experiment" },
  { method: "patch", path: "/api/v1/experiments/{id}", tag: T, role: "editor", summary: "Rename an experiment and/or set tags", body: updateExperimentInput },
  { method: "delete", path: "/api/v1/experiments/{id}", tag: T, role: "editor", summary: "Archive an experiment and its runs" },
  { method: "post", path: "/api/v1/experiments/{id}/restore", tag: T, role: "editor", summary: "Restore an archived experiment" },
  { method: "post", path: "/api/v1/runs", tag: T, role: "editor", summary: "Create a run (a name is generated when none is given)", body: createRunInput, status: 201 },
  { method: "post", path: "/api/v1/runs/search", tag: T, role: "viewer", summary: "Search runs with the filter language, order by and page tokens", body: searchRunsInput },
  { method: "get", path: "/api/v1/runs/{id}", tag: T, role: "viewer", summary: "Get a run with params, tags and latest metrics" },
  { method: "patch", path: "/api/v1/runs/{id}", tag: T, role: "editor", summary: "Update name, status, end time, dataset or code version", body: updateRunInput },
  { method: "delete", path: "/api/v1/runs/{id}", tag: T, role: "editor", summary: "Archive a run" },
  { method: "post", path: "/api/v1/runs/{id}/restore", tag: T, role: "editor", summary: "Restore an archived run" },
  {
    method: "post",
    path: "/api/v1/runs/{id}/log-batch",
    tag: T,
    role: "editor",
    summary: "Log up to 1000 metrics, 100 params and 100 tags (1000 items in all) in one transaction",
    body: logBatchInput,
  },
  { method: "get", path: "/api/v1/runs/{id}/metric-history", tag: T, role: "viewer", summary: "A metric's full history, optionally downsampled (LTTB) to max_points", query: metricHistoryQuery },
  {
    method: "post",
    path: "/api/v1/runs/metric-histories",
    tag: T,
    role: "viewer",
    summary: "Histories of some metrics for up to 100 runs (compare), each sampled on the server to maxPoints (default 500)",
    body: metricHistoriesInput,
  },
  { method: "get", path: "/api/v1/runs/{id}/lineage", tag: T, role: "viewer", summary: "Experiment, parent run, dataset version and code version of a run" },
  { method: "get", path: "/api/v1/runs/{id}/artifacts", tag: T, role: "viewer", summary: "List a folder of the run's artifacts", query: artifactListQuery },
  { method: "get", path: "/api/v1/runs/{id}/artifacts/{path}", tag: T, role: "viewer", summary: "Download an artifact", rawResponse: true },
  { method: "put", path: "/api/v1/runs/{id}/artifacts/{path}", tag: T, role: "editor", summary: "Upload an artifact (raw body)", rawBody: true },
];
