// From one ingestion pass to the schema, profile and validation report stored with a version.
import { invalid } from "../errors";
import { buildSchema } from "./infer";
import { ingestCsv, type IngestOptions, type IngestResult } from "./ingest";
import { buildProfile } from "./profile";
import type { ColumnSchema, ColumnType, DatasetProfile, ValidationReport } from "./types";
import { buildValidation } from "./validation";

export interface AnalyzeOptions {
  /** Column name → type; each is checked against every value. */
  schemaOverrides?: Record<string, ColumnType>;
  /** Label column: adds label balance to the validation report. Must exist. */
  target?: string | null;
}

export interface DatasetAnalysis {
  sha256: string;
  sizeBytes: number;
  rowCount: number;
  columnCount: number;
  schema: ColumnSchema[];
  profile: DatasetProfile;
  validation: ValidationReport;
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 20).map((n) => `'${n}'`).join(", ");
  return names.length > 20 ? `${shown}, … (${names.length} in all)` : shown;
}

/** Throws AppError invalid when the target is missing or an override does not fit the data. */
export function analyzeIngest(ingest: IngestResult, opts: AnalyzeOptions = {}): DatasetAnalysis {
  const target = opts.target ?? null;
  if (target !== null && !ingest.header.includes(target)) {
    throw invalid(`The target column '${target}' is not in the header; the columns are ${listNames(ingest.header)}`, { target });
  }
  const schema = buildSchema(ingest.columns, opts.schemaOverrides ?? {});
  const profile = buildProfile(ingest, schema);
  const validation = buildValidation(ingest, schema, profile.columns, target);
  return {
    sha256: ingest.sha256,
    sizeBytes: ingest.sizeBytes,
    rowCount: ingest.rowCount,
    columnCount: ingest.header.length,
    schema,
    profile,
    validation,
  };
}

/** Profiles a CSV without storing anything (e.g. to inspect a file, or in tests). */
export async function analyzeCsv(
  source: AsyncIterable<Uint8Array | string>,
  opts: AnalyzeOptions & Omit<IngestOptions, "stagingDir"> = {},
): Promise<DatasetAnalysis> {
  const ingest = await ingestCsv(source, { maxBytes: opts.maxBytes, maxColumns: opts.maxColumns, stagingDir: null });
  return analyzeIngest(ingest, opts);
}
