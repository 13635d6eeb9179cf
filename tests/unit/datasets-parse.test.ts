import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeCsv, ingestCsv } from "@/lib/datasets";
import { CsvTokenizer, sniffDelimiter } from "@/lib/datasets/csv";
import { Utf8Decoder, firstInvalidUtf8 } from "@/lib/datasets/utf8";

/** Bytes in chunks of `size`, so that records, quotes and characters straddle chunk boundaries. */
async function* chunks(data: string | Buffer, size = 7): AsyncGenerator<Buffer> {
  const b = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

function tokenize(text: string, delimiter = ",", pieces: number[] = []): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  const t = new CsvTokenizer(delimiter, (f, line) => out.push({ fields: f.slice(), line }));
  let at = 0;
  for (const p of pieces) {
    t.feed(text.slice(at, at + p));
    at += p;
  }
  t.feed(text.slice(at));
  t.end();
  return out;
}

const scratch = mkdtempSync(join(tmpdir(), "datasets-parse-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("CSV tokenizer", () => {
  it("reads quoted fields with delimiters, doubled quotes and line breaks", () => {
    const rows = tokenize('a,b,c\n"x,1","say ""hi""","two\nlines"\nplain,,""\n');
    expect(rows.map((r) => r.fields)).toEqual([
      ["a", "b", "c"],
      ["x,1", 'say "hi"', "two\nlines"],
      ["plain", "", ""],
    ]);
  });

  it("gives each record the line it starts on, across embedded line breaks", () => {
    const rows = tokenize('h1,h2\n"a\nb\nc",1\nz,2\n');
    expect(rows.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it("accepts \\n, \\r\\n and \\r line ends and skips blank lines", () => {
    expect(tokenize("a,b\r\n1,2\r\n\r\n3,4\r5,6\n   \n7,8").map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "4"],
      ["5", "6"],
      ["7", "8"],
    ]);
  });

  it("keeps a trailing empty field and a quoted empty line", () => {
    expect(tokenize('a,b\n1,\n""').map((r) => r.fields)).toEqual([["a", "b"], ["1", ""], [""]]);
  });

  it("treats a quote inside an unquoted field as a character", () => {
    expect(tokenize('size\n5" screen\n').map((r) => r.fields)).toEqual([["size"], ['5" screen']]);
  });

  it("refuses text after a closing quote and an unclosed quote, naming the line", () => {
    expect(() => tokenize('a,b\n1,"x"y\n')).toThrow(/^Line 2: a quoted field must be followed by a delimiter/);
    expect(() => tokenize('a,b\n1,2\n3,"never closed\n4,5\n')).toThrow("Line 3: a quoted field is never closed");
  });

  it("parses the same records whatever the chunk boundaries (property)", () => {
    const cell = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('"', ",", "\n", "\r\n", '""', " x "));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((w) => fc.array(fc.array(cell, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 6 })),
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 20 }),
        (table, pieces) => {
          // Quote every cell so that any content round-trips; drop rows that are a single empty cell (blank lines).
          const text = table.map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(",")).join("\r\n");
          expect(tokenize(text, ",", pieces).map((r) => r.fields)).toEqual(table);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("delimiter sniffing", () => {
  it.each([
    [",", "a,b,c\n1,2,3\n4,5,6\n"],
    [";", "a;b;c\n1,5;2,5;3\n4;5;6\n"],
    ["\t", "a\tb\n1\t2\n"],
    ["|", "a|b|c\n1|2|3\n"],
  ])("finds %j", (d, text) => {
    expect(sniffDelimiter(text, true)).toBe(d);
  });

  it("ignores delimiters inside quotes", () => {
    expect(sniffDelimiter('name;note\n"Smith, J";"a, b, c"\n"Doe, A";x\n', true)).toBe(";");
  });

  it("prefers the consistent candidate over one with more fields in the header only", () => {
    // Commas appear in the header but give ragged rows; semicolons are consistent.
    expect(sniffDelimiter("x,y;z\n1;2\n3;4\n", true)).toBe(";");
  });

  it("falls back to a comma for one column", () => {
    expect(sniffDelimiter("value\n1\n2\n", true)).toBe(",");
  });

  it("reads a whole header longer than the 64 KiB sample before choosing", async () => {
    const names = Array.from({ length: 6000 }, (_, i) => `column_${String(i).padStart(5, "0")}`);
    expect(names.join(";").length).toBeGreaterThan(64 * 1024);
    const a = await analyzeCsv(chunks(`${names.join(";")}\n${names.map((_, i) => i).join(";")}\n`, 4096));
    expect(a.profile.format.delimiter).toBe(";");
    expect(a.columnCount).toBe(6000);
    await expect(analyzeCsv(chunks(`${names.join(";")}\n${names.map((_, i) => i).join(";")}\n`, 4096), { maxColumns: 5000 })).rejects.toMatchObject({
      message: "The header has more than 5000 columns; at most 5000 are accepted (MAX_DATASET_COLUMNS)",
    });
  });

  it("is used by ingestion for each delimiter", async () => {
    for (const d of [",", ";", "\t", "|"]) {
      const a = await analyzeCsv(chunks(["x", "y", "label"].join(d) + "\n" + ["1.5", "2", "a"].join(d) + "\n" + ["2.5", "3", "b"].join(d) + "\n"));
      expect(a.profile.format.delimiter).toBe(d);
      expect(a.schema.map((c) => c.type)).toEqual(["numeric", "integer", "categorical"]);
    }
  });
});

describe("UTF-8", () => {
  it("strips a byte order mark and reports it", async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("name,value\nä,1\nö,2\n")]);
    // Chunks of 1 byte split the BOM and every two-byte character.
    const a = await analyzeCsv(chunks(bom, 1));
    expect(a.schema[0]!.name).toBe("name");
    expect(a.profile.format.hasBom).toBe(true);
    expect(a.profile.columns[0]).toMatchObject({ values: [{ value: "ä", count: 1 }, { value: "ö", count: 1 }] });
    const plain = await analyzeCsv(chunks("name,value\nä,1\nö,2\n", 1));
    expect(plain.profile.format.hasBom).toBe(false);
    // The hash is over the raw bytes, BOM included.
    expect(a.sha256).toBe(createHash("sha256").update(bom).digest("hex"));
  });

  it("decodes characters split across chunks", () => {
    const text = "€😀 ok";
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new Utf8Decoder();
      expect(d.push(bytes.subarray(0, cut)) + d.push(bytes.subarray(cut)) + d.end()).toBe(text);
    }
  });

  it("finds the first invalid sequence", () => {
    expect(firstInvalidUtf8(Buffer.from("abc"))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc3, 0x28]))).toBe(1); // bad continuation
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0x80]))).toBe(0); // overlong
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // surrogate
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2); // cut short
  });
});

