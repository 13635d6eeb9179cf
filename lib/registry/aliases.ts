// Aliases name one version of a model: `champion` is what serving uses, `challenger` what an A/B
// test or retraining proposes. promote() moves an alias in one transaction with its audit entry;
// a rollback is a promotion of the previous version.
import { requireRole, writeAudit, type Actor } from "../auth";
import { db, parseJson, transaction, type Tx } from "../db";
import { invalid, notFound } from "../errors";
import { parseWith } from "../http";
import { requireModel } from "./models";
import { toModelVersion, VERSION_INCLUDE } from "./rows";
import { aliasSchema, promoteInput, versionSchema } from "./schemas";
import { requireVersion } from "./versions";
import { CHAMPION, type ModelVersion, type Promotion } from "./types";

function checkAlias(alias: string): string {
  const r = aliasSchema.safeParse(alias);
  if (!r.success) throw invalid(`Invalid alias '${alias}': ${r.error.issues[0]?.message}`);
  return r.data;
}

export async function getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
  const model = await requireModel(db(), name);
  const row = await db().modelAlias.findUnique({
    where: { modelId_alias: { modelId: model.id, alias } },
    include: { version: { include: VERSION_INCLUDE } },
  });
  if (!row) throw notFound(`Alias '${alias}' of model`, model.name);
  return toModelVersion(row.version);
}

/**
 * Points `alias` at a version inside the caller's transaction and returns the previous version.
 * Touching the model row first serializes concurrent moves of its aliases (a row lock on
 * PostgreSQL, the write lock on SQLite), so "from" is always the version really replaced.
 */
async function moveAlias(tx: Tx, name: string, alias: string, version: number | string) {
  const { model, row } = await requireVersion(tx, name, version);
  await tx.registeredModel.update({ where: { id: model.id }, data: { updatedAt: BigInt(Date.now()) } });
  const current = await tx.modelAlias.findUnique({
    where: { modelId_alias: { modelId: model.id, alias } },
    include: { version: { select: { version: true } } },
  });
  if (current?.versionId !== row.id) {
    await tx.modelAlias.upsert({
      where: { modelId_alias: { modelId: model.id, alias } },
      create: { modelId: model.id, alias, versionId: row.id },
      update: { versionId: row.id },
    });
  }
  return { model, row, from: current?.version.version ?? null, changed: current?.versionId !== row.id };
}

export async function setModelAlias(actor: Actor | null, name: string, alias: string, version: number | string): Promise<ModelVersion> {
  if (actor) requireRole(actor, "editor");
  const a = checkAlias(alias);
  const v = parseWith(versionSchema, version, "version");
  return transaction(async (tx) => {
    const { model, row, from, changed } = await moveAlias(tx, name, a, v);
    if (changed) {
      await writeAudit(tx, actor, "model.alias_set", { type: "registered_model", id: model.id }, {
        model: model.name,
        alias: a,
        from_version: from,
        to_version: row.version,
      });
    }
    return toModelVersion((await tx.modelVersion.findUnique({ where: { id: row.id }, include: VERSION_INCLUDE }))!);
  });
}

export async function deleteModelAlias(actor: Actor | null, name: string, alias: string): Promise<void> {
  if (actor) requireRole(actor, "editor");
  await transaction(async (tx) => {
    const model = await requireModel(tx, name);
    const current = await tx.modelAlias.findUnique({
      where: { modelId_alias: { modelId: model.id, alias } },
      include: { version: { select: { version: true } } },
    });
    if (!current) throw notFound(`Alias '${alias}' of model`, model.name);
    await tx.modelAlias.delete({ where: { modelId_alias: { modelId: model.id, alias } } });
    await writeAudit(tx, actor, "model.alias_delete", { type: "registered_model", id: model.id }, {
      model: model.name,
      alias,
      from_version: current.version.version,
    });
  });
}

export interface PromoteOptions {
  alias?: string;
  reason?: string;
  /** Audit label when `actor` is null (e.g. "cli"); defaults to "system". */
  actorLabel?: string;
}

/**
 * Moves an alias (default `champion`) to a version: the alias row and the audit entry
 * (`model.promote`: alias, from_version, to_version, reason) land in one transaction.
 * `actor` null is the system (CLI, pipelines). Promoting the version it already names changes nothing.
 */
export async function promote(
  actor: Actor | null,
  modelName: string,
  version: number | string,
  opts: PromoteOptions = {},
): Promise<Promotion> {
  if (actor) requireRole(actor, "editor");
  const input = parseWith(promoteInput, { version, alias: opts.alias ?? CHAMPION, reason: opts.reason }, "promotion");
  return transaction(async (tx) => {
    const { model, row, from, changed } = await moveAlias(tx, modelName, input.alias, input.version);
    if (changed) {
      await writeAudit(
        tx,
        actor,
        "model.promote",
        { type: "registered_model", id: model.id },
        { model: model.name, alias: input.alias, from_version: from, to_version: row.version, reason: input.reason ?? null },
        opts.actorLabel,
      );
    }
    const fresh = (await tx.modelVersion.findUnique({ where: { id: row.id }, include: VERSION_INCLUDE }))!;
    return { model: model.name, alias: input.alias, fromVersion: from, toVersion: row.version, changed, modelVersion: toModelVersion(fresh) };
  });
}

export interface PromotionRecord {
  at: string;
  actorLabel: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number;
  reason: string | null;
}

/** Past promotions of a model's alias, newest first (from the audit log). */
export async function promotionHistory(name: string, alias: string = CHAMPION, limit = 50): Promise<PromotionRecord[]> {
  const model = await requireModel(db(), name);
  const rows = await db().auditLog.findMany({
    where: { targetType: "registered_model", targetId: model.id, action: "model.promote" },
    orderBy: { at: "desc" },
    take: 1000,
  });
  return rows
    .map((r) => ({ r, d: parseJson<Record<string, unknown>>(r.details, {}) }))
    .filter(({ d }) => d.alias === alias)
    .slice(0, limit)
    .map(({ r, d }) => ({
      at: r.at.toISOString(),
      actorLabel: r.actorLabel,
      alias,
      fromVersion: typeof d.from_version === "number" ? d.from_version : null,
      toVersion: Number(d.to_version),
      reason: typeof d.reason === "string" ? d.reason : null,
    }));
}

/**
 * Rolls an alias back: promotes the version it named before its latest promotion. Fails when
 * there is no earlier version or the alias has moved since (someone else changed it).
 */
export async function rollbackPromotion(actor: Actor | null, name: string, opts: PromoteOptions = {}): Promise<Promotion> {
  const alias = opts.alias ?? CHAMPION;
  const [last] = await promotionHistory(name, alias, 1);
  if (!last) throw invalid(`Alias '${alias}' of model '${name}' has never been promoted`);
  if (last.fromVersion === null) throw invalid(`Alias '${alias}' of model '${name}' had no version before version ${last.toVersion}`);
  const current = await getModelVersionByAlias(name, alias).catch(() => null);
  if (current?.version !== last.toVersion) {
    throw invalid(`Alias '${alias}' no longer names version ${last.toVersion}; promote the version you want instead`);
  }
  return promote(actor, name, last.fromVersion, { ...opts, alias, reason: opts.reason ?? `rollback of version ${last.toVersion}` });
}
