// One pass over an uploaded CSV: SHA-256 of the raw bytes, size limit, UTF-8 check, delimiter
// sniffing, parsing, per-column statistics, duplicate-row counting, and a staging copy of the bytes.
// Memory stays bounded whatever the file size: chunks are processed and dropped, and statistics
// have fixed budgets (column-stats.ts).
import { createHash, randomUUID } from "node:crypto";
import { mkdir, open, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { AppError, invalid } from "../errors";
import { ColumnAccumulator, budgetFor, type StatsBudget } from "./column-stats";
import { CsvFormatError, CsvTokenizer, sniffDelimiter, type Delimiter } from "./csv";
import { DuplicateCounter, RowHasher, hashHi, hashLo, hashString } from "./hash";
import { mulberry32 } from "./prng";
import { Utf8Decoder, Utf8Error } from "./utf8";
import { isMissing, trimCell } from "./values";

export interface IngestLimits {
  /** Largest input in bytes (MAX_UPLOAD_BYTES). */
  maxBytes: number;
  /** Most columns (MAX_DATASET_COLUMNS). */
  maxColumns: number;
}

export interface IngestOptions extends Partial<IngestLimits> {
  /** Folder for a copy of the bytes (kept on success, removed on failure); null writes no copy. */
  stagingDir?: string | null;
}

export interface IngestResult {
  sha256: string;
  sizeBytes: number;
  rowCount: number;
  header: string[];
  delimiter: Delimiter;
  hasBom: boolean;
  columns: ColumnAccumulator[];
  duplicateRows: { count: number; exact: boolean };
  budget: StatsBudget;
  /** The staging copy; the caller moves it into the store or deletes it. */
  stagingFile: string | null;
}

const SNIFF_CHARS = 64 * 1024;
const MAX_SNIFF_CHARS = 8 * 1024 * 1024;
const MAX_NAME_CHARS = 256;
// Fixed so that the same bytes always give the same profile.
const SAMPLE_SEED = 0x5eed;

function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

function checkHeader(fields: string[], maxColumns: number): string[] {
  if (fields.length > maxColumns) {
    throw invalid(
      `The header has ${fields.length} columns; at most ${maxColumns} are accepted (MAX_DATASET_COLUMNS)`,
      { columns: fields.length, maxColumns },
    );
  }
  const names = fields.map((f) => trimCell(f));
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === "") throw invalid(`Column ${i + 1} of the header (line 1) has no name; every column needs one`, { column: i + 1 });
    if (name.length > MAX_NAME_CHARS) {
      throw invalid(`Column ${i + 1} of the header has a name longer than ${MAX_NAME_CHARS} characters`, { column: i + 1 });
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw invalid(`The header names '${name}' twice (columns ${first + 1} and ${i + 1}); column names must be unique`, {
        name,
        columns: [first + 1, i + 1],
      });
    }
    seen.set(name, i);
  });
  return names;
}

/**
 * Reads a CSV from any byte (or string) iterable, e.g. a Node Readable. Throws AppError
 * (invalid, or payload_too_large) for bad input; nothing is left in the staging folder then.
 */
