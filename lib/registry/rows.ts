import { parseJson } from "../db";
import type { ModelVersion, ModelVersionStatus, RegisteredModel, Stage } from "./types";

type Big = bigint | number;

export const VERSION_INCLUDE = { tags: true, aliases: { select: { alias: true } }, model: { select: { name: true } } } as const;
export const MODEL_INCLUDE = { tags: true, aliases: { include: { version: { select: { version: true } } } } } as const;

export interface VersionRow {
  id: string;
  version: number;
  runId: string | null;
  source: string;
  loggedModelId: string | null;
  signature: string | null;
  status: string;
  stage: string;
  description: string | null;
  createdById: string | null;
  createdAt: Big;
  updatedAt: Big;
  tags: { key: string; value: string }[];
  aliases: { alias: string }[];
  model: { name: string };
}

export interface ModelRow {
  id: string;
  name: string;
  description: string | null;
  createdAt: Big;
  updatedAt: Big;
  tags: { key: string; value: string }[];
  aliases: { alias: string; version: { version: number } }[];
}

export function toModelVersion(r: VersionRow): ModelVersion {
  return {
    id: r.id,
    modelName: r.model.name,
    version: r.version,
    runId: r.runId,
    source: r.source,
    loggedModelId: r.loggedModelId,
    signature: parseJson(r.signature, null),
    status: r.status as ModelVersionStatus,
    stage: r.stage as Stage,
    description: r.description,
    createdById: r.createdById,
    createdAt: Number(r.createdAt),
    updatedAt: Number(r.updatedAt),
    tags: Object.fromEntries(r.tags.map((t) => [t.key, t.value])),
    aliases: r.aliases.map((a) => a.alias).sort(),
  };
}

/** Newest version per stage, as MLflow's latest_versions. */
export function latestPerStage(versions: ModelVersion[]): ModelVersion[] {
  const best = new Map<string, ModelVersion>();
  for (const v of versions) {
    const b = best.get(v.stage);
    if (!b || v.version > b.version) best.set(v.stage, v);
  }
  return [...best.values()].sort((a, b) => a.version - b.version);
}

export function toRegisteredModel(r: ModelRow, versions: ModelVersion[]): RegisteredModel {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    createdAt: Number(r.createdAt),
    updatedAt: Number(r.updatedAt),
    tags: Object.fromEntries(r.tags.map((t) => [t.key, t.value])),
    aliases: Object.fromEntries(r.aliases.map((a) => [a.alias, a.version.version]).sort()),
    latestVersions: latestPerStage(versions),
  };
}
