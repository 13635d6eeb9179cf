// Reading a stored dataset file back: the first rows for a preview, or every row as columns for
// training. Cells are read with the same rules as during ingestion (values.ts).
import { createHash } from "node:crypto";
import { AppError, invalid } from "../errors";
import { CsvTokenizer } from "./csv";
import type { ColumnSchema, Preview, Table, TableColumn } from "./types";
import { Utf8Decoder } from "./utf8";
import { isMissing, parseBoolean, parseDatetime, parseNumber, trimCell } from "./values";

/** Feeds a byte stream to a tokenizer until it ends or the tokenizer is stopped. */
async function tokenize(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, tokenizer: CsvTokenizer, onBytes?: (b: Uint8Array) => void): Promise<void> {
  const decoder = new Utf8Decoder();
  for await (const chunk of source) {
    onBytes?.(chunk);
    tokenizer.feed(decoder.push(chunk));
    if (tokenizer.isStopped) return; // leaving the loop closes the stream
  }
  tokenizer.feed(decoder.end());
  tokenizer.end();
}

export async function readPreview(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, schema: ColumnSchema[], delimiter: string, rows: number): Promise<Preview> {
  const out: string[][] = [];
  let header = true;
  const t = new CsvTokenizer(delimiter, (fields) => {
    if (header) {
      header = false;
      return;
    }
    out.push(fields.slice());
    if (out.length >= rows) t.stop();
  });
  if (rows > 0) await tokenize(source, t);
  return { columns: schema.map((c) => ({ name: c.name, type: c.type })), rows: out };
}

export interface ReadTableOptions {
  /** Only these columns, in this order (default: all). */
  columns?: string[];
  /** Refuse tables with more cells than this (rows × selected columns). Default 50 million. */
  maxCells?: number;
}

export const DEFAULT_MAX_CELLS = 50_000_000;

type Converter = (v: string) => number;

function converter(type: ColumnSchema["type"]): Converter | null {
  switch (type) {
    case "numeric":
    case "integer":
      return parseNumber;
    case "boolean":
      return (v) => {
        const b = parseBoolean(v, true);
        return b === -1 ? NaN : b;
      };
    case "datetime":
      return parseDatetime;
    default:
      return null;
  }
}

/**
 * Loads a stored CSV as columns. `rowCount` sizes the arrays; `sha256`, when given, is checked
 * against the bytes read so that a changed file is never trained on.
 */
export async function readCsvTable(
  source: AsyncIterable<Uint8Array>,
  info: { schema: ColumnSchema[]; delimiter: string; rowCount: number; sha256?: string },
  opts: ReadTableOptions = {},
): Promise<Table> {
  const { schema, rowCount } = info;
  const names = opts.columns ?? schema.map((c) => c.name);
  const index = new Map(schema.map((c, i) => [c.name, i]));
  const unknown = names.filter((n) => !index.has(n));
  if (unknown.length) throw invalid(`Unknown column${unknown.length > 1 ? "s" : ""}: ${unknown.map((n) => `'${n}'`).join(", ")}`);
  if (new Set(names).size !== names.length) throw invalid("A column is asked for twice");
  const maxCells = opts.maxCells ?? DEFAULT_MAX_CELLS;
  if (rowCount * names.length > maxCells) {
    throw invalid(`The table has ${rowCount * names.length} cells (rows × columns); at most ${maxCells} are loaded at once: choose fewer columns`);
  }

  const picked = names.map((n) => {
    const i = index.get(n)!;
    const col = schema[i]!;
    const conv = converter(col.type);
    return {
      i,
      col,
      conv,
      nums: conv ? new Float64Array(rowCount) : null,
      strs: conv ? null : new Array<string | null>(rowCount),
      // One string instance per category keeps memory proportional to the levels, not the rows.
      intern: col.type === "categorical" ? new Map<string, string>() : null,
    };
  });

  let r = -1;
  const t = new CsvTokenizer(info.delimiter, (fields) => {
    if (r === -1) {
      r = 0;
      return;
    }
    if (r >= rowCount) throw new AppError("internal", "The stored dataset file has more rows than recorded");
    for (const p of picked) {
      const v = trimCell(fields[p.i] ?? "");
      const miss = isMissing(v);
      if (p.nums) p.nums[r] = miss ? NaN : p.conv!(v);
      else if (miss) p.strs![r] = null;
      else if (p.intern) {
        let s = p.intern.get(v);
        if (s === undefined) p.intern.set(v, (s = v));
        p.strs![r] = s;
      } else p.strs![r] = v;
    }
    r++;
  });
  const hash = info.sha256 ? createHash("sha256") : null;
  await tokenize(source, t, hash ? (b) => hash.update(b) : undefined);
  if (r !== rowCount) throw new AppError("internal", `The stored dataset file has ${Math.max(r, 0)} rows; ${rowCount} were recorded`);
  if (hash && hash.digest("hex") !== info.sha256) throw new AppError("internal", "The stored dataset file does not match its SHA-256");

  const columns: TableColumn[] = picked.map((p) =>
    p.nums
      ? { name: p.col.name, type: p.col.type as "numeric" | "integer" | "boolean" | "datetime", values: p.nums }
      : { name: p.col.name, type: p.col.type as "categorical" | "text", values: p.strs! },
  );
  return { columns, rowCount };
}
