// Batch scoring: an uploaded CSV is stored, a job scores it in the worker chunk by chunk, and the
// result is a CSV (the input columns, `prediction`, one `proba_<class>` column per class, `error`;
// cells that a spreadsheet would run as formulas are neutralized)
// streamed into the artifact store and streamed back on download. Nothing holds a whole file.
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { artifactStore, joinArtifactPath, type ArtifactData } from "../artifacts";
import { requireRole, type Actor } from "../auth";
import { config } from "../config";
import { db, newId } from "../db";
import { AppError, conflict, invalid, notFound } from "../errors";
import { enqueue, getJob, listJobs, PermanentJobError, type JobContext, type JobInfo } from "../jobs";
import { csvCell, isMissing, parseNumber } from "../datasets";
import type { RowProblem } from "./encode";
import { aliasTarget, CHAMPION, modelRef, versionTarget } from "./resolve";
import { score, servedVersion, type ServedModel } from "./served";

export const BATCH_JOB = "serving.batch_score";
const ROOT = "batch-predictions";
const CHUNK = 2_000;

export interface BatchPayload {
  batchId: string;
  modelId: string;
  model: string;
  versionId: string;
  version: string;
  filename: string | null;
}

export interface BatchResult {
  rows: number;
  failedRows: number;
  columns: string[];
}

export interface BatchInfo {
  id: string;
  model: string;
  version: string;
  filename: string | null;
  state: JobInfo["state"];
  progress: number;
  progress_message: string | null;
  rows: number | null;
  failed_rows: number | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  download: string | null;
}

const inputPath = (id: string) => joinArtifactPath(ROOT, id, "input.csv");
const outputPath = (id: string) => joinArtifactPath(ROOT, id, "predictions.csv");

function toInfo(job: JobInfo): BatchInfo {
  const p = job.payload as BatchPayload;
  const r = job.result as BatchResult | null;
  return {
    id: job.id,
    model: p.model,
    version: p.version,
    filename: p.filename,
    state: job.state,
    progress: job.progress,
    progress_message: job.progressMessage,
    rows: r?.rows ?? null,
    failed_rows: r?.failedRows ?? null,
    error: job.error,
    created_at: job.createdAt,
    finished_at: job.finishedAt,
    download: job.state === "succeeded" ? `/api/v1/models/${encodeURIComponent(p.model)}/batch-predictions/${job.id}/download` : null,
  };
}

/** Stores the CSV and queues its scoring on the version the alias (default champion) names now. */
export async function startBatchScoring(
  actor: Actor,
  name: string,
  choice: { alias?: string; version?: number },
  csv: ArtifactData,
  filename: string | null = null,
): Promise<BatchInfo> {
  requireRole(actor, "editor");
  const ref = await modelRef(name);
  const served = await (choice.version !== undefined ? versionTarget(ref, choice.version) : aliasTarget(ref, choice.alias ?? CHAMPION));
  const batchId = newId();
  const stored = await artifactStore().put(inputPath(batchId), csv, { maxBytes: config().MAX_UPLOAD_BYTES });
  if (stored.size === 0) {
    await artifactStore().delete(joinArtifactPath(ROOT, batchId));
    throw invalid("The CSV is empty: send a header line and at least one row");
  }
  const payload: BatchPayload = { batchId, modelId: ref.id, model: ref.name, versionId: served.versionId, version: served.version, filename };
  // The job id is the batch id the API shows; the files live under the payload's batchId.
  const job = await enqueue(BATCH_JOB, payload, { createdById: actor.userId, maxAttempts: 2 });
  return toInfo(job);
}

async function batchJob(name: string, id: string): Promise<JobInfo> {
  const job = await getJob(id).catch(() => null);
  if (!job || job.type !== BATCH_JOB || (job.payload as BatchPayload).model !== name) throw notFound("Batch prediction", id);
  return job;
}

export async function getBatchScoring(name: string, id: string): Promise<BatchInfo> {
  return toInfo(await batchJob(name, id));
}

export async function listBatchScorings(name: string): Promise<BatchInfo[]> {
  const ref = await modelRef(name);
  const { jobs } = await listJobs({ type: BATCH_JOB, limit: 500 });
  return jobs.filter((j) => (j.payload as BatchPayload).modelId === ref.id).map(toInfo);
}

/** The predictions CSV of a finished batch, as a stream. */
export async function openBatchOutput(name: string, id: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number; filename: string }> {
  const job = await batchJob(name, id);
  if (job.state !== "succeeded") throw conflict(`Batch prediction '${id}' is ${job.state}; download it once it has succeeded`);
  const p = job.payload as BatchPayload;
  const file = await artifactStore().getStream(outputPath(p.batchId));
  const base = (p.filename ?? "input.csv").replace(/\.csv$/i, "").replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80) || "input";
  return { ...file, filename: `${base}-predictions-v${p.version}.csv` };
}

