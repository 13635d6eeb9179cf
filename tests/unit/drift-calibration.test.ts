// The KS test's false-alarm rate under no shift, and its power under a shift, by simulation
// with a seeded generator (deterministic, so the test is not flaky).
import { describe, expect, it } from "vitest";
import { compareColumns } from "@/lib/drift";
import { mulberry32, normals } from "./drift-data";

describe("KS calibration through the report (reference ≤ 1000 rows: KS auto-selected)", () => {
  it("flags between 3% and 7% of 1,000 windows drawn from the reference's distribution", () => {
    const next = mulberry32(20240601);
    let flagged = 0;
    for (let w = 0; w < 1000; w++) {
      const r = compareColumns({ x: normals(next, 200) }, { x: normals(next, 150) });
      expect(r.columns[0]!.test).toBe("ks");
      if (r.columns[0]!.drifted) flagged++;
    }
    expect(flagged).toBeGreaterThanOrEqual(30);
    expect(flagged).toBeLessThanOrEqual(70);
  });

  it("flags a column shifted by half a standard deviation in at least 95 of 100 windows", () => {
    const next = mulberry32(7);
    let flagged = 0;
    for (let w = 0; w < 100; w++) {
      const r = compareColumns({ x: normals(next, 200), y: normals(next, 200) }, { x: normals(next, 150, 0.5), y: normals(next, 150) });
      if (r.columns[0]!.drifted) flagged++;
    }
    expect(flagged).toBeGreaterThanOrEqual(95);
  });
});
