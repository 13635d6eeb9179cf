// A fast CSV reader for drift data: bytes in, typed columns out. Numeric columns are parsed
// straight from the bytes into Float64Array (decimal.ts), so a 200,000-row file never becomes
// millions of small strings. Quoted fields (RFC 4180) are handled; rows whose field count differs
// from the header are rejected with their line number.

import { closeSync, openSync, readSync } from "node:fs";
import { invalid } from "@/lib/errors";
import { inferType } from "./columns";
import { numberFromText, parseNumberBytes, parsed, scanNumber } from "./decimal";
import type { ColumnInput, ColumnType } from "./types";

export interface CsvReadOptions {
  /** Column types (e.g. the reference's, when reading the current file); others are inferred. */
  types?: Readonly<Record<string, ColumnType>>;
  /** Only these columns are kept (the others are skipped while parsing). */
  columns?: readonly string[];
  /** Records used to infer the type of columns without a given type (default 1000). */
  sniffRows?: number;
  /** Field separator (default ","). */
  delimiter?: string;
}

export interface CsvColumns {
  names: string[];
  rows: number;
  columns: ColumnInput[];
}

const QUOTE = 0x22;
const decoder = new TextDecoder();
const STOP_END = 0;
const STOP_INCOMPLETE = 1;
const STOP_GENERIC = 2;
const CR = 0x0d;
const LF = 0x0a;
interface NumericBuilder {
  kind: "numeric";
  values: Float64Array;
  invalid: number;
  examples: string[];
}
interface TextBuilder {
  kind: "text";
  values: string[];
}
type Builder = NumericBuilder | TextBuilder;

/**
 * Incremental CSV parser: push() byte chunks of any size, end() at the end. The first record is the
 * header. Rows are kept in column builders; take() hands over the columns parsed so far.
 */
export class CsvParser {
  private names: string[] | null = null;
  private keep: boolean[] = [];
  private builders: (Builder | null)[] = [];
  private types: (ColumnType | null)[] = [];
  /** Rows held as text until the types of untyped columns are known. */
  private sniff: string[][] = [];
  private sniffing = false;
  private rows = 0;
  private line = 1;
  private carry: Uint8Array = new Uint8Array(0);
  private readonly sep: number;
  private readonly sniffRows: number;

  constructor(private readonly options: CsvReadOptions = {}) {
    const d = options.delimiter ?? ",";
    if (d.length !== 1 || d.charCodeAt(0) > 127) throw invalid("The CSV delimiter must be a single ASCII character");
    this.sep = d.charCodeAt(0);
    this.sniffRows = options.sniffRows ?? 1000;
  }

  get rowCount(): number {
    return this.rows;
  }

  get header(): string[] {
    return this.names ?? [];
  }

