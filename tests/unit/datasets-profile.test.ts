// Profiles checked against pandas/numpy values (tests/fixtures/datasets/reference.json, written by
// make_fixtures.py in the same folder).
import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { analyzeCsv, mulberry32, type CategoricalColumnProfile, type NumericColumnProfile } from "@/lib/datasets";
import { histogram, quantileSorted, scaleCounts, sturgesBins } from "@/lib/datasets/profile";

interface RefColumn {
  kind: "numeric" | "categorical";
  count: number;
  missing: number;
  distinct: number;
  mean?: number;
  std?: number;
  min?: number;
  q25?: number;
  median?: number;
  q75?: number;
  max?: number;
  histogram?: { edges: number[]; counts: number[] };
  outliers?: number;
  valueCounts?: Record<string, number>;
}
interface RefDataset {
  rowCount: number;
  duplicates: number;
  columns: Record<string, RefColumn>;
  labelCounts?: Record<string, number>;
}

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "datasets");
const SHARED = join(import.meta.dirname, "..", "..", "..", "shared", "datasets");
const reference = JSON.parse(readFileSync(join(FIXTURES, "reference.json"), "utf8")) as { datasets: Record<string, RefDataset> };

const close = (actual: number | null | undefined, expected: number | undefined) => {
  expect(actual).not.toBeNull();
  expect(actual!).toBeCloseTo(expected!, 9);
};

describe.each(["iris", "wine", "diabetes"])("profile of %s matches pandas", (name) => {
  const ref = reference.datasets[name]!;

  it("has the same numeric statistics, histograms, outliers, duplicates and label counts", async () => {
    const a = await analyzeCsv(createReadStream(join(SHARED, `${name}.csv`)), { target: "target" });
    expect(a.rowCount).toBe(ref.rowCount);
    expect(a.validation.duplicateRows).toMatchObject({ count: ref.duplicates, exact: true });
    for (const col of a.profile.columns) {
      const r = ref.columns[col.name]!;
      expect(r, col.name).toBeDefined();
      expect({ count: col.count, missing: col.missing, distinct: col.distinct }).toEqual({ count: r.count, missing: r.missing, distinct: r.distinct });
      if (r.kind === "numeric") {
        expect(["numeric", "integer"]).toContain(col.type);
        const p = col as NumericColumnProfile;
        for (const k of ["mean", "std", "min", "q25", "median", "q75", "max"] as const) close(p[k], r[k]);
        expect(p.quantilesExact).toBe(true);
        expect(p.histogram!.counts).toEqual(r.histogram!.counts);
        p.histogram!.edges.forEach((e, i) => expect(e).toBeCloseTo(r.histogram!.edges[i]!, 12));
        const outliers = a.validation.outliers.find((o) => o.column === col.name)?.count ?? 0;
        expect(outliers, `outliers in ${col.name}`).toBe(r.outliers);
      } else {
        expect(col.type).toBe("categorical");
        const counts = Object.fromEntries((col as CategoricalColumnProfile).values.map((v) => [v.value, v.count]));
        expect(counts).toEqual(r.valueCounts);
      }
    }
    const target = a.validation.target!;
    if (ref.labelCounts && name !== "diabetes") {
      expect(target.task).toBe("classification");
      expect(Object.fromEntries(target.classes!.map((c) => [c.value, c.count]))).toEqual(ref.labelCounts);
    } else {
      expect(target).toMatchObject({ task: "regression", classes: null });
    }
  });
});

