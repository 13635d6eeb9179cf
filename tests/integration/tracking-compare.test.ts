// POST /api/v1/runs/metric-histories: the compare view's curves, sampled on the server.
import { beforeAll, describe, expect, it } from "vitest";
import * as histories from "@/app/api/v1/runs/metric-histories/route";
import { createExperiment, createRun, getMetricHistories, getMetricHistory, logBatch } from "@/lib/tracking";
import { makeApiKey, uid } from "../support/factories";

let viewer = "";

async function call(body: unknown, key = viewer) {
  const req = new Request("http://localhost/api/v1/runs/metric-histories", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const res = await histories.POST(req, { params: Promise.resolve({}) });
  return { status: res.status, body: await res.json() };
}

async function runWith(experimentId: string, steps: number, scale: number) {
  const run = await createRun(null, { experimentId });
  for (let s0 = 0; s0 < steps; s0 += 1000) {
    const metrics = Array.from({ length: Math.min(1000, steps - s0) }, (_, i) => ({
      key: "loss",
      value: scale * Math.exp(-(s0 + i) / 1000),
      step: s0 + i,
      timestamp: 1_000 + s0 + i,
    }));
    await logBatch(null, run.id, { metrics });
  }
  return run;
}

beforeAll(async () => {
  viewer = (await makeApiKey("viewer")).key;
});

describe("compare histories", () => {
  it("returns every run's series sampled to maxPoints, keeping the first and last step", async () => {
    const exp = await createExperiment(null, { name: `compare-${uid()}` });
    const long = await runWith(exp.id, 5000, 1);
    const short = await runWith(exp.id, 40, 2);
    const res = await call({ runIds: [long.id, short.id], keys: ["loss", "absent"], maxPoints: 100 });
    expect(res.status).toBe(200);
    expect(res.body.maxPoints).toBe(100);
    const a = res.body.runs[long.id].loss as { step: number; value: number }[];
    expect(a).toHaveLength(100);
    expect(a[0]).toMatchObject({ step: 0, value: 1 });
    expect(a.at(-1)!.step).toBe(4999);
    // Sampled points are real points of the history.
    const full = new Map((await getMetricHistory(long.id, "loss")).map((p) => [p.step, p.value]));
    for (const p of a) expect(full.get(p.step)).toBe(p.value);
    expect(res.body.runs[short.id].loss).toHaveLength(40);
    expect(res.body.runs[short.id].absent).toEqual([]);
    // The library call the dashboard makes gives the same series.
    const lib = await getMetricHistories([long.id], ["loss"], { maxPoints: 100 });
    expect(lib[long.id]!.loss!.map((p) => p.step)).toEqual(a.map((p) => p.step));
  });

  it("answers 404 for an unknown run and 400 for bad input", async () => {
    const exp = await createExperiment(null, { name: `compare-${uid()}` });
    const run = await runWith(exp.id, 10, 1);
    const unknown = await call({ runIds: [run.id, "f".repeat(32)], keys: ["loss"] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain("f".repeat(32));
    const tooMany = await call({ runIds: Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, "0")), keys: ["loss"] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/at most 100 runs/);
    expect((await call({ runIds: ["nope"], keys: ["loss"] })).status).toBe(400);
    expect((await call({ runIds: [run.id], keys: ["../x"] })).status).toBe(400);
    expect((await call({ runIds: [run.id], keys: ["loss"], maxPoints: 2 })).status).toBe(400);
    expect((await call({ runIds: [run.id], keys: ["loss"] }, "mlops_not-a-key")).status).toBe(401);
  });
});
