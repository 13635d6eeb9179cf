// Experiments: unique names, tags, archive (lifecycle "deleted") and restore. Experiment 0,
// "Default", always exists: MLflow clients log there when no experiment is chosen.
import { z } from "zod";
import { requireRole, type Actor } from "../auth";
import { config } from "../config";
import { db, transaction, type Tx } from "../db";
import { conflict, invalid, notFound } from "../errors";
import { matchesFilter, parseFilter, type FilterSpec } from "./filter";
import { decodePageToken, pageOf } from "./paging";
import { toExperiment } from "./rows";
import {
  createExperimentInput,
  experimentIdSchema,
  experimentName,
  keySchema,
  listExperimentsInput,
  MAX_TAG_VALUE_LENGTH,
  type ListExperimentsInput,
} from "./schemas";
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, type Experiment, type Page } from "./types";

const EXPERIMENT_FILTER_SPEC: FilterSpec = {
  entities: ["tag", "attribute"],
  attributes: { name: "string", experiment_id: "string", creation_time: "number", last_update_time: "number", lifecycle_stage: "string" },
};

export function experimentArtifactLocation(id: number | string): string {
  return `mlflow-artifacts:/${id}`;
}

/** Parses an experiment id; anything that is not a whole number names no experiment. */
export function parseExperimentId(id: string | number): number {
  const r = experimentIdSchema.safeParse(id);
  if (!r.success) throw notFound("Experiment", String(id));
  return Number(r.data);
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === "P2002" || /unique constraint/i.test(String((err as Error)?.message));
}

const ensured = new Set<string>();

/** Creates experiment 0 "Default" when it is missing (idempotent, safe under concurrency). */
export async function ensureDefaultExperiment(): Promise<void> {
  const d = db();
  const key = config().DATABASE_URL;
  if (ensured.has(key)) return;
  if (!(await d.experiment.findUnique({ where: { id: 0 }, select: { id: true } }))) {
    const now = BigInt(Date.now());
    try {
      await d.experiment.create({
        data: { id: 0, name: DEFAULT_EXPERIMENT_NAME, artifactLocation: experimentArtifactLocation(0), createdAt: now, lastUpdateTime: now },
      });
    } catch (err) {
      // Another process created it first, or "Default" is taken by a renamed experiment.
      if (!isUniqueViolation(err)) throw err;
      if (!(await d.experiment.findUnique({ where: { id: 0 }, select: { id: true } }))) {
        await d.experiment.create({
          data: { id: 0, name: `${DEFAULT_EXPERIMENT_NAME} (0)`, artifactLocation: experimentArtifactLocation(0), createdAt: now, lastUpdateTime: now },
        });
      }
    }
  }
  ensured.add(key);
}

