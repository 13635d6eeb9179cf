// The demo's synthetic churn set: the same rows on every machine, a signal a tree ensemble finds
// better than a line (so the A/B test has a truly better arm), and a shifted stream that drifts.
import { describe, expect, it } from "vitest";
import { CHURN_FEATURES, churnCsv, churnInstance, churnLogit, generateChurn } from "@/lib/demo";
import { progressPrinter } from "@/cli/demo";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("generateChurn", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    expect(generateChurn({ rows: 50, seed: 7 })).toEqual(generateChurn({ rows: 50, seed: 7 }));
    expect(generateChurn({ rows: 50, seed: 8 })).not.toEqual(generateChurn({ rows: 50, seed: 7 }));
    // Pinned: a change to the generator changes every instance's demo story, on purpose only.
    expect(generateChurn({ rows: 1, seed: 7 })[0]).toEqual({
      tenure_months: 1, monthly_charges: 24.94, contract: "month-to-month", support_calls: 1, plan: "basic", data_usage_gb: 0, age: 44, region: "north", churn: "left",
    });
  });

  it("has a clear, non-linear signal: the true log-odds separate the classes well", () => {
    const rows = generateChurn({ rows: 4000, seed: 7 });
    const left = rows.filter((r) => r.churn === "left");
    expect(left.length / rows.length).toBeGreaterThan(0.2);
    expect(left.length / rows.length).toBeLessThan(0.5);
    // The Bayes rule (the generator's own log-odds) is right far more often than the majority class.
    const bayes = mean(rows.map((r) => ((churnLogit(r) > 0) === (r.churn === "left") ? 1 : 0)));
    expect(bayes).toBeGreaterThan(0.85);
  });

  it("shifts the production stream: shorter tenures, higher charges, more support calls, more churn", () => {
    const base = generateChurn({ rows: 2000, seed: 1 });
    const shifted = generateChurn({ rows: 2000, seed: 1, shifted: true });
    expect(mean(shifted.map((r) => r.tenure_months))).toBeLessThan(mean(base.map((r) => r.tenure_months)) * 0.6);
    expect(mean(shifted.map((r) => r.monthly_charges))).toBeGreaterThan(mean(base.map((r) => r.monthly_charges)) + 20);
    expect(mean(shifted.map((r) => r.support_calls))).toBeGreaterThan(mean(base.map((r) => r.support_calls)) + 1);
    expect(shifted.filter((r) => r.churn === "left").length).toBeGreaterThan(base.filter((r) => r.churn === "left").length * 1.5);
  });

  it("writes a CSV with a header and one line per row, and instances without the target", () => {
    const rows = generateChurn({ rows: 3, seed: 2 });
    const lines = churnCsv(rows).trim().split("\n");
    expect(lines[0]).toBe([...CHURN_FEATURES, "churn"].join(","));
    expect(lines).toHaveLength(4);
    expect(Object.keys(churnInstance(rows[0]!))).toEqual([...CHURN_FEATURES]);
  });
});

describe("progressPrinter", () => {
  const sink = (isTTY: boolean) => {
    let out = "";
    const stream = { isTTY, columns: 60, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
    return { stream, out: () => out };
  };

  it("prints one line per chapter when the output is not a terminal", () => {
    const s = sink(false);
    const bar = progressPrinter(s.stream);
    bar.update({ fraction: 0, step: "datasets", message: "a" });
    bar.update({ fraction: 0.05, step: "datasets", message: "b" });
    bar.update({ fraction: 0.5, step: "study", message: "c" });
    bar.done();
    expect(s.out()).toBe("[  0%] datasets: a\n[ 50%] study: c\n");
  });

  it("redraws one line on a terminal, cut to its width", () => {
    const s = sink(true);
    const bar = progressPrinter(s.stream);
    bar.update({ fraction: 1, step: "drift", message: "x".repeat(200) });
    bar.done();
    const line = s.out().split("\r\x1b[2K")[1]!.replace(/\n$/, "");
    expect(line.startsWith("█".repeat(28))).toBe(true);
    expect(line.length).toBeLessThanOrEqual(59);
  });
});
