import { describe, expect, it } from "vitest";
import { erf, erfc, logGaussMass, logNdtr, truncnormPpf } from "@/lib/hpo/math";

// Reference values from SciPy 1.17 (scipy.special / scipy.stats), committed here; tests never call Python.
describe("normal distribution helpers", () => {
  it.each([
    [-3, -0.9999779095030014],
    [-0.5, -0.5204998778130465],
    [0.1, 0.1124629160182849],
    [0.9, 0.7969082124228322],
    [1.5, 0.9661051464753108],
    [4, 0.9999999845827421],
  ])("erf(%d)", (x, want) => {
    expect(erf(x)).toBeCloseTo(want, 14);
  });

  it.each([
    [-2, 1.9953222650189528],
    [0.3, 0.6713732405408726],
    [1, 0.15729920705028516],
    [3, 2.2090496998585445e-5],
    [6, 2.1519736712498913e-17],
    [10, 2.0884875837625446e-45],
  ])("erfc(%d) to 1e-13 relative", (x, want) => {
    expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1e-13);
  });

  it.each([
    [-40, -804.6084420137539],
    [-25, -316.63940800802027],
    [-5, -15.064998393988727],
    [0, -0.6931471805599453],
    [2, -0.023012909328963476],
    [8, -6.220960574271742e-16],
  ])("logNdtr(%d) including both tails", (x, want) => {
    expect(Math.abs(logNdtr(x) - want) / Math.abs(want)).toBeLessThan(1e-12);
  });

  it.each([
    [-1, 1, -0.38171514630212616],
    [-0.5, 40, -0.36894641528865635],
    [5, 6, -15.068446096529454],
    [-12, -10, -53.23128515074561],
    [30, 31, -454.3212439563433],
  ])("log mass on [%d, %d] stays finite far in the tails", (a, b, want) => {
    expect(Math.abs(logGaussMass(a, b) - want) / Math.abs(want)).toBeLessThan(1e-9);
  });

  it.each([
    [0.3, -1, 2, -0.2424038178892269],
    [0.9, 4, 8, 4.514913939138229],
    [0.5, -20, -15, -15.045937384179702],
    [0.01, -0.2, 0.1, -0.19695553758167456],
  ])("truncated-normal quantile %d on [%d, %d]", (q, a, b, want) => {
    expect(truncnormPpf(q, a, b)).toBeCloseTo(want, 7);
  });
});