describe("profile of a file with missing values, quotes and mixed types", () => {
  const ref = reference.datasets.mixed!;

  it("matches pandas where the types agree", async () => {
    const a = await analyzeCsv(createReadStream(join(FIXTURES, "mixed.csv")));
    expect(a.profile.format.delimiter).toBe(";");
    expect(a.schema.map((c) => [c.name, c.type])).toEqual([
      ["id", "integer"],
      ["amount", "numeric"],
      ["count", "integer"],
      ["flag", "boolean"],
      ["when", "datetime"],
      ["city", "categorical"],
      ["note", "categorical"],
    ]);
    const byName = Object.fromEntries(a.profile.columns.map((c) => [c.name, c]));
    for (const name of ["id", "amount", "count"]) {
      const p = byName[name] as NumericColumnProfile;
      const r = ref.columns[name]!;
      expect({ count: p.count, missing: p.missing, distinct: p.distinct }).toEqual({ count: r.count, missing: r.missing, distinct: r.distinct });
      for (const k of ["mean", "std", "min", "q25", "median", "q75", "max"] as const) close(p[k], r[k]);
      expect(p.histogram!.counts).toEqual(r.histogram!.counts);
    }
    // pandas keeps the spellings of a boolean column apart; we fold them into true and false.
    const flag = byName.flag as CategoricalColumnProfile;
    const spelled = ref.columns.flag!.valueCounts!;
    const truthy = Object.entries(spelled).filter(([k]) => k.toLowerCase() === "yes").reduce((s, [, c]) => s + c, 0);
    expect(flag.values).toEqual([
      { value: "true", count: truthy },
      { value: "false", count: 10 - truthy },
    ]);
    for (const name of ["city", "note"]) {
      const p = byName[name] as CategoricalColumnProfile;
      expect(Object.fromEntries(p.values.map((v) => [v.value, v.count]))).toEqual(ref.columns[name]!.valueCounts);
      expect(p.missing).toBe(ref.columns[name]!.missing);
    }
    expect(byName.when).toMatchObject({ type: "datetime", count: 9, missing: 1, min: "2024-01-05T00:00:00.000Z", max: "2024-10-10T00:00:00.000Z" });
    expect(a.validation.outliers).toEqual([expect.objectContaining({ column: "amount", count: ref.columns.amount!.outliers })]);
  });
});

describe("statistics helpers", () => {
  it("interpolates quantiles like numpy", () => {
    const s = [1, 2, 3, 4];
    expect([0, 0.25, 0.5, 0.75, 1].map((q) => quantileSorted(s, q))).toEqual([1, 1.75, 2.5, 3.25, 4]);
    expect(quantileSorted([7], 0.3)).toBe(7);
  });

  it("bins like numpy.histogram, with the last edge closed and a zero range widened", () => {
    expect(histogram([0, 1, 2, 3, 4], 4, 0, 4)).toEqual({ edges: [0, 1, 2, 3, 4], counts: [1, 1, 1, 2] });
    expect(histogram([5, 5, 5], 1, 5, 5)).toEqual({ edges: [4.5, 5.5], counts: [3] });
    expect(sturgesBins(150)).toBe(9);
    expect(sturgesBins(1)).toBe(1);
  });

  it("scales sampled counts so they add up to the column count", () => {
    const scaled = scaleCounts([1, 1, 1], 10);
    expect(scaled.reduce((a, b) => a + b, 0)).toBe(10);
    expect(scaled).toEqual([4, 3, 3]);
  });

  it("estimates quartiles from the sample when a column has more values than the sample holds", async () => {
    const rand = mulberry32(7);
    const n = 150_000; // over the 100,000 values a narrow file samples per column
    const values = Array.from({ length: n }, () => rand());
    async function* csv() {
      yield "x\n";
      for (let i = 0; i < n; i += 10_000) yield values.slice(i, i + 10_000).join("\n") + "\n";
    }
    const a = await analyzeCsv(csv());
    const p = a.profile.columns[0] as NumericColumnProfile;
    const sorted = Float64Array.from(values).sort();
    expect(p.quantilesExact).toBe(false);
    expect(p.sampleSize).toBe(100_000);
    expect(p.min).toBe(sorted[0]);
    expect(p.max).toBe(sorted[n - 1]);
    expect(Math.abs(p.median! - quantileSorted(sorted, 0.5))).toBeLessThan(0.01);
    expect(Math.abs(p.q25! - quantileSorted(sorted, 0.25))).toBeLessThan(0.01);
    expect(p.histogram!.exact).toBe(false);
    expect(p.histogram!.counts.reduce((s, c) => s + c, 0)).toBe(n);
    // Near-unique numbers past the exact bound: distinct is a HyperLogLog estimate (about 2% error).
    expect(p.distinctExact).toBe(false);
    expect(Math.abs(p.distinct - new Set(values).size) / n).toBeLessThan(0.06);
  });

  it("gives the same profile for the same bytes", async () => {
    const rand = mulberry32(1);
    const body = "x,y\n" + Array.from({ length: 120_000 }, () => `${rand()},${Math.floor(rand() * 5)}`).join("\n");
    const one = await analyzeCsv(Readable.from([body]));
    const two = await analyzeCsv(Readable.from([body]));
    expect(one.profile).toEqual(two.profile);
  });
});
