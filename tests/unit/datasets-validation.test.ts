import { describe, expect, it } from "vitest";
import { analyzeCsv } from "@/lib/datasets";
import { DuplicateCounter, RowHasher, hashHi, hashLo, hashString } from "@/lib/datasets/hash";

async function* text(s: string): AsyncGenerator<string> {
  yield s;
}

const rows = (header: string, lines: string[]) => text(`${header}\n${lines.join("\n")}\n`);

describe("validation report", () => {
  it("counts missing values per column and lists all-missing and constant columns", async () => {
    const a = await analyzeCsv(rows("a,b,c,d", ["1,x,,k", "2,NA,NA,k", "3,y,null,k", "4,,,k", "5,z,NaN,NA"]));
    const v = a.validation;
    expect(v.missing).toEqual([
      { column: "b", count: 2, fraction: 0.4 },
      { column: "c", count: 5, fraction: 1 },
      { column: "d", count: 1, fraction: 0.2 },
    ]);
    expect(v.allMissingColumns).toEqual(["c"]);
    expect(v.constantColumns).toEqual(["d"]);
    expect(v.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ severity: "error", code: "all_missing", column: "c" }),
        expect.objectContaining({ severity: "warning", code: "missing_values", column: "b", message: "Column 'b' is missing in 40.0% of rows" }),
        expect.objectContaining({ severity: "warning", code: "constant", column: "d" }),
      ]),
    );
    // 20% missing is not above the warning share.
    expect(v.issues.find((i) => i.code === "missing_values" && i.column === "d")).toBeUndefined();
  });

  it("counts rows that repeat an earlier row, reading missing spellings as equal", async () => {
    const a = await analyzeCsv(rows("a,b", ["1,x", "2,y", "1,x", " 1 ,x", "1,NA", "1,", "2,x"]));
    expect(a.validation.duplicateRows).toEqual({ count: 3, fraction: 3 / 7, exact: true });
    expect(a.validation.issues).toContainEqual(
      expect.objectContaining({ code: "duplicate_rows", message: "3 rows repeat an earlier row (42.9%)" }),
    );
  });

  it("flags values outside 1.5 IQR", async () => {
    const values = ["1", "2", "3", "4", "5", "6", "7", "8", "100", "-50"];
    const a = await analyzeCsv(rows("x", values));
    // Quartiles of the ten values (numpy linear): 2.25 and 6.75, fences -4.5 and 13.5.
    expect(a.validation.outliers).toEqual([{ column: "x", count: 2, fraction: 0.2, lowerFence: -4.5, upperFence: 13.5, exact: true }]);
    expect(a.validation.issues).toContainEqual(expect.objectContaining({ severity: "info", code: "outliers", column: "x" }));
  });

  it("reports label balance for a categorical target", async () => {
    const labels = [...Array(12).fill("a"), ...Array(6).fill("b"), "c", ""];
    const a = await analyzeCsv(rows("f,label", labels.map((l, i) => `${i},${l}`)), { target: "label" });
    expect(a.validation.target).toEqual({
      column: "label",
      type: "categorical",
      task: "classification",
      missing: 1,
      classes: [
        { value: "a", count: 12, fraction: 12 / 19 },
        { value: "b", count: 6, fraction: 6 / 19 },
        { value: "c", count: 1, fraction: 1 / 19 },
      ],
      classesExact: true,
      imbalanceRatio: 12,
    });
    const codes = a.validation.issues.map((i) => i.code);
    expect(codes).toContain("target_imbalanced");
    expect(codes).toContain("target_missing_values");
  });

  it("reads a few-valued integer target as classes and a float target as regression", async () => {
    const ints = await analyzeCsv(rows("f,y", ["1,0", "2,1", "3,1", "4,0"]), { target: "y" });
    expect(ints.validation.target).toMatchObject({ type: "integer", task: "classification", classes: [{ value: "0", count: 2 }, { value: "1", count: 2 }] });
    const floats = await analyzeCsv(rows("f,y", ["1,0.5", "2,1.5", "3,2.25"]), { target: "y" });
    expect(floats.validation.target).toMatchObject({ type: "numeric", task: "regression", classes: null, imbalanceRatio: null });
  });

  it("raises errors for a single-class target and a constant regression target", async () => {
    const single = await analyzeCsv(rows("f,y", ["1,yes", "2,yes", "3,y"]), { target: "y" });
    expect(single.validation.target).toMatchObject({ type: "boolean", classes: [{ value: "true", count: 3, fraction: 1 }] });
    expect(single.validation.issues).toContainEqual(expect.objectContaining({ severity: "error", code: "target_single_class", column: "y" }));
    const constant = await analyzeCsv(rows("f,y", ["1,2.5", "2,2.5", "3,2.5"]), { target: "y" });
    expect(constant.validation.issues).toContainEqual(
      expect.objectContaining({ severity: "error", code: "target_constant", message: "Target 'y' is constant (2.5); there is nothing to learn" }),
    );
  });

  it("has no target section without a target, and no issues for clean data", async () => {
    const a = await analyzeCsv(rows("x,y", ["1,a", "2,b", "3,a"]));
    expect(a.validation.target).toBeNull();
    expect(a.validation.issues).toEqual([]);
  });
});

describe("duplicate counting past its memory bound", () => {
  const hashRow = (r: string[]) => {
    const h = new RowHasher();
    for (const v of r) {
      hashString(v);
      h.add(hashHi, hashLo);
    }
    return h.value();
  };

  it("is exact while the hashes fit and estimates by hash sampling beyond", () => {
    const exact = new DuplicateCounter(1 << 20);
    const small = new DuplicateCounter(1 << 12); // forces sampling for 40,000 distinct rows
    let truth = 0;
    for (let i = 0; i < 40_000; i++) {
      const copies = i % 4 === 0 ? 2 : 1; // every fourth row appears twice
      for (let c = 0; c < copies; c++) {
        const h = hashRow([`r${i}`, String(i % 7)]);
        exact.add(h);
        small.add(h);
      }
      truth += copies - 1;
    }
    expect(exact.exact).toBe(true);
    expect(exact.duplicates()).toBe(truth);
    expect(small.exact).toBe(false);
    expect(Math.abs(small.duplicates() - truth) / truth).toBeLessThan(0.15);
  });

  it("separates rows that differ only in column order", () => {
    expect(hashRow(["a", "b"])).not.toBe(hashRow(["b", "a"]));
    expect(hashRow(["ab", ""])).not.toBe(hashRow(["a", "b"]));
  });
});
