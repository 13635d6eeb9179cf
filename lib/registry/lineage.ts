import { db } from "../db";
import { getRunLineage } from "../tracking";
import { toModelVersion } from "./rows";
import { requireVersion } from "./versions";
import type { ModelVersionLineage } from "./types";

/** Where a model version came from: version → run → dataset version → code version. */
export async function getModelVersionLineage(name: string, version: number | string): Promise<ModelVersionLineage> {
  const mv = toModelVersion((await requireVersion(db(), name, version)).row);
  const lineage = mv.runId ? await getRunLineage(mv.runId).catch(() => null) : null;
  return {
    modelVersion: mv,
    run: lineage
      ? {
          id: lineage.run.id,
          name: lineage.run.name,
          status: lineage.run.status,
          experimentId: lineage.experiment.id,
          experimentName: lineage.experiment.name,
          startTime: lineage.run.startTime,
          endTime: lineage.run.endTime,
        }
      : null,
    datasetVersion: lineage?.datasetVersion ?? null,
    codeVersion: lineage?.codeVersion ?? null,
  };
}
