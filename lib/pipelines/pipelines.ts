// Saved pipeline definitions: create, read, update, delete. Triggers live in the definition row:
// the cron schedule in `schedule`/`nextRunAt`, the dataset trigger in the stored JSON.
import { requireRole, writeAudit, type Actor } from "../auth";
import { getDatasetVersion } from "../datasets";
import { db, newId, parseJson, transaction, type Db } from "../db";
import { AppError, conflict, invalid, notFound } from "../errors";
import { parseWith } from "../http";
import { dropFoldsUnderSearch } from "../training";
import {
  createPipelineInput,
  nextRunAfter,
  pipelineDefinitionSchema,
  updatePipelineInput,
  type PipelineDefinition,
} from "./definition";
import { toRunInfo } from "./rows";
import type { PipelineInfo } from "./types";

type PipelineRow = NonNullable<Awaited<ReturnType<Db["pipeline"]["findFirst"]>>>;

/** What is stored in the `definition` column: the recipe and its triggers. */
interface StoredDefinition {
  definition: PipelineDefinition;
  triggers: { onNewDatasetVersion: boolean };
}

export function readStored(row: PipelineRow): StoredDefinition {
  const raw = parseJson<Partial<StoredDefinition>>(row.definition, {});
  return {
    definition: pipelineDefinitionSchema.parse(dropFoldsUnderSearch(raw.definition, "search")),
    triggers: { onNewDatasetVersion: raw.triggers?.onNewDatasetVersion === true },
  };
}

function toInfo(row: PipelineRow, lastRun: PipelineInfo["lastRun"]): PipelineInfo {
  const stored = readStored(row);
  return {
    id: row.id,
    name: row.name,
    definition: stored.definition,
    schedule: row.schedule,
    triggers: stored.triggers,
    enabled: row.enabled,
    lastRunAt: row.lastRunAt?.toISOString() ?? null,
    nextRunAt: row.nextRunAt?.toISOString() ?? null,
    datasetVersionSeen: row.datasetVersionSeen,
    createdById: row.createdById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastRun,
  };
}

/**
 * Checks the definition against the data as it is now: the dataset (and a pinned version) exists and
 * has the target column. Returns the newest version number, the dataset trigger's starting point.
 */
async function checkAgainstData(def: PipelineDefinition, triggers: { onNewDatasetVersion: boolean }): Promise<number> {
  const latest = await getDatasetVersion(def.dataset.name, "latest");
  if (triggers.onNewDatasetVersion && def.dataset.version !== "latest") {
    throw invalid("The 'new dataset version' trigger needs dataset.version 'latest': a pinned version never changes");
  }
  const v =
    def.dataset.version === "latest"
      ? latest
      : typeof def.dataset.version === "number"
        ? await getDatasetVersion(def.dataset.name, def.dataset.version)
        : await datasetVersionBySha(def.dataset.name, def.dataset.version);
  if (!v.schema.some((c) => c.name === def.target)) {
    throw invalid(`Target column '${def.target}' does not exist in dataset '${v.datasetName}' v${v.version}; columns are: ${v.schema.map((c) => c.name).join(", ")}`);
  }
  return latest.version;
}

export async function datasetVersionBySha(name: string, sha256: string) {
  const row = await db().datasetVersion.findFirst({ where: { dataset: { name }, sha256 }, select: { version: true } });
  if (!row) throw notFound(`Version with SHA-256 ${sha256.slice(0, 12)}… of dataset '${name}'`);
  return getDatasetVersion(name, row.version);
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === "P2002" || /unique constraint/i.test(e?.message ?? "");
}

export async function createPipeline(actor: Actor, input: unknown): Promise<PipelineInfo> {
  requireRole(actor, "editor");
  const data = parseWith(createPipelineInput, input, "pipeline");
  const latest = await checkAgainstData(data.definition, data.triggers);
  const schedule = data.schedule ?? null;
  try {
    const row = await transaction(async (tx) => {
      const created = await tx.pipeline.create({
        data: {
          id: newId(),
          name: data.name,
          definition: JSON.stringify({ definition: data.definition, triggers: data.triggers }),
          schedule,
          enabled: data.enabled,
          nextRunAt: schedule ? nextRunAfter(schedule, new Date()) : null,
          // The dataset trigger fires for versions uploaded after the pipeline exists.
          datasetVersionSeen: latest,
          createdById: actor.userId,
        },
      });
      await writeAudit(tx, actor, "pipeline.create", { type: "pipeline", id: created.id }, { name: created.name, schedule });
      return created;
    });
    return toInfo(row, null);
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`A pipeline named '${data.name}' already exists`);
    throw err;
  }
}

