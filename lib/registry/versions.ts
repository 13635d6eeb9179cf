// Model versions: numbered 1, 2, 3… per model, READY at once, with MLflow's legacy stages.
import { requireRole, writeAudit, type Actor } from "../auth";
import { db, newId, transaction, type Tx } from "../db";
import { invalid, notFound } from "../errors";
import { parseWith } from "../http";
import { decodePageToken, encodePageToken, linkModelVersion, matchesFilter, parseFilter, type FilterSpec, type Page } from "../tracking";
import { isUniqueViolation, requireModel } from "./models";
import { toModelVersion, VERSION_INCLUDE } from "./rows";
import { createVersionInput, listModelsInput, stageSchema, transitionInput, updateVersionInput, versionSchema } from "./schemas";
import type { ModelVersion, Stage } from "./types";
import type { z } from "zod";

const VERSION_FILTER_SPEC: FilterSpec = {
  entities: ["tag", "attribute"],
  attributes: { name: "string", version: "number", run_id: "string", source: "string", current_stage: "string", status: "string" },
  aliases: { version_number: "version" },
};

function parseVersion(version: number | string): number {
  const r = versionSchema.safeParse(version);
  if (!r.success) throw notFound("Model version", String(version));
  return r.data;
}

/** The version row of a model, inside a transaction or not. */
export async function requireVersion(tx: Tx | ReturnType<typeof db>, name: string, version: number | string) {
  const model = await requireModel(tx, name);
  const n = parseVersion(version);
  const row = await tx.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version: n } }, include: VERSION_INCLUDE });
  if (!row) throw notFound(`Version ${n} of model`, model.name);
  return { model, row };
}

/** The logged model a `models:/<model_id>` source names (MLflow 3's register_model), else null. */
function loggedModelIdOfSource(source: string): string | null {
  return /^models:\/(m-[0-9a-f]{32})\/?$/.exec(source)?.[1] ?? null;
}

/**
 * A new version, READY at once. A version from an MLflow 3 logged model (`loggedModelId`, or a
 * `models:/<model_id>` source) records it, the model must exist, and with an explicit id the
 * version joins the model's `mlflow.modelVersions` tag, as MLflow's server does.
 */
export async function createModelVersion(
  actor: Actor | null,
  modelName: string,
  input: z.input<typeof createVersionInput>,
): Promise<ModelVersion> {
  if (actor) requireRole(actor, "editor");
  const data = parseWith(createVersionInput, input, "model version");
  if (data.runId && !(await db().run.findUnique({ where: { id: data.runId }, select: { id: true } }))) {
    throw notFound("Run", data.runId);
  }
  const fromSource = loggedModelIdOfSource(data.source);
  if (data.loggedModelId && fromSource && fromSource !== data.loggedModelId) {
    throw invalid(`The source names logged model '${fromSource}', but the model id given is '${data.loggedModelId}'`);
  }
  const loggedModelId = data.loggedModelId ?? fromSource;
  // Two registrations at once may pick the same number; the unique (model, version) decides, and the loser retries.
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction(async (tx) => {
        const model = await requireModel(tx, modelName);
        const last = await tx.modelVersion.findFirst({ where: { modelId: model.id }, orderBy: { version: "desc" }, select: { version: true } });
        const now = BigInt(Date.now());
        const row = await tx.modelVersion.create({
          data: {
            id: newId(),
            modelId: model.id,
            version: (last?.version ?? 0) + 1,
            runId: data.runId ?? null,
            source: data.source,
            loggedModelId,
            signature: data.signature === undefined ? null : JSON.stringify(data.signature),
            status: "READY",
            stage: "None",
            description: data.description ?? null,
            createdById: actor?.userId ?? null,
            createdAt: now,
            updatedAt: now,
            tags: { create: Object.entries(data.tags ?? {}).map(([key, value]) => ({ key, value })) },
          },
          include: VERSION_INCLUDE,
        });
        await tx.registeredModel.update({ where: { id: model.id }, data: { updatedAt: now } });
        if (loggedModelId) {
          await linkModelVersion(tx, loggedModelId, { name: model.name, version: row.version }, { tag: data.loggedModelId !== undefined });
        }
        await writeAudit(tx, actor, "model.version_create", { type: "registered_model", id: model.id }, {
          model: model.name,
          version: row.version,
          run_id: row.runId,
          source: row.source,
          ...(loggedModelId ? { logged_model_id: loggedModelId } : {}),
        });
        return toModelVersion(row);
      });
    } catch (err) {
      if (attempt < 5 && isUniqueViolation(err)) continue;
      throw err;
    }
  }
}

/** The versions registered from each of some logged models (oldest first): `registrations` of MLflow's LoggedModelInfo. */
export async function loggedModelRegistrations(loggedModelIds: string[]): Promise<Map<string, { name: string; version: number }[]>> {
  const out = new Map<string, { name: string; version: number }[]>();
  if (!loggedModelIds.length) return out;
  const rows = await db().modelVersion.findMany({
    where: { loggedModelId: { in: loggedModelIds } },
    select: { loggedModelId: true, version: true, model: { select: { name: true } } },
    orderBy: [{ createdAt: "asc" }, { model: { name: "asc" } }, { version: "asc" }],
  });
  for (const r of rows) {
    const list = out.get(r.loggedModelId!) ?? [];
    list.push({ name: r.model.name, version: r.version });
    out.set(r.loggedModelId!, list);
  }
  return out;
}

export async function getModelVersion(name: string, version: number | string): Promise<ModelVersion> {
  return toModelVersion((await requireVersion(db(), name, version)).row);
}

