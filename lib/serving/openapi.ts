// Serving operations for the OpenAPI document. The predict routes are answered on the fast path and
// check their bodies by hand (no schema library on the hot path); these schemas describe the same shapes.
import { z } from "zod";
import type { ApiOperation } from "../http";
import { predictionRetentionInput } from "../jobs";
import { feedbackInput } from "./feedback";

const instance = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]);

export const predictBody = z.object({
  instances: z.array(instance).min(1).describe("rows as objects keyed by feature, or arrays in schema order"),
  unit_id: z.string().optional().describe("sticky A/B assignment and feedback by unit"),
});

const v2Body = z.object({
  id: z.string().optional(),
  inputs: z.array(
    z.object({ name: z.string(), shape: z.array(z.number().int()), datatype: z.string(), data: z.array(z.unknown()) }),
  ),
});

const selectQuery = z.object({
  alias: z.string().optional().describe("serve the version behind this alias (default champion, or the A/B arm)"),
  version: z.string().optional().describe("serve this version number"),
});

const tag = "Serving";
export const servingApi: ApiOperation[] = [
  { method: "post", path: "/api/v1/models/{name}/predict", tag, role: "viewer", summary: "Predict with the champion (or ?alias= / ?version=, or the A/B arm); API key or session", query: selectQuery, body: predictBody },
  { method: "post", path: "/v1/models/{name}:predict", tag, role: "viewer", summary: "KServe V1 predict: {instances} → {predictions}", body: predictBody.pick({ instances: true }) },
  { method: "post", path: "/v2/models/{name}/infer", tag, role: "viewer", summary: "Open Inference Protocol V2 inference", body: v2Body },
  { method: "get", path: "/v2/models/{name}", tag, role: "viewer", summary: "Open Inference Protocol V2 model metadata (inputs, outputs, versions)" },
  { method: "get", path: "/v2/models/{name}/ready", tag, role: "viewer", summary: "Open Inference Protocol V2 model readiness" },
  { method: "get", path: "/api/v1/models/{name}/batch-predictions", tag, role: "viewer", summary: "Batch scorings of a model, newest first" },
  { method: "post", path: "/api/v1/models/{name}/batch-predictions", tag, role: "editor", summary: "Upload a CSV (text/csv body or multipart `file`) to score as a job; 202 with the batch", query: selectQuery, rawBody: true, status: 202 },
  { method: "get", path: "/api/v1/models/{name}/batch-predictions/{id}", tag, role: "viewer", summary: "A batch scoring: state, progress, rows" },
  { method: "get", path: "/api/v1/models/{name}/batch-predictions/{id}/download", tag, role: "viewer", summary: "The predictions CSV (streamed)", rawResponse: true },
  { method: "post", path: "/api/v1/predictions/feedback", tag, role: "viewer", summary: "Record the outcome of a prediction (by prediction_id or unit_id)", body: feedbackInput, status: 201 },
  { method: "get", path: "/api/v1/settings/prediction-retention", tag, role: "viewer", summary: "How many days predictions and their feedback are kept: {days, source, updatedAt}" },
  { method: "put", path: "/api/v1/settings/prediction-retention", tag, role: "admin", summary: "Set the prediction log's retention in days; the daily cleanup job deletes older predictions and feedback (audited)", body: predictionRetentionInput },
];
