export const STAGES = ["None", "Staging", "Production", "Archived"] as const;
/** MLflow's legacy stages, kept for old clients; aliases are the way to point at versions. */
export type Stage = (typeof STAGES)[number];
export type ModelVersionStatus = "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";

export const CHAMPION = "champion";
export const CHALLENGER = "challenger";

export interface ModelVersion {
  id: string;
  modelName: string;
  version: number;
  runId: string | null;
  source: string;
  /** The MLflow 3 logged model the version registers (its model_id, or a models:/<model_id> source). */
  loggedModelId: string | null;
  /** The feature schema, as given at registration (JSON). */
  signature: unknown;
  status: ModelVersionStatus;
  stage: Stage;
  description: string | null;
  createdById: string | null;
  createdAt: number;
  updatedAt: number;
  tags: Record<string, string>;
  aliases: string[];
}

export interface RegisteredModel {
  id: string;
  name: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  tags: Record<string, string>;
  /** alias → version number */
  aliases: Record<string, number>;
  /** Newest version per stage (MLflow's latest_versions). */
  latestVersions: ModelVersion[];
}

export interface Promotion {
  model: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number;
  /** False when the alias already pointed at that version: nothing changed, nothing audited. */
  changed: boolean;
  modelVersion: ModelVersion;
}

export interface ModelVersionLineage {
  modelVersion: ModelVersion;
  run: {
    id: string;
    name: string;
    status: string;
    experimentId: string;
    experimentName: string;
    startTime: number;
    endTime: number | null;
  } | null;
  datasetVersion: {
    id: string;
    datasetId: string;
    datasetName: string;
    version: number;
    sha256: string;
    rowCount: number;
    columnCount: number;
  } | null;
  codeVersion: string | null;
}
