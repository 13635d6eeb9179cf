import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { analyzeCsv, readCsvTable } from "@/lib/datasets";
import { readPreview } from "@/lib/datasets/table";

async function* bytes(s: string, size = 5): AsyncGenerator<Buffer> {
  const b = Buffer.from(s);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

const CSV = 'n;i;flag;when;city;note\n1.5;1;yes;2024-01-02;Paris;"a;b"\nNA;2;no;;Lyon;x\n-2;;1;2024-01-03T12:00:00Z;;"multi\nline"\n';

describe("readCsvTable", () => {
  it("returns typed columns with NaN and null for missing values", async () => {
    const a = await analyzeCsv(bytes(CSV), { schemaOverrides: { flag: "boolean" } });
    const sha256 = createHash("sha256").update(CSV).digest("hex");
    const t = await readCsvTable(bytes(CSV), { schema: a.schema, delimiter: ";", rowCount: a.rowCount, sha256 });
    expect(t.rowCount).toBe(3);
    expect(t.columns.map((c) => [c.name, c.type])).toEqual([
      ["n", "numeric"],
      ["i", "integer"],
      ["flag", "boolean"],
      ["when", "datetime"],
      ["city", "categorical"],
      ["note", "categorical"],
    ]);
    const [n, i, flag, when, city, note] = t.columns;
    expect(n!.values).toEqual(Float64Array.from([1.5, NaN, -2]));
    expect(i!.values).toEqual(Float64Array.from([1, 2, NaN]));
    expect(flag!.values).toEqual(Float64Array.from([1, 0, 1]));
    expect(when!.values).toEqual(Float64Array.from([Date.UTC(2024, 0, 2), NaN, Date.UTC(2024, 0, 3, 12)]));
    expect(city!.values).toEqual(["Paris", "Lyon", null]);
    expect(note!.values).toEqual(["a;b", "x", "multi\nline"]);
  });

  it("loads only the columns asked for, in that order", async () => {
    const a = await analyzeCsv(bytes(CSV));
    const t = await readCsvTable(bytes(CSV), { schema: a.schema, delimiter: ";", rowCount: 3 }, { columns: ["city", "n"] });
    expect(t.columns.map((c) => c.name)).toEqual(["city", "n"]);
    await expect(readCsvTable(bytes(CSV), { schema: a.schema, delimiter: ";", rowCount: 3 }, { columns: ["nope"] })).rejects.toMatchObject({
      code: "invalid",
      message: "Unknown column: 'nope'",
    });
  });

  it("refuses a table over the cell limit and a file whose bytes changed", async () => {
    const a = await analyzeCsv(bytes(CSV));
    await expect(readCsvTable(bytes(CSV), { schema: a.schema, delimiter: ";", rowCount: 3 }, { maxCells: 10 })).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining("The table has 18 cells"),
    });
    const wrongHash = "0".repeat(64);
    await expect(readCsvTable(bytes(CSV), { schema: a.schema, delimiter: ";", rowCount: 3, sha256: wrongHash })).rejects.toMatchObject({
      code: "internal",
      message: "The stored dataset file does not match its SHA-256",
    });
  });
});

describe("readPreview", () => {
  it("returns the first rows as written, and stops reading early", async () => {
    let chunksRead = 0;
    const big = "a,b\n" + Array.from({ length: 10_000 }, (_, i) => `${i}, x${i} `).join("\n");
    async function* counted() {
      for await (const c of bytes(big, 64)) {
        chunksRead++;
        yield c;
      }
    }
    const schema = [
      { name: "a", type: "integer" as const, inferredType: "integer" as const, nullable: false },
      { name: "b", type: "text" as const, inferredType: "text" as const, nullable: false },
    ];
    const p = await readPreview(counted(), schema, ",", 2);
    expect(p).toEqual({ columns: [{ name: "a", type: "integer" }, { name: "b", type: "text" }], rows: [["0", " x0 "], ["1", " x1 "]] });
    expect(chunksRead).toBeLessThan(3);
  });
});