describe("bad input", () => {
  const bad = (data: string | Buffer, opts: { maxBytes?: number; maxColumns?: number } = {}) =>
    ingestCsv(chunks(data, 5), { ...opts, stagingDir: scratch });

  it.each([
    ["an empty file", "", "The file is empty: it needs a header line and at least one data row"],
    ["only blank lines", "\n\n  \n", "The file is empty: it needs a header line and at least one data row"],
    ["a byte order mark only", Buffer.from([0xef, 0xbb, 0xbf]), "The file is empty: it needs a header line and at least one data row"],
    ["a header only", "a,b,c\n", "The file has a header (3 columns) but no data rows"],
    ["a row with too few fields", "a,b,c\n1,2,3\n4,5\n", "Line 3 has 2 fields; the header has 3"],
    ["a row with too many fields", "a,b\n1,2\n3,4\n5,6,7\n", "Line 4 has more fields than the header (2)"],
    ["an empty column name", "a,,c\n1,2,3\n", "Column 2 of the header (line 1) has no name; every column needs one"],
    ["a duplicate column name", "a,b,a\n1,2,3\n", "The header names 'a' twice (columns 1 and 3); column names must be unique"],
    ["an unclosed quote", 'a,b\n1,"2\n3,4\n', "Line 2: a quoted field is never closed (the file ends inside it)"],
  ])("refuses %s", async (_what, data, message) => {
    await expect(bad(data)).rejects.toMatchObject({ code: "invalid", message });
  });

  it("names the line and offset of a byte that is not UTF-8", async () => {
    const data = Buffer.concat([Buffer.from("name,city\n1,Paris\n2,M"), Buffer.from([0xfc]), Buffer.from("nchen\n")]);
    await expect(bad(data)).rejects.toMatchObject({
      code: "invalid",
      message:
        "The file is not UTF-8 text: byte 0xFC at byte offset 21 (line 3) is not valid UTF-8. Save it as UTF-8 (with or without BOM) and upload it again.",
      details: { byteOffset: 21, line: 3 },
    });
  });

  it("says when the file ends inside a character", async () => {
    await expect(bad(Buffer.concat([Buffer.from("a\nx"), Buffer.from([0xe2, 0x82])]))).rejects.toMatchObject({
      message: expect.stringContaining("the file ends in the middle of a multi-byte character (byte offset 3)"),
    });
  });

  it("refuses more columns than allowed before reading rows", async () => {
    const header = Array.from({ length: 12 }, (_, i) => `c${i}`).join(",");
    await expect(bad(`${header}\n${"1,".repeat(11)}1\n`, { maxColumns: 10 })).rejects.toMatchObject({
      code: "invalid",
      message: "The header has more than 10 columns; at most 10 are accepted (MAX_DATASET_COLUMNS)",
    });
  });

  it("stops at the size limit with payload_too_large", async () => {
    const data = "a,b\n" + "1,2\n".repeat(100);
    await expect(bad(data, { maxBytes: 100 })).rejects.toMatchObject({
      code: "payload_too_large",
      status: 413,
      message: "The file is larger than the 100 bytes upload limit (MAX_UPLOAD_BYTES)",
    });
    await expect(bad(data, { maxBytes: data.length })).resolves.toMatchObject({ rowCount: 100 });
  });

  it("leaves no staging file behind after a failure, and keeps it after a success", async () => {
    const before = readdirSync(scratch).length;
    await expect(bad("a,b\n1\n")).rejects.toMatchObject({ code: "invalid" });
    await expect(bad(Buffer.from([0x61, 0x0a, 0xff, 0x0a]))).rejects.toMatchObject({ code: "invalid" });
    expect(readdirSync(scratch).length).toBe(before);
    const ok = await bad("a,b\n1,2\n");
    expect(ok.stagingFile && existsSync(ok.stagingFile)).toBe(true);
    expect(readFileSync(ok.stagingFile!, "utf8")).toBe("a,b\n1,2\n");
    rmSync(ok.stagingFile!);
  });
});

describe("wide files", () => {
  it("accepts 10,000 columns with bounded per-column statistics", async () => {
    const n = 10_000;
    const header = Array.from({ length: n }, (_, i) => `c${i}`).join(",");
    const rows = Array.from({ length: 30 }, (_, r) => Array.from({ length: n }, (_, i) => (i % 2 ? `${r * i}` : `k${(r + i) % 3}`)).join(","));
    const a = await analyzeCsv(chunks(`${header}\n${rows.join("\n")}\n`, 64 * 1024), { maxColumns: n });
    expect(a.columnCount).toBe(n);
    expect(a.rowCount).toBe(30);
    expect(a.schema[0]!.type).toBe("categorical");
    expect(a.schema[1]!.type).toBe("integer");
    expect(a.profile.columns[n - 1]).toMatchObject({ type: "integer", count: 30, min: 0, max: 29 * (n - 1) });
  });
});
