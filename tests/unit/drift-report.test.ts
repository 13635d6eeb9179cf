// Reports: test selection, thresholds, the dataset verdict, bad input, profiles and windows.
import { describe, expect, it } from "vitest";
import {
  buildReferenceProfile,
  compareColumns,
  compareToProfile,
  CurrentWindow,
  formatReportTable,
  KllSketch,
  parseProfile,
  ProfileBuilder,
  reportSummary,
  sortedWithoutNaN,
  type ColumnReport,
  type DriftReport,
  type ReferenceProfile,
} from "@/lib/drift";
import { summarizeAgainst } from "@/lib/drift/against";
import type { NumericSummary } from "@/lib/drift/columns";
import { fromSorted, mergedWalk, weightAtMost } from "@/lib/drift/distribution";
import { profileSummary } from "@/lib/drift/profile";
import { AppError } from "@/lib/errors";
import { mulberry32, normals, sample } from "./drift-data";

const col = (r: DriftReport, name: string): ColumnReport => {
  const c = r.columns.find((x) => x.column === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
};
const ints = (seed: number, n: number, k: number, loc = 0) => sample({ seed, n, kind: "int", k, loc });
const labels = (seed: number, n: number, k: number, prefix = "c") => Array.from(ints(seed, n, k), (v) => `${prefix}${v}`);

describe("automatic test selection (Evidently's defaults)", () => {
  const frame = (seed: number, n: number) => ({
    num: normals(mulberry32(seed), n),
    few: ints(seed + 1, n, 4),
    bin: ints(seed + 2, n, 2),
    cat: labels(seed + 3, n, 6),
    flag: labels(seed + 4, n, 2, "yes"),
  });

  it("reference ≤ 1000 rows: KS, chi-square for few values or categories, z-test for binary", () => {
    const r = compareColumns(frame(1, 800), frame(100, 300));
    expect(r.columns.map((c) => [c.column, c.test])).toEqual([
      ["num", "ks"],
      ["few", "chisquare"],
      ["bin", "z"],
      ["cat", "chisquare"],
      ["flag", "z"],
    ]);
    for (const c of r.columns) {
      expect(c.p_value).toBeTypeOf("number");
      expect(c.threshold).toBe(0.05);
      expect(c.drifted).toBe(c.p_value! < 0.05);
      expect(c.psi).toBeTypeOf("number");
    }
  });

  it("larger reference: normed Wasserstein for numeric, Jensen–Shannon for few values and categories", () => {
    const r = compareColumns(frame(1, 3000), frame(100, 300));
    expect(r.columns.map((c) => [c.column, c.test])).toEqual([
      ["num", "wasserstein"],
      ["few", "jensenshannon"],
      ["bin", "jensenshannon"],
      ["cat", "jensenshannon"],
      ["flag", "jensenshannon"],
    ]);
    for (const c of r.columns) {
      expect(c.p_value).toBeUndefined();
      expect(c.threshold).toBe(0.1);
      expect(c.drifted).toBe(c.statistic! >= 0.1);
    }
  });

  it("counts distinct values over both sides, and the row limit is configurable", () => {
    // Three values in the reference, a fourth only in the current data: still few-valued.
    const r = compareColumns({ x: ints(1, 500, 3) }, { x: ints(2, 200, 4) });
    expect(col(r, "x").test).toBe("chisquare");
    const big = compareColumns({ x: normals(mulberry32(3), 800) }, { x: normals(mulberry32(4), 300) }, { smallReferenceRows: 500 });
    expect(col(big, "x").test).toBe("wasserstein");
  });
});

describe("tests, thresholds and the dataset verdict", () => {
  const next = mulberry32(11);
  const ref = { a: normals(next, 600), b: normals(next, 600), c: normals(next, 600), d: normals(next, 600) };
  const cur = { a: normals(next, 400, 1), b: normals(next, 400, 1), c: normals(next, 400), d: normals(next, 400) };

  it("flags the shifted columns; dataset drift at a share of 0.5", () => {
    const r = compareColumns(ref, cur);
    expect(r.columns.map((c) => c.drifted)).toEqual([true, true, false, false]);
    expect(r.share_drifted).toBe(0.5);
    expect(r.dataset_drift).toBe(true);
    expect(compareColumns(ref, cur, { datasetDriftShare: 0.75 }).dataset_drift).toBe(false);
  });

  it("any test can be forced, globally or per column, with its own threshold", () => {
    const r = compareColumns(ref, cur, {
      test: "psi",
      perColumn: { c: { test: "wasserstein", threshold: 0.0001 }, d: { test: "jensenshannon" } },
    });
    expect(r.columns.map((c) => c.test)).toEqual(["psi", "psi", "wasserstein", "jensenshannon"]);
    expect(col(r, "a").statistic).toBe(col(r, "a").psi);
    expect(col(r, "c").threshold).toBe(0.0001);
    expect(col(r, "c").drifted).toBe(true);
    expect(col(r, "d").threshold).toBe(0.1);
  });

  it("a threshold for every column, or default thresholds per test", () => {
    const strict = compareColumns(ref, cur, { test: "ks", threshold: 1e-300 });
    expect(strict.columns.every((c) => c.threshold === 1e-300 && !c.drifted)).toBe(true);
    const loose = compareColumns(ref, cur, { test: "ks", thresholds: { ks: 1.01 } });
    expect(loose.columns.every((c) => c.drifted)).toBe(true);
  });

  it("the chosen columns only", () => {
    const r = compareColumns(ref, cur, { columns: ["b", "zzz"] });
    expect(r.columns.map((c) => c.column)).toEqual(["b"]);
    expect(r.warnings).toContain("column 'zzz' is in neither the reference nor the current data");
  });

  it("rejects options it does not understand", () => {
    expect(() => compareColumns(ref, cur, { test: "t-test" as never })).toThrow(AppError);
    expect(() => compareColumns(ref, cur, { threshold: Number.NaN })).toThrow(/threshold/);
    expect(() => compareColumns(ref, cur, { datasetDriftShare: 2 })).toThrow(/between 0 and 1/);
  });

  it("is plain data, readable as a table", () => {
    const r = compareColumns(ref, cur);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    const table = formatReportTable(r);
    expect(table).toContain("DRIFT");
    expect(table).toContain("dataset drift: YES");
    const s = reportSummary(r);
    expect(Object.keys(s.columns[0]!)).toEqual(["column", "type", "test", "statistic", "p_value", "threshold", "drifted", "psi"]);
  });
});

describe("bad input is explained, never a crash", () => {
  const next = mulberry32(5);

  it("column sets that differ: which columns are missing on each side", () => {
    const r = compareColumns({ a: normals(next, 100), gone: normals(next, 100) }, { a: normals(next, 100), extra: normals(next, 100) });
    expect(r.missing_in_current).toEqual(["gone"]);
    expect(r.missing_in_reference).toEqual(["extra"]);
    expect(col(r, "gone").skipped).toBe("column missing in the current data");
    expect(r.warnings.join("\n")).toMatch(/missing in the current data: gone[\s\S]*missing in the reference \(not compared\): extra/);
    expect(r.n_tested).toBe(1);
  });

  it("a column with every value missing is skipped with the reason", () => {
    const r = compareColumns(
      { allNaN: new Float64Array(100).fill(Number.NaN), empty: Array(100).fill(""), x: normals(next, 100) },
      { allNaN: normals(next, 100), empty: Array(100).fill("b"), x: Array(100).fill("NA") },
    );
    expect(col(r, "allNaN").skipped).toBe("all values missing in the reference");
    expect(col(r, "empty").skipped).toBe("all values missing in the reference");
    expect(col(r, "x").skipped).toBe("all values missing in the current data");
    expect(col(r, "x").missing_current).toBe(100);
    expect(r.n_tested).toBe(0);
    expect(r.dataset_drift).toBe(false);
    expect(r.warnings).toContain("no column could be tested: see each column's reason");
  });

  it("constant columns: no drift on identical constants, drift on a changed one, with explanations", () => {
    const ref = { same: new Float64Array(200).fill(3), moved: new Float64Array(200).fill(3) };
    const cur = { same: new Float64Array(100).fill(3), moved: new Float64Array(100).fill(4) };
    const ks = compareColumns(ref, cur, { test: "ks" });
    expect(col(ks, "same")).toMatchObject({ statistic: 0, p_value: 1, drifted: false });
    expect(col(ks, "same").notes.join()).toMatch(/constant column: both sides hold only 3/);
    expect(col(ks, "moved")).toMatchObject({ statistic: 1, drifted: true });
    const auto = compareColumns(ref, cur);
    expect(col(auto, "same")).toMatchObject({ test: "z", p_value: 1, drifted: false });
    expect(col(auto, "moved")).toMatchObject({ test: "z", drifted: true });
    const wd = compareColumns(ref, cur, { test: "wasserstein" });
    expect(col(wd, "same").statistic).toBe(0);
    expect(col(wd, "moved").statistic).toBe(1 / 0.001);
    expect(col(wd, "moved").notes.join()).toMatch(/divided by 0.001/);
  });

  it("an empty window: 'not enough data', no false alarm", () => {
    const r = compareColumns({ a: normals(next, 100), b: labels(1, 100, 3) }, { a: [], b: [] });
    expect(r.warnings).toContain("not enough data: the current window has 0 rows, need at least 30");
    for (const c of r.columns) expect(c).toMatchObject({ skipped: "not enough data: 0 rows, need at least 30", drifted: false });
    expect(r.dataset_drift).toBe(false);
  });

  it("a window too small for the test: 'not enough data: N rows, need at least M'", () => {
    const r = compareColumns({ a: normals(next, 100) }, { a: normals(next, 10, 5) });
    expect(col(r, "a")).toMatchObject({ skipped: "not enough data: 10 rows with values in the current data, need at least 30", drifted: false });
    expect(col(compareColumns({ a: normals(next, 100) }, { a: normals(next, 10, 5) }, { minRows: 5 }), "a").drifted).toBe(true);
  });

  it("non-numeric values in a numeric column are counted, reported and treated as missing", () => {
    const cur = Array.from(normals(next, 200), (v, i) => (i % 20 === 0 ? "n/a?" : i % 31 === 0 ? "oops" : v));
    const r = compareColumns({ a: normals(next, 300) }, { a: cur });
    expect(col(r, "a")).toMatchObject({ type: "numeric", test: "ks", invalid_current: 16, n_current: 184 });
    expect(col(r, "a").notes[0]).toBe("16 non-numeric values in the current data treated as missing (e.g. 'n/a?', 'oops')");
  });

  it("infinite values count as invalid; NA tokens and NaN as missing", () => {
    const r = compareColumns({ a: [1, 2, Infinity, "NA", null, Number.NaN, ...normals(next, 50)] }, { a: normals(next, 50) });
    expect(col(r, "a")).toMatchObject({ n_reference: 52, missing_reference: 3, invalid_reference: 1 });
  });
});

describe("reference profiles", () => {
  const next = mulberry32(99);
  const ref = {
    num: normals(next, 900),
    few: ints(1, 900, 4),
    cat: labels(2, 900, 7),
    empty: Array(900).fill(null),
  };
  const cur = { num: normals(next, 400, 0.3), few: ints(3, 400, 4), cat: labels(4, 400, 8), empty: Array(400).fill(null) };

  it("survives JSON and gives the exact report when the reference is stored whole", () => {
    const profile = buildReferenceProfile(ref);
    const stored = parseProfile(JSON.parse(JSON.stringify(profile)));
    expect(stored.columns.map((c) => [c.name, c.type])).toEqual([
      ["num", "numeric"],
      ["few", "numeric"],
      ["cat", "categorical"],
      ["empty", "unknown"],
    ]);
    const fromProfile = compareToProfile(stored, cur);
    expect(fromProfile).toEqual(compareColumns(ref, cur));
    expect(col(fromProfile, "num").drifted).toBe(true);
  });

  it("summarises a large column in a KLL sketch whose stated error bound holds", () => {
    const big = normals(mulberry32(1), 200_000);
    const profile = buildReferenceProfile({ x: big });
    const c = profile.columns[0]!;
    if (c.type !== "numeric" || c.sample.kind !== "kll") throw new Error("expected a sketch");
    expect(c.sample.rank_error_bound).toBeGreaterThan(0);
    expect(c.sample.rank_error_bound).toBeLessThan(0.005);
    expect(c.n).toBe(200_000);
    expect(JSON.stringify(profile).length).toBeLessThan(400_000);
    // The sketch's CDF is within the bound of the exact CDF everywhere.
    const sk = KllSketch.fromJSON(c.sample.sketch).toSorted();
    const exact = sortedWithoutNaN(big);
    let worst = 0;
    for (let q = -4; q <= 4; q += 0.01) {
      let lo = 0;
      let hi = sk.values.length;
      while (lo < hi) {
        const m = (lo + hi) >> 1;
        if (sk.values[m]! <= q) lo = m + 1;
        else hi = m;
      }
      const est = lo ? sk.cum[lo - 1]! : 0;
      let a = 0;
      let b = exact.length;
      while (a < b) {
        const m = (a + b) >> 1;
        if (exact[m]! <= q) a = m + 1;
        else b = m;
      }
      worst = Math.max(worst, Math.abs(est - a) / exact.length);
    }
    expect(worst).toBeLessThanOrEqual(c.sample.rank_error_bound);
    // Reports from the sketch agree with the exact ones to within that error.
    const current = { x: normals(mulberry32(2), 50_000, 0.05) };
    const exactReport = compareColumns({ x: big }, current, { test: "ks" });
    const sketchReport = compareToProfile(profile, current, { test: "ks" });
    expect(Math.abs(col(sketchReport, "x").statistic! - col(exactReport, "x").statistic!)).toBeLessThanOrEqual(c.sample.rank_error_bound);
    const wdExact = col(compareColumns({ x: big }, current), "x").statistic!;
    const wdSketch = col(compareToProfile(profile, current), "x").statistic!;
    expect(Math.abs(wdSketch - wdExact) / wdExact).toBeLessThan(0.05);
    expect(col(sketchReport, "x").notes.join()).toMatch(/quantile sketch/);
  });

  it("compares a current column with a sketched reference without sorting it, to the same statistics", () => {
    const cases: [Float64Array, Float64Array][] = [
      [normals(mulberry32(1), 100_000), normals(mulberry32(2), 80_000)],
      [normals(mulberry32(3), 100_000), normals(mulberry32(4), 80_000, 0.3, 2)],
      [sample({ seed: 5, n: 60_000, kind: "int", k: 300 }), sample({ seed: 6, n: 50_000, kind: "int", k: 320, loc: -7 })],
    ];
    for (const [refValues, cur] of cases) {
      const profile = buildReferenceProfile({ x: refValues }, { sketchK: 256 });
      const ref = profileSummary(profile.columns[0]!) as NumericSummary;
      expect(ref.exact).toBe(false);
      const fast = summarizeAgainst(cur, ref.dist, { missing: 0, invalid: 0, invalidExamples: [], valueCounts: null, distinct: 101, distinctExact: false });
      const sorted = fromSorted(sortedWithoutNaN(cur));
      const a = mergedWalk(ref.dist, fast.dist);
      const b = mergedWalk(ref.dist, sorted);
      expect(a.dPlus).toBe(b.dPlus);
      expect(a.dMinus).toBe(b.dMinus);
      expect(Math.abs(a.wasserstein - b.wasserstein) / b.wasserstein).toBeLessThan(1e-12);
      for (const edge of ref.dist.values) expect(weightAtMost(fast.dist, edge)).toBe(weightAtMost(sorted, edge));
      expect(fast.dist.values.length).toBeLessThan(cur.length / 10);
      expect([fast.min, fast.max, fast.n]).toEqual([sorted.values[0], sorted.values[sorted.values.length - 1], cur.length]);
    }
  });

  it("can be built in chunks", () => {
    const whole = buildReferenceProfile(ref);
    const b = new ProfileBuilder();
    for (let i = 0; i < 900; i += 300)
      b.add({ num: ref.num.subarray(i, i + 300), few: ref.few.subarray(i, i + 300), cat: ref.cat.slice(i, i + 300), empty: ref.empty.slice(i, i + 300) });
    const chunked = b.finish();
    expect({ ...chunked, created_at: "" }).toEqual({ ...whole, created_at: "" });
  });

  it("a malformed profile is rejected with its problems", () => {
    const good = JSON.parse(JSON.stringify(buildReferenceProfile(ref))) as ReferenceProfile;
    expect(() => parseProfile({ ...good, version: 2 })).toThrow(AppError);
    const unsorted = structuredClone(good);
    const num = unsorted.columns[0]!;
    if (num.type === "numeric" && num.sample.kind === "exact") num.sample.values.reverse();
    expect(() => parseProfile(unsorted)).toThrow(/sorted/);
    expect(() => parseProfile("not json")).toThrow(/Not a valid drift reference profile/);
  });
});

describe("current windows fed in chunks", () => {
  const next = mulberry32(123);
  const ref = { x: normals(next, 5000), c: labels(9, 5000, 5) };
  const profile = buildReferenceProfile(ref);
  const cur = { x: normals(next, 6000, 0.2), c: labels(10, 6000, 5) };

  it("equals the one-shot report while the window is kept exactly", () => {
    const w = CurrentWindow.forProfile(profile);
    for (let i = 0; i < 6000; i += 1000) w.add({ x: cur.x.subarray(i, i + 1000), c: cur.c.slice(i, i + 1000) });
    expect(w.rows).toBe(6000);
    expect(compareToProfile(profile, w)).toEqual(compareToProfile(profile, cur));
  });

  it("switches to a sketch past its exact limit and says so", () => {
    const w = CurrentWindow.forProfile(profile, { exactLimit: 1000, sketchK: 256 });
    for (let i = 0; i < 6000; i += 500) w.add({ x: cur.x.subarray(i, i + 500), c: cur.c.slice(i, i + 500) });
    const r = compareToProfile(profile, w);
    const exact = compareToProfile(profile, cur);
    expect(col(r, "x").notes.join()).toMatch(/current data is summarised by a quantile sketch/);
    expect(Math.abs(col(r, "x").statistic! - col(exact, "x").statistic!) / col(exact, "x").statistic!).toBeLessThan(0.1);
    expect(col(r, "x").drifted).toBe(col(exact, "x").drifted);
    expect(col(r, "c").statistic).toBe(col(exact, "c").statistic);
  });

  it("rows of chunks that lack a column count as missing", () => {
    const w = CurrentWindow.forProfile(profile);
    w.add({ x: cur.x.subarray(0, 100), c: cur.c.slice(0, 100) });
    w.add({ c: cur.c.slice(100, 300) });
    const r = compareToProfile(profile, w);
    expect(col(r, "x")).toMatchObject({ n_current: 100, missing_current: 200 });
    expect(r.n_current).toBe(300);
  });
});
