// Datasets and their versions in the database, files in the store. A version is identified by the
// SHA-256 of its bytes: uploading the same bytes to a dataset again returns the existing version.
import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { z } from "zod";
import { requireRole, writeAudit, type Actor } from "../auth";
import { config } from "../config";
import { db, newId, parseJson, transaction, type Db } from "../db";
import { AppError, invalid, notFound } from "../errors";
import { analyzeIngest, type DatasetAnalysis } from "./analyze";
import { ingestCsv, type IngestLimits, type IngestResult } from "./ingest";
import { datasetFilePath, datasetStore, sweepStagingSoon } from "./store";
import { readCsvTable, readPreview, type ReadTableOptions } from "./table";
import {
  COLUMN_TYPES,
  type ColumnSchema,
  type DatasetInfo,
  type DatasetProfile,
  type DatasetVersionDetail,
  type DatasetVersionSummary,
  type DatasetWithVersions,
  type Preview,
  type Table,
  type ValidationReport,
  type VersionSelector,
} from "./types";

export const datasetNameSchema = z
  .string()
  .trim()
  .min(1, "A dataset needs a name")
  .max(128, "Dataset names have at most 128 characters")
  // Empty passes here so that an empty name gets one message (from min) rather than two.
  .regex(/^(?:[A-Za-z0-9][A-Za-z0-9._-]*)?$/, "Dataset names use letters, digits, '.', '_' and '-', and start with a letter or digit");

export const schemaOverridesSchema = z.record(
  z.string().min(1),
  z.enum(COLUMN_TYPES, { message: `Column types are ${COLUMN_TYPES.join(", ")}` }),
);

/** The fields of an upload besides the file (shared by the REST route and forms). */
export const datasetUploadFields = z
  .object({
    name: datasetNameSchema,
    description: z.string().trim().max(2000).optional(),
    target: z.string().trim().min(1).max(256).optional(),
    schemaOverrides: schemaOverridesSchema.optional(),
  })
  .strict();

export type DatasetUploadFields = z.input<typeof datasetUploadFields>;

export interface CreateDatasetVersionInput extends DatasetUploadFields {
  /** The CSV bytes, e.g. a Node Readable; read once, never held whole in memory. */
  stream: AsyncIterable<Uint8Array | string>;
}

export interface CreateDatasetVersionResult {
  dataset: DatasetInfo;
  version: DatasetVersionDetail;
  /** False when these bytes already were a version of this dataset (that version is returned). */
  created: boolean;
}

export const versionSelectorSchema = z.union([
  z.literal("latest"),
  z.coerce.number().int("A version is a whole number or 'latest'").min(1, "Versions start at 1"),
]);

