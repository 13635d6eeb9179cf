// Runs: create (with a generated name when none is given), read, update status/end time/name,
// archive and restore, lineage. Params, metrics and tags are written by logging.ts.
import { randomBytes } from "node:crypto";
import { requireRole, type Actor } from "../auth";
import { db, dbKind, transaction, type Tx } from "../db";
import { invalid, notFound } from "../errors";
import { parseWith } from "../http";
import { ensureDefaultExperiment, parseExperimentId } from "./experiments";
import { generateRunName } from "./names";
import { RUN_INCLUDE, toRun, toRunInfo, type MetricRow, type RunRow } from "./rows";
import { createRunInput, runIdSchema, updateRunInput, type CreateRunInput, type UpdateRunInput } from "./schemas";
import { DEFAULT_EXPERIMENT_ID, TERMINAL_STATUSES, type Run, type RunInfo, type RunLineage } from "./types";

/** Tags MLflow clients use for fields that are columns here; kept in step with the columns. */
export const RUN_NAME_TAG = "mlflow.runName";
export const PARENT_RUN_TAG = "mlflow.parentRunId";
export const GIT_COMMIT_TAG = "mlflow.source.git.commit";

export function newRunId(): string {
  return randomBytes(16).toString("hex");
}

/** Any string that is not a run id names no run: 404, as for an unknown id. */
export function checkRunId(id: string): string {
  if (!runIdSchema.safeParse(id).success) throw notFound("Run", id);
  return id;
}

/** Loads a run inside a transaction; writes need it active (MLflow's rule for deleted runs). */
export async function requireRun(tx: Tx, id: string, opts: { active?: boolean } = {}) {
  const run = await tx.run.findUnique({ where: { id: checkRunId(id) } });
  if (!run) throw notFound("Run", id);
  if (opts.active && run.lifecycleStage !== "active") {
    throw invalid(`Run '${id}' is archived (lifecycle stage '${run.lifecycleStage}'); restore it before changing it`);
  }
  return run;
}

export async function createRun(actor: Actor | null, input: CreateRunInput = {}): Promise<Run> {
  if (actor) requireRole(actor, "editor");
  const data = parseWith(createRunInput, input, "run");
  await ensureDefaultExperiment();
  const tags: Record<string, string> = { ...(data.tags ?? {}) };
  const tagName = tags[RUN_NAME_TAG];
  if (data.name && tagName !== undefined && tagName !== data.name) {
    throw invalid(`Both a run name ('${data.name}') and a different '${RUN_NAME_TAG}' tag ('${tagName}') were given`);
  }
  const name = data.name ?? (tagName?.trim() || generateRunName());
  tags[RUN_NAME_TAG] = name;
  const parentRunId = data.parentRunId ?? tags[PARENT_RUN_TAG] ?? null;
  if (parentRunId) {
    if (!runIdSchema.safeParse(parentRunId).success) throw invalid(`Parent run id '${parentRunId}' is not a run id`);
    tags[PARENT_RUN_TAG] = parentRunId;
  }
  const codeVersion = data.codeVersion ?? tags[GIT_COMMIT_TAG] ?? null;
  const experimentId = parseExperimentId(data.experimentId ?? DEFAULT_EXPERIMENT_ID);

  return transaction(async (tx) => {
    const experiment = await tx.experiment.findUnique({ where: { id: experimentId } });
    if (!experiment) throw notFound("Experiment", String(experimentId));
    if (experiment.lifecycleStage !== "active") {
      throw invalid(`Experiment '${experiment.name}' is archived; restore it before adding runs`);
    }
    if (parentRunId && !(await tx.run.findUnique({ where: { id: parentRunId }, select: { id: true } }))) {
      throw notFound("Parent run", parentRunId);
    }
    if (data.datasetVersionId && !(await tx.datasetVersion.findUnique({ where: { id: data.datasetVersionId }, select: { id: true } }))) {
      throw notFound("Dataset version", data.datasetVersionId);
    }
    const id = newRunId();
    const row = await tx.run.create({
      data: {
        id,
        experimentId,
        name,
        status: "RUNNING",
        startTime: BigInt(data.startTime ?? Date.now()),
        userId: actor?.userId ?? null,
        parentRunId,
        datasetVersionId: data.datasetVersionId ?? null,
        codeVersion,
        artifactUri: `${experiment.artifactLocation}/${id}/artifacts`,
        tags: { create: Object.entries(tags).map(([key, value]) => ({ key, value })) },
      },
      include: RUN_INCLUDE,
    });
    return toRun(row);
  });
}

export async function getRun(id: string): Promise<Run> {
  const row = await db().run.findUnique({ where: { id: checkRunId(id) }, include: RUN_INCLUDE });
  if (!row) throw notFound("Run", id);
  return toRun(row);
}

export async function getRunInfo(id: string): Promise<RunInfo> {
  const row = await db().run.findUnique({ where: { id: checkRunId(id) } });
  if (!row) throw notFound("Run", id);
  return toRunInfo(row);
}

type KeyValueRow = { runId: string; key: string; value: string };

/**
 * Runs by id, in the order asked; unknown ids are skipped. Four plain queries (runs, params, tags,
 * latest metrics): a page of a runs table loads in a third of the time Prisma's include takes.
 */
