import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mulberry32, splitIndices, type SplitIndices } from "@/lib/datasets";

function expectPartition(s: SplitIndices, n: number) {
  const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
  for (const part of [s.train, s.validation, s.test]) {
    for (let i = 1; i < part.length; i++) expect(part[i]!).toBeGreaterThan(part[i - 1]!);
  }
}

function countBy(labels: readonly string[], rows: Uint32Array): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(labels[r]!, (m.get(labels[r]!) ?? 0) + 1);
  return m;
}

describe("mulberry32", () => {
  it("is a fixed sequence for a seed", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });
});

describe("splitIndices", () => {
  it("splits a row count at random: sizes by rounding, disjoint and complete, same for the same seed", () => {
    const s = splitIndices(1000, { test: 0.2, validation: 0.1, seed: 7 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([700, 100, 200]);
    expectPartition(s, 1000);
    expect(splitIndices(1000, { test: 0.2, validation: 0.1, seed: 7 })).toEqual(s);
    expect(splitIndices(1000, { test: 0.2, validation: 0.1, seed: 8 }).test).not.toEqual(s.test);
  });

  it("keeps class proportions within one row per class", () => {
    const labels = [...Array(50).fill("a"), ...Array(30).fill("b"), ...Array(13).fill("c"), ...Array(7).fill("d")] as string[];
    // Shuffle the label order so that strata are not contiguous blocks.
    const order = Array.from({ length: labels.length }, (_, i) => i);
    const rand = mulberry32(3);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const shuffled = order.map((i) => labels[i]!);
    const s = splitIndices(shuffled, { test: 0.2, validation: 0.15, seed: 42, stratify: true });
    expectPartition(s, 100);
    expect(s.test.length).toBe(20);
    expect(s.validation.length).toBe(15);
    const total = countBy(shuffled, Uint32Array.from(order.keys()));
    for (const [part, share] of [
      [s.test, 0.2],
      [s.validation, 0.15],
    ] as const) {
      const got = countBy(shuffled, part);
      for (const [cls, n] of total) expect(Math.abs((got.get(cls) ?? 0) - n * share)).toBeLessThan(1);
    }
  });

  it("holds the stratification bound for any labels, shares and seed (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("x", "y", "z", "w"), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0, max: 0.45, noNaN: true }),
        fc.double({ min: 0, max: 0.45, noNaN: true }),
        fc.integer(),
        (labels, test, validation, seed) => {
          const s = splitIndices(labels, { test, validation, seed, stratify: true });
          expectPartition(s, labels.length);
          expect(s.test.length).toBe(Math.round(labels.length * test));
          expect(s.validation.length).toBe(Math.round(labels.length * validation));
          const total = countBy(labels, Uint32Array.from(labels.keys()));
          const tc = countBy(labels, s.test);
          for (const [cls, n] of total) expect(Math.abs((tc.get(cls) ?? 0) - n * test)).toBeLessThan(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("stratifies a numeric target by equal-frequency bins", () => {
    const rand = mulberry32(11);
    const y = Float64Array.from({ length: 500 }, () => rand() ** 3); // skewed
    const s = splitIndices(y, { test: 0.2, seed: 1, stratify: { bins: 5 } });
    expectPartition(s, 500);
    const sorted = Float64Array.from(y).sort();
    const cuts = [1, 2, 3, 4].map((k) => sorted[k * 100]!);
    const bin = (v: number) => cuts.filter((c) => v >= c).length;
    const perBin = [0, 0, 0, 0, 0];
    for (const r of s.test) perBin[bin(y[r]!)]!++;
    expect(perBin).toEqual([20, 20, 20, 20, 20]);
  });

  it("gives the same stratified split for the same seed and a different one for another", () => {
    const labels = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? "a" : "b"));
    const one = splitIndices(labels, { test: 0.25, seed: 5, stratify: true });
    expect(splitIndices(labels, { test: 0.25, seed: 5, stratify: true })).toEqual(one);
    expect(splitIndices(labels, { test: 0.25, seed: 6, stratify: true }).test).not.toEqual(one.test);
  });

  it("refuses shares that leave no training rows, and missing labels when stratifying", () => {
    expect(() => splitIndices(10, { test: 0.6, validation: 0.4, seed: 1 })).toThrow("The test and validation shares together must leave rows for training");
    expect(() => splitIndices(10, { test: 1, seed: 1 })).toThrow("The test share is a number from 0 up to (not including) 1");
    expect(() => splitIndices(["a", null, "b"], { test: 0.3, seed: 1, stratify: true })).toThrow(
      "The label of row 1 is missing; drop rows without a label before a stratified split",
    );
    // Without stratification labels only give the row count.
    expectPartition(splitIndices(["a", null, "b"], { test: 0.3, seed: 1 }), 3);
  });
});