export async function createExperiment(actor: Actor | null, input: z.input<typeof createExperimentInput>): Promise<Experiment> {
  if (actor) requireRole(actor, "editor");
  const data = createExperimentInput.parse(input);
  await ensureDefaultExperiment();
  const now = BigInt(Date.now());
  try {
    return await transaction(async (tx) => {
      if (await tx.experiment.findUnique({ where: { name: data.name }, select: { id: true } })) {
        throw conflict(`Experiment '${data.name}' already exists`);
      }
      const created = await tx.experiment.create({
        data: { name: data.name, artifactLocation: "", createdAt: now, lastUpdateTime: now },
      });
      const row = await tx.experiment.update({
        where: { id: created.id },
        data: {
          artifactLocation: experimentArtifactLocation(created.id),
          tags: { create: Object.entries(data.tags ?? {}).map(([key, value]) => ({ key, value })) },
        },
        include: { tags: true },
      });
      return toExperiment(row);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Experiment '${data.name}' already exists`);
    throw err;
  }
}

export async function getExperiment(id: string | number): Promise<Experiment> {
  const n = parseExperimentId(id);
  if (n === 0) await ensureDefaultExperiment();
  const row = await db().experiment.findUnique({ where: { id: n }, include: { tags: true } });
  if (!row) throw notFound("Experiment", String(id));
  return toExperiment(row);
}

export async function getExperimentByName(name: string): Promise<Experiment> {
  await ensureDefaultExperiment();
  const row = await db().experiment.findUnique({ where: { name }, include: { tags: true } });
  if (!row) throw notFound("Experiment", name);
  return toExperiment(row);
}

/**
 * Lists experiments, newest first, with an optional filter (`name LIKE 'churn%' and tags.team = 'x'`).
 * Experiments are few, so the filter runs in memory over the chosen lifecycle stage.
 */
export async function listExperiments(input: ListExperimentsInput = {}): Promise<Page<Experiment>> {
  const q = listExperimentsInput.parse(input);
  await ensureDefaultExperiment();
  const comparisons = parseFilter(q.filter, EXPERIMENT_FILTER_SPEC);
  const offset = decodePageToken(q.pageToken, { view: q.view, filter: q.filter });
  const rows = await db().experiment.findMany({
    where: q.view === "all" ? {} : { lifecycleStage: q.view === "active" ? "active" : "deleted" },
    include: { tags: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  const matching = rows.map(toExperiment).filter((e) =>
    matchesFilter(comparisons, (entity, key) => {
      if (entity === "tag") return e.tags[key];
      if (key === "name") return e.name;
      if (key === "experiment_id") return e.id;
      if (key === "lifecycle_stage") return e.lifecycleStage;
      return key === "creation_time" ? e.createdAt : e.lastUpdateTime;
    }),
  );
  return pageOf(matching.slice(offset, offset + q.maxResults + 1), offset, q.maxResults, { view: q.view, filter: q.filter });
}

async function touch(tx: Tx, id: number): Promise<void> {
  await tx.experiment.update({ where: { id }, data: { lastUpdateTime: BigInt(Date.now()) } });
}

async function requireExperiment(tx: Tx, id: string | number) {
  const n = parseExperimentId(id);
  const row = await tx.experiment.findUnique({ where: { id: n } });
  if (!row) throw notFound("Experiment", String(id));
  return row;
}

export async function renameExperiment(actor: Actor | null, id: string | number, newName: string): Promise<Experiment> {
  if (actor) requireRole(actor, "editor");
  const name = experimentName.parse(newName);
  try {
    return await transaction(async (tx) => {
      const row = await requireExperiment(tx, id);
      if (row.name !== name && (await tx.experiment.findUnique({ where: { name }, select: { id: true } }))) {
        throw conflict(`Experiment '${name}' already exists`);
      }
      const updated = await tx.experiment.update({
        where: { id: row.id },
        data: { name, lastUpdateTime: BigInt(Date.now()) },
        include: { tags: true },
      });
      return toExperiment(updated);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Experiment '${name}' already exists`);
    throw err;
  }
}

export async function setExperimentTags(actor: Actor | null, id: string | number, tags: Record<string, string>): Promise<Experiment> {
  if (actor) requireRole(actor, "editor");
  const parsed = z.record(keySchema, z.string().max(MAX_TAG_VALUE_LENGTH)).parse(tags);
  return transaction(async (tx) => {
    const row = await requireExperiment(tx, id);
    const keys = Object.keys(parsed);
    if (keys.length) {
      await tx.experimentTag.deleteMany({ where: { experimentId: row.id, key: { in: keys } } });
      await tx.experimentTag.createMany({ data: keys.map((key) => ({ experimentId: row.id, key, value: parsed[key]! })) });
    }
    await touch(tx, row.id);
    return toExperiment((await tx.experiment.findUnique({ where: { id: row.id }, include: { tags: true } }))!);
  });
}

export async function deleteExperimentTag(actor: Actor | null, id: string | number, key: string): Promise<void> {
  if (actor) requireRole(actor, "editor");
  await transaction(async (tx) => {
    const row = await requireExperiment(tx, id);
    const { count } = await tx.experimentTag.deleteMany({ where: { experimentId: row.id, key } });
    if (!count) throw notFound("Experiment tag", key);
    await touch(tx, row.id);
  });
}

/** Archives an experiment and its runs (MLflow's "delete"); restore brings both back. */
export async function archiveExperiment(actor: Actor | null, id: string | number): Promise<Experiment> {
  if (actor) requireRole(actor, "editor");
  return setExperimentStage(id, "deleted");
}

export async function restoreExperiment(actor: Actor | null, id: string | number): Promise<Experiment> {
  if (actor) requireRole(actor, "editor");
  return setExperimentStage(id, "active");
}

async function setExperimentStage(id: string | number, stage: "active" | "deleted"): Promise<Experiment> {
  if (stage === "deleted" && String(id).trim() === DEFAULT_EXPERIMENT_ID) throw invalid("The default experiment (id 0) cannot be archived");
  return transaction(async (tx) => {
    const row = await requireExperiment(tx, id);
    const other = stage === "deleted" ? "active" : "deleted";
    await tx.run.updateMany({ where: { experimentId: row.id, lifecycleStage: other }, data: { lifecycleStage: stage } });
    const updated = await tx.experiment.update({
      where: { id: row.id },
      data: { lifecycleStage: stage, lastUpdateTime: BigInt(Date.now()) },
      include: { tags: true },
    });
    return toExperiment(updated);
  });
}
