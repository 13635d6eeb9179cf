import { describe, expect, it } from "vitest";
import { analyzeCsv, isMissing, parseDatetime, type ColumnType } from "@/lib/datasets";
import { numberKind } from "@/lib/datasets/values";

async function* text(s: string): AsyncGenerator<string> {
  yield s;
}

/** A one-column CSV from values. */
const column = (values: string[], name = "v") => text(`${name}\n${values.join("\n")}\n`);

async function typeOf(values: string[]): Promise<ColumnType> {
  const a = await analyzeCsv(column(values));
  return a.schema[0]!.type;
}

describe("cell rules", () => {
  it("reads the pandas missing tokens, trimmed and in any case", () => {
    for (const v of ["", "NA", "na", "N/A", "NaN", "nan", "null", "NULL", "None", "#N/A", "<NA>", "-nan"]) expect(isMissing(v)).toBe(true);
    for (const v of ["0", "n", "-", "missing", "NAN1"]) expect(isMissing(v)).toBe(false);
  });

  it("recognises number spellings", () => {
    expect(["1", "-2", "+3", "007"].map(numberKind)).toEqual([1, 1, 1, 1]);
    expect(["1.5", ".5", "5.", "1e3", "-2.5E-3"].map(numberKind)).toEqual([2, 2, 2, 2, 2]);
    expect(["1,000", "1e", "e3", ".", "-", "inf", "0x10", "1 2", "12a"].map(numberKind)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("reads ISO dates as UTC, with zones and fractions", () => {
    expect(parseDatetime("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    expect(parseDatetime("2024-02-29 13:45")).toBe(Date.UTC(2024, 1, 29, 13, 45));
    expect(parseDatetime("2024-02-29T13:45:10.123456Z")).toBe(Date.UTC(2024, 1, 29, 13, 45, 10, 123));
    expect(parseDatetime("2024-02-29T13:45:10+02:00")).toBe(Date.UTC(2024, 1, 29, 11, 45, 10));
    expect(parseDatetime("2024/03/01")).toBe(Date.UTC(2024, 2, 1));
    for (const bad of ["2023-02-29", "2024-13-01", "2024-01-01T25:00", "01/02/2024", "2024-1-1", "20240101"]) {
      expect(parseDatetime(bad)).toBeNaN();
    }
  });
});

describe("type inference", () => {
  it.each<[ColumnType, string[]]>([
    ["boolean", ["yes", "No", "TRUE", "f", "y", "NA"]],
    ["integer", ["1", "-2", "3.0", "1e3", ""]],
    ["numeric", ["1", "2.5", "-3e-2", "null"]],
    ["datetime", ["2024-01-01", "2024-06-30T12:00:00Z", "NA"]],
    ["categorical", ["red", "green", "red", "blue", "1"]],
    ["numeric", ["", "NA", "nan"]], // all missing: numeric, flagged by validation
  ])("infers %s", async (type, values) => {
    expect(await typeOf(values)).toBe(type);
  });

  it("keeps 0/1 columns integer (a boolean only by override)", async () => {
    expect(await typeOf(["0", "1", "1", "0"])).toBe("integer");
  });

  it("calls many distinct strings text and few categorical", async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `user-${i}`);
    expect(await typeOf(ids)).toBe("text");
    // 21 levels over 100 rows: more than 20 but at most half the values.
    const levels = Array.from({ length: 100 }, (_, i) => `level-${i % 21}`);
    expect(await typeOf(levels)).toBe("categorical");
    // 20 distinct in 20 rows is still categorical (small sets always are).
    expect(await typeOf(Array.from({ length: 20 }, (_, i) => `x${i}`))).toBe("categorical");
    expect(await typeOf(Array.from({ length: 21 }, (_, i) => `x${i}`))).toBe("text");
  });

  it("counts missing values and marks the column nullable", async () => {
    const a = await analyzeCsv(text("a,b\n1,x\nNA,y\n,z\n"));
    expect(a.schema[0]).toMatchObject({ type: "integer", nullable: true });
    expect(a.schema[1]).toMatchObject({ type: "categorical", nullable: false });
    expect(a.profile.columns[0]).toMatchObject({ count: 1, missing: 2 });
  });

  it("ignores whitespace around cells", async () => {
    const a = await analyzeCsv(text("a,b\n 1 , x\n2,x \n"));
    expect(a.schema.map((c) => c.type)).toEqual(["integer", "categorical"]);
    expect(a.profile.columns[1]).toMatchObject({ distinct: 1 });
  });
});

describe("schema overrides", () => {
  const csv = "id,code,flag,when,score\n1,007,1,2024-01-01,0.5\n2,010,0,2024-01-02,0.75\n3,007,1,2024-01-03,x\n";

  it("applies overrides that fit every value and records the inferred type", async () => {
    const a = await analyzeCsv(text(csv), { schemaOverrides: { code: "categorical", flag: "boolean", id: "numeric", when: "text" } });
    expect(a.schema.map((c) => [c.name, c.type, c.inferredType])).toEqual([
      ["id", "numeric", "integer"],
      ["code", "categorical", "integer"],
      ["flag", "boolean", "integer"],
      ["when", "text", "datetime"],
      ["score", "categorical", "categorical"],
    ]);
    expect(a.profile.columns[1]).toMatchObject({ type: "categorical", values: [{ value: "007", count: 2 }, { value: "010", count: 1 }] });
    expect(a.profile.columns[2]).toMatchObject({ type: "boolean", values: [{ value: "true", count: 2 }, { value: "false", count: 1 }] });
  });

  it("refuses an override the data does not fit, with the first counterexample", async () => {
    await expect(analyzeCsv(text(csv), { schemaOverrides: { score: "numeric" } })).rejects.toMatchObject({
      code: "invalid",
      message: "Column 'score' cannot be numeric: the value 'x' on line 4 is not a number",
      details: { column: "score", type: "numeric", value: "x", line: 4 },
    });
    await expect(analyzeCsv(text(csv), { schemaOverrides: { when: "integer" } })).rejects.toMatchObject({
      message: "Column 'when' cannot be integer: the value '2024-01-01' on line 2 is not a whole number",
    });
    await expect(analyzeCsv(text(csv), { schemaOverrides: { code: "boolean" } })).rejects.toMatchObject({
      message: "Column 'code' cannot be boolean: the value '007' on line 2 is not true/false, yes/no, t/f, y/n or 1/0",
    });
    await expect(analyzeCsv(text(csv), { schemaOverrides: { id: "datetime" } })).rejects.toMatchObject({
      message: expect.stringMatching(/^Column 'id' cannot be datetime: the value '1' on line 2 is not an ISO 8601 date/),
    });
  });

  it("refuses overrides for columns that do not exist", async () => {
    await expect(analyzeCsv(text(csv), { schemaOverrides: { nope: "text", also: "numeric" } })).rejects.toMatchObject({
      code: "invalid",
      message: "The schema overrides name columns 'nope', 'also', not in the header",
    });
  });

  it("refuses a target that is not a column", async () => {
    await expect(analyzeCsv(text(csv), { target: "label" })).rejects.toMatchObject({
      code: "invalid",
      message: "The target column 'label' is not in the header; the columns are 'id', 'code', 'flag', 'when', 'score'",
    });
  });
});
