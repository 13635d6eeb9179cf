// Registered models: unique names, description, tags.
import type { z } from "zod";
import { requireRole, writeAudit, type Actor } from "../auth";
import { db, newId, transaction, type Tx } from "../db";
import { conflict, notFound } from "../errors";
import { parseWith } from "../http";
import { decodePageToken, encodePageToken, matchesFilter, parseFilter, type FilterSpec, type Page } from "../tracking";
import { MODEL_INCLUDE, toModelVersion, toRegisteredModel, VERSION_INCLUDE } from "./rows";
import { createModelInput, listModelsInput, modelNameSchema, updateModelInput } from "./schemas";
import type { RegisteredModel } from "./types";

const MODEL_FILTER_SPEC: FilterSpec = { entities: ["tag", "attribute"], attributes: { name: "string" } };

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === "P2002" || /unique constraint/i.test(String((err as Error)?.message));
}

/** The model row by name, inside a transaction or not. */
export async function requireModel(tx: Tx | ReturnType<typeof db>, name: string) {
  const parsed = modelNameSchema.safeParse(name);
  const row = parsed.success ? await tx.registeredModel.findUnique({ where: { name: parsed.data } }) : null;
  if (!row) throw notFound("Registered model", name);
  return row;
}

async function load(tx: Tx | ReturnType<typeof db>, ids: string[]): Promise<RegisteredModel[]> {
  if (!ids.length) return [];
  const [rows, versions] = await Promise.all([
    tx.registeredModel.findMany({ where: { id: { in: ids } }, include: MODEL_INCLUDE }),
    tx.modelVersion.findMany({ where: { modelId: { in: ids } }, include: VERSION_INCLUDE }),
  ]);
  const byModel = new Map<string, ReturnType<typeof toModelVersion>[]>();
  for (const v of versions) {
    const list = byModel.get(v.modelId) ?? [];
    list.push(toModelVersion(v));
    byModel.set(v.modelId, list);
  }
  const byId = new Map(rows.map((r) => [r.id, toRegisteredModel(r, byModel.get(r.id) ?? [])]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

export async function createRegisteredModel(actor: Actor | null, input: z.input<typeof createModelInput>): Promise<RegisteredModel> {
  if (actor) requireRole(actor, "editor");
  const data = parseWith(createModelInput, input, "registered model");
  const now = BigInt(Date.now());
  try {
    return await transaction(async (tx) => {
      if (await tx.registeredModel.findUnique({ where: { name: data.name }, select: { id: true } })) {
        throw conflict(`Registered model '${data.name}' already exists`);
      }
      const row = await tx.registeredModel.create({
        data: {
          id: newId(),
          name: data.name,
          description: data.description ?? null,
          createdAt: now,
          updatedAt: now,
          tags: { create: Object.entries(data.tags ?? {}).map(([key, value]) => ({ key, value })) },
        },
      });
      await writeAudit(tx, actor, "model.create", { type: "registered_model", id: row.id }, { model: row.name });
      return (await load(tx, [row.id]))[0]!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Registered model '${data.name}' already exists`);
    throw err;
  }
}

export async function getRegisteredModel(name: string): Promise<RegisteredModel> {
  const row = await requireModel(db(), name);
  return (await load(db(), [row.id]))[0]!;
}

/** Models by name, with an optional filter: `name LIKE 'churn%' and tags.team = 'risk'`. */
export async function listRegisteredModels(input: z.input<typeof listModelsInput> = {}): Promise<Page<RegisteredModel>> {
  const q = parseWith(listModelsInput, input, "model search");
  const comparisons = parseFilter(q.filter, MODEL_FILTER_SPEC);
  const offset = decodePageToken(q.pageToken, { models: q.filter });
  const rows = await db().registeredModel.findMany({ include: { tags: true }, orderBy: { name: "asc" } });
  const matching = rows.filter((r) =>
    matchesFilter(comparisons, (entity, key) => (entity === "tag" ? r.tags.find((t) => t.key === key)?.value : r.name)),
  );
  const slice = matching.slice(offset, offset + q.maxResults);
  const more = matching.length > offset + q.maxResults;
  return { items: await load(db(), slice.map((r) => r.id)), nextPageToken: more ? encodePageToken(offset + q.maxResults, { models: q.filter }) : null };
}

/** Renames, changes the description and/or sets tags. */
export async function updateRegisteredModel(actor: Actor | null, name: string, input: z.input<typeof updateModelInput>): Promise<RegisteredModel> {
  if (actor) requireRole(actor, "editor");
  const data = parseWith(updateModelInput, input, "registered model update");
  try {
    return await transaction(async (tx) => {
      const row = await requireModel(tx, name);
      if (data.name !== undefined && data.name !== row.name) {
        if (await tx.registeredModel.findUnique({ where: { name: data.name }, select: { id: true } })) {
          throw conflict(`Registered model '${data.name}' already exists`);
        }
        await writeAudit(tx, actor, "model.rename", { type: "registered_model", id: row.id }, { from: row.name, to: data.name });
      }
      const keys = Object.keys(data.tags ?? {});
      if (keys.length) {
        await tx.registeredModelTag.deleteMany({ where: { modelId: row.id, key: { in: keys } } });
        await tx.registeredModelTag.createMany({ data: keys.map((key) => ({ modelId: row.id, key, value: data.tags![key]! })) });
      }
      await tx.registeredModel.update({
        where: { id: row.id },
        data: { name: data.name, description: data.description, updatedAt: BigInt(Date.now()) },
      });
      return (await load(tx, [row.id]))[0]!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Registered model '${data.name}' already exists`);
    throw err;
  }
}

export async function renameRegisteredModel(actor: Actor | null, name: string, newName: string): Promise<RegisteredModel> {
  return updateRegisteredModel(actor, name, { name: newName });
}

export async function deleteRegisteredModelTag(actor: Actor | null, name: string, key: string): Promise<void> {
  if (actor) requireRole(actor, "editor");
  await transaction(async (tx) => {
    const row = await requireModel(tx, name);
    const { count } = await tx.registeredModelTag.deleteMany({ where: { modelId: row.id, key } });
    if (!count) throw notFound("Registered model tag", key);
  });
}

/** Deletes the model with its versions, tags and aliases. */
export async function deleteRegisteredModel(actor: Actor | null, name: string): Promise<void> {
  if (actor) requireRole(actor, "editor");
  await transaction(async (tx) => {
    const row = await requireModel(tx, name);
    const versions = await tx.modelVersion.count({ where: { modelId: row.id } });
    await tx.registeredModel.delete({ where: { id: row.id } });
    await writeAudit(tx, actor, "model.delete", { type: "registered_model", id: row.id }, { model: row.name, versions });
  });
}

export { load as loadRegisteredModels };
