import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = resolve("bin/mlops.mjs");

function mlops(...args: string[]) {
  return mlopsIn(process.cwd(), ...args);
}

function mlopsIn(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 120_000, env: { ...process.env, LOG_LEVEL: "silent" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("mlops hpo run", () => {
  it("prints the best value and parameters as JSON", () => {
    const r = mlops("hpo", "run", "--objective", "tests/fixtures/hpo-objective.mjs", "--trials", "30", "--json", "--seed", "1");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { best_value: number; best_params: Record<string, unknown>; n_trials: number; sampler: string };
    expect(Object.keys(out).sort()).toEqual(["best_params", "best_value", "n_trials", "sampler"]);
    expect(out.n_trials).toBe(30);
    expect(out.sampler).toBe("tpe");
    expect(Object.keys(out.best_params).sort()).toEqual(["kind", "x", "y"]);
    const { x, y, kind } = out.best_params as { x: number; y: number; kind: string };
    // The printed value is the objective at the printed parameters.
    expect(out.best_value).toBeCloseTo((x - 1.5) ** 2 + (y + 1) ** 2 + (kind === "a" ? 1 : 0), 12);
    expect(out.best_value).toBeLessThan(2);
  }, 120_000);

  it("exhausts a grid from the module's searchSpace, with several workers and maximize", () => {
    const r = mlops("hpo", "run", "--objective", "tests/fixtures/hpo-objective.mjs", "--trials", "100", "--sampler", "grid", "--workers", "3", "--direction", "maximize", "--json");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { best_value: number; best_params: Record<string, unknown>; n_trials: number; sampler: string };
    expect(out).toMatchObject({ n_trials: 24, sampler: "grid", best_params: { x: -5, y: 3, kind: "a" } });
    expect(out.best_value).toBeCloseTo(6.5 ** 2 + 16 + 1, 12);
  }, 120_000);

  it("runs from the objective's own folder, outside the project", () => {
    const dir = mkdtempSync(join(tmpdir(), "hpo-objective-"));
    try {
      copyFileSync("tests/fixtures/hpo-objective.mjs", join(dir, "objective.mjs"));
      const r = mlopsIn(dir, "hpo", "run", "--objective", "./objective.mjs", "--trials", "12", "--json");
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ n_trials: 12, sampler: "tpe" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("rejects bad flags and a missing module with a message and exit code 1", () => {
    const bad = mlops("hpo", "run", "--objective", "tests/fixtures/hpo-objective.mjs", "--sampler", "bayes");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/expected one of tpe, random, grid/);
    const missing = mlops("hpo", "run", "--objective", "tests/fixtures/does-not-exist.mjs", "--trials", "2");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot load objective module/);
  }, 120_000);
});