/** Zod parse with one readable message (ZodError would become a generic "Invalid input"). */
export function parseFields<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw invalid(
      `Invalid ${where}: ${r.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ` : "") + i.message).join("; ")}`,
      r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    );
  }
  return r.data;
}

export function uploadLimits(): IngestLimits {
  const c = config();
  return { maxBytes: c.MAX_UPLOAD_BYTES, maxColumns: c.MAX_DATASET_COLUMNS };
}

/** First step of an upload: one pass over the bytes into a staging file. */
export async function stageUpload(stream: AsyncIterable<Uint8Array | string>, limits: IngestLimits = uploadLimits()): Promise<IngestResult> {
  const stagingDir = datasetStore().stagingDir();
  // Uploads clean up after uploads that died mid-way (their staging files would otherwise stay forever).
  sweepStagingSoon(stagingDir);
  return ingestCsv(stream, { ...limits, stagingDir });
}

/** Drops a staged upload that will not be committed. */
export async function discardStaged(staged: IngestResult | null): Promise<void> {
  if (staged?.stagingFile) await rm(staged.stagingFile, { force: true });
}

/**
 * Creates the dataset when new, then a version of these bytes (or returns the version that has
 * them). Bad input throws AppError invalid (payload_too_large over MAX_UPLOAD_BYTES) and leaves no
 * database row and no file behind.
 */
// actor null: a trusted in-process caller (the CLI's `mlops train`), as in lib/tracking.
export async function createDatasetVersion(actor: Actor | null, input: CreateDatasetVersionInput): Promise<CreateDatasetVersionResult> {
  if (actor) requireRole(actor, "editor");
  const { stream, ...rest } = input;
  // Checked before reading the bytes: a bad name should not cost a gigabyte of reading.
  const fields = parseFields(datasetUploadFields, rest, "dataset upload");
  const staged = await stageUpload(stream);
  return commitStaged(actor, staged, fields);
}

/** Second step: analyse, store the file and record the version. Always consumes the staging file. */
export async function commitStaged(
  actor: Actor | null,
  staged: IngestResult,
  fields: z.output<typeof datasetUploadFields>,
): Promise<CreateDatasetVersionResult> {
  if (actor) requireRole(actor, "editor");
  try {
    const analysis = analyzeIngest(staged, { schemaOverrides: fields.schemaOverrides, target: fields.target ?? null });
    const store = datasetStore();
    const path = datasetFilePath(analysis.sha256);
    let stored = false;
    if (!(await store.exists(path))) {
      await store.putFile(path, staged.stagingFile!);
      stored = true;
    }
    try {
      return await recordVersion(actor, fields, analysis, path);
    } catch (err) {
      // Keep the file only when some version (maybe a concurrent upload of the same bytes) uses it.
      if (stored && (await db().datasetVersion.count({ where: { artifactPath: path } })) === 0) await store.remove(path);
      throw err;
    }
  } finally {
    await discardStaged(staged);
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === "P2002" || /unique constraint/i.test(e?.message ?? "");
}

async function recordVersion(
  actor: Actor | null,
  fields: z.output<typeof datasetUploadFields>,
  a: DatasetAnalysis,
  artifactPath: string,
): Promise<CreateDatasetVersionResult> {
  const by = actor ? (actor.userId ?? actor.id) : null;
  // Two uploads racing for the same new dataset or version number: the loser retries and sees the winner.
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await transaction(async (tx) => {
        let ds = await tx.dataset.findUnique({ where: { name: fields.name } });
        if (!ds) {
          ds = await tx.dataset.create({ data: { id: newId(), name: fields.name, description: fields.description ?? null, createdById: by } });
          await writeAudit(tx, actor, "dataset.create", { type: "dataset", id: ds.id }, { name: ds.name });
        } else if (fields.description !== undefined && fields.description !== ds.description) {
          ds = await tx.dataset.update({ where: { id: ds.id }, data: { description: fields.description } });
        }
        const existing = await tx.datasetVersion.findUnique({ where: { datasetId_sha256: { datasetId: ds.id, sha256: a.sha256 } } });
        if (existing) return { versionId: existing.id, created: false };
        const last = await tx.datasetVersion.aggregate({ where: { datasetId: ds.id }, _max: { version: true } });
        const version = (last._max.version ?? 0) + 1;
        const row = await tx.datasetVersion.create({
          data: {
            id: newId(),
            datasetId: ds.id,
            version,
            sha256: a.sha256,
            artifactPath,
            sizeBytes: a.sizeBytes,
            rowCount: a.rowCount,
            columnCount: a.columnCount,
            schema: JSON.stringify(a.schema),
            profile: JSON.stringify(a.profile),
            validation: JSON.stringify(a.validation),
            createdById: by,
          },
        });
        await writeAudit(tx, actor, "dataset.version_create", { type: "dataset", id: ds.id }, { name: ds.name, version, sha256: a.sha256 });
        return { versionId: row.id, created: true };
      });
      const version = await getDatasetVersionById(out.versionId);
      return { dataset: await datasetInfo(version.datasetId), version, created: out.created };
    } catch (err) {
      if (attempt >= 5 || !isUniqueViolation(err)) throw err;
    }
  }
}

// ---------------------------------------------------------------- reads

const summarySelect = {
  id: true,
  datasetId: true,
  version: true,
  sha256: true,
  sizeBytes: true,
  rowCount: true,
  columnCount: true,
  createdAt: true,
  createdById: true,
  dataset: { select: { name: true } },
} as const;

type SummaryRow = {
  id: string;
  datasetId: string;
  version: number;
  sha256: string;
  sizeBytes: number;
  rowCount: number;
  columnCount: number;
  createdAt: Date;
  createdById: string | null;
  dataset: { name: string };
};

function toSummary(r: SummaryRow): DatasetVersionSummary {
  return {
    id: r.id,
    datasetId: r.datasetId,
    datasetName: r.dataset.name,
    version: r.version,
    sha256: r.sha256,
    sizeBytes: r.sizeBytes,
    rowCount: r.rowCount,
    columnCount: r.columnCount,
    createdAt: r.createdAt.toISOString(),
    createdById: r.createdById,
  };
}

type DatasetRow = { id: string; name: string; description: string | null; createdAt: Date; createdById: string | null };

function toInfo(d: DatasetRow, versionCount: number, latest: DatasetVersionSummary | null): DatasetInfo {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    createdAt: d.createdAt.toISOString(),
    createdById: d.createdById,
    versionCount,
    latest,
  };
}

async function datasetInfo(id: string): Promise<DatasetInfo> {
  const d = await db().dataset.findUniqueOrThrow({
    where: { id },
    include: { _count: { select: { versions: true } }, versions: { orderBy: { version: "desc" }, take: 1, select: summarySelect } },
  });
  return toInfo(d, d._count.versions, d.versions[0] ? toSummary(d.versions[0]) : null);
}

export async function listDatasets(opts: { limit?: number; offset?: number } = {}): Promise<{ datasets: DatasetInfo[]; total: number }> {
  const [rows, total] = await Promise.all([
    db().dataset.findMany({
      orderBy: [{ createdAt: "desc" }, { name: "asc" }],
      take: Math.min(Math.max(opts.limit ?? 50, 1), 500),
      skip: Math.max(opts.offset ?? 0, 0),
      include: { _count: { select: { versions: true } }, versions: { orderBy: { version: "desc" }, take: 1, select: summarySelect } },
    }),
    db().dataset.count(),
  ]);
  return { datasets: rows.map((d) => toInfo(d, d._count.versions, d.versions[0] ? toSummary(d.versions[0]) : null)), total };
}

export async function getDataset(name: string): Promise<DatasetWithVersions> {
  const d = await db().dataset.findUnique({
    where: { name },
    include: { versions: { orderBy: { version: "desc" }, select: summarySelect } },
  });
  if (!d) throw notFound("Dataset", name);
  const versions = d.versions.map(toSummary);
  return { ...toInfo(d, versions.length, versions[0] ?? null), versions };
}

type VersionRow = NonNullable<Awaited<ReturnType<Db["datasetVersion"]["findFirst"]>>> & { dataset: { name: string } };

function toDetail(r: VersionRow): DatasetVersionDetail {
  return {
    ...toSummary(r),
    schema: parseJson<ColumnSchema[]>(r.schema, []),
    profile: parseJson<DatasetProfile>(r.profile, { rowCount: r.rowCount, columnCount: r.columnCount, format: { delimiter: ",", hasBom: false, encoding: "utf-8" }, columns: [] }),
    validation: parseJson<ValidationReport>(r.validation, {
      rowCount: r.rowCount,
      columnCount: r.columnCount,
      missing: [],
      allMissingColumns: [],
      constantColumns: [],
      duplicateRows: { count: 0, fraction: 0, exact: true },
      outliers: [],
      target: null,
      issues: [],
    }),
  };
}

async function findVersionRow(name: string, selector: VersionSelector): Promise<VersionRow> {
  const sel = parseFields(versionSelectorSchema, selector, "version");
  const row = await db().datasetVersion.findFirst({
    where: { dataset: { name }, ...(sel === "latest" ? {} : { version: sel }) },
    orderBy: { version: "desc" },
    include: { dataset: { select: { name: true } } },
  });
  if (!row) {
    if (!(await db().dataset.findUnique({ where: { name }, select: { id: true } }))) throw notFound("Dataset", name);
    throw notFound(`Version ${sel} of dataset '${name}'`);
  }
  return row;
}

/** A version with its schema, profile and validation report. */
export async function getDatasetVersion(name: string, version: VersionSelector = "latest"): Promise<DatasetVersionDetail> {
  return toDetail(await findVersionRow(name, version));
}

export async function getDatasetVersionById(id: string): Promise<DatasetVersionDetail> {
  const row = await db().datasetVersion.findUnique({ where: { id }, include: { dataset: { select: { name: true } } } });
  if (!row) throw notFound("Dataset version", id);
  return toDetail(row);
}

/** A version by id, or by dataset name and version number (default latest). */
export type DatasetVersionRef = { id: string } | { name: string; version?: VersionSelector };

async function resolve(ref: DatasetVersionRef): Promise<DatasetVersionDetail> {
  return "id" in ref ? getDatasetVersionById(ref.id) : getDatasetVersion(ref.name, ref.version ?? "latest");
}

async function openStored(v: DatasetVersionDetail): Promise<Readable> {
  return datasetStore().get(datasetFilePath(v.sha256));
}

export const MAX_PREVIEW_ROWS = 1000;

/** The first `rows` data rows as written in the file. */
export async function previewDataset(name: string, version: VersionSelector = "latest", rows = 20): Promise<Preview> {
  if (!Number.isInteger(rows) || rows < 0 || rows > MAX_PREVIEW_ROWS) throw invalid(`Preview rows is a whole number from 0 to ${MAX_PREVIEW_ROWS}`);
  const v = await getDatasetVersion(name, version);
  if (rows === 0) return readPreview([], v.schema, v.profile.format.delimiter, 0);
  const stream = await openStored(v);
  try {
    return await readPreview(stream, v.schema, v.profile.format.delimiter, rows);
  } finally {
    stream.destroy();
  }
}

/** The whole version as columns for training (Float64Array for numbers, strings otherwise). */
export async function readTable(ref: DatasetVersionRef, opts: ReadTableOptions = {}): Promise<Table> {
  const v = await resolve(ref);
  const stream = await openStored(v);
  try {
    return await readCsvTable(stream, { schema: v.schema, delimiter: v.profile.format.delimiter, rowCount: v.rowCount, sha256: v.sha256 }, opts);
  } finally {
    // Closes the file also when the options were refused before reading.
    stream.destroy();
  }
}

/** The stored bytes of a version, for download. */
export async function openDatasetFile(
  name: string,
  version: VersionSelector = "latest",
): Promise<{ stream: Readable; sizeBytes: number; sha256: string; filename: string }> {
  const v = await getDatasetVersion(name, version);
  return { stream: await openStored(v), sizeBytes: v.sizeBytes, sha256: v.sha256, filename: `${v.datasetName}-v${v.version}.csv` };
}

export const retypeInput = z
  .object({
    /** Column → type; columns not named keep their inferred type (an empty object resets every override). */
    schema: schemaOverridesSchema,
    /** Label column for the validation report's label balance; null removes it, absent keeps it. */
    target: z.string().trim().min(1).max(256).nullable().optional(),
  })
  .strict();

/**
 * Sets the column types of a stored version (the schema override after upload): the stored file is
 * read again, every value checked against its new type, and the schema, profile and validation report
 * replaced. The bytes and so the SHA-256 stay the same; runs trained earlier keep the schema in their
 * model manifests. A value that does not fit changes nothing (400 with its line).
 */
export async function retypeDatasetVersion(
  actor: Actor,
  name: string,
  version: VersionSelector,
  input: z.input<typeof retypeInput>,
): Promise<DatasetVersionDetail> {
  requireRole(actor, "editor");
  const fields = parseFields(retypeInput, input, "schema change");
  const v = await getDatasetVersion(name, version);
  const columns = v.schema.map((c) => c.name);
  for (const col of Object.keys(fields.schema)) {
    if (!columns.includes(col)) throw invalid(`The schema names column '${col}', not in dataset '${name}' v${v.version}; the columns are ${columns.join(", ")}`);
  }
  const target = fields.target === undefined ? (v.validation.target?.column ?? null) : fields.target;
  const stream = await openStored(v);
  let analysis: DatasetAnalysis;
  try {
    analysis = analyzeIngest(await ingestCsv(stream, { ...uploadLimits(), stagingDir: null }), { schemaOverrides: fields.schema, target });
  } finally {
    stream.destroy();
  }
  if (analysis.sha256 !== v.sha256) throw new AppError("internal", "The stored dataset file does not match its SHA-256");
  await transaction(async (tx) => {
    await tx.datasetVersion.update({
      where: { id: v.id },
      data: { schema: JSON.stringify(analysis.schema), profile: JSON.stringify(analysis.profile), validation: JSON.stringify(analysis.validation) },
    });
    const changed = analysis.schema.filter((c, i) => c.type !== v.schema[i]?.type).map((c) => ({ column: c.name, from: v.schema.find((o) => o.name === c.name)?.type, to: c.type }));
    await writeAudit(tx, actor, "dataset.version_retype", { type: "dataset", id: v.datasetId }, { name, version: v.version, changed, target });
  });
  return getDatasetVersionById(v.id);
}
