import { describe, expect, it } from "vitest";
import { pointsForDrawing } from "@/lib/tracking";

const series = (values: number[]) => values.map((value, step) => ({ step, value }));

describe("pointsForDrawing", () => {
  it("keeps every value within a millionth of the series' range, in fewer digits", () => {
    const values = Array.from({ length: 500 }, (_, i) => Math.exp(-i / 80) + 0.01 * Math.sin(i * 1.7));
    const range = Math.max(...values) - Math.min(...values);
    const drawn = pointsForDrawing(series(values));
    expect(drawn.map(([s]) => s)).toEqual(values.map((_, i) => i));
    for (let i = 0; i < values.length; i++) expect(Math.abs(drawn[i]![1] - values[i]!)).toBeLessThanOrEqual(range * 1e-6);
    expect(JSON.stringify(drawn).length).toBeLessThan(JSON.stringify(values.map((v, i) => [i, v])).length * 0.7);
  });

  it("resolves a small range far from zero, a flat series, tiny magnitudes and zeros", () => {
    const near = pointsForDrawing(series([1000.0001234567, 1000.0002234567]));
    expect(near[1]![1] - near[0]![1]).toBeCloseTo(1e-4, 9);
    expect(pointsForDrawing(series([0.123456789, 0.123456789]))[0]![1]).toBeCloseTo(0.123456789, 6);
    expect(pointsForDrawing(series([1e-30, 3e-30]))).toEqual([[0, 1e-30], [1, 3e-30]]);
    expect(pointsForDrawing(series([0, 0, 0]))).toEqual([[0, 0], [1, 0], [2, 0]]);
    expect(pointsForDrawing(series([-2.5, 0, 2.5]))).toEqual([[0, -2.5], [1, 0], [2, 2.5]]);
  });
});
