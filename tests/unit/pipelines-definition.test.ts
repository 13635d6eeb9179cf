import { describe, expect, it } from "vitest";
import { createPipelineInput, evaluateGate, nextRunAfter, pipelineDefinitionSchema } from "@/lib/pipelines";

const base = { dataset: { name: "iris" }, target: "target" };

describe("pipeline definitions", () => {
  it("fills the defaults: newest version, auto family, challenger policy, seed 42, 80/20 splits", () => {
    expect(pipelineDefinitionSchema.parse(base)).toEqual({
      dataset: { name: "iris", version: "latest" },
      target: "target",
      family: "auto",
      params: {},
      seed: 42,
      split: { test: 0.2, validation: 0.2 },
      promote: "challenger",
    });
  });

  it("accepts a version number or a SHA-256 (lower-cased) and refuses anything else", () => {
    const sha = "AB".repeat(32);
    expect(pipelineDefinitionSchema.parse({ ...base, dataset: { name: "iris", version: sha } }).dataset.version).toBe(sha.toLowerCase());
    expect(pipelineDefinitionSchema.parse({ ...base, dataset: { name: "iris", version: 3 } }).dataset.version).toBe(3);
    expect(pipelineDefinitionSchema.safeParse({ ...base, dataset: { name: "iris", version: "newest" } }).success).toBe(false);
    expect(pipelineDefinitionSchema.safeParse({ ...base, dataset: { name: "iris", version: 0 } }).success).toBe(false);
  });

  it("refuses unknown fields, unknown families and gates without bounds", () => {
    expect(pipelineDefinitionSchema.safeParse({ ...base, colour: "red" }).success).toBe(false);
    const fam = pipelineDefinitionSchema.safeParse({ ...base, family: "forest" });
    expect(fam.success || fam.error.issues[0]!.message).toMatch(/Unknown model family 'forest'/);
    const gate = pipelineDefinitionSchema.safeParse({ ...base, gate: { metric: "accuracy" } });
    expect(gate.success || gate.error.issues[0]!.message).toBe("The evaluation gate needs min or max");
  });

  it("takes five-field cron schedules only", () => {
    const ok = (schedule: string) => createPipelineInput.safeParse({ name: "p", definition: base, schedule }).success;
    expect(ok("0 3 * * *")).toBe(true);
    expect(ok("*/15 9-17 * * 1-5")).toBe(true);
    expect(ok("0 0 3 * * *")).toBe(false);
    expect(ok("0 3 * *")).toBe(false);
    expect(ok("0 25 * * *")).toBe(false);
    expect(ok("every day")).toBe(false);
  });
});

describe("nextRunAfter", () => {
  it("gives the next firing strictly after the instant, in UTC", () => {
    const from = new Date("2026-03-10T03:00:00.000Z");
    expect(nextRunAfter("0 3 * * *", from).toISOString()).toBe("2026-03-11T03:00:00.000Z");
    expect(nextRunAfter("*/10 * * * *", new Date("2026-03-10T03:04:59.000Z")).toISOString()).toBe("2026-03-10T03:10:00.000Z");
    expect(nextRunAfter("30 8 * * 1", from).toISOString()).toBe("2026-03-16T08:30:00.000Z");
  });
});

describe("evaluateGate", () => {
  it("passes a metric within its bounds and fails one outside or missing", () => {
    expect(evaluateGate(undefined, { accuracy: 0.9 })).toBeNull();
    expect(evaluateGate({ metric: "accuracy", min: 0.8 }, { accuracy: 0.9 })).toEqual({ metric: "accuracy", min: 0.8, max: null, value: 0.9, passed: true });
    expect(evaluateGate({ metric: "accuracy", min: 0.95 }, { accuracy: 0.9 })?.passed).toBe(false);
    expect(evaluateGate({ metric: "rmse", max: 10 }, { rmse: 12 })?.passed).toBe(false);
    expect(evaluateGate({ metric: "rmse", max: 10 }, { rmse: 9.5 })?.passed).toBe(true);
    expect(evaluateGate({ metric: "r2", min: 0.5 }, { rmse: 1 })).toMatchObject({ value: null, passed: false });
    expect(evaluateGate({ metric: "r2", min: 0 }, { r2: Number.NaN })?.passed).toBe(false);
  });
});
