// The CSV reader and `mlops drift` end to end (spawned as a user would run it).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareColumns, CsvParser, readCsvColumns, readCsvInChunks, type ReportSummary } from "@/lib/drift";
import { AppError } from "@/lib/errors";
import { mulberry32, normals } from "./drift-data";

function parse(text: string, options = {}, chunk = Infinity) {
  const p = new CsvParser(options);
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += chunk) p.push(bytes.subarray(i, Math.min(bytes.length, i + chunk)));
  p.end();
  return p.take();
}

describe("CSV reader", () => {
  const text =
    '\ufeffid,price,city,note\r\n1,10.5,"Paris",plain\r\n2,-3e2,"New ""York""","with, comma"\r\n\r\n3,,Oslo,"two\nlines"\r\n4,abc,,x\r\n5,NA,Rome,y';

  it("reads numbers straight into typed columns, quotes, CRLF, blank lines and a BOM included", () => {
    const r = parse(text, { types: { price: "numeric" } });
    expect(r.names).toEqual(["id", "price", "city", "note"]);
    expect(r.rows).toBe(5);
    const byName = Object.fromEntries(r.columns.map((c) => [c.name, c]));
    expect(byName.id!.type).toBe("numeric");
    expect(Array.from(byName.id!.values as Float64Array)).toEqual([1, 2, 3, 4, 5]);
    expect(byName.price!.type).toBe("numeric");
    expect(Array.from(byName.price!.values as Float64Array)).toEqual([10.5, -300, Number.NaN, Number.NaN, Number.NaN]);
    expect(byName.price!.invalid).toEqual({ count: 1, examples: ["abc"] });
    expect(byName.city).toMatchObject({ type: "categorical", values: ["Paris", 'New "York"', "Oslo", "", "Rome"] });
    expect(byName.note!.values).toEqual(["plain", "with, comma", "two\nlines", "x", "y"]);
  });

  it("infers numeric when at least 90% of the present cells are numbers", () => {
    const cells = (junk: number) => Array.from({ length: 20 }, (_, i) => (i < junk ? "junk" : String(i))).join("\n");
    expect(parse(`v\n${cells(2)}`).columns[0]!.type).toBe("numeric");
    expect(parse(`v\n${cells(3)}`).columns[0]!.type).toBe("categorical");
    expect(parse(`v\n${cells(2)}`).columns[0]!.invalid).toEqual({ count: 2, examples: ["junk"] });
  });

  it("gives the same result whatever the chunk boundaries", () => {
    const whole = parse(text);
    for (const chunk of [1, 2, 3, 7, 16]) expect(parse(text, {}, chunk)).toEqual(whole);
    const typed = parse(text, { types: { price: "numeric" } });
    for (const chunk of [1, 5, 11]) expect(parse(text, { types: { price: "numeric" } }, chunk)).toEqual(typed);
  });

  it("parses numbers exactly as Number() does", () => {
    const next = mulberry32(3);
    const cells: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const x = (next() - 0.5) * 10 ** Math.floor(next() * 30 - 15);
      cells.push([String(x), x.toPrecision(17), x.toExponential(8), x.toFixed(12)][i % 4]!);
    }
    cells.push("0.1", "-0", "1e22", "1e23", "9007199254740993", "123456789012345678", ".5", "5.", "2.2250738585072014e-308");
    const r = parse("v\n" + cells.join("\n"), { types: { v: "numeric" } });
    const v = r.columns[0]!.values as Float64Array;
    const mismatches = cells.filter((c, i) => !Object.is(v[i], Number(c)));
    expect(mismatches).toEqual([]);
  });

  it("uses given types and keeps only the requested columns", () => {
    const r = parse("a,b,c\n1,2,3\n4,5,6\n", { types: { a: "categorical" }, columns: ["a", "c"] });
    expect(r.columns).toEqual([
      { name: "a", type: "categorical", values: ["1", "4"] },
      { name: "c", type: "numeric", values: new Float64Array([3, 6]), invalid: { count: 0, examples: [] } },
    ]);
  });

  it("rejects what it does not understand, with the line", () => {
    expect(() => parse("a,b\n1,2\n3\n")).toThrow("CSV line 3 has 1 fields; the header has 2");
    expect(() => parse("a,b\n1,2,3\n")).toThrow(/line 2 has 3 fields/);
    expect(() => parse('a,b\n"1"x,2\n')).toThrow(/text after a closing quote/);
    expect(() => parse("a,a\n1,2\n")).toThrow(/appears twice/);
    expect(() => parse("")).toThrow(AppError);
    expect(() => readCsvColumns("/nonexistent/file.csv")).toThrow(/no such file/);
  });

  it("streams a large file in chunks of rows", () => {
    const dir = mkdtempSync(join(tmpdir(), "drift-csv-"));
    try {
      const rows = ["x,y"];
      for (let i = 0; i < 25_000; i++) rows.push(`${i},${i % 3 ? "a" : "b"}`);
      writeFileSync(join(dir, "big.csv"), rows.join("\n"));
      const chunks: number[] = [];
      let sum = 0;
      readCsvInChunks(join(dir, "big.csv"), 10_000, (c) => {
        chunks.push(c.rows);
        for (const v of c.columns[0]!.values as Float64Array) sum += v;
      });
      expect(chunks.reduce((a, b) => a + b, 0)).toBe(25_000);
      expect(sum).toBe((24_999 * 25_000) / 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["bin/mlops.mjs", "drift", ...args], { cwd: process.cwd(), env: { ...process.env, LOG_LEVEL: "silent" } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("mlops drift (CLI end to end)", () => {
  let dir: string;
  let ref: string;
  let cur: string;
  let results: Awaited<ReturnType<typeof run>>[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "drift-cli-"));
    ref = join(dir, "ref.csv");
    cur = join(dir, "cur.csv");
    const next = mulberry32(42);
    const write = (path: string, n: number, shift: number) => {
      const a = normals(next, n, shift);
      const b = normals(next, n);
      const lines = ["a,b,c"];
      for (let i = 0; i < n; i++) lines.push(`${a[i]},${b[i]},${["x", "y", "z"][i % 3]}`);
      writeFileSync(path, lines.join("\n") + "\n");
    };
    write(ref, 600, 0);
    write(cur, 400, 0.8);
    const profile = join(dir, "profile.json");
    results = await Promise.all([
      run(["--reference", ref, "--current", cur, "--json"]),
      run(["--reference", ref, "--current", cur, "--save-profile", profile, "--test", "psi", "--threshold", "0.2"]),
      run(["--reference", ref, "--current", join(dir, "missing.csv")]),
    ]);
    results.push(await run(["--reference", profile, "--current", cur, "--json", "--columns", "a,b"]));
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--json prints the report's columns, share and verdict", () => {
    const [json] = results;
    expect(json!.stderr).toBe("");
    expect(json!.code).toBe(0);
    const out = JSON.parse(json!.stdout) as ReportSummary;
    expect(out.columns.map((c) => [c.column, c.type, c.test, c.drifted])).toEqual([
      ["a", "numeric", "ks", true],
      ["b", "numeric", "ks", false],
      ["c", "categorical", "chisquare", false],
    ]);
    for (const c of out.columns) {
      expect(Object.keys(c)).toEqual(["column", "type", "test", "statistic", "p_value", "threshold", "drifted", "psi"]);
      expect(c.threshold).toBe(0.05);
    }
    expect(out.share_drifted).toBeCloseTo(1 / 3, 12);
    expect(out.dataset_drift).toBe(false);
    // Same numbers as the library on the same files.
    const lib = compareColumns(readCsvColumns(ref).columns, readCsvColumns(cur).columns);
    expect(out.columns.map((c) => c.statistic)).toEqual(lib.columns.map((c) => c.statistic));
    expect(out.columns.map((c) => c.p_value)).toEqual(lib.columns.map((c) => c.p_value));
  });

  it("prints a readable table, with the test and threshold asked for", () => {
    const [, table] = results;
    expect(table!.code).toBe(0);
    const lines = table!.stdout.split("\n");
    expect(lines[0]).toMatch(/^column\s+type\s+test\s+statistic\s+p-value\s+threshold\s+drift\s+psi$/);
    expect(lines[2]).toMatch(/^a\s+numeric\s+psi\s+[\d.]+\s+-\s+0\.2\s+DRIFT/);
    expect(table!.stdout).toContain("Drifted columns: 1 of 3 tested");
  });

  it("reads a saved profile as the reference", () => {
    const fromProfile = JSON.parse(results[3]!.stdout) as ReportSummary;
    const direct = JSON.parse(results[0]!.stdout) as ReportSummary;
    expect(fromProfile.columns).toEqual(direct.columns.slice(0, 2));
    expect(JSON.parse(readFileSync(join(dir, "profile.json"), "utf8")).format).toBe("mlops-drift-profile");
  });

  it("explains a bad file and exits non-zero", () => {
    const bad = results[2]!;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: Cannot open '.*missing\.csv': no such file/);
  });
});