  /** Adds the next bytes of the file (any size; a record may span chunks). */
  push(chunk: Uint8Array): void {
    let buf: Uint8Array;
    if (this.carry.length) {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry);
      buf.set(chunk, this.carry.length);
    } else buf = chunk;
    const used = this.parse(buf, false);
    this.carry = buf.slice(used);
  }

  /** Parses the complete records of `b` (all of it when `final`); returns the bytes consumed. */
  consume(b: Uint8Array, final: boolean): number {
    if (this.carry.length) throw new Error("consume() cannot follow push() with a partial record");
    return this.parse(b, final);
  }

  /** Call after the last chunk. */
  end(): void {
    if (this.carry.length) this.parse(this.carry, true);
    this.carry = new Uint8Array(0);
    if (!this.names) throw invalid("The CSV file is empty: it needs a header row");
    this.flushSniff();
  }

  /** Parses whole records; returns how many bytes were consumed (a partial record is left over). */
  private parse(b: Uint8Array, final: boolean): number {
    const n = b.length;
    let pos = 0;
    if (this.names === null && this.line === 1 && n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) pos = 3;
    while (pos < n) {
      if (this.names !== null && !this.sniffing) {
        pos = this.fastRecords(b, pos, final);
        if (this.stop === STOP_END) return pos;
        if (this.stop === STOP_INCOMPLETE) return pos;
      }
      const next = this.genericRecord(b, pos, final);
      if (next < 0) return pos;
      pos = next;
    }
    return pos;
  }

  private stop = 0;

  /**
   * The common case without quotes, one pass over the bytes: numeric fields are parsed while they
   * are scanned, straight into the column. Stops at the end of the data, at an incomplete record,
   * or before a record that needs the general parser (quotes, wrong field count).
   */
  private fastRecords(b: Uint8Array, pos: number, final: boolean): number {
    const n = b.length;
    const sep = this.sep;
    const builders = this.builders;
    const ncols = builders.length;
    while (pos < n) {
      const recStart = pos;
      const c0 = b[pos]!;
      if (c0 === LF || c0 === CR) {
        // Blank line.
        if (c0 === CR && pos + 1 >= n && !final) {
          this.stop = STOP_INCOMPLETE;
          return recStart;
        }
        pos += c0 === CR && b[pos + 1] === LF ? 2 : 1;
        this.line++;
        continue;
      }
      const row = this.rows;
      let i = pos;
      let ok = true;
      for (let k = 0; k < ncols; k++) {
        if (b[i] === QUOTE) {
          ok = false;
          break;
        }
        const bl = builders[k] ?? null;
        let j: number;
        if (bl !== null && bl.kind === "numeric") {
          parsed.invalid = false;
          const v = scanNumber(b, i, n, sep);
          j = parsed.end;
          if (j >= n && !final) {
            this.stop = STOP_INCOMPLETE;
            return recStart;
          }
          if (parsed.invalid) {
            bl.invalid++;
            const text = decoder.decode(b.subarray(i, j));
            if (bl.examples.length < 5 && !bl.examples.includes(text)) bl.examples.push(text);
          }
          if (row >= bl.values.length) {
            const next = new Float64Array(Math.max(1024, bl.values.length * 2));
            next.set(bl.values);
            bl.values = next;
          }
          bl.values[row] = v;
        } else {
          j = i;
          while (j < n) {
            const c = b[j]!;
            if (c === sep || c === LF || c === CR) break;
            j++;
          }
          if (j >= n && !final) {
            this.stop = STOP_INCOMPLETE;
            return recStart;
          }
          if (bl !== null) bl.values[row] = decoder.decode(b.subarray(i, j));
        }
        if (k < ncols - 1) {
          if (j >= n || b[j] !== sep) {
            ok = false;
            break;
          }
          i = j + 1;
        } else {
          i = j;
        }
      }
      // Too few or too many fields, or a quote: the general parser reads (or rejects) it.
      if (!ok || (i < n && b[i] !== LF && b[i] !== CR)) {
        this.stop = STOP_GENERIC;
        return recStart;
      }
      if (i < n) {
        if (b[i] === CR) {
          if (i + 1 >= n && !final) {
            this.stop = STOP_INCOMPLETE;
            return recStart;
          }
          i += b[i + 1] === LF ? 2 : 1;
        } else i++;
      }
      this.rows++;
      this.line++;
      pos = i;
    }
    this.stop = STOP_END;
    return pos;
  }

  /** One record by the general rules; returns the position after it, or −1 when it is incomplete. */
  private genericRecord(b: Uint8Array, pos: number, final: boolean): number {
    const n = b.length;
    const sep = this.sep;
    const fields: number[] = [];
    const quoted: boolean[] = [];
    let i = pos;
    let newlines = 0;
    for (;;) {
      if (i < n && b[i] === QUOTE) {
        // Quoted field: runs to the next quote not followed by another quote.
        let j = i + 1;
        for (;;) {
          while (j < n && b[j] !== QUOTE) {
            if (b[j] === LF) newlines++;
            j++;
          }
          if (j + 1 < n && b[j + 1] === QUOTE) {
            j += 2;
            continue;
          }
          break;
        }
        if (j >= n) {
          if (final) throw invalid(`CSV line ${this.line}: a quoted field is not closed`);
          return -1;
        }
        if (j + 1 >= n && !final) return -1;
        fields.push(i + 1, j);
        quoted.push(true);
        i = j + 1;
        if (i < n && b[i] !== sep && b[i] !== LF && b[i] !== CR) throw invalid(`CSV line ${this.line}: text after a closing quote`);
      } else {
        let j = i;
        while (j < n) {
          const c = b[j]!;
          if (c === sep || c === LF || c === CR) break;
          j++;
        }
        if (j >= n && !final) return -1;
        fields.push(i, j);
        quoted.push(false);
        i = j;
      }
      if (i >= n) break;
      if (b[i] === sep) {
        i++;
        if (i >= n) {
          if (!final) return -1;
          fields.push(i, i);
          quoted.push(false);
          break;
        }
        continue;
      }
      // End of record: \n, \r\n or \r.
      if (b[i] === CR) {
        if (i + 1 >= n && !final) return -1;
        i += i + 1 < n && b[i + 1] === LF ? 2 : 1;
      } else i++;
      break;
    }
    this.record(b, fields, quoted);
    this.line += 1 + newlines;
    return i;
  }

  private text(b: Uint8Array, s: number, e: number, q: boolean): string {
    const t = decoder.decode(b.subarray(s, e));
    return q ? t.replaceAll('""', '"') : t;
  }

  private record(b: Uint8Array, f: number[], q: boolean[]): void {
    const count = f.length / 2;
    // Blank lines are skipped (as pandas does).
    if (count === 1 && f[0] === f[1]) return;
    if (this.names === null) {
      const names: string[] = [];
      for (let k = 0; k < count; k++) names.push(this.text(b, f[2 * k]!, f[2 * k + 1]!, q[k]!).trim());
      const dup = names.find((nm, i) => names.indexOf(nm) !== i);
      if (dup !== undefined) throw invalid(`CSV header: column '${dup}' appears twice`);
      if (names.some((nm) => nm === "")) throw invalid("CSV header: a column has no name");
      this.names = names;
      const wanted = this.options.columns ? new Set(this.options.columns) : null;
      this.keep = names.map((nm) => !wanted || wanted.has(nm));
      this.types = names.map((nm) => this.options.types?.[nm] ?? null);
      this.sniffing = this.types.some((t, k) => t === null && this.keep[k]);
      if (!this.sniffing) this.startBuilders();
      return;
    }
    if (count !== this.names.length)
      throw invalid(`CSV line ${this.line} has ${count} fields; the header has ${this.names.length}`);
    if (this.sniffing) {
      const row: string[] = [];
      for (let k = 0; k < count; k++) row.push(this.keep[k] ? this.text(b, f[2 * k]!, f[2 * k + 1]!, q[k]!) : "");
      this.sniff.push(row);
      this.rows++;
      if (this.sniff.length >= this.sniffRows) this.flushSniff();
      return;
    }
    this.rows++;
    for (let k = 0; k < count; k++) {
      const bl = this.builders[k];
      if (!bl) continue;
      const s = f[2 * k]!;
      const e = f[2 * k + 1]!;
      if (bl.kind === "numeric") {
        parsed.invalid = false;
        const v = q[k] ? numberFromText(this.text(b, s, e, true)) : parseNumberBytes(b, s, e);
        if (parsed.invalid) {
          bl.invalid++;
          const text = this.text(b, s, e, q[k]!);
          if (bl.examples.length < 5 && !bl.examples.includes(text)) bl.examples.push(text);
          this.pushNumber(bl, Number.NaN);
        } else this.pushNumber(bl, v);
      } else bl.values[this.rows - 1] = this.text(b, s, e, q[k]!);
    }
  }

  private pushNumber(bl: NumericBuilder, v: number): void {
    const idx = this.rows - 1;
    if (idx >= bl.values.length) {
      const next = new Float64Array(Math.max(1024, bl.values.length * 2));
      next.set(bl.values);
      bl.values = next;
    }
    bl.values[idx] = v;
  }

  private startBuilders(): void {
    this.builders = this.types.map((t, k) => {
      if (!this.keep[k]) return null;
      return t === "numeric" ? { kind: "numeric", values: new Float64Array(1024), invalid: 0, examples: [] } : { kind: "text", values: [] };
    });
  }

  /** Decides the types of untyped columns from the sniffed rows, then moves those rows into the builders. */
  private flushSniff(): void {
    if (!this.sniffing) return;
    this.sniffing = false;
    const rows = this.sniff;
    this.sniff = [];
    this.types = this.types.map((t, k) => t ?? (this.keep[k] ? inferType(rows.map((r) => r[k]!)) : null));
    this.startBuilders();
    const total = this.rows;
    this.rows = 0;
    for (const r of rows) {
      this.rows++;
      r.forEach((cell, k) => {
        const bl = this.builders[k];
        if (!bl) return;
        if (bl.kind === "text") bl.values[this.rows - 1] = cell;
        else {
          parsed.invalid = false;
          const v = numberFromText(cell);
          if (parsed.invalid) {
            bl.invalid++;
            if (bl.examples.length < 5 && !bl.examples.includes(cell)) bl.examples.push(cell);
            this.pushNumber(bl, Number.NaN);
          } else this.pushNumber(bl, v);
        }
      });
    }
    this.rows = total;
  }

  /** Columns parsed so far, and resets the builders (for chunked processing of large files). */
  take(): CsvColumns {
    this.flushSniff();
    const names = this.names ?? [];
    const rows = this.rows;
    const columns: ColumnInput[] = [];
    names.forEach((name, k) => {
      const bl = this.builders[k];
      if (!bl) return;
      if (bl.kind === "numeric") {
        columns.push({
          name,
          type: "numeric",
          values: bl.values.subarray(0, rows),
          invalid: { count: bl.invalid, examples: bl.examples },
        });
      } else {
        // A record cut at a block boundary may have left a value past the last complete row.
        bl.values.length = rows;
        columns.push({ name, type: this.types[k] ?? inferType(bl.values) ?? undefined, values: bl.values });
      }
    });
    this.startBuilders();
    this.rows = 0;
    return { names: names.filter((_, k) => this.keep[k]), rows, columns };
  }
}

