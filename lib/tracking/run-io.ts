// A run's inputs and outputs as MLflow clients log them: datasets (log-inputs), logged models used
// (log-inputs) and logged models produced at a step (runs/outputs). A dataset input whose name is
// one of our datasets and whose digest names one of its versions (the SHA-256, a prefix of at least
// 8 hex characters, or the version number) is linked to that version, which becomes the run's
// dataset version when it has none yet. Every dataset input is kept as the client sent it.
import { z } from "zod";
import { requireRole, type Actor } from "../auth";
import { db, transaction, type Tx } from "../db";
import { notFound } from "../errors";
import { parseWith } from "../http";
import { requireRun } from "./runs";

export interface DatasetInputRecord {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema: string | null;
  profile: string | null;
  tags: Record<string, string>;
  /** Our dataset version when name and digest matched one. */
  datasetVersionId: string | null;
}

export interface RunIO {
  datasetInputs: DatasetInputRecord[];
  modelInputs: string[];
  modelOutputs: { modelId: string; step: number }[];
}

const str = (max: number) => z.string().max(max);
const inputTag = z.object({ key: str(250).min(1), value: str(5000) });

export const logInputsInput = z.object({
  datasets: z
    .array(
      z.object({
        tags: z.array(inputTag).max(100).default([]),
        dataset: z.object({
          name: str(500).min(1, "dataset.name is required"),
          digest: str(64).min(1, "dataset.digest is required"),
          source_type: str(500).default(""),
          source: str(65_535).default(""),
          schema: str(1_048_576).optional(),
          profile: str(16_384).optional(),
        }),
      }),
    )
    .max(100)
    .default([]),
  models: z.array(z.object({ model_id: z.string().min(1) })).max(100).default([]),
});

export const logOutputsInput = z.object({
  models: z
    .array(z.object({ model_id: z.string().min(1), step: z.union([z.number().int(), z.string().regex(/^\d+$/)]).default(0).transform(Number) }))
    .max(100)
    .default([]),
});

/** Our dataset version for an MLflow dataset (name + digest), or null. */
async function matchDatasetVersion(tx: Tx, name: string, digest: string): Promise<string | null> {
  const ds = await tx.dataset.findUnique({ where: { name }, select: { id: true } });
  if (!ds) return null;
  const d = digest.toLowerCase();
  const versions = await tx.datasetVersion.findMany({ where: { datasetId: ds.id }, select: { id: true, version: true, sha256: true } });
  const hit = versions.find((v) => v.sha256 === d || (d.length >= 8 && /^[0-9a-f]+$/.test(d) && v.sha256.startsWith(d)) || String(v.version) === d);
  return hit?.id ?? null;
}

async function requireModels(tx: Tx, ids: string[]): Promise<void> {
  for (const id of new Set(ids)) {
    const m = await tx.loggedModel.findUnique({ where: { id }, select: { lifecycleStage: true } });
    if (!m || m.lifecycleStage !== "active") throw notFound("Logged model", id);
  }
}

export async function logRunInputs(actor: Actor | null, runId: string, input: unknown): Promise<void> {
  if (actor) requireRole(actor, "editor");
  const b = parseWith(logInputsInput, input, "log-inputs body");
  await transaction(async (tx) => {
    const run = await requireRun(tx, runId, { active: true });
    await requireModels(tx, b.models.map((m) => m.model_id));
    let linked: string | null = null;
    for (const { dataset: d, tags } of b.datasets) {
      const versionId = await matchDatasetVersion(tx, d.name, d.digest);
      linked ??= versionId;
      const key = { runId_name_digest: { runId: run.id, name: d.name, digest: d.digest } };
      const prev = await tx.runDatasetInput.findUnique({ where: key, select: { tags: true } });
      // Logging a dataset again adds its tags (e.g. a second context), as MLflow does.
      const merged = new Map<string, string>((prev ? (JSON.parse(prev.tags) as { key: string; value: string }[]) : []).map((t) => [t.key, t.value]));
      for (const t of tags) merged.set(t.key, t.value);
      const fields = {
        sourceType: d.source_type,
        source: d.source,
        schema: d.schema ?? null,
        profile: d.profile ?? null,
        tags: JSON.stringify([...merged].map(([k, value]) => ({ key: k, value }))),
        datasetVersionId: versionId,
      };
      await tx.runDatasetInput.upsert({
        where: key,
        create: { runId: run.id, name: d.name, digest: d.digest, createdAt: BigInt(Date.now()), ...fields },
        update: fields,
      });
    }
    if (linked && !run.datasetVersionId) await tx.run.update({ where: { id: run.id }, data: { datasetVersionId: linked } });
    for (const m of b.models) {
      await tx.runLoggedModel.upsert({
        where: { runId_modelId_direction: { runId: run.id, modelId: m.model_id, direction: "input" } },
        create: { runId: run.id, modelId: m.model_id, direction: "input" },
        update: {},
      });
    }
  });
}

export async function logRunOutputs(actor: Actor | null, runId: string, input: unknown): Promise<void> {
  if (actor) requireRole(actor, "editor");
  const b = parseWith(logOutputsInput, input, "outputs body");
  await transaction(async (tx) => {
    const run = await requireRun(tx, runId, { active: true });
    await requireModels(tx, b.models.map((m) => m.model_id));
    for (const m of b.models) {
      await tx.runLoggedModel.upsert({
        where: { runId_modelId_direction: { runId: run.id, modelId: m.model_id, direction: "output" } },
        create: { runId: run.id, modelId: m.model_id, direction: "output", step: BigInt(m.step) },
        update: { step: BigInt(m.step) },
      });
    }
  });
}

/** A run's dataset inputs (oldest first) and the logged models it used and produced. */
export async function getRunIO(runId: string): Promise<RunIO> {
  const [inputs, links] = await Promise.all([
    db().runDatasetInput.findMany({ where: { runId }, orderBy: { id: "asc" } }),
    db().runLoggedModel.findMany({ where: { runId }, orderBy: [{ step: "asc" }, { modelId: "asc" }] }),
  ]);
  return {
    datasetInputs: inputs.map((r) => ({
      name: r.name,
      digest: r.digest,
      sourceType: r.sourceType,
      source: r.source,
      schema: r.schema,
      profile: r.profile,
      tags: Object.fromEntries((JSON.parse(r.tags) as { key: string; value: string }[]).map((t) => [t.key, t.value])),
      datasetVersionId: r.datasetVersionId,
    })),
    modelInputs: links.filter((l) => l.direction === "input").map((l) => l.modelId),
    modelOutputs: links.filter((l) => l.direction === "output").map((l) => ({ modelId: l.modelId, step: Number(l.step) })),
  };
}
