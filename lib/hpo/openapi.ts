// REST operations of studies, for the OpenAPI document (the routes validate with the same schemas).
import { z } from "zod";
import type { ApiOperation } from "@/lib/http";

export const studyListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const hpoApi: ApiOperation[] = [
  { method: "get", path: "/api/v1/studies", tag: "HPO", role: "viewer", summary: "Studies, newest first, with trial counts and best value", query: studyListQuery },
  { method: "get", path: "/api/v1/studies/{id}", tag: "HPO", role: "viewer", summary: "A study with every trial (params, value, intermediate values) and parameter importance" },
  { method: "get", path: "/api/v1/studies/{id}/trials", tag: "HPO", role: "viewer", summary: "The trials of a study" },
  { method: "post", path: "/api/v1/studies/{id}/stop", tag: "HPO", role: "editor", summary: "Stop a running study: queued trials are cancelled, running ones finish" },
];