export async function ingestCsv(source: AsyncIterable<Uint8Array | string>, opts: IngestOptions = {}): Promise<IngestResult> {
  const maxBytes = opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
  const maxColumns = opts.maxColumns ?? 10_000;
  const hash = createHash("sha256");
  const decoder = new Utf8Decoder();
  const rand = mulberry32(SAMPLE_SEED);

  let stagingFile: string | null = null;
  let fh: FileHandle | null = null;
  if (opts.stagingDir) {
    await mkdir(opts.stagingDir, { recursive: true });
    stagingFile = join(opts.stagingDir, `${randomUUID()}.csv.part`);
    fh = await open(stagingFile, "wx");
  }

  let header: string[] | null = null;
  let columns: ColumnAccumulator[] = [];
  let budget: StatsBudget = budgetFor(1);
  let ncol = 0;
  let rowCount = 0;
  const dups = new DuplicateCounter();
  const row = new RowHasher();
  hashString("\u0000missing");
  const missHi = hashHi;
  const missLo = hashLo;

  const onRecord = (fields: string[], line: number): void => {
    if (header === null) {
      header = checkHeader(fields, maxColumns);
      ncol = header.length;
      budget = budgetFor(ncol);
      columns = header.map((name) => new ColumnAccumulator(name, budget, rand));
      tokenizer!.maxFields = ncol;
      return;
    }
    if (fields.length !== ncol) {
      throw invalid(`Line ${line} has ${fields.length} field${fields.length === 1 ? "" : "s"}; the header has ${ncol}`, {
        line,
        fields: fields.length,
        expected: ncol,
      });
    }
    row.reset();
    for (let c = 0; c < ncol; c++) {
      const v = trimCell(fields[c]!);
      const acc = columns[c]!;
      if (isMissing(v)) {
        acc.missing++;
        row.add(missHi, missLo);
        continue;
      }
      hashString(v);
      row.add(hashHi, hashLo);
      acc.add(v, line, hashHi, hashLo);
    }
    dups.add(row.value());
    rowCount++;
  };

  let tokenizer: CsvTokenizer | null = null;
  let head = "";
  let delimiter: Delimiter = ",";
  let size = 0;

  const startParsing = (complete: boolean) => {
    delimiter = sniffDelimiter(head, complete, maxColumns);
    tokenizer = new CsvTokenizer(delimiter, onRecord, { maxFields: maxColumns });
    const text = head;
    head = "";
    tokenizer.feed(text);
  };

  let headHasLineEnd = false;
  const feed = (text: string) => {
    if (tokenizer) tokenizer.feed(text);
    else {
      head += text;
      headHasLineEnd ||= text.includes("\n") || text.includes("\r");
      // The sniffer needs at least the whole header line (a wide header can exceed the sample).
      if ((head.length >= SNIFF_CHARS && headHasLineEnd) || head.length >= MAX_SNIFF_CHARS) startParsing(false);
    }
  };

  try {
    for await (const chunk of source) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      if (bytes.byteLength === 0) continue;
      size += bytes.byteLength;
      if (size > maxBytes) {
        throw new AppError("payload_too_large", `The file is larger than the ${formatBytes(maxBytes)} upload limit (MAX_UPLOAD_BYTES)`, {
          maxBytes,
        });
      }
      hash.update(bytes);
      // The write overlaps with parsing (its bytes are not touched meanwhile) and is always awaited.
      const written = fh?.write(bytes);
      try {
        feed(decoder.push(bytes));
      } finally {
        await written;
      }
    }
    feed(decoder.end());
    if (!tokenizer) startParsing(true);
    tokenizer!.end();
    if (header === null) throw invalid("The file is empty: it needs a header line and at least one data row");
    if (rowCount === 0) {
      throw invalid(`The file has a header (${ncol} column${ncol === 1 ? "" : "s"}) but no data rows`);
    }
    await fh?.close();
    fh = null;
  } catch (err) {
    await fh?.close().catch(() => undefined);
    if (stagingFile) await rm(stagingFile, { force: true });
    // Text still waiting for the sniffer has not been counted by a tokenizer yet.
    const linesBefore = tokenizer ? (tokenizer as CsvTokenizer).line : 1 + (head.match(/\n/g)?.length ?? 0);
    throw mapError(err, tokenizer, linesBefore, maxColumns, header !== null);
  }

  return {
    sha256: hash.digest("hex"),
    sizeBytes: size,
    rowCount,
    header: header!,
    delimiter,
    hasBom: decoder.hadBom,
    columns,
    duplicateRows: { count: dups.duplicates(), exact: dups.exact },
    budget,
    stagingFile,
  };
}

function mapError(err: unknown, tokenizer: CsvTokenizer | null, linesBefore: number, maxColumns: number, headerSeen: boolean): unknown {
  if (err instanceof Utf8Error) {
    // Lines read so far plus line feeds in the failing chunk before the bad byte.
    const line = linesBefore + err.newlinesInPiece;
    const what = err.truncated
      ? `the file ends in the middle of a multi-byte character (byte offset ${err.byteOffset})`
      : `byte 0x${err.byte.toString(16).toUpperCase().padStart(2, "0")} at byte offset ${err.byteOffset} (line ${line}) is not valid UTF-8`;
    return invalid(`The file is not UTF-8 text: ${what}. Save it as UTF-8 (with or without BOM) and upload it again.`, {
      byteOffset: err.byteOffset,
      line,
    });
  }
  if (err instanceof CsvFormatError) {
    if (err.kind === "too_many_fields") {
      return headerSeen
        ? invalid(`Line ${err.line} has more fields than the header (${tokenizer?.maxFields ?? "?"})`, { line: err.line })
        : invalid(`The header has more than ${maxColumns} columns; at most ${maxColumns} are accepted (MAX_DATASET_COLUMNS)`, {
            maxColumns,
          });
    }
    return invalid(err.message, { line: err.line });
  }
  return err;
}