/** All versions of a model, newest first. */
export async function listModelVersions(name: string): Promise<ModelVersion[]> {
  const model = await requireModel(db(), name);
  const rows = await db().modelVersion.findMany({ where: { modelId: model.id }, include: VERSION_INCLUDE, orderBy: { version: "desc" } });
  return rows.map(toModelVersion);
}

/** Versions across models: `name = 'churn' and run_id = '…'`, `tags.validated = 'true'`. */
export async function searchModelVersions(input: z.input<typeof listModelsInput> = {}): Promise<Page<ModelVersion>> {
  const q = parseWith(listModelsInput, input, "model version search");
  const comparisons = parseFilter(q.filter, VERSION_FILTER_SPEC);
  const offset = decodePageToken(q.pageToken, { versions: q.filter });
  // A filter on the model name is the common case: narrow in the database first.
  const byName = comparisons.find((c) => c.entity === "attribute" && c.key === "name" && c.op === "=");
  const rows = await db().modelVersion.findMany({
    where: byName ? { model: { name: String(byName.value) } } : {},
    include: VERSION_INCLUDE,
    orderBy: [{ createdAt: "desc" }, { version: "desc" }],
  });
  const matching = rows.map(toModelVersion).filter((v) =>
    matchesFilter(comparisons, (entity, key) => {
      if (entity === "tag") return v.tags[key];
      return { name: v.modelName, version: v.version, run_id: v.runId, source: v.source, current_stage: v.stage, status: v.status }[key];
    }),
  );
  const more = matching.length > offset + q.maxResults;
  return {
    items: matching.slice(offset, offset + q.maxResults),
    nextPageToken: more ? encodePageToken(offset + q.maxResults, { versions: q.filter }) : null,
  };
}

export async function updateModelVersion(
  actor: Actor | null,
  name: string,
  version: number | string,
  input: z.input<typeof updateVersionInput>,
): Promise<ModelVersion> {
  if (actor) requireRole(actor, "editor");
  const data = parseWith(updateVersionInput, input, "model version update");
  return transaction(async (tx) => {
    const { row } = await requireVersion(tx, name, version);
    const keys = Object.keys(data.tags ?? {});
    if (keys.length) {
      await tx.modelVersionTag.deleteMany({ where: { versionId: row.id, key: { in: keys } } });
      await tx.modelVersionTag.createMany({ data: keys.map((key) => ({ versionId: row.id, key, value: data.tags![key]! })) });
    }
    const updated = await tx.modelVersion.update({
      where: { id: row.id },
      data: { description: data.description, updatedAt: BigInt(Date.now()) },
      include: VERSION_INCLUDE,
    });
    return toModelVersion(updated);
  });
}

export async function deleteModelVersionTag(actor: Actor | null, name: string, version: number | string, key: string): Promise<void> {
  if (actor) requireRole(actor, "editor");
  await transaction(async (tx) => {
    const { row } = await requireVersion(tx, name, version);
    const { count } = await tx.modelVersionTag.deleteMany({ where: { versionId: row.id, key } });
    if (!count) throw notFound("Model version tag", key);
  });
}

/** Deletes a version; aliases that pointed at it go with it. */
export async function deleteModelVersion(actor: Actor | null, name: string, version: number | string): Promise<void> {
  if (actor) requireRole(actor, "editor");
  await transaction(async (tx) => {
    const { model, row } = await requireVersion(tx, name, version);
    await tx.modelVersion.delete({ where: { id: row.id } });
    await writeAudit(tx, actor, "model.version_delete", { type: "registered_model", id: model.id }, {
      model: model.name,
      version: row.version,
      aliases: row.aliases.map((a) => a.alias),
    });
  });
}

/**
 * Moves a version to a legacy stage (None/Staging/Production/Archived). With
 * `archiveExistingVersions`, the other versions in that stage move to Archived.
 */
export async function transitionModelVersionStage(
  actor: Actor | null,
  name: string,
  version: number | string,
  input: z.input<typeof transitionInput>,
): Promise<ModelVersion> {
  if (actor) requireRole(actor, "editor");
  const data = parseWith(transitionInput, input, "stage transition");
  if (data.archiveExistingVersions && (data.stage === "None" || data.stage === "Archived")) {
    throw invalid(`archive_existing_versions applies only to Staging and Production, not ${data.stage}`);
  }
  return transaction(async (tx) => {
    const { model, row } = await requireVersion(tx, name, version);
    const now = BigInt(Date.now());
    let archived: number[] = [];
    if (data.archiveExistingVersions) {
      const others = await tx.modelVersion.findMany({ where: { modelId: model.id, stage: data.stage, id: { not: row.id } }, select: { version: true } });
      archived = others.map((o) => o.version);
      await tx.modelVersion.updateMany({ where: { modelId: model.id, stage: data.stage, id: { not: row.id } }, data: { stage: "Archived", updatedAt: now } });
    }
    const updated = await tx.modelVersion.update({ where: { id: row.id }, data: { stage: data.stage, updatedAt: now }, include: VERSION_INCLUDE });
    await writeAudit(tx, actor, "model.stage_transition", { type: "registered_model", id: model.id }, {
      model: model.name,
      version: row.version,
      from_stage: row.stage,
      to_stage: data.stage,
      archived_versions: archived,
    });
    return toModelVersion(updated);
  });
}

/** Newest version in each of the given stages (all stages when none are given). */
export async function getLatestVersions(name: string, stages: string[] = []): Promise<ModelVersion[]> {
  const wanted = new Set<Stage>(stages.map((s) => stageSchema.parse(s)));
  const versions = await listModelVersions(name);
  const best = new Map<Stage, ModelVersion>();
  for (const v of versions) if ((!wanted.size || wanted.has(v.stage)) && !best.has(v.stage)) best.set(v.stage, v);
  return [...best.values()].sort((a, b) => a.version - b.version);
}
