// A streaming RFC 4180 tokenizer over text chunks. Written here rather than taken from csv-parse
// because csv-parse's stream parser ran at about 3 MB/s on this machine (a 1 GB upload would take
// minutes) and we need our own line numbers in error messages anyway.
//
// Rules: fields are separated by one delimiter character; records end at \n, \r\n or \r; a field
// that starts with " is quoted and may hold delimiters, line breaks and "" (one literal quote);
// after the closing quote only a delimiter or a line end may follow; a quote inside an unquoted
// field is an ordinary character (as in Python's csv module); blank and whitespace-only lines are
// skipped.

export const DELIMITERS = [",", ";", "\t", "|"] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export type CsvErrorKind = "unclosed_quote" | "after_quote" | "field_too_long" | "too_many_fields";

export class CsvFormatError extends Error {
  constructor(
    readonly kind: CsvErrorKind,
    /** 1-based line where the problem is. */
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = "CsvFormatError";
  }
}

/** Receives each record's fields (the array is reused: copy what you keep) and its first line. */
export type RecordSink = (fields: string[], line: number) => void;

const QUOTE = 34;
const LF = 10;
const CR = 13;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export interface TokenizerOptions {
  /** Longest field, in characters; guards memory against a quote that is never closed. */
  maxFieldChars?: number;
  /** Most fields in one record; may be changed between records (e.g. once the header is known). */
  maxFields?: number;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

export class CsvTokenizer {
  /** Current physical line (1-based). */
  line = 1;
  maxFields: number;
  private readonly maxFieldChars: number;
  private readonly delim: number;
  private state = State.FieldStart;
  private fields: string[] = [];
  private pending = "";
  private quotedField = false;
  private lastFieldQuoted = false;
  private quoteLine = 1;
  private recordLine = 1;
  private skipLf = false;
  private stopped = false;

  constructor(
    delimiter: string,
    private readonly onRecord: RecordSink,
    opts: TokenizerOptions = {},
  ) {
    if (delimiter.length !== 1) throw new Error("The delimiter is one character");
    this.delim = delimiter.charCodeAt(0);
    this.maxFieldChars = opts.maxFieldChars ?? 16 * 1024 * 1024;
    this.maxFields = opts.maxFields ?? Number.MAX_SAFE_INTEGER;
  }

  /** Stops emitting records (e.g. a preview has enough rows); later input is ignored. */
  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  feed(s: string): void {
    const n = s.length;
    let i = 0;
    if (this.skipLf && n > 0) {
      if (s.charCodeAt(0) === LF) i = 1;
      this.skipLf = false;
    }
    const d = this.delim;
    while (i < n && !this.stopped) {
      switch (this.state) {
        case State.FieldStart: {
          if (s.charCodeAt(i) === QUOTE) {
            this.state = State.Quoted;
            this.quotedField = true;
            this.quoteLine = this.line;
            i++;
          } else {
            this.state = State.Unquoted;
          }
          break;
        }
        case State.Unquoted: {
          let j = i;
          let c = 0;
          while (j < n) {
            c = s.charCodeAt(j);
            if (c === d || c === LF || c === CR) break;
            j++;
          }
          if (j === n) {
            this.append(s, i, n);
            i = n;
            break;
          }
          this.endField(s, i, j);
          i = j + 1;
          if (c !== d) i = this.endLine(s, i, c);
          break;
        }
        case State.Quoted: {
          const q = s.indexOf('"', i);
          const stop = q === -1 ? n : q;
          for (let k = s.indexOf("\n", i); k !== -1 && k < stop; k = s.indexOf("\n", k + 1)) this.line++;
          this.append(s, i, stop);
          if (q === -1) {
            i = n;
          } else {
            i = q + 1;
            this.state = State.QuoteInQuoted;
          }
          break;
        }
        case State.QuoteInQuoted: {
          const c = s.charCodeAt(i);
          if (c === QUOTE) {
            this.pending += '"';
            this.state = State.Quoted;
            i++;
          } else if (c === d) {
            this.endField(s, i, i);
            i++;
          } else if (c === LF || c === CR) {
            this.endField(s, i, i);
            i = this.endLine(s, i + 1, c);
          } else {
            throw new CsvFormatError(
              "after_quote",
              this.line,
              `Line ${this.line}: a quoted field must be followed by a delimiter or the end of the line, found '${s[i]}'. Inside a quoted field, write a quote as "".`,
            );
          }
          break;
        }
      }
    }
  }

  /** Call at the end of input: emits the last record when it has no line break. */
  end(): void {
    if (this.stopped) return;
    if (this.state === State.Quoted) {
      throw new CsvFormatError(
        "unclosed_quote",
        this.quoteLine,
        `Line ${this.quoteLine}: a quoted field is never closed (the file ends inside it)`,
      );
    }
    if (this.state === State.Unquoted || this.state === State.QuoteInQuoted || this.fields.length > 0) {
      this.endField("", 0, 0);
      this.endRecord();
    }
  }

  private append(s: string, from: number, to: number): void {
    if (to > from) this.pending += s.slice(from, to);
    if (this.pending.length > this.maxFieldChars) {
      throw new CsvFormatError(
        "field_too_long",
        this.quotedField ? this.quoteLine : this.line,
        `Line ${this.quotedField ? this.quoteLine : this.line}: a field is longer than ${this.maxFieldChars} characters` +
          (this.quotedField ? " (is a quote left open?)" : ""),
      );
    }
  }

  private endField(s: string, from: number, to: number): void {
    const value = this.pending.length ? this.pending + s.slice(from, to) : s.slice(from, to);
    this.pending = "";
    if (this.fields.length >= this.maxFields) {
      throw new CsvFormatError("too_many_fields", this.recordLine, `Line ${this.recordLine} has more than ${this.maxFields} fields`);
    }
    this.fields.push(value);
    this.lastFieldQuoted = this.quotedField;
    this.quotedField = false;
    this.state = State.FieldStart;
  }

  /** After a line break character at i - 1; returns where scanning continues. */
  private endLine(s: string, i: number, c: number): number {
    this.endRecord();
    this.line++;
    this.recordLine = this.line;
    if (c === CR) {
      if (i < s.length) {
        if (s.charCodeAt(i) === LF) i++;
      } else {
        this.skipLf = true;
      }
    }
    return i;
  }

  private endRecord(): void {
    const f = this.fields;
    const blank = f.length === 1 && !this.lastFieldQuoted && isBlank(f[0]!);
    if (!blank && !this.stopped) this.onRecord(f, this.recordLine);
    f.length = 0;
    this.state = State.FieldStart;
  }
}

/**
 * Picks the delimiter from a sample of the first lines: the candidate whose header has more than one
 * field and whose following records all have that many fields wins; ties go to more fields, then to
 * the order comma, semicolon, tab, pipe. With no such candidate, the one with the widest header wins
 * (ragged rows are then reported by the full parse); a one-column file gets a comma. A candidate
 * with more than `maxFields` fields wins at once, so that the file is refused for its width.
 */
export function sniffDelimiter(sample: string, complete: boolean, maxFields = Number.MAX_SAFE_INTEGER, maxRecords = 50): Delimiter {
  let best: { d: Delimiter; consistent: boolean; width: number } | null = null;
  for (const d of DELIMITERS) {
    const widths: number[] = [];
    const t = new CsvTokenizer(
      d,
      (fields) => {
        widths.push(fields.length);
        if (widths.length >= maxRecords) t.stop();
      },
      { maxFields },
    );
    try {
      t.feed(sample);
      if (complete) t.end();
    } catch (err) {
      // Wider than allowed: pick it, so that parsing refuses the file for its width.
      if (err instanceof CsvFormatError && err.kind === "too_many_fields") return d;
      continue;
    }
    const width = widths[0] ?? 0;
    if (width < 2) continue;
    const consistent = widths.every((w) => w === width);
    const better =
      !best ||
      (consistent && !best.consistent) ||
      (consistent === best.consistent && width > best.width);
    if (better) best = { d, consistent, width };
  }
  return best?.d ?? ",";
}
