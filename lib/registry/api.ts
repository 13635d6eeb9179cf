// The /api/v1 registry operations, for the OpenAPI document.
import { z } from "zod";
import type { ApiOperation } from "../http";
import { aliasSchema, createModelInput, createVersionInput, promoteInput, setAliasInput, transitionInput, updateModelInput, updateVersionInput } from "./schemas";

export const modelsQuery = z.object({
  filter: z.string().max(10_000).default(""),
  max_results: z.coerce.number().int().min(1).max(1000).default(100),
  page_token: z.string().max(500).optional(),
});

export const promotionsQuery = z.object({ alias: aliasSchema.default("champion"), limit: z.coerce.number().int().min(1).max(500).default(50) });

export const rollbackInput = z.object({ alias: aliasSchema.default("champion"), reason: z.string().trim().max(2000).optional() }).strict();

const R = "registry";
const M = "/api/v1/models/{name}";
export const registryApi: ApiOperation[] = [
  { method: "get", path: "/api/v1/models", tag: R, role: "viewer", summary: "List registered models (filter: name LIKE 'x%' and tags.k = 'v')", query: modelsQuery },
  { method: "post", path: "/api/v1/models", tag: R, role: "editor", summary: "Register a model name", body: createModelInput, status: 201 },
  { method: "get", path: M, tag: R, role: "viewer", summary: "Get a registered model with its aliases and latest versions" },
  { method: "patch", path: M, tag: R, role: "editor", summary: "Rename, describe or tag a model", body: updateModelInput },
  { method: "delete", path: M, tag: R, role: "editor", summary: "Delete a model with its versions" },
  { method: "get", path: `${M}/versions`, tag: R, role: "viewer", summary: "List versions, newest first" },
  { method: "post", path: `${M}/versions`, tag: R, role: "editor", summary: "Create the next version (READY at once)", body: createVersionInput, status: 201 },
  { method: "get", path: `${M}/versions/{version}`, tag: R, role: "viewer", summary: "Get a version" },
  { method: "patch", path: `${M}/versions/{version}`, tag: R, role: "editor", summary: "Describe or tag a version", body: updateVersionInput },
  { method: "delete", path: `${M}/versions/{version}`, tag: R, role: "editor", summary: "Delete a version (and aliases on it)" },
  { method: "post", path: `${M}/versions/{version}/stage`, tag: R, role: "editor", summary: "Move a version to a legacy stage", body: transitionInput },
  { method: "get", path: `${M}/versions/{version}/lineage`, tag: R, role: "viewer", summary: "Version → run → dataset version → code version" },
  { method: "get", path: `${M}/aliases/{alias}`, tag: R, role: "viewer", summary: "The version an alias names" },
  { method: "put", path: `${M}/aliases/{alias}`, tag: R, role: "editor", summary: "Point an alias at a version", body: setAliasInput },
  { method: "delete", path: `${M}/aliases/{alias}`, tag: R, role: "editor", summary: "Remove an alias" },
  { method: "post", path: `${M}/promote`, tag: R, role: "editor", summary: "Promote a version: move an alias (default champion) in one audited transaction", body: promoteInput },
  { method: "post", path: `${M}/rollback`, tag: R, role: "editor", summary: "Promote the version an alias named before its last promotion", body: rollbackInput },
  { method: "get", path: `${M}/promotions`, tag: R, role: "viewer", summary: "Promotion history of an alias (from the audit log)", query: promotionsQuery },
];
