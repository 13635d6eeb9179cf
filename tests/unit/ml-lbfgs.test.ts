import { describe, expect, it } from "vitest";
import { minimizeLbfgs, type ValueAndGradient } from "@/lib/ml/families/lbfgs";

const OPTS = { maxIterations: 500, gradientTolerance: 1e-9, relativeTolerance: 0 };

describe("minimizeLbfgs", () => {
  it("finds the minimum of an ill-conditioned quadratic (curvatures 1 to 10⁴) to the gradient tolerance", async () => {
    const n = 40;
    const curvature = Array.from({ length: n }, (_, i) => 10 ** ((4 * i) / (n - 1)));
    const centre = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const f: ValueAndGradient = async (x) => {
      let value = 0;
      const gradient = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        value += 0.5 * curvature[i]! * (x[i]! - centre[i]!) ** 2;
        gradient[i] = curvature[i]! * (x[i]! - centre[i]!);
      }
      return { value, gradient };
    };
    const r = await minimizeLbfgs(f, new Float64Array(n), { ...OPTS, maxIterations: 5000 });
    expect(r.stop).toBe("gradient");
    r.x.forEach((v, i) => expect(v).toBeCloseTo(centre[i]!, 9));
  });

  it("walks Rosenbrock's curved valley to (1, 1)", async () => {
    const f: ValueAndGradient = async ([a, b]) => ({
      value: (1 - a!) ** 2 + 100 * (b! - a! * a!) ** 2,
      gradient: Float64Array.from([-2 * (1 - a!) - 400 * a! * (b! - a! * a!), 200 * (b! - a! * a!)]),
    });
    const r = await minimizeLbfgs(f, Float64Array.from([-1.2, 1]), OPTS);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
  });

  it("stops at the iteration cap, and throws when its signal fires", async () => {
    const f: ValueAndGradient = async ([a]) => ({ value: Math.cosh(a! - 3), gradient: Float64Array.from([Math.sinh(a! - 3)]) });
    const capped = await minimizeLbfgs(f, Float64Array.from([50]), { ...OPTS, maxIterations: 2 });
    expect(capped).toMatchObject({ stop: "iterations", iterations: 2 });
    const controller = new AbortController();
    controller.abort(new Error("cancelled"));
    await expect(minimizeLbfgs(f, Float64Array.from([0]), { ...OPTS, signal: controller.signal })).rejects.toThrow("cancelled");
  });
});
