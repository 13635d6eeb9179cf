// The /api/v1/datasets operations: query schemas shared by the route handlers and the OpenAPI document.
import { z } from "zod";
import type { ApiOperation } from "../http";
import { MAX_PREVIEW_ROWS, retypeInput } from "./datasets";

export const listDatasetsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Upload fields in the query string: required for a raw CSV body, defaults for a form. */
export const uploadQuery = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    target: z.string().optional(),
    schema: z.string().optional().describe('Type overrides as JSON, e.g. {"zip": "categorical"}'),
  })
  .strict();

export const previewQuery = z.object({ rows: z.coerce.number().int().min(0).max(MAX_PREVIEW_ROWS).default(20) });

const T = "datasets";
const V = "/api/v1/datasets/{name}/versions/{version}";
export const datasetsApi: ApiOperation[] = [
  { method: "get", path: "/api/v1/datasets", tag: T, role: "viewer", summary: "List datasets with their latest version", query: listDatasetsQuery },
  {
    method: "post",
    path: "/api/v1/datasets",
    tag: T,
    role: "editor",
    summary:
      "Upload a CSV: multipart/form-data (file, name, description, target, schema) or a text/csv body with ?name=. 201 for a new version, 200 when these bytes already are one",
    query: uploadQuery,
    rawBody: true,
    status: 201,
  },
  { method: "get", path: "/api/v1/datasets/{name}", tag: T, role: "viewer", summary: "A dataset with its versions, newest first" },
  { method: "get", path: V, tag: T, role: "viewer", summary: "A version (number or 'latest') with schema, profile and validation report" },
  { method: "get", path: `${V}/preview`, tag: T, role: "viewer", summary: "The first rows of a version as written", query: previewQuery },
  { method: "get", path: `${V}/download`, tag: T, role: "viewer", summary: "The CSV bytes of a version", rawResponse: true },
  {
    method: "put",
    path: `${V}/schema`,
    tag: T,
    role: "editor",
    summary: "Set column types of a stored version (overrides of the inferred ones); the file is re-checked and profile and validation recomputed",
    body: retypeInput,
  },
];