export async function getRuns(ids: string[]): Promise<Run[]> {
  if (!ids.length) return [];
  const list = ids.map((_, i) => (dbKind() === "postgres" ? `$${i + 1}` : "?")).join(", ");
  const q = <T>(sql: string) => db().$queryRawUnsafe<T[]>(sql, ...ids);
  const [runs, params, tags, metrics] = await Promise.all([
    q<RunRow>(
      `SELECT "id", "experimentId", "name", "status", "startTime", "endTime", "lifecycleStage", "userId", "parentRunId",
        "datasetVersionId", "codeVersion", "artifactUri" FROM "Run" WHERE "id" IN (${list})`,
    ),
    q<KeyValueRow>(`SELECT "runId", "key", "value" FROM "Param" WHERE "runId" IN (${list})`),
    q<KeyValueRow>(`SELECT "runId", "key", "value" FROM "RunTag" WHERE "runId" IN (${list})`),
    q<MetricRow & { runId: string }>(
      `SELECT "runId", "key", "value", "isNan", "step", "timestamp" FROM "LatestMetric" WHERE "runId" IN (${list})`,
    ),
  ]);
  const byId = new Map(runs.map((r) => [r.id, { ...r, params: [] as KeyValueRow[], tags: [] as KeyValueRow[], latestMetrics: [] as MetricRow[] }]));
  for (const p of params) byId.get(p.runId)?.params.push(p);
  for (const t of tags) byId.get(t.runId)?.tags.push(t);
  for (const m of metrics) byId.get(m.runId)?.latestMetrics.push(m);
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [toRun(r)] : [];
  });
}

/** Child runs (e.g. the trials of a hyperparameter search), oldest first. */
export async function listChildRuns(parentRunId: string): Promise<RunInfo[]> {
  const rows = await db().run.findMany({ where: { parentRunId: checkRunId(parentRunId) }, orderBy: { startTime: "asc" } });
  return rows.map(toRunInfo);
}

/** Updates name, status, end time, dataset version or code version. Ending a run stamps its end time. */
export async function updateRun(actor: Actor | null, id: string, input: UpdateRunInput): Promise<RunInfo> {
  if (actor) requireRole(actor, "editor");
  const data = parseWith(updateRunInput, input, "run update");
  return transaction(async (tx) => {
    const run = await requireRun(tx, id, { active: true });
    if (data.datasetVersionId && !(await tx.datasetVersion.findUnique({ where: { id: data.datasetVersionId }, select: { id: true } }))) {
      throw notFound("Dataset version", data.datasetVersionId);
    }
    let endTime: bigint | null | undefined = data.endTime === undefined ? undefined : data.endTime === null ? null : BigInt(data.endTime);
    if (endTime === undefined && data.status && TERMINAL_STATUSES.includes(data.status) && run.endTime === null) {
      endTime = BigInt(Date.now());
    }
    if (data.name !== undefined) {
      await tx.runTag.upsert({
        where: { runId_key: { runId: run.id, key: RUN_NAME_TAG } },
        create: { runId: run.id, key: RUN_NAME_TAG, value: data.name },
        update: { value: data.name },
      });
    }
    const row = await tx.run.update({
      where: { id: run.id },
      data: {
        name: data.name,
        status: data.status,
        endTime,
        datasetVersionId: data.datasetVersionId,
        codeVersion: data.codeVersion,
      },
    });
    return toRunInfo(row);
  });
}

/** Archives a run (MLflow's delete: lifecycle stage "deleted"); its data stays until restored. */
export async function deleteRun(actor: Actor | null, id: string): Promise<RunInfo> {
  if (actor) requireRole(actor, "editor");
  return setRunStage(id, "deleted");
}

export async function restoreRun(actor: Actor | null, id: string): Promise<RunInfo> {
  if (actor) requireRole(actor, "editor");
  return setRunStage(id, "active");
}

async function setRunStage(id: string, stage: "active" | "deleted"): Promise<RunInfo> {
  return transaction(async (tx) => {
    const run = await requireRun(tx, id);
    if (stage === "active") {
      const exp = await tx.experiment.findUnique({ where: { id: run.experimentId }, select: { lifecycleStage: true, name: true } });
      if (exp?.lifecycleStage !== "active") throw invalid(`Experiment '${exp?.name}' is archived; restore it first`);
    }
    return toRunInfo(await tx.run.update({ where: { id: run.id }, data: { lifecycleStage: stage } }));
  });
}

/** Where a run came from: its experiment, parent run, dataset version and code version. */
export async function getRunLineage(id: string): Promise<RunLineage> {
  const row = await db().run.findUnique({
    where: { id: checkRunId(id) },
    include: { experiment: { select: { id: true, name: true } }, datasetVersion: { include: { dataset: { select: { name: true } } } } },
  });
  if (!row) throw notFound("Run", id);
  const parent = row.parentRunId
    ? await db().run.findUnique({ where: { id: row.parentRunId }, select: { id: true, name: true } })
    : null;
  const dv = row.datasetVersion;
  return {
    run: toRunInfo(row),
    experiment: { id: String(row.experiment.id), name: row.experiment.name },
    parentRun: parent,
    datasetVersion: dv
      ? {
          id: dv.id,
          datasetId: dv.datasetId,
          datasetName: dv.dataset.name,
          version: dv.version,
          sha256: dv.sha256,
          rowCount: dv.rowCount,
          columnCount: dv.columnCount,
        }
      : null,
    codeVersion: row.codeVersion,
  };
}