const BLOCK = 1 << 22;

/** Feeds a file to the parser block by block through one reused buffer (a partial record moves to its front). */
function parseFile(path: string, parser: CsvParser, afterBlock?: () => void): void {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw invalid(`Cannot open '${path}': ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  try {
    let buf = new Uint8Array(BLOCK);
    let have = 0;
    for (;;) {
      if (have === buf.length) {
        // One record longer than the buffer.
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const n = readSync(fd, buf, have, buf.length - have, null);
      if (n === 0) break;
      have += n;
      const used = parser.consume(buf.subarray(0, have), false);
      buf.copyWithin(0, used, have);
      have -= used;
      afterBlock?.();
    }
    parser.consume(buf.subarray(0, have), true);
  } finally {
    closeSync(fd);
  }
  parser.end();
}

/** Reads a whole CSV file into typed columns. */
export function readCsvColumns(path: string, options: CsvReadOptions = {}): CsvColumns {
  const parser = new CsvParser(options);
  parseFile(path, parser);
  return parser.take();
}

/** Reads a CSV file in chunks of about `chunkRows` records, for windows larger than memory; returns the header. */
export function readCsvInChunks(path: string, chunkRows: number, onChunk: (c: CsvColumns) => void, options: CsvReadOptions = {}): string[] {
  const parser = new CsvParser(options);
  parseFile(path, parser, () => {
    if (parser.rowCount >= chunkRows) onChunk(parser.take());
  });
  const last = parser.take();
  if (last.rows > 0) onChunk(last);
  return parser.header;
}
