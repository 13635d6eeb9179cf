import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { clearSampleCache, createExperiment, createRun, getMetricHistory, getRun, logBatch, sampleCacheStats } from "@/lib/tracking";
import { listColumnKeys, sampleMetricHistories } from "@/lib/tracking/history-sample";
import { uid } from "../support/factories";

async function runWithLoss(experimentId: string, steps: number, every = 1) {
  const run = await createRun(null, { experimentId });
  for (let s0 = 0; s0 < steps; s0 += 900) {
    const metrics = [];
    for (let i = s0; i < Math.min(steps, s0 + 900); i++) {
      // NaN and Infinity are stored but cannot be drawn.
      const value = i === 5 ? "NaN" : i === 6 ? "Infinity" : Math.sin(i / 50);
      metrics.push({ key: "loss", value, step: i * every + 1, timestamp: 1000 + i });
    }
    await logBatch(null, run.id, { metrics, tags: [{ key: "batch", value: String(s0) }] });
  }
  return run;
}

describe("sampleMetricHistories", () => {
  it("keeps short series whole, without non-finite points", async () => {
    const exp = await createExperiment(null, { name: `sample-${uid()}` });
    const run = await runWithLoss(exp.id, 50, 2);
    const out = await sampleMetricHistories([run.id], ["loss", "absent"], 100);
    const full = (await getMetricHistory(run.id, "loss")).filter((p) => Number.isFinite(p.value));
    expect(out[run.id]!.loss!.map((p) => [p.step, p.value])).toEqual(full.map((p) => [p.step, p.value]));
    expect(out[run.id]!.absent).toEqual([]);
  });

  it("brings long series down to maxPoints, keeping the first and last step", async () => {
    const exp = await createExperiment(null, { name: `sample-${uid()}` });
    const a = await runWithLoss(exp.id, 3000, 3);
    const b = await runWithLoss(exp.id, 1200);
    const out = await sampleMetricHistories([a.id, b.id], ["loss"], 200);
    for (const [run, last] of [
      [a, 2999 * 3 + 1],
      [b, 1200],
    ] as const) {
      const points = out[run.id]!.loss!;
      expect(points.length).toBe(200);
      expect(points[0]!.step).toBe(1);
      expect(points.at(-1)!.step).toBe(last);
      expect(points.every((p) => Number.isFinite(p.value))).toBe(true);
      expect(points.every((p, i) => i === 0 || p.step > points[i - 1]!.step)).toBe(true);
    }
  });

  it("samples the same way when a series asks for more steps than it names one by one", async () => {
    // 6000 steps to 1200 points: every 2nd step (3000), read by a filtered scan of the index range;
    // to 200 points: every 14th step (429), each named in the statement on SQLite; to 50 points:
    // every 59th step (102), an index seek each on PostgreSQL.
    const exp = await createExperiment(null, { name: `sample-${uid()}` });
    const run = await runWithLoss(exp.id, 6000);
    for (const maxPoints of [1200, 200, 50]) {
      const points = (await sampleMetricHistories([run.id], ["loss"], maxPoints))[run.id]!.loss!;
      expect(points.length).toBe(maxPoints);
      expect(points[0]!.step).toBe(1);
      expect(points.at(-1)!.step).toBe(6000);
      expect(points.every((p, i) => i === 0 || p.step > points[i - 1]!.step)).toBe(true);
      expect(points.every((p) => p.value === Math.sin((p.step - 1) / 50))).toBe(true);
    }
  });

  it("reuses a sampled series until a point is added to it, back-filled ones included", async () => {
    const exp = await createExperiment(null, { name: `sample-${uid()}` });
    const run = await runWithLoss(exp.id, 6000);
    const other = await runWithLoss(exp.id, 3000);
    clearSampleCache();
    const sample = async () => (await sampleMetricHistories([run.id, other.id], ["loss"], 50));
    const first = await sample();
    expect(sampleCacheStats()).toMatchObject({ series: 2, hits: 0, misses: 2 });
    expect(await sample()).toEqual(first);
    expect(sampleCacheStats()).toMatchObject({ hits: 2 });

    // A second value at a step the sample reads (stride 59 from step 1), logged after the fact: the
    // run's sample is read again and shows it; the other run's still comes from the cache.
    await logBatch(null, run.id, { metrics: [{ key: "loss", value: 1000, step: 1 + 59 * 40, timestamp: 99_999 }] });
    const after = await sample();
    expect(after[run.id]!.loss!.some((p) => p.value === 1000 && p.step === 1 + 59 * 40)).toBe(true);
    expect(after[other.id]).toEqual(first[other.id]);
    expect(sampleCacheStats()).toMatchObject({ hits: 3, misses: 3 });
  });

  it("counts every point of a key while the newest point stays the latest value", async () => {
    const exp = await createExperiment(null, { name: `sample-${uid()}` });
    const run = await createRun(null, { experimentId: exp.id });
    await logBatch(null, run.id, { metrics: Array.from({ length: 10 }, (_, i) => ({ key: "loss", value: i, step: i, timestamp: 1000 + i })) });
    // Older steps logged later, alone and in a batch with params: the count grows, the latest value does not move.
    await logBatch(null, run.id, { metrics: [{ key: "loss", value: -1, step: 3, timestamp: 5000 }] });
    await logBatch(null, run.id, {
      metrics: [
        { key: "loss", value: -2, step: 2, timestamp: 5001 },
        { key: "acc", value: 0.5, step: 0, timestamp: 5001 },
      ],
      params: [{ key: "lr", value: "0.1" }],
    });
    const counts = await db().$queryRawUnsafe<{ key: string; pointCount: bigint | number }[]>(
      `SELECT "key", "pointCount" FROM "LatestMetric" WHERE "runId" = '${run.id}' ORDER BY "key"`,
    );
    expect(counts.map((c) => [c.key, Number(c.pointCount)])).toEqual([
      ["acc", 1],
      ["loss", 12],
    ]);
    expect((await getRun(run.id)).metrics.loss).toMatchObject({ value: 9, step: 9 });
  });

  it("refuses more than 100 runs and bad names", async () => {
    const ids = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, "0"));
    await expect(sampleMetricHistories(ids, ["loss"], 100)).rejects.toMatchObject({ code: "invalid" });
    await expect(sampleMetricHistories([], ["../x"], 100)).rejects.toMatchObject({ code: "invalid" });
  });
});

describe("listColumnKeys", () => {
  it("lists the param and metric names of an experiment's runs", async () => {
    const exp = await createExperiment(null, { name: `cols-${uid()}` });
    const other = await createExperiment(null, { name: `cols-${uid()}` });
    const run = await createRun(null, { experimentId: exp.id });
    await logBatch(null, run.id, { params: [{ key: "lr", value: "0.1" }, { key: "depth", value: "3" }], metrics: [{ key: "acc", value: 0.9 }] });
    const elsewhere = await createRun(null, { experimentId: other.id });
    await logBatch(null, elsewhere.id, { params: [{ key: "other", value: "1" }], metrics: [{ key: "f1", value: 0.5 }] });
    expect(await listColumnKeys([exp.id])).toEqual({ params: ["depth", "lr"], metrics: ["acc"] });
  });
});
