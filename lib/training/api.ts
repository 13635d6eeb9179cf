// REST operations of training, for the OpenAPI document (the route validates with the same schema).
import type { ApiOperation } from "../http";
import { trainJobSpecSchema } from "./spec";

export const trainingApi: ApiOperation[] = [
  {
    method: "post",
    path: "/api/v1/training-runs",
    tag: "Training",
    role: "editor",
    summary: "Queue a training job on a dataset version; 202 {job_id}. Poll /api/v1/jobs/{job_id}: its result has run_id and model_version",
    body: trainJobSpecSchema,
    status: 202,
  },
];
