// The /api/v1 monitoring operations (query schemas shared with the routes), for the OpenAPI document.
import { z } from "zod";
import type { ApiOperation } from "../http";
import { monitorInputSchema } from "./config";
import { reportRequestSchema } from "./reports";

export const reportsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }).strict();

export const alertsQuery = z
  .object({
    model: z.string().trim().min(1).max(255).optional(),
    kind: z.enum(["drift", "performance", "retrain", "srm"]).optional(),
    /** true: only alerts nobody acknowledged. */
    open: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

const T = "drift";
const M = "/api/v1/models/{name}/drift";
export const monitoringApi: ApiOperation[] = [
  { method: "get", path: `${M}/monitor`, tag: T, role: "viewer", summary: "The model's monitor: schedule, report settings, webhook (secret never shown), retraining policy" },
  { method: "put", path: `${M}/monitor`, tag: T, role: "editor", summary: "Create or update the monitor; absent fields keep their value", body: monitorInputSchema },
  { method: "delete", path: `${M}/monitor`, tag: T, role: "editor", summary: "Remove the monitor (stops scheduled reports and retraining)" },
  { method: "get", path: `${M}/reports`, tag: T, role: "viewer", summary: "Drift reports of the model, newest first", query: reportsQuery },
  { method: "post", path: `${M}/reports`, tag: T, role: "editor", summary: "Queue a drift report (a job); returns the job", body: reportRequestSchema, status: 202 },
  { method: "post", path: `${M}/reports/csv`, tag: T, role: "editor", summary: "Queue a drift report over an uploaded CSV (text/csv body or multipart `file`) instead of the prediction log; ?version= picks the reference", rawBody: true, status: 202 },
  { method: "get", path: `${M}/reports/{id}`, tag: T, role: "viewer", summary: "One report with every per-column statistic, prediction and performance drift" },
  { method: "get", path: `${M}/retrainings`, tag: T, role: "viewer", summary: "Retrainings the policy triggered" },
  { method: "get", path: "/api/v1/monitors", tag: T, role: "viewer", summary: "Every model monitor" },
  { method: "get", path: "/api/v1/alerts", tag: T, role: "viewer", summary: "Alerts, newest first", query: alertsQuery },
  { method: "post", path: "/api/v1/alerts/{id}/acknowledge", tag: T, role: "editor", summary: "Acknowledge an alert" },
];