/** CSV text → the JSON value the encoder expects for that feature. */
function converter(served: ServedModel): Map<string, (s: string) => unknown> {
  const m = new Map<string, (s: string) => unknown>();
  for (const f of served.encoder.features) {
    if (f.type === "numeric" || f.type === "integer") {
      m.set(f.name, (s) => {
        if (isMissing(s)) return null;
        const x = parseNumber(s.trim());
        return Number.isNaN(x) ? s : x;
      });
    } else m.set(f.name, (s) => (isMissing(s) ? null : s));
  }
  return m;
}

async function* scoreCsv(ctx: JobContext, served: ServedModel, source: Readable, total: number, result: BatchResult): AsyncGenerator<Uint8Array> {
  const parser = source.pipe(parse({ columns: false, relax_column_count: false, skip_empty_lines: true, bom: true }));
  const convert = converter(served);
  let header: string[] | null = null;
  let conv: [number, (s: string) => unknown][] = [];
  let rows: string[][] = [];
  const classes = served.classes ?? [];
  const flush = async function* (): AsyncGenerator<Uint8Array> {
    if (!rows.length) return;
    // Only the model's features go in; other columns (ids, the target) just pass through to the output.
    const instances = rows.map((r) => {
      const o: Record<string, unknown> = {};
      for (const [i, f] of conv) o[header![i]!] = f(r[i] ?? "");
      return o;
    });
    const problems: RowProblem[] = [];
    const X = served.encoder.encode(instances, problems, Number.MAX_SAFE_INTEGER);
    const bad = new Map<number, string>();
    for (const p of problems) bad.set(p.row, (bad.has(p.row) ? `${bad.get(p.row)}; ` : "") + (p.field === null ? p.message : `'${p.field}' ${p.message}`));
    const s = score(served, X, rows.length);
    const k = s.nClasses;
    let out = "";
    for (let r = 0; r < rows.length; r++) {
      const err = bad.get(r);
      const cells = rows[r]!.map(csvCell);
      if (err) cells.push("", ...classes.map(() => ""), csvCell(err));
      else {
        cells.push(csvCell(String(s.predictions[r])));
        for (let c = 0; c < k; c++) cells.push(String(s.probabilities![r * k + c]));
        cells.push("");
      }
      out += cells.join(",") + "\n";
    }
    result.rows += rows.length;
    result.failedRows += bad.size;
    rows = [];
    yield Buffer.from(out, "utf8");
    await ctx.progress(Math.min(0.99, parser.info.bytes / Math.max(1, total)), `${result.rows} rows scored`);
  };
  for await (const record of parser as AsyncIterable<string[]>) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("cancelled");
    if (!header) {
      header = record.map((h) => h.trim());
      const missing = served.encoder.features.filter((f) => !header!.includes(f.name)).map((f) => f.name);
      if (missing.length) throw invalid(`The CSV has no column for feature(s) ${missing.join(", ")} of model '${served.modelName}' version ${served.version}`);
      conv = header.flatMap((h, i): [number, (s: string) => unknown][] => {
        const f = convert.get(h);
        return f ? [[i, f]] : [];
      });
      const cols = [...header, "prediction", ...classes.map((c) => `proba_${c}`), "error"];
      result.columns = cols;
      yield Buffer.from(cols.map(csvCell).join(",") + "\n", "utf8");
      continue;
    }
    rows.push(record);
    if (rows.length >= CHUNK) yield* flush();
  }
  if (!header) throw invalid("The CSV has no header line");
  yield* flush();
}

/** The worker's handler: scores the stored CSV into the predictions CSV. */
export async function batchScoreJobHandler(ctx: JobContext): Promise<BatchResult> {
  try {
    return await scoreBatch(ctx);
  } catch (err) {
    // A bad file or a deleted version does not get better by retrying.
    if (err instanceof AppError && (err.code === "invalid" || err.code === "not_found" || err.code === "conflict")) throw new PermanentJobError(err.message);
    if (err instanceof Error && String((err as { code?: unknown }).code ?? "").startsWith("CSV_")) throw new PermanentJobError(`The CSV could not be read: ${err.message}`);
    throw err;
  }
}

async function scoreBatch(ctx: JobContext): Promise<BatchResult> {
  const p = ctx.job.payload as BatchPayload;
  const version = await db().modelVersion.findUnique({ where: { id: p.versionId }, select: { id: true } });
  if (!version) throw notFound(`Version ${p.version} of model`, p.model);
  const s = servedVersion(p.versionId);
  const served = s instanceof Promise ? await s : s;
  const store = artifactStore();
  const input = await store.getStream(inputPath(p.batchId));
  const source = Readable.fromWeb(input.stream as Parameters<typeof Readable.fromWeb>[0]);
  const result: BatchResult = { rows: 0, failedRows: 0, columns: [] };
  await ctx.progress(0, "scoring");
  await store.put(outputPath(p.batchId), scoreCsv(ctx, served, source, input.size, result), { maxBytes: Number.MAX_SAFE_INTEGER });
  await ctx.progress(1, `${result.rows} rows scored${result.failedRows ? `, ${result.failedRows} refused` : ""}`);
  return result;
}
