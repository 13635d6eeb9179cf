// An uploaded CSV as a report's current window: stored once in the ArtifactStore (so any worker
// can read it), then streamed through the drift CSV parser in chunks, never whole in memory.
import { artifactStore, type ArtifactData } from "../artifacts";
import { newId } from "../db";
import { CsvParser, type ColumnsInput, type ColumnType, type CurrentWindow } from "../drift";
import { invalid } from "../errors";

const UPLOADS = "drift-uploads";
const CHUNK_ROWS = 100_000;

/** Stores an uploaded CSV and returns its artifact path. */
export async function storeCsvWindow(data: ArtifactData, maxBytes: number): Promise<string> {
  const path = `${UPLOADS}/${newId()}.csv`;
  const stored = await artifactStore().put(path, data, { maxBytes });
  if (stored.size === 0) {
    await artifactStore().delete(path);
    throw invalid("The uploaded CSV is empty: send a header row with the model's feature names and at least one row");
  }
  return path;
}

export function isCsvWindowPath(path: unknown): path is string {
  return typeof path === "string" && /^drift-uploads\/[A-Za-z0-9_-]+\.csv$/.test(path);
}

/**
 * Feeds the CSV's feature columns into the window, typed as in the reference; columns the reference
 * does not know are skipped, and features the file lacks are reported missing by the comparison.
 */
export async function readCsvWindow(
  path: string,
  types: ReadonlyMap<string, "numeric" | "categorical">,
  current: CurrentWindow,
  signal?: AbortSignal,
): Promise<{ rows: number; header: string[] }> {
  const parser = new CsvParser({ types: Object.fromEntries(types) as Record<string, ColumnType>, columns: [...types.keys()] });
  const { stream } = await artifactStore().getStream(path);
  let rows = 0;
  const flush = () => {
    const chunk = parser.take();
    rows += chunk.rows;
    if (chunk.rows > 0) current.add(chunk.columns as unknown as ColumnsInput);
  };
  for await (const bytes of stream as unknown as AsyncIterable<Uint8Array>) {
    signal?.throwIfAborted();
    parser.push(bytes);
    if (parser.rowCount >= CHUNK_ROWS) flush();
  }
  parser.end();
  flush();
  return { rows, header: parser.header };
}

export async function deleteCsvWindow(path: string): Promise<void> {
  await artifactStore().delete(path).catch(() => 0);
}