async function findRow(ref: string): Promise<PipelineRow> {
  const row = (await db().pipeline.findUnique({ where: { id: ref } })) ?? (await db().pipeline.findUnique({ where: { name: ref } }));
  if (!row) throw notFound("Pipeline", ref);
  return row;
}

/** A pipeline by id or name, with its newest run. */
export async function getPipeline(ref: string): Promise<PipelineInfo> {
  const row = await findRow(ref);
  const last = await db().pipelineRun.findFirst({ where: { pipelineId: row.id }, orderBy: { createdAt: "desc" } });
  return toInfo(row, last ? toRunInfo(last) : null);
}

export async function listPipelines(opts: { limit?: number; offset?: number } = {}): Promise<{ pipelines: PipelineInfo[]; total: number }> {
  const [rows, total] = await Promise.all([
    db().pipeline.findMany({
      orderBy: { name: "asc" },
      take: Math.min(Math.max(opts.limit ?? 50, 1), 500),
      skip: Math.max(opts.offset ?? 0, 0),
      include: { runs: { orderBy: { createdAt: "desc" }, take: 1 } },
    }),
    db().pipeline.count(),
  ]);
  return { pipelines: rows.map((r) => toInfo(r, r.runs[0] ? toRunInfo(r.runs[0]) : null)), total };
}

export async function updatePipeline(actor: Actor, ref: string, input: unknown): Promise<PipelineInfo> {
  requireRole(actor, "editor");
  const patch = parseWith(updatePipelineInput, input, "pipeline update");
  const row = await findRow(ref);
  const stored = readStored(row);
  const definition = patch.definition ?? stored.definition;
  const triggers = patch.triggers ?? stored.triggers;
  const latest = await checkAgainstData(definition, triggers);
  const schedule = patch.schedule === undefined ? row.schedule : patch.schedule;
  const scheduleChanged = schedule !== row.schedule;
  const triggerTurnedOn = triggers.onNewDatasetVersion && !stored.triggers.onNewDatasetVersion;
  const datasetChanged = definition.dataset.name !== stored.definition.dataset.name;
  const updated = await transaction(async (tx) => {
    const r = await tx.pipeline.update({
      where: { id: row.id },
      data: {
        definition: JSON.stringify({ definition, triggers }),
        schedule,
        enabled: patch.enabled,
        nextRunAt: scheduleChanged ? (schedule ? nextRunAfter(schedule, new Date()) : null) : undefined,
        // A trigger switched on (or pointed at another dataset) starts from the data as it is now.
        datasetVersionSeen: triggerTurnedOn || datasetChanged ? latest : undefined,
      },
    });
    await writeAudit(tx, actor, "pipeline.update", { type: "pipeline", id: r.id }, { name: r.name, fields: Object.keys(patch) });
    return r;
  });
  return getPipeline(updated.id);
}

export async function deletePipeline(actor: Actor, ref: string): Promise<void> {
  requireRole(actor, "editor");
  const row = await findRow(ref);
  const active = await db().pipelineRun.count({ where: { pipelineId: row.id, state: { in: ["queued", "running"] } } });
  if (active > 0) throw conflict(`Pipeline '${row.name}' has ${active} run(s) queued or running; cancel them first`);
  await transaction(async (tx) => {
    await tx.pipeline.delete({ where: { id: row.id } });
    await writeAudit(tx, actor, "pipeline.delete", { type: "pipeline", id: row.id }, { name: row.name });
  });
}

export { findRow as findPipelineRow, type PipelineRow };

/** Used by the run module: AppError codes that mean "the input will never work". */
export function isPermanent(err: unknown): boolean {
  return err instanceof AppError && (err.code === "invalid" || err.code === "not_found");
}
